export { startCrmofficeSimulator } from './server';
export type { CrmofficeSimulator, CrmofficeSimulatorOptions } from './server';
export { CrmofficeStore } from './store';
