/**
 * The bench's many-workers part (`--workers N [--store sqlite|postgres|postgres-durable]`): the first sync of the
 * Zendesk users feed by N `tandem worker` processes (the compiled CLI, as production runs them) on
 * one Temporal dev server and one link store, against the simulators' real rate limits. The rate
 * limits are held by the task queues, so more workers should not mean more speed on a sync the APIs
 * bound; this shows what they cost or gain, and that the limits hold.
 */
import { Client } from 'pg';
import { startChaosStack } from './chaos/stack';
import { CHAOS_FEEDS, idle } from './chaos/drain';
import { P1, P2, Z3 } from './chaos/flows';
import { startPostgres, type PostgresServer } from './postgres-server';
import { TASK_QUEUE } from '../protocol/ids';
import type { PollTotals } from '../workflows/poll';
import { requestCount } from '../simulators/kit';
import { idlePolls, type IdlePoll } from './idle-poll';
import { cpuSeconds, residentMiB, storeFootprint } from './process-stats';
import { WORKER_NODE_FLAGS } from '../workers/node-flags';

/** `postgres-durable`: PostgreSQL flushing every commit to disk, as a production server does by default. */
export const STORE_KINDS = ['sqlite', 'postgres', 'postgres-durable'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface ScaleOutResult {
  workers: number;
  /** The Node flags the worker processes ran with. */
  nodeFlags: readonly string[];
  storeKind: StoreKind;
  users: number;
  wallSeconds: number;
  usersRead: number;
  linked: { employees: number; contacts: number; departments: number };
  recordsPerSecond: number;
  calls: Record<string, number>;
  answers429: Record<string, number>;
  peakRequestsPerSecond: Record<string, number>;
  /** After the sync, one poll of every feed that finds nothing. */
  idlePoll: Record<string, IdlePoll>;
  /**
   * CPU seconds each process used during the sync (Linux only): the Temporal dev server, each worker,
   * and this process (the simulators and the webhook receiver). Their sum over the wall time says
   * how busy the machine's cores were.
   */
  cpuSeconds: { temporal?: number; workers: (number | undefined)[]; simulators: number };
  /** Each worker process's resident memory at the end and at its peak (Linux only). */
  workerMiB: ({ now: number; peak: number } | undefined)[];
  /** The SQLite store's file (with its write-ahead log) after the sync; undefined for PostgreSQL. */
  store: { bytes?: number; links: number; bytesPerLink?: number };
  /** PostgreSQL only: transactions in the store's database during the sync (each store call is one, reads too), and per record. */
  storeCommits?: { total: number; perRecord: number };
}

/** A first sync can take minutes at the real limits; past this the run stops and says so. */
const BOUND_MS = 60 * 60 * 1000;

/** `nodeDefaults`: run the worker processes with Node's default heap, not the worker's flags (to compare). */
export async function runScaleOut(opts: {
  users: number;
  workers: number;
  store: StoreKind;
  nodeDefaults?: boolean;
}): Promise<ScaleOutResult> {
  let pg: PostgresServer | undefined;
  try {
    pg =
      opts.store === 'sqlite'
        ? undefined
        : await startPostgres(undefined, { durable: opts.store === 'postgres-durable' });
    const storeUrl = pg ? await pg.createDatabase() : undefined;
    const stack = await startChaosStack({
      users: opts.users,
      seed: 1,
      store: storeUrl,
      workerNodeFlags: opts.nodeDefaults ? [] : undefined,
    });
    try {
      for (let i = 0; i < opts.workers; i++) await stack.workers.start();
      const pids = [stack.temporal.pid, ...stack.workers.pids];
      const cpuBefore = pids.map((pid) => (pid === undefined ? undefined : cpuSeconds(pid)));
      const ownBefore = process.cpuUsage();
      const commitsBefore = storeUrl ? await commits(storeUrl) : 0;
      const started = Date.now();
      const totals = (await stack.client.workflow.execute('pollFeed', {
        taskQueue: TASK_QUEUE,
        workflowId: 'bench/workers/zendesk/users',
        args: [{ feed: 'zendesk/users', full: true }],
      })) as PollTotals;
      if (!(await idle(stack.client, stack.store, started + BOUND_MS)))
        throw new Error(`the first sync was still at work after ${BOUND_MS / 60_000} minutes`);
      const seconds = (Date.now() - started) / 1000;
      const committed = storeUrl ? (await commits(storeUrl)) - commitsBefore : undefined;
      const own = process.cpuUsage(ownBefore);
      const [temporalCpu, ...workersCpu] = pids.map((pid, i) => {
        const [after, before] = [pid === undefined ? undefined : cpuSeconds(pid), cpuBefore[i]];
        return after === undefined || before === undefined ? undefined : Number((after - before).toFixed(1));
      });
      const linked = {
        employees: (await stack.store.counts(P2)).linked,
        contacts: (await stack.store.counts(Z3)).linked,
        departments: (await stack.store.counts(P1)).linked,
      };
      const sims = Object.entries({
        zendesk: stack.sims.zendesk,
        poweroffice: stack.sims.poweroffice,
        crmoffice: stack.sims.crmoffice,
      });
      const calls = Object.fromEntries(sims.map(([k, s]) => [k, requestCount(s.stats)]));
      // The feeds of the synced flows: the tickets' first sync would be a sync of its own.
      const idlePoll = await idlePolls(stack.client, stack.sims, 'bench/workers', CHAOS_FEEDS);
      return {
        workers: opts.workers,
        nodeFlags: opts.nodeDefaults ? [] : WORKER_NODE_FLAGS,
        storeKind: opts.store,
        users: opts.users,
        wallSeconds: Number(seconds.toFixed(1)),
        usersRead: totals.read,
        linked,
        recordsPerSecond: Number(((linked.employees + linked.contacts) / seconds).toFixed(1)),
        calls,
        answers429: Object.fromEntries(sims.map(([k, s]) => [k, s.stats.rateLimited])),
        peakRequestsPerSecond: Object.fromEntries(sims.map(([k, s]) => [k, s.stats.peakPerSecond])),
        idlePoll,
        cpuSeconds: {
          temporal: temporalCpu,
          workers: workersCpu,
          simulators: Number(((own.user + own.system) / 1e6).toFixed(1)),
        },
        workerMiB: stack.workers.pids.map(residentMiB),
        store: await storeFootprint(stack.store, pg ? undefined : stack.storePath),
        storeCommits:
          committed === undefined
            ? undefined
            : {
                total: committed,
                perRecord: Number((committed / Math.max(1, linked.employees + linked.contacts)).toFixed(1)),
              },
      };
    } finally {
      await stack.stop();
    }
  } finally {
    await pg?.stop();
  }
}

/** Transactions committed in the database so far (PostgreSQL's own statistics, a moment behind). */
async function commits(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    // The statistics are flushed by each backend now and then: ask for a fresh snapshot.
    await client.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await client.query<{ n: string }>(
      'SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}
