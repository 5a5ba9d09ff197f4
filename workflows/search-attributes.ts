import { defineSearchAttributeKey } from '@temporalio/common';

/** Custom search attributes, so an operator can filter the Temporal UI by kind, flow, record and outcome. */
export const KIND = defineSearchAttributeKey('TandemKind', 'KEYWORD');
export const FLOW = defineSearchAttributeKey('TandemFlow', 'KEYWORD');
export const ZENDESK_ID = defineSearchAttributeKey('TandemZendeskId', 'KEYWORD');
export const TARGET_ID = defineSearchAttributeKey('TandemTargetId', 'KEYWORD');
export const OUTCOME = defineSearchAttributeKey('TandemOutcome', 'KEYWORD');

export const TANDEM_SEARCH_ATTRIBUTES = [KIND, FLOW, ZENDESK_ID, TARGET_ID, OUTCOME];

/** `record`: a pair's workflow; `poll`: a change feed's; `comments`: one ticket's comments handed to their pairs. */
export type WorkflowKind = 'record' | 'poll' | 'comments';
