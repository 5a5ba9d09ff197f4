import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ParentClosePolicy,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  startChild,
  patched,
  proxySinks,
  sleep,
  setHandler,
  type Sinks,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Reference } from '../flows/decide';
import type { ReportedValue } from '../flows/echo';
import type { SyncOutcome, SyncPairResult } from '../protocol/outcomes';
import { recordWorkflowId, type GivenRecord, type PairRef, type PairSynced } from '../protocol/ids';
import { changedSignal, pairSyncedSignal } from './signals';
import { KIND, OUTCOME, TARGET_ID, recordSearchAttributes } from './search-attributes';
import { currentTenant } from './tenant';
import { getFlow } from '../flows/registry';
import { pairSteps, type RetryTuning } from './steps';
import { businessFailure, syncPair, type ReferenceHints } from './sync-pair';

export interface RecordOptions {
  /** Another pair refers to this one (it runs as that pair's child): on-demand flows may create it. */
  demanded?: boolean;
  /** The Zendesk record as a change feed returned it, to save reading it again. */
  given?: GivenRecord;
  /** A reference: when its parent's poll brought this flow's target index up to date (its first sync matches from it). */
  matchIndexedAt?: number;
  /** Started only because another pair needs it linked: if it is linked already, there is nothing to sync. */
  asReference?: boolean;
  /** How long an idle workflow waits for one more change before it ends (0 for children). */
  lingerMs?: number;
  retry?: RetryTuning;
  /** The last syncs that wrote something, carried across continue-as-new. */
  recent?: RecentSync[];
  /** Started by signal-with-start: the start is no change of its own, the signal says what changed. */
  bySignal?: boolean;
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
  metrics: {
    syncEnded(flowId: string, outcome: SyncOutcome): void;
    /** A sync wrote for a change a webhook reported at `changedAt` (the event's time, ISO). */
    webhookWritten(flowId: string, changedAt: string): void;
  };
}
const sinks = proxySinks<TandemSinks>();

const DEFAULT_LINGER_MS = 2000;
/** Keeps one run's history short; the next run carries on with the same id. */
const SYNCS_PER_RUN = 50;
/** How many syncs that wrote (or failed) the memo keeps. */
const RECENT = 5;
/** Outcomes that wait for a change (a fix of the data, an operator's choice) rather than end the run. */
const UNSETTLED: readonly SyncOutcome[] = ['failed', 'conflict'];

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
  let asReference = options.asReference ?? false;
  const waiting: string[] = [];
  /** The sync under way: who hears of it, and whether it may create an on-demand record. */
  let syncing: { answering: string[]; demanded: boolean } | undefined;
  // Histories from before a reference could join a sync under way replay as they ran.
  const joinSync = patched('reference-joins-sync');
  const replies = new Map<string, PairSynced>();
  // What the webhooks since the last sync began report, while only webhooks that say so came; a
  // start (but signal-with-start's, whose signal is the change) or any other notice makes it
  // undefined: nobody named that change, so the sync reads.
  let reported: ReportedValue[] | undefined = options.bySignal ? [] : undefined;
  setHandler(changedSignal, (notice) => {
    // A pair that needs this one linked, asking during a sync that may create it: that sync's answer
    // will do (the record is not news to it), not one more sync with a read of its own.
    if (joinSync && notice.via === 'reference' && notice.replyTo && syncing?.demanded) {
      syncing.answering.push(notice.replyTo);
      return;
    }
    reported = notice.reported && reported ? [...reported, notice.reported] : undefined;
    pending = true;
    given = undefined; // something newer than the feed's copy
    asReference = false; // a change to sync
    if (notice.demanded) demanded = true;
    if (notice.replyTo) waiting.push(notice.replyTo);
  });
  setHandler(pairSyncedSignal, (synced) => void replies.set(recordWorkflowId(synced, currentTenant()), synced));
  // Whoever starts a pair sets these (one event fewer per pair); a bare start gets them here.
  if (!workflowInfo().typedSearchAttributes.get(KIND)) upsertSearchAttributes(recordSearchAttributes(pair));

  const linkReference = (ref: Reference, hints?: ReferenceHints) => runReference(ref, options.retry, replies, hints);
  const steps = pairSteps(getFlow(pair.flowId).target.system, options.retry);
  let recent = options.recent ?? [];
  let syncs = 0;
  let last: SyncPairResult | null = null;
  // The parent (a poll, or a pair that needs this one) hears of the first sync: by this run's end
  // when it ends right after, else (more changes pending, or failed and waiting) by a signal.
  let parentToTell = workflowInfo().parent?.workflowId;
  for (;;) {
    if (!pending) {
      // A failed or conflicting pair stays open until its next change heals it: its TandemOutcome
      // then moves on in this same run, so "failed now" is a plain query.
      const linger = options.lingerMs ?? DEFAULT_LINGER_MS;
      if (last && UNSETTLED.includes(last.outcome)) await condition(() => pending);
      else if (linger <= 0 || !(await condition(() => pending, linger))) break;
    }
    pending = false;
    // Those who asked before this sync began get its answer; later askers wait for the next one.
    syncing = { answering: waiting.splice(0), demanded };
    const confirmGone = async () => {
      // Histories written before this step existed replay as they ran: one read, no pause.
      if (!patched('confirm-gone')) return false;
      await sleep(options.retry?.goneConfirmMs ?? 60_000);
      return true;
    };
    // Histories from before echoes were told apart replay as they ran: every notice read both sides.
    // Asked only when a webhook reported a value: each patch adds a marker and a search-attribute
    // upsert to the history, which a first sync's thousands of pairs would pay for nothing.
    const echoes = reported?.length && patched('webhook-echo') ? reported : undefined;
    const ctx = {
      pair,
      demanded,
      given,
      asReference,
      reported: echoes,
      matchIndexedAt: syncs === 0 ? options.matchIndexedAt : undefined,
      retry: options.retry,
      confirmGone,
      linkReference,
    };
    given = undefined;
    reported = []; // nothing pending yet: what comes next is named by its notices
    asReference = false;
    let result: SyncPairResult;
    try {
      result = await syncPair(ctx, steps);
    } catch (err) {
      const reason = businessFailure(err);
      if (reason === undefined) throw err;
      await steps.local.markFailed(pair, reason);
      result = {
        flowId: pair.flowId,
        zendeskId: pair.zendeskId,
        targetId: null,
        outcome: 'failed',
        summary: `failed: ${reason}`,
        decisions: [],
        written: { target: null, zendesk: null },
      };
    }
    syncs += 1;
    last = result;
    sinks.metrics.syncEnded(pair.flowId, result.outcome);
    const endsNow = !pending && !UNSETTLED.includes(result.outcome) && (options.lingerMs ?? DEFAULT_LINGER_MS) <= 0;
    const { answering } = syncing;
    syncing = undefined;
    if (parentToTell && !endsNow) answering.push(parentToTell);
    parentToTell = undefined;
    for (const asker of answering) await tell(asker, result);
    if (
      result.written.target ||
      result.written.zendesk ||
      UNSETTLED.includes(result.outcome) ||
      result.outcome === 'orphaned'
    ) {
      recent = [{ at: new Date().toISOString(), outcome: result.outcome, summary: result.summary }, ...recent].slice(
        0,
        RECENT,
      );
    }
    upsertSearchAttributes(
      result.targetId
        ? [
            { key: OUTCOME, value: result.outcome },
            { key: TARGET_ID, value: result.targetId },
          ]
        : [{ key: OUTCOME, value: result.outcome }],
    );
    upsertMemo({ summary: result.summary, recent });
    if (syncs >= SYNCS_PER_RUN && (pending || UNSETTLED.includes(result.outcome))) {
      await continueAsNew<typeof syncRecord>(pair, {
        ...options,
        demanded,
        given: undefined,
        asReference: undefined,
        matchIndexedAt: undefined,
        recent,
        bySignal: undefined,
      });
    }
  }
  return { pair, syncs, last };
}

