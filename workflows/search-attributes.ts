import { defineSearchAttributeKey } from '@temporalio/common';

/** Custom search attributes, so an operator can filter the Temporal UI by kind, flow, record and outcome. */
export const KIND = defineSearchAttributeKey('TandemKind', 'KEYWORD');
export const FLOW = defineSearchAttributeKey('TandemFlow', 'KEYWORD');
export const ZENDESK_ID = defineSearchAttributeKey('TandemZendeskId', 'KEYWORD');
export const TARGET_ID = defineSearchAttributeKey('TandemTargetId', 'KEYWORD');
export const OUTCOME = defineSearchAttributeKey('TandemOutcome', 'KEYWORD');

export const TANDEM_SEARCH_ATTRIBUTES = [KIND, FLOW, ZENDESK_ID, TARGET_ID, OUTCOME];

/** What every record workflow carries from its start: kind, flow and Zendesk id. */
export function recordSearchAttributes(pair: { flowId: string; zendeskId: string }) {
  return [
    { key: KIND, value: 'record' },
    { key: FLOW, value: pair.flowId },
    { key: ZENDESK_ID, value: pair.zendeskId },
  ];
}

/** `record`: a pair's workflow; `poll`: a change feed's; `comments`: one ticket's comments handed to their pairs. */
export type WorkflowKind = 'record' | 'poll' | 'comments';

/** Pair (and comments) workflows still at work: running, and not waiting for a fix (failed or conflict). */
export const BUSY_QUERY =
  'TandemKind IN ("record", "comments") AND ExecutionStatus = "Running" AND (TandemOutcome IS NULL OR TandemOutcome NOT IN ("failed", "conflict"))';
