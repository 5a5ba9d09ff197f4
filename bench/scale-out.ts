/**
 * The bench's many-workers part (`--workers N [--store sqlite|postgres]`): the first sync of the
 * Zendesk users feed by N `tandem worker` processes (the compiled CLI, as production runs them) on
 * one Temporal dev server and one link store, against the simulators' real rate limits. The rate
 * limits are held by the task queues, so more workers should not mean more speed on a sync the APIs
 * bound; this shows what they cost or gain, and that the limits hold.
 */
import { existsSync, statSync } from 'node:fs';
import { startChaosStack } from './chaos/stack';
import { CHAOS_FEEDS, idle } from './chaos/drain';
import { P1, P2, Z3 } from './chaos/flows';
import { startPostgres, type PostgresServer } from './postgres-server';
import { TASK_QUEUE } from '../workflows/ids';
import type { PollTotals } from '../workflows/poll';
import { FLOW_IDS } from '../flows';
import { requestCount } from '../simulators/kit';
import { idlePolls, type IdlePoll } from './idle-poll';
import { residentMiB } from './process-memory';
import { WORKER_NODE_FLAGS } from '../workers/node-flags';

export type StoreKind = 'sqlite' | 'postgres';

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
  /** Each worker process's resident memory at the end and at its peak (Linux only). */
  workerMiB: ({ now: number; peak: number } | undefined)[];
  /** The SQLite store's file (with its write-ahead log) after the sync; undefined for PostgreSQL. */
  store: { bytes?: number; links: number; bytesPerLink?: number };
}

/** A first sync can take minutes at the real limits; past this the run stops and says so. */
const BOUND_MS = 60 * 60 * 1000;

/** `nodeDefaults`: run the worker processes with Node's default heap, not the worker's flags (to compare). */
export async function runScaleOut(opts: { users: number; workers: number; store: StoreKind; nodeDefaults?: boolean }): Promise<ScaleOutResult> {
  let pg: PostgresServer | undefined;
  try {
    pg = opts.store === 'postgres' ? await startPostgres() : undefined;
    const stack = await startChaosStack({ users: opts.users, seed: 1, store: pg ? await pg.createDatabase() : undefined, workerNodeFlags: opts.nodeDefaults ? [] : undefined });
    try {
      for (let i = 0; i < opts.workers; i++) await stack.workers.start();
      const started = Date.now();
      const totals = (await stack.client.workflow.execute('pollFeed', {
        taskQueue: TASK_QUEUE,
        workflowId: 'bench/workers/zendesk/users',
        args: [{ feed: 'zendesk/users', full: true }],
      })) as PollTotals;
      if (!(await idle(stack.client, stack.store, started + BOUND_MS))) throw new Error(`the first sync was still at work after ${BOUND_MS / 60_000} minutes`);
      const seconds = (Date.now() - started) / 1000;
      const linked = { employees: (await stack.store.counts(P2)).linked, contacts: (await stack.store.counts(Z3)).linked, departments: (await stack.store.counts(P1)).linked };
      const sims = Object.entries({ zendesk: stack.sims.zendesk, poweroffice: stack.sims.poweroffice, crmoffice: stack.sims.crmoffice });
      const calls = Object.fromEntries(sims.map(([k, s]) => [k, requestCount(s.stats)]));
      // The feeds of the synced flows: the tickets' first sync would be a sync of its own.
      const idlePoll = await idlePolls(stack.client, stack.sims, 'bench/workers', CHAOS_FEEDS);
      const links = (await Promise.all(FLOW_IDS.map(async (f) => Object.values(await stack.store.counts(f)).reduce((a, b) => a + b, 0)))).reduce((a, b) => a + b, 0);
      const bytes = pg ? undefined : [stack.storePath, `${stack.storePath}-wal`].filter(existsSync).reduce((sum, f) => sum + statSync(f).size, 0);
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
        workerMiB: stack.workers.pids.map(residentMiB),
        store: { bytes, links, bytesPerLink: bytes === undefined ? undefined : Math.round(bytes / links) },
      };
    } finally {
      await stack.stop();
    }
  } finally {
    await pg?.stop();
  }
}
