/**
 * The entity workflow of one Zendesk record (`zendesk/<type>/<id>`): a user, an organisation, a
 * ticket with its comments. It syncs every flow of the record, one round at a time, and is the only
 * writer of the record and of every target record linked to it: two flows never race on one record.
 */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ParentClosePolicy,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  proxySinks,
  setHandler,
  sleep,
  startChild,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ApiRecord } from '../flows/types';
import type { Reference } from '../flows/decide';
import type { ReportedValue } from '../flows/echo';
import { COMMENTS_FLOW } from '../flows/feeds';
import { getFlow } from '../flows/registry';
import type { SyncOutcome, SyncPairResult } from '../protocol/outcomes';
import {
  pairKey,
  recordOfPair,
  zendeskRecordWorkflowId,
  type GivenRecord,
  type PairRef,
  type PairSynced,
  type PairWork,
  type RecordRef,
} from '../protocol/ids';
import { changedSignal, pairSyncedSignal, recordSyncedSignal } from './signals';
import { FLOW_OUTCOMES, KIND, OUTCOME, TARGET_IDS, entitySearchAttributes, flowsOfRecord } from './search-attributes';
import { currentTenant } from './tenant';
import { apiSteps, pairSteps, type RetryTuning } from './steps';
import { PairFailed, businessFailure, syncPair, type ReferenceHints } from './sync-pair';
import type { RecentSync, TandemSinks } from './record';

/** A pair waiting for its next sync in this record's workflow, with what its notices told. */
interface PendingPair extends PairWork {
  /** Another record needs it linked: on-demand flows may create it. */
  demanded?: boolean;
  /** Asked only to be linked (a reference's first ask): a linked pair answers at once. */
  asReference?: boolean;
  /** When the asking poll brought this flow's target index up to date (a reference's first sync). */
  matchIndexedAt?: number;
  /** What the webhooks behind it report, while only such webhooks are: an echo reads nothing. */
  reported?: ReportedValue[];
  /** Workflows waiting for this pair's next sync (references): each is told its outcome. */
  answering?: string[];
  /** The earliest change a webhook reported for this sync (its event time): the latency metric's start. */
  webhookAt?: string;
}

export interface ZendeskRecordOptions {
  /** The pairs to sync first; absent: every flow of the record (a bare start is a change of it). */
  work?: PendingPair[];
  /** How long an idle workflow waits for one more change before it ends (0 for children). */
  lingerMs?: number;
  retry?: RetryTuning;
  /** Carried across continue-as-new: the recent rounds per flow, the pairs waiting for a fix, who waits for a round. */
  recent?: Record<string, RecentSync[]>;
  settled?: PairSynced[];
  roundAskers?: string[];
  parentTold?: boolean;
}

export interface ZendeskRecordRun {
  ref: RecordRef;
  rounds: number;
  /** The last outcome of each pair synced in this run. */
  pairs: PairSynced[];
  /** The last round's syncs of the record's own flows, with their decisions (a ticket's comments are in `pairs` only). */
  last: SyncPairResult[];
}

const sinks = proxySinks<TandemSinks>();

const DEFAULT_LINGER_MS = 2000;
/** How many syncs that wrote (or failed) the memo keeps per flow. */
const RECENT = 5;
/** Outcomes that wait for a change (a fix of the data, an operator's choice) rather than end the run. */
const UNSETTLED: readonly SyncOutcome[] = ['failed', 'conflict'];
/** The order in which a record's pairs are shown as its state: the worst first. */
const SEVERITY: readonly SyncOutcome[] = [
  'failed',
  'conflict',
  'orphaned',
  'skipped',
  'created',
  'linked',
  'updated',
  'unchanged',
];
/** How long a pair waits for a referenced record's workflow before its sync ends as failed, naming it. */
const DEFAULT_REFERENCE_WAIT_MS = 10 * 60 * 1000;

