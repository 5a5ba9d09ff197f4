/**
 * The whole of Tandem for scenario tests: a real Temporal dev server, the three simulators, a
 * SQLite link store, and a real worker running the real workflows and activities.
 */
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FLOWS_CONFIG, FLOW_IDS, FlowsConfig, feedOf, getFlow, type Side } from '../../flows';
import { LinkStore, openStore } from '../../store';
import { AllSimulators, AllSimulatorsOptions, startAllSimulators } from '../../simulators/all';
import { createConnectors } from '../../workers/connectors';
import { shareRates } from '../../workers/rate-share';
import { createWorker, stopWorker, type Workers } from '../../workers/worker';
import type { SystemRates } from '../../workers/rates';
import type { Connectors } from '../../activities/record-access';
import type { SyncHooks } from '../../activities';
import type { PollTotals } from '../../workflows/poll';
import type { RetryTuning } from '../../workflows/steps';
import { TASK_QUEUE } from '../../protocol/ids';
import { BUSY_QUERY } from '../../workflows/search-attributes';
import { sharedTemporal, testEncryption } from './temporal';
import { workflowBundle } from './workflow-bundle';
import { RECORD_HISTORIES_ENV, recordHistories } from './record-histories';
import type { Encryption } from '../../codec/data-converter';

