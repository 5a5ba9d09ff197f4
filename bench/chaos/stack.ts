/**
 * The chaos run's system: a Temporal dev server, the three simulators with their real rate limits
 * (webhooks to a receiver in this process), the link store, and `tandem worker` processes that the
 * run kills and starts again (the bench's many-workers part runs on it too, without faults). Everything listens on 127.0.0.1 at free ports.
 */
import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { encryptionOf } from '../../codec/data-converter';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type LinkStore } from '../../store';
import { startAllSimulators, type AllSimulators } from '../../simulators/all';
import { startTemporalDevServer, type DevServer } from '../../workers/temporal-dev-server';
import { startWebhookReceiver, type RunningReceiver } from '../../workers/webhook-receiver';
import type { RetryTuning } from '../../workflows/steps';
import { freePort } from '../../workers/free-port';
import { createLogger } from '../../workers/logger';
import { searchAttributeTypes } from '../../workflows/search-attributes';
import { LimitEvidence } from './limit-evidence';
import { WorkerPool } from './worker-pool';

export interface ChaosStack {
  dir: string;
  temporal: DevServer;
  client: Client;
  sims: AllSimulators;
  store: LinkStore;
  storePath: string;
  receiver: RunningReceiver;
  workers: WorkerPool;
  evidence: LimitEvidence;
  stop(): Promise<void>;
}

/**
 * `store`: the link store's URL (the bench's many-workers part passes a PostgreSQL one); default a
 * SQLite file. `workerNodeFlags`: see WorkerPoolOptions.nodeFlags. `rateLimits: false` lifts the
 * simulators' limits (the bench's scale part, for its set-up).
 */
export async function startChaosStack(opts: {
  users: number;
  seed: number;
  store?: string;
  workerNodeFlags?: readonly string[];
  rateLimits?: boolean;
  /** The backoff of the pairs webhooks start (the polls' is their own argument). */
  retry?: RetryTuning;
}): Promise<ChaosStack> {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-chaos-'));
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const temporal = await startTemporalDevServer({
      dataDir: dir,
      port: await freePort(),
      headless: true,
      searchAttributes: searchAttributeTypes(),
    });
    stops.push(() => temporal.stop());
    const connection = await Connection.connect({ address: temporal.address });
    stops.push(() => connection.close());
    // Encrypted as in production: a run-long key, shared by this client and every worker.
    const encryptionKey = randomBytes(32).toString('base64');
    const client = new Client({
      connection,
      dataConverter: encryptionOf({ mode: 'on', key: encryptionKey }, { requireKey: true }).dataConverter,
    });

    const webhookPort = await freePort();
    const evidence = new LimitEvidence();
    const sims = await startAllSimulators({
      sampleSize: opts.users,
      seed: opts.seed,
      realRateLimits: opts.rateLimits ?? true,
      webhookUrl: `http://127.0.0.1:${webhookPort}/webhooks/zendesk`,
      beforeAnswer: {
        zendesk: evidence.hook('zendesk'),
        poweroffice: evidence.hook('poweroffice'),
        crmoffice: evidence.hook('crmoffice'),
      },
    });
    evidence.sims = sims;
    stops.push(() => sims.stop());
    const storePath = opts.store ?? join(dir, 'tandem.db');
    const store = openStore(storePath);
    stops.push(() => store.close());
    const receiver = await startWebhookReceiver({
      port: webhookPort,
      client,
      secret: sims.webhookSecret,
      logger: silentLogger(),
      retry: opts.retry,
    });
    stops.push(() => receiver.close());
    const workers = new WorkerPool({
      temporalAddress: temporal.address,
      storePath,
      encryptionKey,
      sims,
      logFile: join(dir, 'workers.log'),
      nodeFlags: opts.workerNodeFlags,
    });
    stops.push(() => workers.stopAll());
    return { dir, temporal, client, sims, store, storePath, receiver, workers, evidence, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The receiver's own log would drown the figures (the workers' logs go to a file). */
function silentLogger() {
  return createLogger('chaos-webhooks', 'error', { write: () => undefined });
}
