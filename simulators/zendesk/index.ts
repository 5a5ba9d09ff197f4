export { startZendeskSimulator } from './server';
export type { ZendeskSimulator, ZendeskSimulatorOptions } from './server';
export type { ZendeskResourceSpec } from './resource';
export { generateSampleData, ID_BASE } from './sample';
