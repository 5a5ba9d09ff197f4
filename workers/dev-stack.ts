/**
 * `tandem dev`: the whole of Tandem on one machine, all on 127.0.0.1: a Temporal dev server with
 * its Web UI, the three simulators with sample data, the worker, the webhook receiver (the Zendesk
 * simulator's webhooks point at it), the poll schedules, the metrics endpoint, and the codec
 * endpoint the Web UI decodes the (encrypted, like production's) payloads with.
 */
import { Client, Connection, ScheduleOverlapPolicy } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { DEFAULT_FLOWS_CONFIG } from '../flows';
import { openStore, LinkStore } from '../store';
import { AllSimulators, startAllSimulators, type AllSimulatorsOptions } from '../simulators/all';
import { searchAttributeTypes } from '../workflows/search-attributes';
import { createConnectors } from './connectors';
import { shareRates } from './rate-share';
import { createWorker, stopWorker } from './worker';
import { startTemporalDevServer, DevServer } from './temporal-dev-server';
import { startWebhookReceiver, tenantWebhookPath, RunningReceiver } from './webhook-receiver';
import { applySchedules, plannedSchedules, PollIntervals } from './schedules';
import { countApiCalls, metrics, startMetricsServer, MetricsServer } from './metrics';
import type { Logger } from './logger';
import { encryptionOf, encryptionOfAll, type Encryption } from '../codec/data-converter';
import { DEFAULT_TENANT } from '../protocol/tenants';
import { tenantStoreUrl } from './tenants';
import { loadOrCreateDevKey } from '../codec/dev-key';
import { startCodecServer, type RunningCodecServer } from '../codec/codec-server';

export interface DevStackOptions {
  dataDir: string;
  temporalPort: number;
  uiPort: number;
  headless: boolean;
  webhookPort: number;
  metricsPort: number;
  /** The codec endpoint (0: any free port). */
  codecPort: number;
  simulatorPorts: { zendesk: number; poweroffice: number; crmoffice: number };
  sampleSize: number;
  intervals: PollIntervals;
  /** On stop, how long the worker's running activities may finish before they are cancelled; default 0. */
  shutdownGraceMs?: number;
  /** Apply the poll schedules and trigger them once (off for the benchmark, which polls by itself). */
  schedules?: boolean;
  /** Seen by the benchmark: each simulator answer as it leaves (to time when a write arrived). */
  simulatorHooks?: AllSimulatorsOptions['beforeAnswer'];
  log: (line: string) => void;
  /** The webhook receiver's logger (default: JSON on stdout). */
  logger?: Logger;
  /** Simulated customers: the default tenant, and `customer-2`… up to this many (default 1: the default alone). */
  tenants?: number;
}

/** A tenant of the dev stack besides the default one: its own simulators, store, key and client. */
interface DevTenant {
  name: string;
  sims: AllSimulators;
  store: LinkStore;
  client: Client;
  storeUrl: string;
  keyFile: string;
}

export const DEV_DEFAULTS: Omit<DevStackOptions, 'log'> = {
  dataDir: '.tandem',
  temporalPort: 7233,
  uiPort: 8233,
  headless: false,
  webhookPort: 8080,
  metricsPort: 9464,
  codecPort: 8234,
  simulatorPorts: { zendesk: 7301, poweroffice: 7302, crmoffice: 7303 },
  sampleSize: 40,
  // Short, for a demo: an edit shows up within seconds. The README gives production defaults.
  intervals: { zendesk: 60, poweroffice: 10, crmoffice: 10 },
};

export interface DevStack {
  temporal: DevServer;
  sims: AllSimulators;
  store: LinkStore;
  client: Client;
  receiver: RunningReceiver;
  metrics: MetricsServer;
  encryption: Encryption & { keyFile: string };
  /** The codec endpoint; `uiEndpoint` (what the Web UI was given) has the token in its path. */
  codec: RunningCodecServer & { token: string; uiEndpoint: string };
  /** The simulated customers besides the default tenant (`tenants` > 1). */
  tenants: DevTenant[];
  stop(): Promise<void>;
}

/** The dev stack's extra tenants' names. */
function devTenantNames(count: number): string[] {
  return Array.from({ length: Math.max(0, count - 1) }, (_, i) => `customer-${i + 2}`);
}

