import Fastify from 'fastify';
import { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

import { Context } from '@temporalio/activity';
import { observeApiCalls } from '../connectors/http';
import { DEFAULT_TENANT, tenantOfQueue } from '../protocol/tenants';
import type { SyncOutcome } from '../protocol/outcomes';
import { FEEDS } from '../flows/feeds';
import type { FlowId } from '../flows/types';
import { FLOW_IDS } from '../flows/registry';
import type { LinkCounts, Retrying } from '../store/types';
import type { PollIntervals } from './schedules';
export type WebhookResult = 'accepted' | 'bad_signature' | 'stale' | 'malformed' | 'too_large' | 'unknown_tenant';

/** Where the poll lag is read from at each scrape: the time each feed's checkpoint was last saved. */
interface CheckpointSource {
  getCheckpoint(feed: string): Promise<{ updatedAt: string } | undefined>;
}

/** Besides the poll lag, what the alerts need from the link store, read at each scrape. */
interface StoreSource extends CheckpointSource {
  counts(flow: FlowId): Promise<LinkCounts>;
  countRetrying(flow: FlowId): Promise<number>;
  listRetrying(flow: FlowId, limit: number): Promise<Retrying[]>;
}

/** One poller of a worker: its task queue, what it polls, and whether it is polling now. */
export interface PollerStatus {
  taskQueue: string;
  kind: 'workflow' | 'activity';
  polling: boolean;
}

/** The link states an operator has to look at (`tandem status` lists them as "needing review"). */
const REVIEW_STATES = ['failed', 'conflict', 'orphaned'] as const;

/** The counters and gauges Tandem exposes, each with the one function that records it. */
export interface TandemMetrics {
  readonly registry: Registry;
  /** One pair's sync finished with this outcome. */
  recordSync(flow: string, outcome: SyncOutcome, count?: number, tenant?: string): void;
  /**
   * Reads each feed's lag from `source` at every scrape, so it keeps growing while a feed cannot be
   * read (an outage) instead of freezing at its last value.
   */
  watchPollLag(source: CheckpointSource, tenant?: string): void;
  /**
   * The poll lag, the pairs retrying (and the longest for how long) and the pairs needing review, read
   * at each scrape from each tenant's store.
   */
  watchStore(source: StoreSource, tenant?: string): void;
  /** The configured poll interval of each system's feeds, so an alert can compare each feed's lag with it. */
  setPollIntervals(bySystem: PollIntervals, tenant?: string): void;
  /** Requests a second each system may see from Tandem, across its workers (the dashboard draws the calls against it). */
  setApiRates(perSecond: Readonly<Record<string, number>>, tenant?: string): void;
  /** A tenant no longer served: its store, intervals and rates are no longer read or shown. */
  forgetTenant(tenant: string): void;
  /** Reads the pollers' states at each scrape (a worker's, while it runs). */
  watchPollers(source: () => PollerStatus[]): void;
  /** A pair's sync wrote, for a change a webhook reported at `changedAt` (ISO): the latency, to now. */
  recordWebhookWrite(flow: string, changedAt: string, tenant?: string): void;
  /** One HTTP call to a system; `status` is the HTTP status, or e.g. `network` when none came back. */
  recordApiCall(system: string, status: number | string, tenant?: string): void;
  recordWebhook(result: WebhookResult, tenant?: string): void;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): TandemMetrics {
  // A registry per instance, so tests (and several receivers in one process) never share counts by accident.
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'tandem_' });

  const syncTotal = new Counter({
    name: 'tandem_sync_total',
    help: 'Pair syncs finished, by flow and outcome',
    labelNames: ['tenant', 'flow', 'outcome'] as const,
    registers: [registry],
  });
  const lagSources = new Map<string, CheckpointSource>();
  new Gauge({
    name: 'tandem_poll_lag_seconds',
    help: 'Seconds since each change feed was last read to its end (grows while a feed cannot be read)',
    labelNames: ['tenant', 'feed'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const now = Date.now();
      for (const [tenant, lagSource] of lagSources)
        for (const feed of FEEDS) {
          const cp = await lagSource.getCheckpoint(feed.id).catch(() => undefined);
          if (cp) this.set({ tenant, feed: feed.id }, Math.max(0, (now - Date.parse(cp.updatedAt)) / 1000));
        }
    },
  });
  new Gauge({
    name: 'tandem_poll_interval_seconds',
    help: "Each change feed's configured poll interval (the lag alert compares with it)",
    labelNames: ['tenant', 'feed'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [tenant, intervals] of intervalsOf)
        for (const feed of FEEDS) this.set({ tenant, feed: feed.id }, intervals[feed.system]);
    },
  });
  const intervalsOf = new Map<string, PollIntervals>();
  const storeSources = new Map<string, StoreSource>();
  new Gauge({
    name: 'tandem_pairs_retrying',
    help: 'Pairs whose sync failed transiently and is being retried, by flow',
    labelNames: ['tenant', 'flow'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [tenant, storeSource] of storeSources)
        for (const flow of FLOW_IDS) {
          const n = await storeSource.countRetrying(flow).catch(() => undefined);
          if (n !== undefined) this.set({ tenant, flow }, n);
        }
    },
  });
  new Gauge({
    name: 'tandem_pair_retrying_longest_seconds',
    help: 'Seconds the longest-retrying pair of each flow has been retrying (0: none is)',
    labelNames: ['tenant', 'flow'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const now = Date.now();
      for (const [tenant, storeSource] of storeSources)
        for (const flow of FLOW_IDS) {
          const oldest = await storeSource.listRetrying(flow, 1).catch(() => undefined);
          if (oldest)
            this.set({ tenant, flow }, oldest[0] ? Math.max(0, (now - Date.parse(oldest[0].since)) / 1000) : 0);
        }
    },
  });
  new Gauge({
    name: 'tandem_pairs_needing_review',
    help: 'Pairs that need an operator (failed, conflict, orphaned), by flow and state',
    labelNames: ['tenant', 'flow', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [tenant, storeSource] of storeSources)
        for (const flow of FLOW_IDS) {
          const counts = await storeSource.counts(flow).catch(() => undefined);
          if (counts) for (const state of REVIEW_STATES) this.set({ tenant, flow, state }, counts[state]);
        }
    },
  });
  let pollers: (() => PollerStatus[]) | undefined;
  new Gauge({
    name: 'tandem_worker_polling',
    help: "1 while the worker's poller of a task queue is polling, 0 once it has stopped or failed",
    labelNames: ['tenant', 'task_queue', 'kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      if (!pollers) return;
      for (const p of pollers())
        this.set({ tenant: tenantOfQueue(p.taskQueue), task_queue: p.taskQueue, kind: p.kind }, p.polling ? 1 : 0);
    },
  });
  const webhookToWrite = new Histogram({
    name: 'tandem_webhook_to_write_seconds',
    help: 'From the change a Zendesk webhook reported (its event time) to the write that carried it, by flow',
    labelNames: ['tenant', 'flow'] as const,
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
    registers: [registry],
  });
  const ratesOf = new Map<string, Readonly<Record<string, number>>>();
  new Gauge({
    name: 'tandem_api_rate_limit_per_second',
    help: 'Requests a second Tandem allows itself to each system, across its workers (held under the API limit)',
    labelNames: ['tenant', 'system'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [tenant, rates] of ratesOf)
        for (const [system, rate] of Object.entries(rates)) this.set({ tenant, system }, rate);
    },
  });
  const apiCalls = new Counter({
    name: 'tandem_api_calls_total',
    help: 'HTTP calls to the synced systems, by system and answer status',
    labelNames: ['tenant', 'system', 'status'] as const,
    registers: [registry],
  });
  const webhooks = new Counter({
    name: 'tandem_webhooks_total',
    help: 'Zendesk webhook requests received, by result',
    labelNames: ['tenant', 'result'] as const,
    registers: [registry],
  });

  return {
    registry,
    recordSync: (flow, outcome, count = 1, tenant = DEFAULT_TENANT) => syncTotal.inc({ tenant, flow, outcome }, count),
    watchPollLag: (source, tenant = DEFAULT_TENANT) => {
      lagSources.set(tenant, source);
    },
    watchStore: (source, tenant = DEFAULT_TENANT) => {
      lagSources.set(tenant, source);
      storeSources.set(tenant, source);
    },
    setPollIntervals: (bySystem, tenant = DEFAULT_TENANT) => {
      intervalsOf.set(tenant, bySystem);
    },
    setApiRates: (perSecond, tenant = DEFAULT_TENANT) => {
      ratesOf.set(tenant, perSecond);
    },
    forgetTenant: (tenant) => {
      for (const sources of [lagSources, storeSources, intervalsOf, ratesOf]) sources.delete(tenant);
    },
    watchPollers: (source) => {
      pollers = source;
    },
    recordWebhookWrite: (flow, changedAt, tenant = DEFAULT_TENANT) => {
      const at = Date.parse(changedAt);
      // An event time that does not parse says nothing of the latency: left out, not counted as 0.
      if (Number.isFinite(at)) webhookToWrite.observe({ tenant, flow }, Math.max(0, (Date.now() - at) / 1000));
    },
    recordApiCall: (system, status, tenant = DEFAULT_TENANT) =>
      apiCalls.inc({ tenant, system, status: String(status) }),
    recordWebhook: (result, tenant = DEFAULT_TENANT) => webhooks.inc({ tenant, result }),
  };
}

/** The process-wide instance that activities, pollers and the receiver record into by default. */
export const metrics: TandemMetrics = createMetrics();

/**
 * Counts every connector call of this process into `into`, by the tenant of the activity making it
 * (its task queue's); returns the function that stops it.
 */
export function countApiCalls(into: TandemMetrics = metrics): () => void {
  return observeApiCalls((system, status) => into.recordApiCall(system, status, callerTenant()));
}

function callerTenant(): string {
  try {
    return tenantOfQueue(Context.current().info.taskQueue);
  } catch {
    return DEFAULT_TENANT; // not an activity's call
  }
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `GET /metrics` in Prometheus text format. Binds to 127.0.0.1 unless told otherwise. */
export async function startMetricsServer(opts: {
  port: number;
  host?: string;
  registry?: Registry;
}): Promise<MetricsServer> {
  const registry = opts.registry ?? metrics.registry;
  const app = Fastify({ logger: false });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ port: opts.port, host });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}