/**
 * Links a referenced pair through its own workflow (`<flow id>/<zendesk id>`): as a child when none
 * runs, so the UI shows parent and child; when one runs already (a webhook woke it), by asking it.
 * Either way the answer comes as a signal after its next sync.
 */
async function runReference(
  ref: Reference,
  retry: RetryTuning | undefined,
  replies: Map<string, PairSynced>,
  hints: ReferenceHints = {},
): Promise<PairSynced> {
  const pair: PairRef = { flowId: ref.flowId, zendeskId: ref.zendeskId };
  const id = recordWorkflowId(pair, currentTenant());
  replies.delete(id);
  for (;;) {
    try {
      // The referenced pair outlives this one: it is a record of its own.
      const child = await startChild(syncRecord, {
        workflowId: id,
        args: [
          pair,
          {
            demanded: true,
            asReference: true,
            lingerMs: 0,
            retry,
            matchIndexedAt: hints.indexedAt,
            given: hints.given,
          },
        ],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: recordSearchAttributes(pair),
      });
      void child.result().then(
        (run) => run.last && !replies.has(id) && replies.set(id, synced(run.last)),
        () => undefined,
      );
      break;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
    try {
      await getExternalWorkflowHandle(id).signal(changedSignal, {
        side: 'zendesk',
        via: 'reference',
        replyTo: workflowInfo().workflowId,
        demanded: true,
      });
      break;
    } catch {
      // It ended between the two calls: start it.
    }
  }
  await condition(() => replies.has(id));
  return replies.get(id)!;
}

function synced(result: SyncPairResult): PairSynced {
  return {
    flowId: result.flowId,
    zendeskId: result.zendeskId,
    targetId: result.targetId,
    outcome: result.outcome,
    summary: result.summary,
  };
}

async function tell(asker: string, result: SyncPairResult): Promise<void> {
  try {
    await getExternalWorkflowHandle(asker).signal(pairSyncedSignal, synced(result));
  } catch {
    // The asker is gone (ended or terminated); nobody waits for this answer.
  }
}