export async function startDevStack(opts: DevStackOptions): Promise<DevStack> {
  const dataDir = resolve(opts.dataDir);
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err) => opts.log(`while stopping: ${(err as Error).message}`));
  };
  try {
    // The demo encrypts like production: a key of its own, kept with its data; each tenant's its own.
    const devKey = loadOrCreateDevKey(dataDir);
    const encryption = { ...encryptionOf({ mode: 'on', key: devKey.key }, { requireKey: true }), keyFile: devKey.file };
    const names = devTenantNames(opts.tenants ?? 1);
    const tenantKeys = names.map((name) => loadOrCreateDevKey(join(dataDir, 'tenants', name)));
    // A new token each start; the UI gets it in the endpoint's path (the dev UI has no login to send one).
    const codecToken = randomBytes(24).toString('hex');
    const codecServer = await startCodecServer({
      port: opts.codecPort,
      host: '127.0.0.1',
      codec: encryptionOfAll([devKey, ...tenantKeys].map((k) => ({ mode: 'on' as const, key: k.key }))).payloadCodec,
      token: codecToken,
      corsOrigins: [`http://127.0.0.1:${opts.uiPort}`, `http://localhost:${opts.uiPort}`],
    });
    stops.push(() => codecServer.close());
    const codec = { ...codecServer, token: codecToken, uiEndpoint: `${codecServer.url}/t/${codecToken}` };

    opts.log(`Starting the Temporal dev server (state in ${join(dataDir, 'temporal.db')})...`);
    const temporal = await startTemporalDevServer({
      dataDir,
      port: opts.temporalPort,
      uiPort: opts.uiPort,
      headless: opts.headless,
      searchAttributes: searchAttributeTypes(),
      uiCodecEndpoint: codec.uiEndpoint,
      log: opts.log,
    });
    stops.push(() => temporal.stop());

    const connection = await Connection.connect({ address: temporal.address });
    stops.push(() => connection.close());
    const client = new Client({ connection, dataConverter: encryption.dataConverter });

    const receiverUrl = `http://127.0.0.1:${opts.webhookPort}/webhooks/zendesk`;
    const sims = await startAllSimulators({
      sampleSize: opts.sampleSize,
      ports: opts.simulatorPorts,
      webhookUrl: receiverUrl,
      fixedCredentials: true,
      snapshotDir: join(dataDir, 'simulators'),
      beforeAnswer: opts.simulatorHooks,
    });
    stops.push(() => sims.stop());

    const store = openStore(join(dataDir, 'tandem.db'));
    stops.push(() => store.close());

    const nativeConnection = await NativeConnection.connect({ address: temporal.address });
    stops.push(() => nativeConnection.close());
    const share = shareRates();
    const connectors = createConnectors(sims.configs, { sharedTokens: store, pacers: share.pacers });
    const worker = await createWorker({
      connection: nativeConnection,
      share,
      deps: { connectors, store, flows: DEFAULT_FLOWS_CONFIG },
      dataConverter: encryption.dataConverter,
      shutdownGraceMs: opts.shutdownGraceMs,
    });
    const running = worker.run();
    stops.push(() => stopWorker(worker, running));
    const workers = [worker];

    // Each simulated customer: its own simulators (its own sample data), store, key and worker queues.
    const tenants: DevTenant[] = [];
    for (const [i, name] of names.entries()) {
      const tenantSims = await startAllSimulators({
        sampleSize: opts.sampleSize,
        seed: i + 2,
        webhookUrl: `http://127.0.0.1:${opts.webhookPort}${tenantWebhookPath(name)}`,
        fixedCredentials: true,
        snapshotDir: join(dataDir, 'simulators', name),
      });
      stops.push(() => tenantSims.stop());
      const storeUrl = tenantStoreUrl(join(dataDir, 'tandem.db'), name);
      const tenantStore = openStore(storeUrl);
      stops.push(() => tenantStore.close());
      const tenantEncryption = encryptionOf({ mode: 'on', key: tenantKeys[i].key }, { requireKey: true });
      const tenantShare = shareRates();
      const tenantWorker = await createWorker({
        connection: nativeConnection,
        tenant: name,
        share: tenantShare,
        deps: {
          connectors: createConnectors(tenantSims.configs, { sharedTokens: tenantStore, pacers: tenantShare.pacers }),
          store: tenantStore,
          flows: DEFAULT_FLOWS_CONFIG,
        },
        dataConverter: tenantEncryption.dataConverter,
        shutdownGraceMs: opts.shutdownGraceMs,
      });
      const tenantRunning = tenantWorker.run();
      stops.push(() => stopWorker(tenantWorker, tenantRunning));
      workers.push(tenantWorker);
      const tenantClient = new Client({ connection, dataConverter: tenantEncryption.dataConverter });
      tenants.push({
        name,
        sims: tenantSims,
        store: tenantStore,
        client: tenantClient,
        storeUrl,
        keyFile: tenantKeys[i].file,
      });
      metrics.watchStore(tenantStore, name);
      metrics.setPollIntervals(opts.intervals, name);
      metrics.setApiRates(tenantShare.rates, name);
    }

    const receiver = await startWebhookReceiver({
      port: opts.webhookPort,
      ...(tenants.length
        ? {
            tenants: new Map([
              [DEFAULT_TENANT, { client, secret: sims.webhookSecret }],
              ...tenants.map((t) => [t.name, { client: t.client, secret: t.sims.webhookSecret }] as const),
            ]),
          }
        : { client, secret: sims.webhookSecret }),
      logger: opts.logger,
    });
    stops.push(() => receiver.close());
    const stopCounting = countApiCalls();
    stops.push(async () => stopCounting());
    metrics.watchStore(store);
    metrics.setPollIntervals(opts.intervals);
    metrics.watchPollers(() => workers.flatMap((w) => w.pollers()));
    metrics.setApiRates(share.rates);
    const metricsServer = await startMetricsServer({ port: opts.metricsPort, host: '127.0.0.1' });
    stops.push(() => metricsServer.close());

    if (opts.schedules !== false) {
      for (const [tenant, tenantClient] of [
        [DEFAULT_TENANT, client] as const,
        ...tenants.map((t) => [t.name, t.client] as const),
      ]) {
        await applySchedules(tenantClient, opts.intervals, tenant);
        // Poll once now rather than after the first interval, so the first sync starts at once.
        // SKIP, like the schedules themselves: never a second poll of a feed while one runs.
        for (const s of plannedSchedules(opts.intervals, tenant))
          await tenantClient.schedule.getHandle(s.id).trigger(ScheduleOverlapPolicy.SKIP);
      }
    }
    return { temporal, sims, store, client, receiver, metrics: metricsServer, encryption, codec, tenants, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