export interface TestStack {
  /**
   * Its client and worker encrypt payloads with the tests' key, as production does. A namespace of
   * its own on the run's server (`sharedTemporal`): hand `temporalEnvOf(env)` to any process or CLI.
   */
  env: TestWorkflowEnvironment;
  encryption: Encryption;
  sims: AllSimulators;
  store: LinkStore;
  connectors: Connectors;
  /** What the worker processes get as TANDEM_STORE. */
  storePath: string;
  /** Runs one poll of the feed of a flow's side to its end, then waits for the record workflows. */
  poll(flowId: string, side: Side, full?: boolean): Promise<PollTotals>;
  /**
   * Records written when both sides of a flow are polled again, twice: our own writes coming back
   * must cost none. A shared feed (organisations feed P1 and Z3b) first carries a change on to the
   * flow's sibling, a real write; the second round shows whether anything keeps writing (a loop).
   */
  writesOfRepoll(flowId: string): Promise<number>;
  /** Waits until no pair workflow is at work (they end once synced; failed ones wait for a change). */
  settle(timeoutMs?: number): Promise<void>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

export interface TestStackOptions {
  sampleSize?: number;
  flows?: FlowsConfig;
  hooks?: SyncHooks;
  beforeAnswer?: AllSimulatorsOptions['beforeAnswer'];
  failWhen?: AllSimulatorsOptions['failWhen'];
  /** The simulators answer 429 past the real APIs' limits (off by default: most tests are not about them). */
  realRateLimits?: boolean;
  rates?: Partial<SystemRates>;
  retry?: RetryTuning;
  /** The store's URL (a `postgres://` one, say); default a new SQLite file. */
  store?: string;
  /** The workflows module the worker runs (one that registers an extension first, say); default Tandem's. */
  workflowsPath?: string;
  resources?: AllSimulatorsOptions['resources'];
}

/** Quick retries, so a test's injected fault costs seconds, not minutes. */
export const TEST_RETRY: RetryTuning = { initialIntervalMs: 100, maximumIntervalMs: 1000, goneConfirmMs: 300 };

let pollCount = 0;

/** Runs one poll of a feed to its end on the default tenant's queue, then waits for the record workflows (`settle`). */
export async function pollAndSettle(
  client: Client,
  store: LinkStore,
  feed: string,
  opts: { full?: boolean; retry?: RetryTuning } = {},
): Promise<PollTotals> {
  const totals = await client.workflow.execute('pollFeed', {
    taskQueue: TASK_QUEUE,
    workflowId: `test-poll-${++pollCount}-${feed}`,
    args: [{ feed, full: opts.full, retry: opts.retry ?? TEST_RETRY, drainSeconds: 30 }],
  });
  await settle(client, store);
  return totals as PollTotals;
}

/** Waits until no record workflow is at work but those retrying (an outage the test made is not work that ends by itself). */
async function settle(client: Client, store: LinkStore, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { count } = await client.workflow.count(BUSY_QUERY);
    const retrying = (await Promise.all(FLOW_IDS.map((f) => store.countRetrying(f)))).reduce((a, b) => a + b, 0);
    if (count <= retrying) return;
    if (Date.now() > deadline) throw new Error(`${count} record workflow(s) still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startTestStack(opts: TestStackOptions = {}): Promise<TestStack> {
  const encryption = testEncryption();
  const env = await sharedTemporal(encryption);
  // Zendesk's exports hand out every change at once, limits or not: scenarios poll right after their
  // edits. The minute the real API holds back has its own scenario (zendesk-last-minute) and the chaos run.
  const sims = await startAllSimulators({
    sampleSize: opts.sampleSize ?? 40,
    realRateLimits: opts.realRateLimits === true,
    exportDelaySeconds: 0,
    beforeAnswer: opts.beforeAnswer,
    failWhen: opts.failWhen,
    resources: opts.resources,
  });
  const storePath = opts.store ?? join(mkdtempSync(join(tmpdir(), 'tandem-test-')), 'tandem.db');
  const store = openStore(storePath);
  const connectors = createConnectors(sims.configs, { sharedTokens: store });
  let worker: Workers | undefined;
  let running: Promise<void> | undefined;

  const stack: TestStack = {
    env,
    encryption,
    sims,
    store,
    connectors,
    storePath,
    async startWorker() {
      // Lifted with the simulators' limits: tests measure behaviour, the benchmark speed.
      const share = shareRates(
        opts.realRateLimits ? opts.rates : { zendesk: 1000, poweroffice: 1000, crmoffice: 1000, ...opts.rates },
      );
      worker = await createWorker({
        connection: env.nativeConnection,
        namespace: env.namespace,
        workflows: { workflowBundle: await workflowBundle(opts.workflowsPath) },
        share,
        // The worker's own clients, paced; the test's calls (`connectors`) are not.
        deps: {
          connectors: createConnectors(sims.configs, { sharedTokens: store, pacers: share.pacers }),
          store,
          flows: opts.flows ?? DEFAULT_FLOWS_CONFIG,
          hooks: opts.hooks,
        },
        dataConverter: encryption.dataConverter,
      });
      running = worker.run();
    },
    async stopWorker() {
      if (worker && running) await stopWorker(worker, running);
      worker = undefined;
    },
    poll: (flowId, side, full) =>
      pollAndSettle(env.client, store, feedOf(getFlow(flowId), side), { full, retry: opts.retry }),
    async writesOfRepoll(flowId) {
      const writes = () => sims.zendesk.stats.writes + sims.poweroffice.stats.writes + sims.crmoffice.stats.writes;
      await stack.poll(flowId, 'zendesk');
      await stack.poll(flowId, 'target');
      const before = writes();
      await stack.poll(flowId, 'zendesk');
      await stack.poll(flowId, 'target');
      return writes() - before;
    },
    settle: (timeoutMs) => settle(env.client, store, timeoutMs),
    async stop() {
      // Each part stops even when another fails to, so no server or connection outlives its suite.
      const errors: unknown[] = [];
      const keep = process.env[RECORD_HISTORIES_ENV];
      if (keep) await stack.stopWorker().then(() => recordHistories(env.client, keep));
      for (const part of [() => stack.stopWorker(), () => sims.stop(), () => store.close(), () => env.teardown()]) {
        await Promise.resolve()
          .then(part)
          .catch((err: unknown) => errors.push(err));
      }
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1)
        throw new AggregateError(errors, `${errors.length} parts of the test stack failed to stop`);
    },
  };
  await stack.startWorker();
  return stack;
}
