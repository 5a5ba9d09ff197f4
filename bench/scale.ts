/**
 * The bench's scale part (`--scale [--users 100000]`): a `tandem worker` process (run as `npm run
 * worker` runs it) on a store holding the links of that many Zendesk users. The set-up links them
 * with Tandem's own sync steps in this process, the simulators' limits lifted (seed-links.ts); then
 * the worker polls every feed once when nothing changed, and makes a full pass of the Crmoffice
 * contacts feed (its daily read of the whole target, which looks at every link). Measured: the
 * worker's resident memory, the store's size on disk, what an idle poll costs and starts, and the
 * full pass's requests, time and workflows.
 */
import { startChaosStack } from './chaos/stack';
import { CHAOS_FEEDS } from './chaos/drain';
import { idlePolls, requestsSoFar, untilNoPairAtWork, type IdlePoll } from './idle-poll';
import { residentMiB, storeFootprint } from './process-stats';
import { seedUsersFeed, type Seeded } from './seed-links';
import { DEFAULT_FLOWS_CONFIG } from '../flows/config';
import { createConnectors } from '../workers/connectors';
import { WORKER_NODE_FLAGS } from '../workers/node-flags';
import { TASK_QUEUE } from '../protocol/ids';
import type { PollTotals } from '../workflows/poll';

export interface ScaleResult {
  users: number;
  nodeFlags: readonly string[];
  setUp: Seeded;
  store: { links: number; bytes?: number; bytesPerLink?: number };
  idlePoll: Record<string, IdlePoll>;
  fullPass: { feed: string; seconds: number; requests: number; read: number; workflowsStarted: number };
  /** The worker process's resident memory after the idle polls, and at the end with its peak. */
  workerMiB: { afterIdlePolls?: { now: number; peak: number }; end?: { now: number; peak: number } };
}

const FULL_PASS_FEED = 'crmoffice/contacts';

export async function runScale(opts: { users: number; log: (line: string) => void }): Promise<ScaleResult> {
  const stack = await startChaosStack({ users: opts.users, seed: 1, rateLimits: false });
  try {
    opts.log(`set-up: ${opts.users} users linked by Tandem's sync steps in this process, the limits lifted`);
    const connectors = createConnectors(stack.sims.configs, { sharedTokens: stack.store });
    const setUp = await seedUsersFeed(
      { connectors, store: stack.store, flows: DEFAULT_FLOWS_CONFIG },
      { progress: (n) => opts.log(`  ${n} pairs`) },
    );
    opts.log(`set-up done in ${setUp.seconds} s: ${setUp.pairs} pairs, ${setUp.failedCount} failed`);
    await stack.workers.start();
    const [pid] = stack.workers.pids;
    const idlePoll = await idlePolls(stack.client, stack.sims, 'bench/scale', CHAOS_FEEDS);
    const afterIdlePolls = residentMiB(pid);

    const before = requestsSoFar(stack.sims);
    const records = async () => (await stack.client.workflow.count('TandemKind = "record"')).count;
    const recordsBefore = await records();
    const t0 = Date.now();
    const pass = (await stack.client.workflow.execute('pollFeed', {
      taskQueue: TASK_QUEUE,
      workflowId: `bench/scale/full-pass/${FULL_PASS_FEED}`,
      args: [{ feed: FULL_PASS_FEED, full: true }],
    })) as PollTotals;
    await untilNoPairAtWork(stack.client);
    const fullPass = {
      feed: FULL_PASS_FEED,
      seconds: Number(((Date.now() - t0) / 1000).toFixed(1)),
      requests: requestsSoFar(stack.sims) - before,
      read: pass.read,
      workflowsStarted: (await records()) - recordsBefore,
    };

    return {
      users: opts.users,
      nodeFlags: WORKER_NODE_FLAGS,
      setUp,
      store: await storeFootprint(stack.store, stack.storePath),
      idlePoll,
      fullPass,
      workerMiB: { afterIdlePolls, end: residentMiB(pid) },
    };
  } finally {
    await stack.stop();
  }
}
