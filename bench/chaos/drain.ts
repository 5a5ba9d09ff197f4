/** Polls of the chaos flows' feeds, and waiting until no pair is at work. */
import type { Client } from '@temporalio/client';
import { FEEDS } from '../../flows';
import type { LinkStore } from '../../store';
import { TASK_QUEUE } from '../../protocol/ids';
import type { RetryTuning } from '../../workflows/steps';
import { BUSY_QUERY } from '../../workflows/search-attributes';
import { CHAOS_FLOWS } from './flows';

/** The change feeds whose every flow is a chaos flow (not the tickets export). */
export const CHAOS_FEEDS = FEEDS.filter((f) => f.flows.every((flow) => CHAOS_FLOWS.includes(flow)));

let polls = 0;

export async function pollOnce(client: Client, feed: string, full = false, retry?: RetryTuning): Promise<void> {
  await client.workflow.execute('pollFeed', {
    taskQueue: TASK_QUEUE,
    workflowId: `chaos/poll/${feed}/${++polls}`,
    args: [{ feed, full, retry }],
  });
}

/** A poll still handing its changes over (the run's own, started without awaiting). */
const POLLING_QUERY = 'TandemKind = "poll" AND ExecutionStatus = "Running"';

/** Busy record workflows and polls, and retrying pairs, now. */
async function atWork(client: Client, store: LinkStore): Promise<{ busy: number; retrying: number }> {
  const [records, polls] = await Promise.all([client.workflow.count(BUSY_QUERY), client.workflow.count(POLLING_QUERY)]);
  return { busy: records.count + polls.count, retrying: (await store.listRetrying(undefined, 100_000)).length };
}

/** Waits until no record workflow or poll is at work and no pair is retrying; false when the deadline passed first. */
export async function idle(
  client: Client,
  store: LinkStore,
  deadline: number,
  log?: (line: string) => void,
): Promise<boolean> {
  for (let nextLog = Date.now() + 15_000; ;) {
    const { busy, retrying } = await atWork(client, store);
    if (busy === 0 && retrying === 0) return true;
    if (Date.now() > deadline) return false;
    if (log && Date.now() > nextLog) {
      log(`waiting for ${busy} workflows (${await holding(client)}) and ${retrying} retrying pairs`);
      nextLog = Date.now() + 15_000;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The first few busy workflows, each with its pending activities (type, attempt, last failure). */
async function holding(client: Client, max = 3): Promise<string> {
  const out: string[] = [];
  for await (const w of client.workflow.list({ query: BUSY_QUERY })) {
    const { raw } = await client.workflow.getHandle(w.workflowId).describe();
    const steps = (raw.pendingActivities ?? []).map(
      (a) =>
        `${a.activityType?.name} attempt ${a.attempt}${a.lastFailure?.message ? `: ${a.lastFailure.message.slice(0, 120)}` : ''}`,
    );
    if (out.push(`${w.workflowId} [${steps.join('; ') || 'no activity pending'}]`) >= max) break;
  }
  return out.join(' | ') || 'none';
}

/**
 * After the faults: poll every feed and wait until idle, round after round, until a round writes
 * nothing (a change carried from one flow to its sibling is written in the round after). That round
 * starts at `quietFrom` or later: Zendesk's exports hold back the minute before each request, so a
 * quiet round before then could still miss a change made just before the faults stopped.
 */
export async function drain(
  client: Client,
  store: LinkStore,
  writes: () => number,
  boundMs: number,
  retry?: RetryTuning,
  log: (line: string) => void = () => undefined,
  quietFrom = 0,
): Promise<{ drained: boolean; rounds: number }> {
  const deadline = Date.now() + boundMs;
  for (let round = 1; round <= 6; round++) {
    // Rounds 20 s apart at least: two Zendesk exports a round stay inside its 10 exports a minute.
    const started = Date.now();
    const next = started + 20_000;
    const before = writes();
    for (const feed of CHAOS_FEEDS) {
      // A poll waits for its pairs: one that takes long says which pairs hold it.
      const watch = setInterval(
        () =>
          void holding(client).then((h) => log(`drain round ${round}: the poll of ${feed.id} waits; at work: ${h}`)),
        15_000,
      );
      await pollOnce(client, feed.id, false, retry).finally(() => clearInterval(watch));
    }
    if (!(await idle(client, store, deadline, log))) return { drained: false, rounds: round };
    log(`drain round ${round}: ${writes() - before} writes`);
    if (round >= 2 && writes() === before && started >= quietFrom) {
      // Target change lists never show a deletion: a pass from the start (daily in production) does.
      // A short pause before the second read by id: the faults are over, and the run is bounded.
      for (const feed of CHAOS_FEEDS.filter((f) => f.side === 'target'))
        await pollOnce(client, feed.id, true, { ...retry, goneConfirmMs: 5_000 });
      return { drained: await idle(client, store, deadline), rounds: round };
    }
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
  return { drained: false, rounds: 6 };
}
