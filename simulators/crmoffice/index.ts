export { startCrmofficeSimulator } from './server';
export type { CrmofficeSimulator } from './server';
