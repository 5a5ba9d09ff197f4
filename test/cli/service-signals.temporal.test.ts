/**
 * `tandem worker`, `tandem webhooks serve` and `tandem dev` as a service manager (or a terminal) runs
 * them: the compiled CLI in a process of its own. A refused configuration ends it at once with status
 * 1; SIGTERM and SIGINT drain and stop it within its grace period. Every process started here is awaited.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { freePort } from '../../workers/free-port';
import { WORKER_NODE_FLAGS } from '../../workers/node-flags';
import { startTestStack, type TestStack } from '../helpers/stack';
import { sharedTemporal, temporalEnvOf } from '../helpers/temporal';
import { buildCli, startWorkerProcess } from '../helpers/worker-process';
import { baseEnv } from './run-cli';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist/cli/main.js');

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the moment waited for (the spawn, or the signal) to the exit. */
  ms: number;
}

/** Every child this file started, so afterAll can make sure none outlives it. */
const children = new Set<ChildProcess>();

function track(child: ChildProcess): { child: ChildProcess; output: () => string } {
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  return { child, output: () => output };
}

/** The child's exit, or a failure (after killing it) if it takes longer than `withinMs`. */
function exitOf(child: ChildProcess, withinMs: number, since = Date.now()): Promise<Ended> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null)
      return resolve({ code: child.exitCode, signal: child.signalCode, ms: Date.now() - since });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pid ${child.pid} still running ${withinMs} ms later`));
    }, withinMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ms: Date.now() - since });
    });
  });
}

/** Sends `signal` and waits for the exit, timed from the signal. */
function stopWith(child: ChildProcess, signal: NodeJS.Signals, withinMs: number): Promise<Ended> {
  const since = Date.now();
  child.kill(signal);
  return exitOf(child, withinMs, since);
}

async function untilOutput(
  output: () => string,
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs = 60_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!pattern.test(output())) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before ${pattern}:\n${output()}`);
    if (Date.now() > until) throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The CLI with only the given environment (no settings file, no variables of the test run).
 * `detached`: in a process group of its own, as a terminal's foreground job, so a signal can go to
 * the whole group as Ctrl-C sends it.
 */
function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  nodeFlags: readonly string[] = [],
  opts: { detached?: boolean } = {},
) {
  const cwd = mkdtempSync(join(tmpdir(), 'tandem-signals-'));
  return track(
    spawn(process.execPath, [...nodeFlags, CLI, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH, TANDEM_ENV_FILE: 'none', ...env },
      detached: opts.detached,
    }),
  );
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

beforeAll(() => {
  buildCli();
}, 300_000);

afterAll(async () => {
  // A test that failed halfway may leave one running: end it, and wait for it.
  await Promise.all([...children].map((c) => stopWith(c, 'SIGKILL', 10_000).catch(() => undefined)));
});

describe('tandem worker refusing its configuration', () => {
  it('exits with status 1 within 2 s when no encryption key is set, saying which setting is missing', async () => {
    // What merely loading the CLI costs on this machine now (a shared machine under load can take
    // seconds): the 2 s are counted on top of it, so they measure the refusal, not the machine.
    const version = spawnCli(['--version'], {}, WORKER_NODE_FLAGS);
    const loaded = await exitOf(version.child, 30_000);
    expect(loaded.code).toBe(0);

    const { child, output } = spawnCli(
      ['worker'],
      baseEnv({
        TEMPORAL_ADDRESS: '127.0.0.1:9',
        TANDEM_METRICS_PORT: String(await freePort()),
        POWEROFFICE_BASE_URL: 'http://127.0.0.1:9/v2',
        POWEROFFICE_APPLICATION_KEY: 'po-app-key-secret',
        POWEROFFICE_CLIENT_KEY: 'po-client-key-secret',
        POWEROFFICE_SUBSCRIPTION_KEY: 'po-subscription-secret',
        CRMOFFICE_BASE_URL: 'http://127.0.0.1:9',
        CRMOFFICE_LOGIN_BASE_URL: 'http://127.0.0.1:9',
        CRMOFFICE_CLIENT_ID: 'tandem',
        CRMOFFICE_CLIENT_SECRET: 'crm-client-secret',
        CRMOFFICE_REFRESH_TOKEN: 'crm-refresh-secret',
      }),
      WORKER_NODE_FLAGS,
    );
    let refusedAt: number | undefined;
    child.stderr!.on('data', () => (refusedAt ??= output().includes('no key is set') ? Date.now() : undefined));
    const ended = await exitOf(child, 10_000);
    expect({ code: ended.code, signal: ended.signal }).toEqual({ code: 1, signal: null });
    expect(ended.ms - loaded.ms).toBeLessThan(2_000);
    // Before the fix it printed the refusal and stayed: the exit follows the message at once.
    expect(refusedAt).toBeDefined();
    expect(Date.now() - refusedAt!).toBeLessThan(1_000);
    expect(output()).toContain('TANDEM_ENCRYPTION_KEY');
    for (const secret of [
      'po-app-key-secret',
      'po-client-key-secret',
      'po-subscription-secret',
      'crm-client-secret',
      'crm-refresh-secret',
      'test-token',
    ]) {
      expect(output()).not.toContain(secret);
    }
  });
});

