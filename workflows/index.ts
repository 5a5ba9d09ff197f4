// The workflow bundle's entry point: every workflow type the worker runs.
export { syncRecord, changedSignal, referenceReadySignal } from './record';
export { pollFeed } from './poll';
export { syncTicketComments } from './ticket-comments';
