/**
 * `tandem worker` processes (the compiled CLI, as production runs it) pointed at the chaos stack:
 * started, killed with SIGKILL, started again. Their output goes to one log file.
 */
import { stopProcess } from '../../workers/stop-process';
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { AllSimulators } from '../../simulators/all';
import { freePort } from '../../workers/free-port';
import { settingsOf } from '../../workers/settings-file';
import { WORKER_NODE_FLAGS } from '../../workers/node-flags';

const ROOT = join(__dirname, '..', '..');
/** The compiled CLI, whether this file runs compiled (dist/bench/chaos) or under ts-jest (bench/chaos). */
const CLI = join(
  ROOT,
  ...(__dirname.includes(`${join('dist', 'bench')}`) ? ['cli', 'main.js'] : ['dist', 'cli', 'main.js']),
);

export interface WorkerPoolOptions {
  temporalAddress: string;
  storePath: string;
  /** The installation's own key; an installation of tenants alone has none (each tenant file names its own). */
  encryptionKey?: string;
  /** The installation's own accounts; absent, its accounts are those of the tenant files in `tenantsDir`. */
  sims?: AllSimulators;
  /** TANDEM_TENANTS_DIR: the worker serves every tenant whose file is there. */
  tenantsDir?: string;
  /** TANDEM_TENANT: the worker serves this tenant alone. */
  tenant?: string;
  logFile: string;
  /** Node's flags for each worker process: the worker's own by default ([] for Node's defaults). */
  nodeFlags?: readonly string[];
}

export class WorkerPool {
  private readonly running: ChildProcess[] = [];
  private readonly log: WriteStream;
  started = 0;
  killed = 0;

  constructor(private readonly opts: WorkerPoolOptions) {
    this.log = createWriteStream(opts.logFile, { flags: 'a' });
  }

  get size(): number {
    return this.running.length;
  }

  /** The live workers' process ids, oldest first. */
  get pids(): number[] {
    return this.running.flatMap((w) => (w.pid === undefined ? [] : [w.pid]));
  }

  /** Starts one more worker and waits until it polls its task queues. */
  async start(): Promise<void> {
    const { sims, encryptionKey, tenantsDir, tenant } = this.opts;
    const child = spawn(process.execPath, [...(this.opts.nodeFlags ?? WORKER_NODE_FLAGS), CLI, 'worker'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        TANDEM_ENV_FILE: 'none',
        TEMPORAL_ADDRESS: this.opts.temporalAddress,
        TANDEM_STORE: this.opts.storePath,
        ...(encryptionKey !== undefined && { TANDEM_ENCRYPTION_KEY: encryptionKey }),
        ...(tenantsDir !== undefined && { TANDEM_TENANTS_DIR: tenantsDir }),
        ...(tenant !== undefined && { TANDEM_TENANT: tenant }),
        TANDEM_METRICS_PORT: String(await freePort()),
        TANDEM_SDK_METRICS_PORT: String(await freePort()),
        // The APIs' settings under the names the config reads (one table: CONFIG_KEYS).
        ...(sims && Object.fromEntries(settingsOf(sims.configs))),
      },
    });
    this.started += 1;
    child.stdout!.pipe(this.log, { end: false });
    child.stderr!.pipe(this.log, { end: false });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-20_000);
        if (output.includes('worker running')) {
          child.stdout!.off('data', onData);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
      child.once('exit', (code, signal) =>
        reject(new Error(`tandem worker exited (${code ?? signal}) before it ran:\n${output}`)),
      );
    });
    child.removeAllListeners('exit');
    child.once('exit', () => {
      const i = this.running.indexOf(child);
      if (i >= 0) this.running.splice(i, 1);
    });
    this.running.push(child);
  }

  /** SIGKILL to the oldest worker: no shutdown, its running activities are lost mid-flight. */
  async killOldest(): Promise<void> {
    const victim = this.running.shift();
    if (!victim) return;
    const exited = new Promise((resolve) => victim.once('exit', resolve));
    victim.kill('SIGKILL');
    this.killed += 1;
    await exited;
  }

  /** Ends every worker with SIGTERM (a graceful stop), for the end of the run. */
  async stopAll(): Promise<void> {
    const all = this.running.splice(0);
    await Promise.all(all.map((w) => stopProcess(w, 'SIGTERM', 15_000)));
    this.log.end();
  }
}
