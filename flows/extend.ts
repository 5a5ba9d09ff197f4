/**
 * Adding record types and flows without editing the tables: an extension names its Zendesk and
 * target record types and its flow definitions, and every table derived from them (routing, feeds,
 * the webhook subscription, the store's checks, `tandem why`'s names) includes them from then on.
 * Register before the first use, in every process and workflow bundle that runs the flows: the
 * activities' side (connector calls) is registered in activities/extend.ts.
 */
import { checkFlowDefinition } from './check';
import { FLOWS, addFlow } from './registry';
import { refreshFeeds } from './feeds';
import { addTargetType, TARGET_RECORD_TYPES, type TargetRecordType } from './target-types';
import type { FlowDefinition } from './types';
import { addZendeskType, ZENDESK_RECORD_TYPES, type ZendeskRecordType } from './zendesk-types';

export interface FlowExtension {
  zendeskTypes?: Readonly<Record<string, ZendeskRecordType>>;
  targetTypes?: Readonly<Record<string, TargetRecordType>>;
  flows: readonly FlowDefinition[];
}

/**
 * Registers the extension's types and flows. Registering the same extension again changes nothing
 * (a module loaded twice); a name already taken by something else is refused, naming it.
 */
export function extendFlows(extension: FlowExtension): void {
  const clash = (what: string, name: string) => new Error(`cannot register ${what} "${name}": the name is taken`);
  for (const [type, described] of Object.entries(extension.zendeskTypes ?? {})) {
    if (ZENDESK_RECORD_TYPES[type] === described) continue;
    if (Object.hasOwn(ZENDESK_RECORD_TYPES, type)) throw clash('Zendesk record type', type);
    addZendeskType(type, described);
  }
  for (const [type, described] of Object.entries(extension.targetTypes ?? {})) {
    if (TARGET_RECORD_TYPES[type] === described) continue;
    if (Object.hasOwn(TARGET_RECORD_TYPES, type)) throw clash('target record type', type);
    addTargetType(type, described);
  }
  for (const flow of extension.flows) {
    if (FLOWS[flow.id] === flow) continue;
    if (Object.hasOwn(FLOWS, flow.id)) throw clash('flow', flow.id);
    checkFlowDefinition(flow);
    addFlow(flow);
  }
  refreshFeeds();
}
