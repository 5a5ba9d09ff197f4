export { startPowerOfficeSimulator } from './server';
export type { PowerOfficeSimulator } from './server';
export { PowerOfficeState, Problem, parseTimestamp } from './state';