/** A pair of the ticket's comments flow named by the ticket's id: list its comments. */
const listsComments = (ref: RecordRef, p: PairRef) => p.flowId === COMMENTS_FLOW && p.zendeskId === ref.zendeskId;
/** A flow of the record itself (not one comment of a ticket, nor the listing). */
const ownPair = (ref: RecordRef, p: PairRef) => p.zendeskId === ref.zendeskId && p.flowId !== COMMENTS_FLOW;

export async function syncZendeskRecord(ref: RecordRef, options: ZendeskRecordOptions = {}): Promise<ZendeskRecordRun> {
  const self = workflowInfo().workflowId;
  const pending = new Map<string, PendingPair>();
  for (const p of options.work ?? flowsOfRecord(ref.type).map((flowId) => ({ flowId, zendeskId: ref.zendeskId })))
    pending.set(pairKey(p), p);
  /** The pairs being synced now: a reference asking for one while it may create it joins its answer. */
  const syncing = new Map<string, PendingPair>();
  let roundAskers = options.roundAskers ?? [];
  const replies = new Map<string, PairSynced>();

  setHandler(changedSignal, (notice) => {
    if (notice.replyTo && notice.via !== 'reference') roundAskers.push(notice.replyTo);
    const pairs: PairWork[] =
      notice.pairs ?? flowsOfRecord(ref.type).map((flowId) => ({ flowId, zendeskId: ref.zendeskId }));
    for (const p of pairs) {
      const key = pairKey(p);
      const asker = notice.via === 'reference' ? notice.replyTo : undefined;
      const current = syncing.get(key);
      if (asker && current?.demanded) {
        current.answering = [...(current.answering ?? []), asker];
        continue;
      }
      const was = pending.get(key);
      const reported = notice.reported ? [notice.reported] : undefined;
      pending.set(key, {
        flowId: p.flowId,
        zendeskId: p.zendeskId,
        // The newest notice's copy, or none: something newer than an earlier copy came.
        given: p.given,
        demanded: (was?.demanded ?? false) || (notice.demanded ?? false),
        reported: was ? (was.reported && reported ? [...was.reported, ...reported] : undefined) : reported,
        answering: [...(was?.answering ?? []), ...(asker ? [asker] : [])],
        webhookAt: was?.webhookAt ?? (notice.via === 'webhook' ? notice.at : undefined),
      });
    }
  });
  setHandler(pairSyncedSignal, (synced) => void replies.set(pairKey(synced), synced));
  setHandler(recordSyncedSignal, (report) => {
    for (const synced of report.pairs) replies.set(pairKey(synced), synced);
  });
  // Whoever starts a record sets these (one event fewer per record); a bare start gets them here.
  if (!workflowInfo().typedSearchAttributes.get(KIND))
    upsertSearchAttributes(entitySearchAttributes(ref, currentTenant()));

  const retry = options.retry;
  const linkReference = (reference: Reference, hints?: ReferenceHints) =>
    askReference(reference, retry, replies, hints);
  const stepsOf = (flowId: string) => pairSteps(getFlow(flowId).target.system, retry);
  const recent = options.recent ?? {};
  const states = new Map<string, PairSynced>((options.settled ?? []).map((s) => [pairKey(s), s]));
  const lastOfRun = new Map<string, PairSynced>();
  let parentTold = options.parentTold ?? !workflowInfo().parent;
  let rounds = 0;
  let last: SyncPairResult[] = [];
  const unsettled = () => [...states.values()].some((s) => UNSETTLED.includes(s.outcome));
  const zendesk = new ZendeskRecordAccess(ref, stepsOf);

  for (;;) {
    if (pending.size === 0) {
      // A failed or conflicting pair keeps the workflow open until a change heals it: its
      // TandemOutcome then moves on in this same run, so "failed now" is a plain query.
      const linger = options.lingerMs ?? DEFAULT_LINGER_MS;
      if (unsettled()) await condition(() => pending.size > 0);
      else if (linger <= 0 || !(await condition(() => pending.size > 0, linger))) break;
    }
    // A round: the record's own flows, then a ticket's comments, one by one.
    const round = [...pending.values()];
    pending.clear();
    const askers = roundAskers;
    roundAskers = [];
    const results: PairSynced[] = [];
    last = [];
    const writtenBefore = zendesk.writes;
    zendesk.newRound();
    const own = round.filter((p) => ownPair(ref, p));
    const comments = round
      .filter((p) => !ownPair(ref, p))
      .sort((a, b) => Number(!listsComments(ref, a)) - Number(!listsComments(ref, b)));
    const runPair = async (work: PendingPair) => {
      // A copy a feed read before this run last wrote the record would undo that write: read instead.
      if (work.given?.record && zendesk.writes > 0 && (work.given.readAt ?? 0) <= zendesk.lastWriteAt)
        work.given = { ...work.given, record: undefined };
      syncing.set(pairKey(work), work);
      const result = await syncOne(
        work,
        { retry, linkReference, zendesk: ownPair(ref, work) ? zendesk : undefined },
        stepsOf(work.flowId),
      );
      syncing.delete(pairKey(work));
      if (ownPair(ref, work) && result.written.zendesk) zendesk.wrote(work.flowId);
      const synced = toSynced(result);
      if (ownPair(ref, work)) last.push(result);
      results.push(synced);
      states.set(pairKey(work), synced);
      lastOfRun.set(pairKey(work), synced);
      sinks.metrics.syncEnded(work.flowId, result.outcome);
      if (work.webhookAt && (result.written.target || result.written.zendesk))
        sinks.metrics.webhookWritten(work.flowId, work.webhookAt);
      for (const asker of work.answering ?? []) await tell(asker, synced);
      if (
        result.written.target ||
        result.written.zendesk ||
        UNSETTLED.includes(result.outcome) ||
        result.outcome === 'orphaned'
      ) {
        recent[work.flowId] = [
          { at: new Date().toISOString(), outcome: result.outcome, summary: result.summary },
          ...(recent[work.flowId] ?? []),
        ].slice(0, RECENT);
      }
      return result;
    };
    // One flow after another: concurrent branches would schedule their steps in an order that a
    // replay, which hands a task's local activities over together, may not repeat.
    const startedAt = new Map<string, number>();
    for (const work of own) {
      startedAt.set(work.flowId, zendesk.writes);
      await runPair(work);
    }
    if (zendesk.writes > writtenBefore) {
      // A flow wrote the record: its other flows that did not see that write (they ran before it, or
      // not in this round) carry it to their targets now, as the write's webhook would ask.
      for (const flowId of flowsOfRecord(ref.type)) {
        const pair = { flowId, zendeskId: ref.zendeskId };
        const saw = (startedAt.get(flowId) ?? -1) >= zendesk.writes;
        if (ownPair(ref, pair) && flowId !== zendesk.lastWriter && !saw && !pending.has(pairKey(pair)))
          pending.set(pairKey(pair), pair);
      }
    }
    for (let i = 0; i < comments.length; i++) {
      if (workflowInfo().continueAsNewSuggested) {
        for (const rest of comments.slice(i)) pending.set(pairKey(rest), rest);
        break;
      }
      if (listsComments(ref, comments[i])) comments.push(...(await listComments(ref, comments[i], retry)));
      else await runPair(comments[i]);
    }
    rounds += 1;
    const endsNow = pending.size === 0 && !unsettled() && (options.lingerMs ?? DEFAULT_LINGER_MS) <= 0;
    if (!parentTold && !endsNow) askers.push(workflowInfo().parent!.workflowId);
    parentTold ||= !endsNow;
    for (const asker of askers) await report(asker, self, results);
    showState(states, recent);
    if (workflowInfo().continueAsNewSuggested && (pending.size > 0 || unsettled())) {
      await continueAsNew<typeof syncZendeskRecord>(ref, {
        work: [...pending.values()],
        lingerMs: options.lingerMs,
        retry,
        recent,
        settled: [...states.values()].filter((s) => UNSETTLED.includes(s.outcome)),
        roundAskers,
        parentTold: true,
      });
    }
  }
  return { ref, rounds, pairs: [...lastOfRun.values()], last };
}

