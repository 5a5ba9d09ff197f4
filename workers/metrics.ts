import Fastify from 'fastify';
import { AddressInfo } from 'node:net';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

import { observeApiCalls } from '../connectors/http';
import type { SyncOutcome } from '../protocol/outcomes';
import { FEEDS } from '../flows/feeds';
export type WebhookResult = 'accepted' | 'bad_signature' | 'stale' | 'malformed' | 'too_large';

/** Where the poll lag is read from at each scrape: the time each feed's checkpoint was last saved. */
export interface CheckpointSource {
  getCheckpoint(feed: string): Promise<{ updatedAt: string } | undefined>;
}

/** The counters and gauges Tandem exposes, each with the one function that records it. */
export interface TandemMetrics {
  readonly registry: Registry;
  /** One pair's sync finished with this outcome. */
  recordSync(flow: string, outcome: SyncOutcome, count?: number): void;
  /**
   * Reads each feed's lag from `source` at every scrape, so it keeps growing while a feed cannot be
   * read (an outage) instead of freezing at its last value.
   */
  watchPollLag(source: CheckpointSource): void;
  /** One HTTP call to a system; `status` is the HTTP status, or e.g. `network` when none came back. */
  recordApiCall(system: string, status: number | string): void;
  recordWebhook(result: WebhookResult): void;
}

export function createMetrics(opts: { defaultMetrics?: boolean } = {}): TandemMetrics {
  // A registry per instance, so tests (and several receivers in one process) never share counts by accident.
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'tandem_' });

  const syncTotal = new Counter({
    name: 'tandem_sync_total',
    help: 'Pair syncs finished, by flow and outcome',
    labelNames: ['flow', 'outcome'] as const,
    registers: [registry],
  });
  let lagSource: CheckpointSource | undefined;
  new Gauge({
    name: 'tandem_poll_lag_seconds',
    help: 'Seconds since each change feed was last read to its end (grows while a feed cannot be read)',
    labelNames: ['feed'] as const,
    registers: [registry],
    async collect() {
      if (!lagSource) return;
      const now = Date.now();
      for (const feed of FEEDS) {
        const cp = await lagSource.getCheckpoint(feed.id).catch(() => undefined);
        if (cp) this.set({ feed: feed.id }, Math.max(0, (now - Date.parse(cp.updatedAt)) / 1000));
      }
    },
  });
  const apiCalls = new Counter({
    name: 'tandem_api_calls_total',
    help: 'HTTP calls to the synced systems, by system and answer status',
    labelNames: ['system', 'status'] as const,
    registers: [registry],
  });
  const webhooks = new Counter({
    name: 'tandem_webhooks_total',
    help: 'Zendesk webhook requests received, by result',
    labelNames: ['result'] as const,
    registers: [registry],
  });

  return {
    registry,
    recordSync: (flow, outcome, count = 1) => syncTotal.inc({ flow, outcome }, count),
    watchPollLag: (source) => {
      lagSource = source;
    },
    recordApiCall: (system, status) => apiCalls.inc({ system, status: String(status) }),
    recordWebhook: (result) => webhooks.inc({ result }),
  };
}

/** The process-wide instance that activities, pollers and the receiver record into by default. */
export const metrics: TandemMetrics = createMetrics();

/** Counts every connector call of this process into `into`; returns the function that stops it. */
export function countApiCalls(into: TandemMetrics = metrics): () => void {
  return observeApiCalls((system, status) => into.recordApiCall(system, status));
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
