export { startPowerOfficeSimulator } from './server';
export type { PowerOfficeCredentials, PowerOfficeSimulator, PowerOfficeSimulatorOptions } from './server';
export { PowerOfficeState, Problem, parseTimestamp } from './state';
export type { DepartmentRecord, EmployeeRecord } from './state';
