/** Polls of the chaos flows' feeds, and waiting until no pair is at work. */
import type { Client } from '@temporalio/client';
import { FEEDS } from '../../flows';
import type { LinkStore } from '../../store';
import { TASK_QUEUE } from '../../workflows/ids';
import type { RetryTuning } from '../../workflows/steps';
import { BUSY_QUERY } from '../../workflows/search-attributes';
import { CHAOS_FLOWS } from './flows';

/** The change feeds whose every flow is a chaos flow (not the tickets export). */
export const CHAOS_FEEDS = FEEDS.filter((f) => f.flows.every((flow) => CHAOS_FLOWS.includes(flow)));

let polls = 0;

export async function pollOnce(client: Client, feed: string, full = false, retry?: RetryTuning): Promise<void> {
  await client.workflow.execute('pollFeed', { taskQueue: TASK_QUEUE, workflowId: `chaos/poll/${feed}/${++polls}`, args: [{ feed, full, retry }] });
}

/** A poll still handing its changes over (the run's own, started without awaiting). */
const POLLING_QUERY = 'TandemKind = "poll" AND ExecutionStatus = "Running"';

/** Busy record workflows and polls, and retrying pairs, now. */
export async function atWork(client: Client, store: LinkStore): Promise<{ busy: number; retrying: number }> {
  const [records, polls] = await Promise.all([client.workflow.count(BUSY_QUERY), client.workflow.count(POLLING_QUERY)]);
  return { busy: records.count + polls.count, retrying: (await store.listRetrying(undefined, 100_000)).length };
}

/** Waits until no record workflow or poll is at work and no pair is retrying; false when the deadline passed first. */
export async function idle(client: Client, store: LinkStore, deadline: number): Promise<boolean> {
  for (;;) {
    const { busy, retrying } = await atWork(client, store);
    if (busy === 0 && retrying === 0) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * After the faults: poll every feed and wait until idle, round after round, until a round writes
 * nothing (a change carried from one flow to its sibling is written in the round after).
 */
export async function drain(client: Client, store: LinkStore, writes: () => number, boundMs: number): Promise<{ drained: boolean; rounds: number }> {
  const deadline = Date.now() + boundMs;
  for (let round = 1; round <= 6; round++) {
    // Rounds 20 s apart at least: two Zendesk exports a round stay inside its 10 exports a minute.
    const next = Date.now() + 20_000;
    const before = writes();
    for (const feed of CHAOS_FEEDS) await pollOnce(client, feed.id);
    if (!(await idle(client, store, deadline))) return { drained: false, rounds: round };
    if (round >= 2 && writes() === before) {
      // Target change lists never show a deletion: a pass from the start (daily in production) does.
      // A short pause before the second read by id: the faults are over, and the run is bounded.
      for (const feed of CHAOS_FEEDS.filter((f) => f.side === 'target')) await pollOnce(client, feed.id, true, { goneConfirmMs: 5_000 });
      return { drained: await idle(client, store, deadline), rounds: round };
    }
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
  return { drained: false, rounds: 6 };
}
