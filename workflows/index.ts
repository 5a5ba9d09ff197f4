// The workflow bundle's entry point: every workflow type the worker runs.
export { syncRecord, changedSignal } from './record';
export { pollFlow } from './poll';
