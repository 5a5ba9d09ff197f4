// The workflow bundle's entry point: every workflow type the worker runs.
export { syncRecord, changedSignal, pairSyncedSignal } from './record';
export { pollFeed } from './poll';
export { syncTicketComments } from './ticket-comments';
