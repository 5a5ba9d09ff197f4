/**
 * Hands work to child workflows in a sliding window: at most `size` in flight, the next one started
 * as soon as one ends. A start is durable once it returns, so the caller may move its checkpoint
 * then; a child that keeps retrying holds one slot, never the others.
 */
import { WorkflowExecutionAlreadyStartedError, type Duration, type Priority } from '@temporalio/common';
import {
  ParentClosePolicy,
  condition,
  getExternalWorkflowHandle,
  patched,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { WorkItem } from '../activities/feed-routing';
import type { OutcomeCounts, SyncOutcome } from '../protocol/outcomes';
import { COMMENTS_FLOW } from '../flows/feeds';
import {
  pairKey,
  recordOfPair,
  recordWorkflowId,
  ticketCommentsWorkflowId,
  zendeskRecordWorkflowId,
  type PairSynced,
  type PairWork,
  type RecordRef,
} from '../protocol/ids';
import { ReferenceCarriers } from './reference-carriers';
import { entitySearchAttributes, recordSearchAttributes } from './search-attributes';
import { currentTenant } from './tenant';
import { syncRecord } from './record';
import { changedSignal, pairSyncedSignal, recordSyncedSignal } from './signals';
import type { RetryTuning } from './steps';
// By type only: the comments' workflow hands its own pairs over through this window.
import type { syncTicketComments } from './ticket-comments';
import { syncZendeskRecord } from './zendesk-record';

export interface HandOverCounts {
  /** Children started. */
  started: number;
  /** Pairs whose workflow ran already (a webhook): told by signal instead. */
  signalled: number;
  outcomes: OutcomeCounts;
  /** The latest failures, `<flow id>/<zendesk id>: <reason>`. */
  failures: string[];
}

/** The work a feed hands one Zendesk record's workflow: the pairs of it that asked to sync. */
export interface RecordItem {
  ref: RecordRef;
  pairs: PairWork[];
}

/**
 * A page's work items by Zendesk record, in the page's order: a user's pairs of both its flows, a
 * ticket's pair with the listing of its comments, go to its one workflow together.
 */
export function byRecord(items: readonly WorkItem[]): RecordItem[] {
  const records = new Map<string, RecordItem>();
  for (const item of items) {
    const pair: PairWork =
      item.kind === 'pair'
        ? { flowId: item.flowId, zendeskId: item.zendeskId, ...(item.given && { given: item.given }) }
        : {
            flowId: COMMENTS_FLOW,
            zendeskId: item.ticketId,
            given: {
              ticket: item.ticket,
              matchIndexedAt: item.matchIndexedAt,
              referencesIndexedAt: item.referencesIndexedAt,
            },
          };
    const ref = recordOfPair(pair);
    const id = zendeskRecordWorkflowId(ref, currentTenant());
    const record = records.get(id) ?? { ref, pairs: [] };
    record.pairs.push(pair);
    records.set(id, record);
  }
  return [...records.values()];
}

function emptyOutcomes(): OutcomeCounts {
  return { created: 0, linked: 0, updated: 0, unchanged: 0, skipped: 0, conflict: 0, orphaned: 0, failed: 0 };
}

export function emptyCounts(): HandOverCounts {
  return { started: 0, signalled: 0, outcomes: emptyOutcomes(), failures: [] };
}

/**
 * Hands work to children, at most `size` in flight. A pair child counts as done when it reports its
 * first sync (a failed pair stays open for its next change); a comments child when it ends.
 */
export class SlidingWindow {
  private readonly inFlight = new Set<string>();
  /** Starts handed out and not yet confirmed, each settling to the error it met (if any). */
  private readonly starting = new Set<Promise<unknown>>();
  private readonly carriers = new ReferenceCarriers(this.inFlight);
  /** The children's task priority (they and their activities inherit the caller's when unset). */
  priority?: Priority;

  constructor(
    private readonly size: number,
    private readonly counts: HandOverCounts,
    private readonly retry: RetryTuning | undefined,
    private readonly side: 'zendesk' | 'target',
  ) {
    setHandler(pairSyncedSignal, (synced) => this.report(recordWorkflowId(synced, currentTenant()), synced));
    setHandler(recordSyncedSignal, (round) => this.reportRecord(round.workflowId, round.pairs));
  }

  get running(): number {
    return this.inFlight.size;
  }

  /**
   * Starts the item's workflow once a slot is free, without waiting for it to have started: the
   * starts of a window go out in one workflow task, not a round trip to the server each. `started()`
   * confirms them. (Histories from before wait for each start, as they ran.)
   */
  async add(item: WorkItem): Promise<void> {
    await condition(() => this.inFlight.size < this.size);
    if (!patched('starts-together')) return item.kind === 'pair' ? this.startPair(item) : this.startComments(item);
    if (item.kind === 'pair')
      await this.carriers.before(recordWorkflowId(item, currentTenant()), item.given?.referenced ?? []);
    const start = item.kind === 'pair' ? this.startPair(item) : this.startComments(item);
    const settled: Promise<unknown> = start.then(
      () => (this.starting.delete(settled), undefined),
      (err: unknown) => err,
    );
    this.starting.add(settled);
  }

  /** Returns once every start handed out has started (or was signalled): a checkpoint may move past them. */
  async started(): Promise<void> {
    for (const failure of await Promise.all([...this.starting])) if (failure !== undefined) throw failure;
  }

  /** Waits for the children in flight, at most `timeout` (a child that keeps retrying must not hold the caller). */
  async drain(timeout: Duration): Promise<void> {
    await this.started();
    await condition(() => this.inFlight.size === 0, timeout);
  }

  /**
   * Hands a record its pairs once a slot is free: starts its workflow, or, when one runs (a webhook
   * woke it, or it waits for a fix), signals it. A start and a signal can race with the workflow's
   * end any number of times; each race is resolved here before `started()` returns, so the caller's
   * checkpoint never moves past a record that was not handed over.
   */
  async addRecord(item: RecordItem): Promise<void> {
    await condition(() => this.inFlight.size < this.size);
    const workflowId = zendeskRecordWorkflowId(item.ref, currentTenant());
    await this.carriers.before(
      workflowId,
      item.pairs.flatMap((p) => p.given?.referenced ?? []),
    );
    const settled: Promise<unknown> = this.startRecord(item, workflowId).then(
      () => (this.starting.delete(settled), undefined),
      (err: unknown) => err,
    );
    this.starting.add(settled);
  }

  private async startRecord(item: RecordItem, workflowId: string): Promise<void> {
    this.inFlight.add(workflowId);
    for (;;) {
      try {
        const child = await startChild(syncZendeskRecord, {
          workflowId,
          args: [item.ref, { work: item.pairs, lingerMs: 0, retry: this.retry }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          priority: this.priority,
          typedSearchAttributes: entitySearchAttributes(item.ref, currentTenant()),
        });
        this.counts.started += 1;
        // It reports by ending, or by a signal when it stays open (failed, or more changes came).
        void child.result().then(
          (run) => this.reportRecord(workflowId, run.pairs),
          () => this.done(workflowId, null),
        );
        return;
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      try {
        // It runs already: it reports its next round.
        await getExternalWorkflowHandle(workflowId).signal(changedSignal, {
          side: this.side,
          via: 'poll',
          replyTo: workflowInfo().workflowId,
          pairs: item.pairs,
        });
        this.counts.signalled += 1;
        return;
      } catch {
        // It ended between the two calls: start it again.
      }
    }
  }

  private reportRecord(id: string, pairs: readonly PairSynced[]): void {
    if (!this.inFlight.has(id)) return;
    for (const p of pairs) {
      if (p.outcome === 'failed')
        this.counts.failures = [`${pairKey(p)}: ${p.summary}`, ...this.counts.failures].slice(0, 20);
      this.counts.outcomes[p.outcome] += 1;
    }
    this.inFlight.delete(id);
  }

  private report(id: string, synced: { outcome: SyncOutcome; summary: string } | null): void {
    if (synced?.outcome === 'failed' && this.inFlight.has(id))
      this.counts.failures = [`${id}: ${synced.summary}`, ...this.counts.failures].slice(0, 20);
    this.done(id, synced?.outcome ?? null);
  }

  private done(id: string, outcome: SyncOutcome | null): void {
    if (!this.inFlight.delete(id)) return;
    if (outcome) this.counts.outcomes[outcome] += 1;
  }

  private async startPair(item: Extract<WorkItem, { kind: 'pair' }>): Promise<void> {
    const pair = { flowId: item.flowId, zendeskId: item.zendeskId };
    const workflowId = recordWorkflowId(pair, currentTenant());
    for (let tries = 0; tries < 3; tries++) {
      try {
        this.inFlight.add(workflowId);
        const child = await startChild(syncRecord, {
          workflowId,
          args: [pair, { given: item.given, lingerMs: 0, retry: this.retry }],
          parentClosePolicy: ParentClosePolicy.ABANDON,
          priority: this.priority,
          typedSearchAttributes: recordSearchAttributes(pair),
        });
        this.counts.started += 1;
        // It reports by ending, or by a signal when it stays open (failed, or more changes came).
        void child.result().then(
          (run) => this.report(workflowId, run.last),
          () => this.done(workflowId, null),
        );
        return;
      } catch (err) {
        this.inFlight.delete(workflowId);
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      try {
        // It runs already (a webhook, or a failed pair waiting for its fix): it reports its next sync.
        this.inFlight.add(workflowId);
        await getExternalWorkflowHandle(workflowId).signal(changedSignal, {
          side: this.side,
          via: 'poll',
          replyTo: workflowInfo().workflowId,
        });
        this.counts.signalled += 1;
        return;
      } catch {
        this.inFlight.delete(workflowId);
        // It ended between the two calls: start it again.
      }
    }
  }

  private async startComments(item: Extract<WorkItem, { kind: 'comments' }>): Promise<void> {
    const workflowId = ticketCommentsWorkflowId(item.ticketId, currentTenant());
    try {
      this.inFlight.add(workflowId);
      const child = await startChild<typeof syncTicketComments>('syncTicketComments', {
        workflowId,
        args: [
          {
            ticketId: item.ticketId,
            ticket: item.ticket,
            matchIndexedAt: item.matchIndexedAt,
            referencesIndexedAt: item.referencesIndexedAt,
            retry: this.retry,
          },
        ],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        priority: this.priority,
      });
      this.counts.started += 1;
      void child.result().then(
        () => this.done(workflowId, null),
        () => this.done(workflowId, null),
      );
    } catch (err) {
      this.inFlight.delete(workflowId);
      // Its comments are being listed now; a later change of the ticket lists them again.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
}
