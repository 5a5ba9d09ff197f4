import { Client } from '@temporalio/client';
import {
  CHANGED_SIGNAL,
  TASK_QUEUE,
  recordOfPair,
  zendeskRecordWorkflowId,
  type ChangeNotice,
  type PairRef,
  type RecordNotice,
  type RecordRef,
} from '../protocol/ids';
import { DEFAULT_TENANT, tenantQueue } from '../protocol/tenants';
import { entitySearchAttributes } from '../workflows/search-attributes';
import type { ZendeskRecordOptions } from '../workflows/zendesk-record';

/**
 * Routes a change to its Zendesk record's workflow (of the tenant's) with signal-with-start: it starts
 * the workflow when none runs, and otherwise adds to the changes the running one will coalesce. The
 * start itself is no change (`work: []`): the signal says which pairs changed.
 */
export async function signalRecord(
  client: Client,
  ref: RecordRef,
  notice: RecordNotice,
  options?: ZendeskRecordOptions,
  tenant = DEFAULT_TENANT,
): Promise<void> {
  await client.workflow.signalWithStart('syncZendeskRecord', {
    taskQueue: tenantQueue(TASK_QUEUE, tenant),
    workflowId: zendeskRecordWorkflowId(ref, tenant),
    args: [ref, { ...options, work: [] }],
    signal: CHANGED_SIGNAL,
    signalArgs: [notice],
    typedSearchAttributes: entitySearchAttributes(ref, tenant),
  });
}

/** One pair's change, to its record's workflow. */
export async function signalPair(
  client: Client,
  pair: PairRef,
  notice: ChangeNotice,
  options?: ZendeskRecordOptions,
  tenant = DEFAULT_TENANT,
): Promise<void> {
  await signalRecord(client, recordOfPair(pair), { ...notice, pairs: [pair] }, options, tenant);
}
