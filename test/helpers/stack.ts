/**
 * The whole of Tandem for scenario tests: a real Temporal dev server, the three simulators, a
 * SQLite link store, and a real worker running the real workflows and activities.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError } from '@temporalio/client';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { DEFAULT_FLOWS_CONFIG, FlowsConfig } from '../../flows';
import { LinkStore, openStore } from '../../store';
import { AllSimulators, AllSimulatorsOptions, startAllSimulators } from '../../simulators/all';
import { createConnectors } from '../../workers/connectors';
import { createWorker, stopWorker } from '../../workers/worker';
import { signalPair } from '../../activities/signal-pair';
import type { Connectors } from '../../activities/record-access';
import type { SyncHooks } from '../../activities/sync-pair';
import type { PollSide } from '../../activities/types';
import type { PollTotals } from '../../workflows/poll';
import { PairRef, TASK_QUEUE, recordWorkflowId } from '../../workflows/ids';
import { startTemporal } from './temporal';

export interface TestStack {
  env: TestWorkflowEnvironment;
  sims: AllSimulators;
  store: LinkStore;
  connectors: Connectors;
  storePath: string;
  /** Runs one poll of a flow's side to its end, then waits for the record workflows it signalled. */
  poll(flowId: string, side: PollSide, full?: boolean): Promise<PollTotals>;
  /** Waits until every record workflow signalled so far has finished; returns their failures. */
  settle(): Promise<string[]>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  stop(): Promise<void>;
}

export interface TestStackOptions {
  sampleSize?: number;
  flows?: FlowsConfig;
  hooks?: SyncHooks;
  signalThreshold?: number;
  beforeAnswer?: AllSimulatorsOptions['beforeAnswer'];
}

let pollCount = 0;

export async function startTestStack(opts: TestStackOptions = {}): Promise<TestStack> {
  const env = await startTemporal();
  const sims = await startAllSimulators({ sampleSize: opts.sampleSize ?? 40, realRateLimits: false, beforeAnswer: opts.beforeAnswer });
  const storePath = join(mkdtempSync(join(tmpdir(), 'tandem-test-')), 'tandem.db');
  const store = openStore(storePath);
  const connectors = createConnectors(sims.configs);
  const signalled = new Set<string>();
  const signal = async (pair: PairRef, notice: Parameters<typeof signalPair>[2]) => {
    signalled.add(recordWorkflowId(pair));
    await signalPair(env.client, pair, notice, { coalesceMs: 100, lingerMs: 300 });
  };
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;

  const stack: TestStack = {
    env,
    sims,
    store,
    connectors,
    storePath,
    async startWorker() {
      worker = await createWorker({
        connection: env.nativeConnection,
        deps: { connectors, store, flows: opts.flows ?? DEFAULT_FLOWS_CONFIG, signal, hooks: opts.hooks, signalThreshold: opts.signalThreshold },
      });
      running = worker.run();
    },
    async stopWorker() {
      if (worker && running) await stopWorker(worker, running);
      worker = undefined;
    },
    async poll(flowId, side, full) {
      const totals = await env.client.workflow.execute('pollFlow', {
        taskQueue: TASK_QUEUE,
        workflowId: `test-poll-${++pollCount}-${flowId}-${side}`,
        args: [{ flowId, side, full }],
      });
      await stack.settle();
      return totals as PollTotals;
    },
    async settle() {
      const failures: string[] = [];
      for (const id of signalled) {
        try {
          await env.client.workflow.getHandle(id).result();
        } catch (err) {
          failures.push(err instanceof WorkflowFailedError ? String(err.cause?.message) : String(err));
        }
      }
      signalled.clear();
      return failures;
    },
    async stop() {
      await stack.stopWorker();
      await sims.stop();
      await store.close();
      await env.teardown();
    },
  };
  await stack.startWorker();
  return stack;
}
