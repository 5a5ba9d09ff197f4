export { ZendeskConfig, zendeskAuthHeader } from './config';
export { ZendeskClient } from './client';
export * from './schemas';
export {
  signWebhook,
  verifyWebhookSignature,
  ZendeskWebhookEvent,
  zendeskIdsOfEvent,
  SIGNATURE_HEADER,
  SIGNATURE_TIMESTAMP_HEADER,
} from './webhooks';
