import { defineSearchAttributeKey } from '@temporalio/common';

/** Custom search attributes, so an operator can filter the Temporal UI by flow, record and outcome. */
export const FLOW = defineSearchAttributeKey('TandemFlow', 'KEYWORD');
export const ZENDESK_ID = defineSearchAttributeKey('TandemZendeskId', 'KEYWORD');
export const TARGET_ID = defineSearchAttributeKey('TandemTargetId', 'KEYWORD');
export const OUTCOME = defineSearchAttributeKey('TandemOutcome', 'KEYWORD');

export const TANDEM_SEARCH_ATTRIBUTES = [FLOW, ZENDESK_ID, TARGET_ID, OUTCOME];
