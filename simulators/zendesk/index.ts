export { startZendeskSimulator, ZendeskSimulatorExtras } from './server';
export type { ZendeskSimulator, ZendeskSimulatorOptions } from './server';
export { generateSampleData, ID_BASE } from './sample';
export type { SampleData } from './sample';
export type { UserRec, OrgRec, TicketRec, CommentRec } from './records';
export type { DeliveryStats } from './webhooks';
