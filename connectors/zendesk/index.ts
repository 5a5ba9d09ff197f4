export { ZendeskConfig, zendeskAuthHeader } from './config';
export { ZendeskClient } from './client';
export type { ListOptions, Page, CursorExportPage, TimeExportPage, IncrementalStart, UserFields, OrganizationFields, TicketFields, NewComment } from './client';
export * from './schemas';
export {
  signWebhook,
  verifyWebhookSignature,
  ZendeskWebhookEvent,
  zendeskIdsOfEvent,
  TANDEM_EVENT_TYPES,
  USER_EVENT_TYPES,
  ORGANIZATION_EVENT_TYPES,
  TICKET_EVENT_TYPES,
  SIGNATURE_HEADER,
  SIGNATURE_TIMESTAMP_HEADER,
} from './webhooks';
export type { ZendeskEventIds } from './webhooks';
