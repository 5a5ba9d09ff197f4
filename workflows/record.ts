import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ParentClosePolicy,
  condition,
  continueAsNew,
  defineSignal,
  executeChild,
  getExternalWorkflowHandle,
  proxySinks,
  setHandler,
  type Sinks,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Reference } from '../flows/decide';
import type { SyncOutcome, SyncPairResult } from '../activities/types';
import { CHANGED_SIGNAL, REFERENCE_READY_SIGNAL, recordWorkflowId, type ChangeNotice, type GivenRecord, type PairRef, type ReferenceReady } from './ids';
import { FLOW, KIND, OUTCOME, TARGET_ID, ZENDESK_ID } from './search-attributes';
import { getFlow } from '../flows/registry';
import { pairSteps, type RetryTuning } from './steps';
import { businessFailure, syncPair } from './sync-pair';

export const changedSignal = defineSignal<[ChangeNotice]>(CHANGED_SIGNAL);
export const referenceReadySignal = defineSignal<[ReferenceReady]>(REFERENCE_READY_SIGNAL);

export interface RecordOptions {
  /** Another pair refers to this one (it runs as that pair's child): on-demand flows may create it. */
  demanded?: boolean;
  /** The Zendesk record as a change feed returned it, to save reading it again. */
  given?: GivenRecord;
  /** How long an idle workflow waits for one more change before it ends (0 for children). */
  lingerMs?: number;
  retry?: RetryTuning;
  /** The last syncs that wrote something, carried across continue-as-new. */
  recent?: RecentSync[];
}

/** One line of the audit trail kept in the memo. */
export interface RecentSync {
  at: string;
  outcome: SyncOutcome;
  summary: string;
}

export interface RecordRunSummary {
  pair: PairRef;
  syncs: number;
  last: SyncPairResult | null;
}

/** Counted outside the workflow (a sink: not in history, not repeated on replay). */
export interface TandemSinks extends Sinks {
  metrics: { syncEnded(flowId: string, outcome: SyncOutcome): void };
}
const sinks = proxySinks<TandemSinks>();

const DEFAULT_LINGER_MS = 2000;
/** Keeps one run's history short; the next run carries on with the same id. */
const SYNCS_PER_RUN = 50;
/** How many syncs that wrote (or failed) the memo keeps. */
const RECENT = 5;

/**
 * The record workflow of one pair, id `<flow id>/<zendesk id>`: an entity workflow. Started or woken
 * by signal-with-start (a webhook), by a poll as its child, or by another pair that needs it linked.
 * The first change syncs at once; changes arriving during a sync are coalesced into one more sync;
 * it ends when none is pending. Its history is the pair's audit trail.
 */
export async function syncRecord(pair: PairRef, options: RecordOptions = {}): Promise<RecordRunSummary> {
  // Every run starts because of a change: a start, a signal-with-start or a continue-as-new.
  let pending = true;
  let demanded = options.demanded ?? false;
  let given = options.given;
  const waiting: string[] = [];
  const replies = new Map<string, ReferenceReady>();
  setHandler(changedSignal, (notice) => {
    pending = true;
    given = undefined; // something newer than the feed's copy
    if (notice.replyTo) {
      demanded = true;
      waiting.push(notice.replyTo);
    }
  });
  setHandler(referenceReadySignal, (ready) => void replies.set(recordWorkflowId(ready), ready));
  upsertSearchAttributes([
    { key: KIND, value: 'record' },
    { key: FLOW, value: pair.flowId },
    { key: ZENDESK_ID, value: pair.zendeskId },
  ]);

  const linkReference = (ref: Reference) => runReference(ref, options.retry, replies);
  const steps = pairSteps(getFlow(pair.flowId).target.system, options.retry);
  let recent = options.recent ?? [];
  let syncs = 0;
  let last: SyncPairResult | null = null;
  for (;;) {
    if (!pending && !(await condition(() => pending, options.lingerMs ?? DEFAULT_LINGER_MS))) break;
    pending = false;
    // Those who asked before this sync began get its answer; later askers wait for the next one.
    const answering = waiting.splice(0);
    const ctx = { pair, demanded, given, retry: options.retry, linkReference };
    given = undefined;
    let result: SyncPairResult;
    try {
      result = await syncPair(ctx, steps);
    } catch (err) {
      const reason = businessFailure(err);
      if (reason === undefined) throw err;
      await steps.local.markFailed(pair, reason);
      result = { flowId: pair.flowId, zendeskId: pair.zendeskId, targetId: null, outcome: 'failed', summary: `failed: ${reason}`, decisions: [], written: { target: null, zendesk: null } };
    }
    syncs += 1;
    last = result;
    sinks.metrics.syncEnded(pair.flowId, result.outcome);
    for (const parent of answering) await answer(parent, result);
    if (result.written.target || result.written.zendesk || ['failed', 'conflict', 'orphaned'].includes(result.outcome)) {
      recent = [{ at: new Date().toISOString(), outcome: result.outcome, summary: result.summary }, ...recent].slice(0, RECENT);
    }
    upsertSearchAttributes(result.targetId ? [{ key: OUTCOME, value: result.outcome }, { key: TARGET_ID, value: result.targetId }] : [{ key: OUTCOME, value: result.outcome }]);
    upsertMemo({ summary: result.summary, recent });
    if (syncs >= SYNCS_PER_RUN && pending) await continueAsNew<typeof syncRecord>(pair, { ...options, demanded, given: undefined, recent });
  }
  return { pair, syncs, last };
}

/**
 * Links a referenced pair through its own workflow (`<flow id>/<zendesk id>`): as a child when none
 * runs, so the UI shows parent and child; when one runs already (a webhook woke it), by asking it
 * and waiting for its answer.
 */
async function runReference(ref: Reference, retry: RetryTuning | undefined, replies: Map<string, ReferenceReady>): Promise<ReferenceReady> {
  const pair: PairRef = { flowId: ref.flowId, zendeskId: ref.zendeskId };
  const id = recordWorkflowId(pair);
  for (;;) {
    try {
      const run = await executeChild(syncRecord, {
        workflowId: id,
        args: [pair, { demanded: true, lingerMs: 0, retry }],
        // The referenced pair outlives this one: it is a record of its own.
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      const last = run.last;
      return { ...pair, targetId: last?.targetId ?? null, outcome: last?.outcome ?? 'skipped', summary: last?.summary ?? 'no sync ran' };
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    replies.delete(id);
    try {
      await getExternalWorkflowHandle(id).signal(changedSignal, { side: 'zendesk', via: 'reference', replyTo: workflowInfo().workflowId });
    } catch {
      continue; // it ended meanwhile: start it
    }
    await condition(() => replies.has(id));
    return replies.get(id)!;
  }
}

async function answer(parent: string, result: SyncPairResult): Promise<void> {
  const ready: ReferenceReady = { flowId: result.flowId, zendeskId: result.zendeskId, targetId: result.targetId, outcome: result.outcome, summary: result.summary };
  try {
    await getExternalWorkflowHandle(parent).signal(referenceReadySignal, ready);
  } catch {
    // The asker is gone (terminated); nobody waits for this answer.
  }
}
