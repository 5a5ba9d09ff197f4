import { getFeed } from '../flows/feeds';
import type { RecordRef } from '../protocol/ids';
import { defineSearchAttributeKey, type SearchAttributeType } from '@temporalio/common';

/** Custom search attributes, so an operator can filter the Temporal UI by kind, flow, record and outcome. */
export const KIND = defineSearchAttributeKey('TandemKind', 'KEYWORD');
export const FLOW = defineSearchAttributeKey('TandemFlow', 'KEYWORD');
export const ZENDESK_ID = defineSearchAttributeKey('TandemZendeskId', 'KEYWORD');
export const TARGET_ID = defineSearchAttributeKey('TandemTargetId', 'KEYWORD');
export const OUTCOME = defineSearchAttributeKey('TandemOutcome', 'KEYWORD');
/** A Zendesk record's workflow: the flows it feeds, each flow's outcome (`<flow id>:<outcome>`), its target ids. */
const FLOWS = defineSearchAttributeKey('TandemFlows', 'KEYWORD_LIST');
export const FLOW_OUTCOMES = defineSearchAttributeKey('TandemFlowOutcomes', 'KEYWORD_LIST');
export const TARGET_IDS = defineSearchAttributeKey('TandemTargetIds', 'KEYWORD_LIST');
/** The tenant a workflow serves (protocol/tenants.ts), `default` included: a Web UI filter per customer. */
export const TENANT = defineSearchAttributeKey('TandemTenant', 'KEYWORD');

export const TANDEM_SEARCH_ATTRIBUTES = [
  KIND,
  FLOW,
  ZENDESK_ID,
  TARGET_ID,
  OUTCOME,
  FLOWS,
  FLOW_OUTCOMES,
  TARGET_IDS,
  TENANT,
];

/** The type name the `temporal` CLI (and its dev server's `--search-attribute`) takes for each. */
export const CLI_TYPE: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/** Every Tandem attribute with its CLI type name, as a dev server's `searchAttributes` option takes them. */
export function searchAttributeTypes(): Record<string, string> {
  return Object.fromEntries(TANDEM_SEARCH_ATTRIBUTES.map((k) => [k.name, CLI_TYPE[k.type]]));
}

/** The flows a record of this type feeds, in their definitions' order (derived from the feeds). */
export function flowsOfRecord(type: RecordRef['type']): readonly string[] {
  return getFeed(`zendesk/${type}`).flows;
}

/** What a Zendesk record's workflow carries from its start: kind, tenant, Zendesk id, the flows it feeds. */
export function entitySearchAttributes(ref: RecordRef, tenant: string) {
  return [
    { key: KIND, value: 'record' },
    { key: TENANT, value: tenant },
    { key: ZENDESK_ID, value: ref.zendeskId },
    { key: FLOWS, value: [...flowsOfRecord(ref.type)] },
  ];
}

/** What a pair workflow (before the Zendesk record was the entity) carried from its start: kind, flow and Zendesk id. */
export function recordSearchAttributes(pair: { flowId: string; zendeskId: string }) {
  return [
    { key: KIND, value: 'record' },
    { key: FLOW, value: pair.flowId },
    { key: ZENDESK_ID, value: pair.zendeskId },
  ];
}

/** Pair (and comments) workflows still at work: running, and not waiting for a fix (failed or conflict). */
export const BUSY_QUERY =
  'TandemKind IN ("record", "comments") AND ExecutionStatus = "Running" AND (TandemOutcome IS NULL OR TandemOutcome NOT IN ("failed", "conflict"))';
