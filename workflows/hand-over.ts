/**
 * Hands work to child workflows in a sliding window: at most `size` in flight, the next one started
 * as soon as one ends. A start is durable once it returns, so the caller may move its checkpoint
 * then; a child that keeps retrying holds one slot, never the others.
 */
import { WorkflowExecutionAlreadyStartedError, type Duration } from '@temporalio/common';
import { ParentClosePolicy, condition, getExternalWorkflowHandle, startChild } from '@temporalio/workflow';
import type { WorkItem } from '../activities/feed-routing';
import type { OutcomeCounts, SyncOutcome } from '../activities/types';
import { recordWorkflowId, ticketCommentsWorkflowId } from './ids';
import { changedSignal, syncRecord, type RecordRunSummary } from './record';
import type { RetryTuning } from './steps';
import { syncTicketComments } from './ticket-comments';

export interface HandOverCounts {
  /** Children started. */
  started: number;
  /** Pairs whose workflow ran already (a webhook): told by signal instead. */
  signalled: number;
  outcomes: OutcomeCounts;
  /** The latest failures, `<flow id>/<zendesk id>: <reason>`. */
  failures: string[];
}

export function emptyOutcomes(): OutcomeCounts {
  return { created: 0, linked: 0, updated: 0, unchanged: 0, skipped: 0, conflict: 0, orphaned: 0, failed: 0 };
}

export function emptyCounts(): HandOverCounts {
  return { started: 0, signalled: 0, outcomes: emptyOutcomes(), failures: [] };
}

/** A started child, and its end (wrapped: an async function would wait for a promise it returns). */
interface Started {
  ended: Promise<SyncOutcome | null>;
}

export class SlidingWindow {
  private inFlight = 0;

  constructor(
    private readonly size: number,
    private readonly counts: HandOverCounts,
    private readonly retry: RetryTuning | undefined,
    private readonly side: 'zendesk' | 'target',
  ) {}

  get running(): number {
    return this.inFlight;
  }

  /** Starts the item's workflow once a slot is free; returns when it has started (or was signalled). */
  async add(item: WorkItem): Promise<void> {
    await condition(() => this.inFlight < this.size);
    const started = item.kind === 'pair' ? await this.startPair(item) : await this.startComments(item);
    if (!started) return;
    this.inFlight += 1;
    void started.ended.then(
      (outcome) => this.done(outcome),
      (err: Error) => this.done('failed', err.message),
    );
  }

  /** Waits for the children in flight, at most `timeout` (a child that keeps retrying must not hold the caller). */
  async drain(timeout: Duration): Promise<void> {
    await condition(() => this.inFlight === 0, timeout);
  }

  private done(outcome: SyncOutcome | null, failure?: string): void {
    this.inFlight -= 1;
    if (outcome) this.counts.outcomes[outcome] += 1;
    if (failure) this.counts.failures = [failure, ...this.counts.failures].slice(0, 20);
  }

  private async startPair(item: Extract<WorkItem, { kind: 'pair' }>): Promise<Started | undefined> {
    const pair = { flowId: item.flowId, zendeskId: item.zendeskId };
    const workflowId = recordWorkflowId(pair);
    for (let tries = 0; tries < 3; tries++) {
      try {
        const child = await startChild(syncRecord, { workflowId, args: [pair, { given: item.given, lingerMs: 0, retry: this.retry }], parentClosePolicy: ParentClosePolicy.ABANDON });
        this.counts.started += 1;
        const ended = child.result().then((run: RecordRunSummary) => {
          const last = run.last;
          if (last?.outcome === 'failed') this.counts.failures = [`${workflowId}: ${last.summary}`, ...this.counts.failures].slice(0, 20);
          return last?.outcome ?? null;
        });
        return { ended };
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
      try {
        await getExternalWorkflowHandle(workflowId).signal(changedSignal, { side: this.side, via: 'poll' });
        this.counts.signalled += 1;
        return undefined;
      } catch {
        // It ended between the two calls: start it again.
      }
    }
    return undefined;
  }

  private async startComments(item: Extract<WorkItem, { kind: 'comments' }>): Promise<Started | undefined> {
    try {
      const child = await startChild(syncTicketComments, {
        workflowId: ticketCommentsWorkflowId(item.ticketId),
        args: [{ ticketId: item.ticketId, ticket: item.ticket, retry: this.retry }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      this.counts.started += 1;
      return { ended: child.result().then(() => null) };
    } catch (err) {
      // Its comments are being listed now; a later change of the ticket lists them again.
      if (err instanceof WorkflowExecutionAlreadyStartedError) return undefined;
      throw err;
    }
  }
}