/** The record's flows' way to the Zendesk record: one read a round, shared until a flow writes it. */
class ZendeskRecordAccess {
  /** Zendesk writes by this run's flows. */
  writes = 0;
  lastWriter?: string;
  /** When the last of them ended (workflow time, ms). */
  lastWriteAt = 0;
  private read?: Promise<{ record: ApiRecord | null; readAt: number }>;

  constructor(
    private readonly ref: RecordRef,
    private readonly stepsOf: (flowId: string) => ReturnType<typeof pairSteps>,
  ) {}

  /** A round reads the record anew: changes arrived since the last one. */
  newRound(): void {
    this.read = undefined;
  }

  /** The record as read since the last write; read once for all the flows asking. */
  current(pair: PairRef): Promise<{ record: ApiRecord | null; readAt: number }> {
    if (!this.read) {
      const asked = Date.now();
      this.read = this.stepsOf(pair.flowId)
        .zendesk.readZendesk(pair, this.ref.type, this.ref.zendeskId)
        .then((record) => ({ record, readAt: asked }));
    }
    return this.read;
  }

  /** A flow wrote the record: the flows after it read it again. */
  wrote(flowId: string): void {
    this.writes += 1;
    this.lastWriter = flowId;
    this.lastWriteAt = Date.now();
    this.read = undefined;
  }
}

