/** The flows of docs/flows.md, by id; plus the public API of the mapping engine and merge. */
export { FLOWS, FLOW_IDS, isFlowId, getFlow } from './registry';
export { rowKey } from './types';
export { extendFlows, type FlowExtension } from './extend';
export type * from './types';
export * from './config';
export * from './paths';
export * from './normalize';
export * from './mapping';
export * from './merge';
export * from './match';
export * from './explain';
export * from './routing';
export * from './zendesk-types';
export * from './target-types';
export * from './feeds';
export * from './decide';
export * from './copies';
export * from './echo';
