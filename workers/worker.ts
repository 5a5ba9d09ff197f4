/**
 * The Tandem worker: one Temporal worker per task queue, in one process. `tandem` runs the
 * workflows and their local steps; `zendesk`, `poweroffice` and `crmoffice` run the steps that call
 * that system, at a server-side activity rate (the system's limit, shared by every worker process).
 */
import {
  NativeConnection,
  Worker,
  type InjectedSinks,
  type WorkerOptions as SdkWorkerOptions,
} from '@temporalio/worker';
import type { DataConverter } from '@temporalio/common';
import { createActivities, ActivityDeps } from '../activities';
import { SYSTEMS, TASK_QUEUE } from '../protocol/ids';
import { DEFAULT_TENANT, tenantOfQueue, tenantQueue } from '../protocol/tenants';
import type { TandemSinks } from '../workflows/record';
import { metrics as processMetrics, type PollerStatus, type TandemMetrics } from './metrics';
import type { RateShare } from './rate-share';
import { workflowCode } from './workflow-bundle';

/** Pair workflows a worker keeps in memory between their tasks: a first sync's window and references, with room. */
const WORKFLOW_CACHE = 500;

export interface WorkerOptions {
  connection: NativeConnection;
  /** The tenant served (protocol/tenants.ts): its task queues; `deps` and `dataConverter` are its own. */
  tenant?: string;
  namespace?: string;
  deps: ActivityDeps;
  /** The systems' rates and this process's share of them: its connectors' pacers (`deps.connectors`). */
  share: RateShare;
  /** Where sync outcomes are counted; the process-wide metrics by default. */
  metrics?: Pick<TandemMetrics, 'recordSync' | 'recordWebhookWrite'>;
  /** Tandem's codec (codec/data-converter.ts), so no personal data reaches Temporal in clear. */
  dataConverter: DataConverter;
  /** After a stop is asked for, how long running activities may finish before they are cancelled; default 0. */
  shutdownGraceMs?: number;
  /** The workflow code; default `workflowCode()` (the build's bundle, else the sources). Tests pass their run's bundle. */
  workflows?: Pick<SdkWorkerOptions, 'workflowBundle' | 'workflowsPath'>;
}

export interface Workers {
  run(): Promise<void>;
  shutdown(): void;
  /** Each task queue's pollers and whether they poll now (the metrics read it at each scrape). */
  pollers(): PollerStatus[];
}

export async function createWorker(opts: WorkerOptions): Promise<Workers> {
  const activities = createActivities(opts.deps);
  const rates = opts.share.rates;
  const namespace = opts.namespace ?? 'default';
  const common = {
    connection: opts.connection,
    namespace,
    dataConverter: opts.dataConverter,
    identity: opts.share.identity,
    shutdownGraceTime: opts.shutdownGraceMs ?? 0,
  };
  const sinks = tandemSinks(opts.metrics ?? processMetrics);
  const tenant = opts.tenant ?? DEFAULT_TENANT;
  const queues = [TASK_QUEUE, ...SYSTEMS].map((q) => tenantQueue(q, tenant));
  const workers: Worker[] = [
    // The SDK sizes its workflow cache from the heap limit: 10 under the worker's (node-flags.ts), too
    // few for a first sync's pairs at once, which would be replayed from their histories on every task.
    await Worker.create({
      ...common,
      taskQueue: queues[0],
      ...(opts.workflows ?? workflowCode()),
      maxCachedWorkflows: WORKFLOW_CACHE,
      activities: activities.local,
      sinks,
    }),
    ...(await Promise.all(
      SYSTEMS.map((system, i) =>
        Worker.create({
          ...common,
          taskQueue: queues[i + 1],
          activities: activities.api,
          maxTaskQueueActivitiesPerSecond: rates[system],
          // About two seconds of work: a worker holds no more than it can pace, and leaves the rest to others.
          maxConcurrentActivityTaskExecutions: Math.min(100, Math.max(10, Math.ceil(2 * rates[system]))),
        }),
      ),
    )),
  ];
  return {
    async run() {
      const unwatch = opts.share.watch(opts.connection, namespace, tenant);
      try {
        // If one stops (fails), stop the others too, so the process ends rather than run half a worker.
        await Promise.all(
          workers.map((w) => w.run().finally(() => workers.forEach((o) => o.getState() === 'RUNNING' && o.shutdown()))),
        );
      } finally {
        unwatch();
      }
    },
    shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    },
    pollers() {
      const [main, ...api] = workers;
      const polling = (w: Worker, state: 'workflowPollerState' | 'activityPollerState') =>
        w.getState() === 'RUNNING' && w.getStatus()[state] === 'POLLING';
      return [
        { taskQueue: queues[0], kind: 'workflow' as const, polling: polling(main, 'workflowPollerState') },
        { taskQueue: queues[0], kind: 'activity' as const, polling: polling(main, 'activityPollerState') },
        ...api.map((w, i) => ({
          taskQueue: queues[i + 1],
          kind: 'activity' as const,
          polling: polling(w, 'activityPollerState'),
        })),
      ];
    },
  };
}

/** What workflows report outside their history (sync outcomes, for the metrics); never on replay. */
export function tandemSinks(
  metrics: Pick<TandemMetrics, 'recordSync' | 'recordWebhookWrite'>,
): InjectedSinks<TandemSinks> {
  return {
    metrics: {
      syncEnded: {
        fn: (info, flowId, outcome) => metrics.recordSync(flowId, outcome, 1, tenantOfQueue(info.taskQueue)),
        callDuringReplay: false,
      },
      // Timed here, when the worker hears of it: a workflow's clock is its task's start, not now.
      webhookWritten: {
        fn: (info, flowId, changedAt) => metrics.recordWebhookWrite(flowId, changedAt, tenantOfQueue(info.taskQueue)),
        callDuringReplay: false,
      },
    },
  };
}

/**
 * Stops running workers and waits for them to finish their tasks (within the workers' shutdown grace
 * time). The SDK runtime does not handle signals here (cli/logging.ts): the command calls this.
 */
export async function stopWorker(worker: Workers, running: Promise<void>): Promise<void> {
  worker.shutdown();
  await running;
}