interface SyncOneContext {
  retry?: RetryTuning;
  linkReference(ref: Reference, hints?: ReferenceHints): Promise<PairSynced>;
  zendesk?: ZendeskRecordAccess;
}

/** One pair's sync; a business failure is recorded on the pair and ends it as `failed`, not the workflow. */
async function syncOne(
  work: PendingPair,
  ctx: SyncOneContext,
  steps: ReturnType<typeof pairSteps>,
): Promise<SyncPairResult> {
  const pair = { flowId: work.flowId, zendeskId: work.zendeskId };
  const confirmGone = async () => {
    await sleep(ctx.retry?.goneConfirmMs ?? 60_000);
    return true;
  };
  try {
    return await syncPair(
      {
        pair,
        demanded: work.demanded ?? false,
        given: work.given,
        asReference: work.asReference,
        matchIndexedAt: work.matchIndexedAt,
        reported: work.reported?.length ? work.reported : undefined,
        retry: ctx.retry,
        confirmGone,
        linkReference: ctx.linkReference,
        zendeskRecord: ctx.zendesk && (() => ctx.zendesk!.current(pair)),
      },
      steps,
    );
  } catch (err) {
    const reason = businessFailure(err);
    if (reason === undefined) throw err;
    await steps.local.markFailed(pair, reason);
    return {
      ...pair,
      targetId: null,
      outcome: 'failed',
      summary: `failed: ${reason}`,
      decisions: [],
      written: { target: null, zendesk: null },
    };
  }
}

/** A ticket's comments (one call), each that asks to sync as a pair of this round, with the ticket as context. */
async function listComments(ref: RecordRef, work: PendingPair, retry: RetryTuning | undefined): Promise<PendingPair[]> {
  const given = work.given;
  const items = await apiSteps('zendesk', retry).listTicketComments(COMMENTS_FLOW, ref.zendeskId, given?.ticket);
  return items.flatMap((item) => {
    if (item.kind !== 'pair') return [];
    const hints =
      item.given?.linkVersion === 0
        ? { matchIndexedAt: given?.matchIndexedAt, referencesIndexedAt: given?.referencesIndexedAt }
        : {};
    return [
      {
        flowId: item.flowId,
        zendeskId: item.zendeskId,
        given: item.given && ({ ...item.given, ...hints } satisfies GivenRecord),
      },
    ];
  });
}

/**
 * Links a referenced pair through its record's workflow: as a child when none runs, so the UI shows
 * parent and child; when one runs already (a webhook woke it), by asking it. Either way the answer
 * comes after its next sync of that pair, within a bound: a record that does not answer ends this
 * pair's sync as failed, naming it, rather than holding this record for ever.
 */
