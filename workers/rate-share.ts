/**
 * A worker's share of each system's rate. The task queue's server-side rate holds a system's limit
 * across every worker on average, but after a pause it hands out a second's worth at once; so each
 * worker also paces its own requests (connectors/pacer.ts) within rate ÷ workers in any one second,
 * the workers being the processes seen polling that system's queue, less those of this host found
 * gone. All of them together then stay within the rate in every second.
 */
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { Context } from '@temporalio/activity';
import type { NativeConnection } from '@temporalio/worker';
import { pacer, type Pace, type Pacer } from '../connectors/pacer';
import { SYSTEMS, type System } from '../protocol/ids';
import { DEFAULT_TENANT, tenantQueue } from '../protocol/tenants';
import { DEFAULT_RATES, type SystemRates } from './rates';

/** Temporal's TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY (wire protocol). */
const TASK_QUEUE_TYPE_ACTIVITY = 2;
/** Requests a worker may make at once, when its share allows: a read and the write that follows it go without a wait. */
const BURST = 2;
/** A poller that asked within this long is a live worker (an idle long poll is renewed each minute). */
const LIVE_WITHIN_MS = 90_000;
// Often: a worker that joins paces at its share at once, the others only once they have counted it.
const REFRESH_MS = 2_000;
/**
 * This process's PID namespace (Linux), so that identities are told apart, and a pid looked up, only
 * among processes that share it: containers on one host may share its hostname but not their pids.
 */
function pidNamespace(): string {
  try {
    return `#${readlinkSync('/proc/self/ns/pid').replace(/\D/g, '')}`;
  } catch {
    return '';
  }
}

/**
 * A poller of this host and PID namespace whose process no longer exists: a worker killed outright,
 * which the server lists until its last poll ages out. Counting it would slow the live workers for
 * that long after every crash.
 */
function goneHere(identity: string, suffix: string): boolean {
  if (!identity.endsWith(suffix)) return false;
  const pid = Number(identity.slice(0, -suffix.length));
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH'; // EPERM: alive, another user's
  }
}

/** Temporal's priority of a task without one. */
const DEFAULT_PRIORITY = 3;

/** The priority of the activity making a call (workflows/steps.ts BULK), so the pacer lets bulk calls go last too. */
function activityPriority(): number {
  try {
    return Context.current().info.priority?.priorityKey || DEFAULT_PRIORITY;
  } catch {
    return DEFAULT_PRIORITY; // not an activity's call
  }
}

export interface RateShare {
  /** Each system's rate across every worker: most requests in any one second. */
  rates: SystemRates;
  /** The identity this process's workers poll with: counted once, whether seen yet or not. */
  identity: string;
  /** For the worker's connectors (workers/connectors.ts). */
  pacers: Record<System, Pacer>;
  /** Worker processes seen on each system's queue, this one included (0 until counted). */
  workers: Record<System, number>;
  /** Counts the workers on the tenant's queues from now on, every `refreshMs`, until the returned stop is called. */
  watch(connection: NativeConnection, namespace: string, tenant?: string): () => void;
}

/**
 * One worker's pace when `workers` share `rate`: its steady rate plus its burst is its share of any
 * one second. A share too small for the burst is paced one at a time.
 */
export function workerPace(rate: number, workers: number): Pace {
  const share = rate / workers;
  const burst = share >= 2 * BURST ? BURST : 1;
  return { perSecond: Math.max(share / 2, share - burst), burst };
}

export function shareRates(
  configured: Partial<SystemRates> = {},
  opts: { refreshMs?: number; onCount?: (system: System, workers: number, pace: Pace) => void } = {},
): RateShare {
  const rates = { ...DEFAULT_RATES, ...configured };
  const here = `@${hostname()}${pidNamespace()}`;
  const identity = `${process.pid}${here}`;
  // Until counted, this one alone.
  const workers = Object.fromEntries(SYSTEMS.map((s) => [s, 0])) as Record<System, number>;
  const pacers = Object.fromEntries(
    SYSTEMS.map((s) => [s, pacer(() => workerPace(rates[s], workers[s] || 1), { rank: activityPriority })]),
  ) as Record<System, Pacer>;

  return {
    rates,
    identity,
    pacers,
    workers,
    watch(connection, namespace, tenant = DEFAULT_TENANT) {
      async function count(system: System): Promise<void> {
        const answer = await connection.workflowService.describeTaskQueue({
          namespace,
          taskQueue: { name: tenantQueue(system, tenant) },
          taskQueueType: TASK_QUEUE_TYPE_ACTIVITY,
        });
        const since = Date.now() - LIVE_WITHIN_MS;
        const live = new Set([identity]);
        for (const p of answer.pollers ?? []) {
          const recent = Number(p.lastAccessTime?.seconds ?? 0) * 1000 >= since;
          if (p.identity && recent && !goneHere(p.identity, here)) live.add(p.identity);
        }
        if (live.size !== workers[system]) opts.onCount?.(system, live.size, workerPace(rates[system], live.size));
        workers[system] = live.size;
      }
      // A failed count keeps the last one: the server-side rate still holds the average meanwhile.
      const refresh = () => Promise.all(SYSTEMS.map((s) => count(s).catch(() => undefined)));
      void refresh();
      const timer = setInterval(() => void refresh(), opts.refreshMs ?? REFRESH_MS);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
