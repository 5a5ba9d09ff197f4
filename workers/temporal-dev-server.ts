/** Runs the Temporal CLI's dev server (frontend + Web UI) as a child process, for `tandem dev`. */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { stopProcess } from './stop-process';
import { ensureTemporalCli } from './temporal-cli';

/**
 * The matching service as Tandem needs it (a production cluster sets the same): one partition per
 * task queue, so a system's activity rate is held by one token bucket, not split over four, and its
 * limit holds tightly; and the matcher that dispatches by task priority, so bulk work goes last.
 *
 * Left as it is: the history shard's transfer queue (the dev server has one shard) is read at most
 * 20 times a second (`history.transferProcessorMaxPollRPS`); reading it more often cost CPU and
 * time and shortened no latency (docs/benchmarks.md).
 */
export const MATCHING_CONFIG = [
  '--dynamic-config-value',
  'matching.numTaskqueueReadPartitions=1',
  '--dynamic-config-value',
  'matching.numTaskqueueWritePartitions=1',
  '--dynamic-config-value',
  'matching.useNewMatcher=true',
];

/**
 * The state file written ahead (WAL), committed without a sync to disk each time (it syncs at each
 * checkpoint): a crash of the process loses nothing; a power cut may lose the last commits, never the
 * file. SQLite's default, a rollback journal created, synced and deleted for every commit, puts that
 * file work on every step of every workflow, behind the server's one connection. Measured with
 * `npm run bench -- --users 1000`: see the README's "Benchmark".
 */
const SQLITE_PRAGMAS = ['--sqlite-pragma', 'journal_mode=wal', '--sqlite-pragma', 'synchronous=normal'];

export interface DevServerOptions {
  /** Where its SQLite file goes; absent, the server keeps everything in memory (the tests' server of a run). */
  dataDir?: string;
  port?: number;
  uiPort?: number;
  headless?: boolean;
  /** Search attribute names and their types (`Keyword`, `Text`, ...), registered at start. */
  searchAttributes?: Record<string, string>;
  /** The codec endpoint the Web UI decodes payloads with (it may carry a token: never logged). */
  uiCodecEndpoint?: string;
  log?: (line: string) => void;
}

export interface DevServer {
  address: string;
  /** The server's process (the benchmark reads its CPU time). */
  pid?: number;
  uiUrl?: string;
  stop(): Promise<void>;
}

export async function startTemporalDevServer(opts: DevServerOptions): Promise<DevServer> {
  const port = opts.port ?? 7233;
  const uiPort = opts.uiPort ?? port + 1000;
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const db = opts.dataDir ? ['--db-filename', join(opts.dataDir, 'temporal.db'), ...SQLITE_PRAGMAS] : [];
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), ...db, '--log-level', 'warn'];
  if (opts.headless) args.push('--headless');
  else args.push('--ui-port', String(uiPort), '--ui-ip', '127.0.0.1');
  if (!opts.headless && opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  for (const [name, type] of Object.entries(opts.searchAttributes ?? {}))
    args.push('--search-attribute', `${name}=${type}`);
  args.push(...MATCHING_CONFIG);

  const address = `127.0.0.1:${port}`;
  // The dev server picks its internal ports itself and panics when one is taken meanwhile (a busy
  // machine); the next start picks others. Any other failure (our port taken) is reported at once.
  for (let attempt = 1; ; attempt++) {
    // A process group of its own: a terminal's Ctrl-C reaches the whole foreground group, and a
    // server stopped with it leaves `tandem dev`'s worker retrying its completions until the grace
    // runs out. Tandem stops it last, once the worker has drained; and on any exit of this process.
    const child = spawn(ensureTemporalCli(opts.log), args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    const endWithUs = () => child.kill('SIGKILL');
    process.once('exit', endWithUs);
    child.once('exit', () => process.removeListener('exit', endWithUs));
    let stderr = '';
    let serving = false;
    child.stderr?.on('data', (chunk: Buffer) => {
      if (!serving) stderr += chunk.toString();
    });
    // A Go panic's message comes first, its long stack after: keep both ends.
    const output = () => (stderr.length <= 4000 ? stderr : `${stderr.slice(0, 2000)}\n[…]\n${stderr.slice(-2000)}`);
    try {
      await waitUntilServing(address, child, output);
      serving = true;
      stderr = '';
      return {
        address,
        pid: child.pid,
        uiUrl: opts.headless ? undefined : `http://127.0.0.1:${uiPort}`,
        stop: () => stopProcess(child),
      };
    } catch (err) {
      await stopProcess(child);
      const panic = /^panic: .*/m.exec(stderr);
      if (attempt >= 3 || !panic) throw err;
      opts.log?.(`Temporal dev server failed to start (${panic[0]}); starting it again`);
    }
  }
}

async function waitUntilServing(address: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Temporal dev server exited with ${child.exitCode}: ${stderr()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      await connection.workflowService.getSystemInfo({});
      await connection.close();
      return;
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`Temporal dev server did not answer on ${address} within 60 s: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
