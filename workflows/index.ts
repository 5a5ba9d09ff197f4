// The workflow bundle's entry point: every workflow type the worker runs.
export { syncZendeskRecord } from './zendesk-record';
// The workflows of pairs and of ticket comments from before the Zendesk record was the entity: an
// upgraded installation's running ones finish on today's worker.
export { syncRecord } from './record';
export { changedSignal, pairSyncedSignal, recordSyncedSignal } from './signals';
export { pollFeed } from './poll';
export { syncTicketComments } from './ticket-comments';
