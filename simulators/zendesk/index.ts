export { startZendeskSimulator } from './server';
export type { ZendeskSimulator } from './server';
export { generateSampleData, ID_BASE } from './sample';
