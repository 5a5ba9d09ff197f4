export { startPowerOfficeSimulator } from './server';
export type { PowerOfficeSimulator, PowerOfficeSimulatorOptions } from './server';
export type { PowerOfficeResourceSpec } from './resource';
export { PowerOfficeState, Problem, parseTimestamp } from './state';