async function askReference(
  reference: Reference,
  retry: RetryTuning | undefined,
  replies: Map<string, PairSynced>,
  hints: ReferenceHints = {},
): Promise<PairSynced> {
  const pair: PairRef = { flowId: reference.flowId, zendeskId: reference.zendeskId };
  const key = pairKey(pair);
  const ref = recordOfPair(pair);
  const id = zendeskRecordWorkflowId(ref, currentTenant());
  // It would wait for its own next round: no flow refers to its own record, so this is a definition's mistake.
  if (id === workflowInfo().workflowId)
    throw new PairFailed(
      `field \`${reference.field}\`: ${reference.flowId} ${reference.zendeskId} is this record's own pair; a reference must be another record's`,
    );
  replies.delete(key);
  for (;;) {
    try {
      // The referenced record outlives this one: it is a record of its own.
      const work: PendingPair = {
        ...pair,
        demanded: true,
        asReference: true,
        matchIndexedAt: hints.indexedAt,
        given: hints.given,
      };
      const child = await startChild(syncZendeskRecord, {
        workflowId: id,
        args: [ref, { work: [work], lingerMs: 0, retry }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        typedSearchAttributes: entitySearchAttributes(ref, currentTenant()),
      });
      void child.result().then(
        (run) => {
          const synced = run.pairs.find((p) => pairKey(p) === key);
          if (synced && !replies.has(key)) replies.set(key, synced);
        },
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
        pairs: [pair],
      });
      break;
    } catch {
      // It ended between the two calls: start it.
    }
  }
  const wait = retry?.referenceWaitMs ?? DEFAULT_REFERENCE_WAIT_MS;
  if (!(await condition(() => replies.has(key), wait))) {
    throw new PairFailed(
      `field \`${reference.field}\`: the referenced record's workflow ${id} did not answer for ${reference.flowId} within ${Math.round(wait / 1000)} s (see its history); this pair syncs again at its next change`,
    );
  }
  return replies.get(key)!;
}

function toSynced(result: SyncPairResult): PairSynced {
  return {
    flowId: result.flowId,
    zendeskId: result.zendeskId,
    targetId: result.targetId,
    outcome: result.outcome,
    summary: result.summary,
  };
}

async function tell(asker: string, synced: PairSynced): Promise<void> {
  try {
    await getExternalWorkflowHandle(asker).signal(pairSyncedSignal, synced);
  } catch {
    // The asker is gone (ended or terminated); nobody waits for this answer.
  }
}

async function report(asker: string, workflowId: string, pairs: PairSynced[]): Promise<void> {
  try {
    await getExternalWorkflowHandle(asker).signal(recordSyncedSignal, { workflowId, pairs });
  } catch {
    // The poll is gone; nobody waits for this round.
  }
}

/** The record's state for the UI: the worst outcome, each flow's, the target ids, the recent rounds. */
function showState(states: Map<string, PairSynced>, recent: Record<string, RecentSync[]>): void {
  const all = [...states.values()];
  const worst = SEVERITY.find((o) => all.some((s) => s.outcome === o));
  const flowOutcomes = [...new Set(all.map((s) => `${s.flowId}:${s.outcome}`))].sort();
  const targetIds = [...new Set(all.flatMap((s) => (s.targetId ? [s.targetId] : [])))].sort();
  upsertSearchAttributes([
    ...(worst ? [{ key: OUTCOME, value: worst }] : []),
    { key: FLOW_OUTCOMES, value: flowOutcomes },
    { key: TARGET_IDS, value: targetIds },
  ]);
  // The worst first: the summary's first line is what an operator looks at.
  const own = all
    .filter((s) => !s.zendeskId.includes(':'))
    .sort((a, b) => SEVERITY.indexOf(a.outcome) - SEVERITY.indexOf(b.outcome));
  const comments = all.length - own.length;
  upsertMemo({
    summary: [...own.map((s) => s.summary), ...(comments ? [`${comments} comment(s) synced`] : [])].join('\n'),
    recent,
  });
}