describe('tandem worker stopping', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ sampleSize: 0 });
    // The worker under test is the process; the stack's own would take its tasks.
    await stack.stopWorker();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s stops a running worker within its grace period, with status 0',
    async (signal) => {
      const grace = 10;
      const { child, output } = track(await startWorkerProcess(stack, {}, ['--grace', String(grace)]));
      const ended = await stopWith(child, signal, (grace + 5) * 1000);
      expect({ code: ended.code, signal: ended.signal }).toEqual({ code: 0, signal: null });
      expect(ended.ms).toBeLessThan(grace * 1000);
      expect(output()).toContain('stopping: letting running activities finish');
      expect(output()).toContain('worker stopped');
      expect(output()).not.toContain('did not stop within');
    },
  );
});

describe('tandem webhooks serve stopping', () => {
  let temporal: TestWorkflowEnvironment;

  beforeAll(async () => {
    temporal = await sharedTemporal();
  }, 120_000);
  afterAll(async () => {
    await temporal?.teardown();
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s stops the receiver within its grace period, with status 0',
    async (signal) => {
      const grace = 5;
      const { child, output } = spawnCli(
        ['webhooks', 'serve', '--port', String(await freePort()), '--grace', String(grace)],
        baseEnv({ ...temporalEnvOf(temporal), ZENDESK_WEBHOOK_SECRET: 'webhook-signing-secret' }),
      );
      await untilOutput(output, child, /webhook receiver listening/);
      expect(output()).toMatch(/127\.0\.0\.1/);
      const ended = await stopWith(child, signal, (grace + 5) * 1000);
      expect({ code: ended.code, signal: ended.signal }).toEqual({ code: 0, signal: null });
      expect(ended.ms).toBeLessThan(grace * 1000);
      expect(output()).toContain('webhook receiver stopped');
      expect(output()).not.toContain('webhook-signing-secret');
    },
  );
});

describe('tandem dev stopping', () => {
  /** Every port of its own, headless: nothing of another test's (or a developer's) stack is touched. */
  async function startDev(grace: number, opts: { detached?: boolean } = {}) {
    const port = async () => String(await freePort());
    const temporalPort = await freePort();
    const metricsPort = await freePort();
    const args = [
      'dev',
      '--headless',
      '--sample-size',
      '20',
      '--grace',
      String(grace),
      '--port',
      String(temporalPort),
      '--metrics-port',
      String(metricsPort),
    ];
    for (const flag of ['--webhook-port', '--codec-port', '--zendesk-port', '--poweroffice-port', '--crmoffice-port'])
      args.push(flag, await port());
    // HOME (and TEMPORAL_CLI, when set) for finding the Temporal CLI (workers/temporal-cli.ts).
    const dev = spawnCli(
      args,
      { HOME: process.env.HOME, ...(process.env.TEMPORAL_CLI && { TEMPORAL_CLI: process.env.TEMPORAL_CLI }) },
      [],
      opts,
    );
    await untilOutput(dev.output, dev.child, /Stop with Ctrl-C/, 150_000);
    expect(await listening(temporalPort)).toBe(true);
    // Stopped while its first sync is under way (the first pair synced, the others at work), so there is work to drain.
    for (
      const until = Date.now() + 60_000;
      !/^tandem_sync_total\{/m.test(await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text());
    ) {
      if (Date.now() > until) throw new Error(`no pair synced within 60 s:\n${dev.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { ...dev, temporalPort };
  }

  function expectStopped(ended: Ended, output: string, grace: number) {
    expect({ code: ended.code, signal: ended.signal }).toEqual({ code: 0, signal: null });
    expect(ended.ms).toBeLessThan(grace * 1000);
    expect(output).toContain('Stopping...');
    expect(output).toContain('Stopped.');
    expect(output).not.toContain('did not stop within');
  }

  // SIGHUP: the terminal it runs in was closed.
  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)(
    '%s stops the whole stack within its grace period, with status 0, its Temporal server too',
    async (signal) => {
      const grace = 15;
      const { child, output, temporalPort } = await startDev(grace);
      const ended = await stopWith(child, signal, (grace + 5) * 1000);
      expectStopped(ended, output(), grace);
      expect(await listening(temporalPort)).toBe(false);
    },
  );

  it('Ctrl-C in its terminal (SIGINT to the whole process group) drains the worker before the Temporal server stops', async () => {
    const grace = 15;
    const { child, output, temporalPort } = await startDev(grace, { detached: true });
    const since = Date.now();
    process.kill(-child.pid!, 'SIGINT');
    const ended = await exitOf(child, (grace + 5) * 1000, since);
    expectStopped(ended, output(), grace);
    // With the server stopped by the same Ctrl-C, the worker's completions failed and were retried for
    // about 10 s, each retry a warning of the SDK's; against a running server the drain takes seconds.
    expect(output().slice(output().indexOf('Stopping...'))).not.toMatch(/WARN +temporal /);
    expect(ended.ms).toBeLessThan(8_000);
    expect(await listening(temporalPort)).toBe(false);
  });
});
