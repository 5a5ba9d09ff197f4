/**
 * What the suites of one `jest` run share (made by test/global-setup.ts): a folder, the address of
 * the run's Temporal dev server, and jobs done once a run whichever suite needs them first (a build,
 * a bundle), also when suites run in several jest workers at once.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const RUN_DIR_ENV = 'TANDEM_TEST_RUN_DIR';
export const RUN_TEMPORAL_ENV = 'TANDEM_TEST_TEMPORAL_ADDRESS';

/** The run's folder; a suite run without the global setup (an editor's runner) gets one of its own. */
export function runDir(): string {
  process.env[RUN_DIR_ENV] ??= mkdtempSync(join(tmpdir(), 'tandem-test-run-'));
  return process.env[RUN_DIR_ENV]!;
}

/** The run's dev server, or undefined when the global setup did not start one. */
export function runTemporalAddress(): string | undefined {
  return process.env[RUN_TEMPORAL_ENV] || undefined;
}

const inThisProcess = new Map<string, Promise<void>>();

/**
 * Runs `job` once a run: the first caller runs it while holding `<name>.lock` (a folder: made
 * atomically), later ones wait for `<name>.done`. A job that throws leaves no mark, so the next
 * caller tries again and sees the error itself.
 */
export function oncePerRun(name: string, job: () => Promise<void>, timeoutMs = 300_000): Promise<void> {
  const { done, lock } = marks(name);
  let running = inThisProcess.get(done);
  if (!running) {
    running = (async () => {
      const until = Date.now() + timeoutMs;
      while (!existsSync(done)) {
        if (take(lock)) return void (await holding(lock, done, job));
        waited(name, lock, until, timeoutMs);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    inThisProcess.set(done, running);
    // A failed job is tried again by the next caller, not answered from this promise.
    running.catch(() => inThisProcess.delete(done));
  }
  return running;
}

/** `oncePerRun` for a job that blocks (a build), for callers that are not async. */
export function oncePerRunSync(name: string, job: () => void, timeoutMs = 300_000): void {
  const { done, lock } = marks(name);
  const until = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (!existsSync(done)) {
    if (take(lock)) {
      try {
        job();
        mark(done);
      } finally {
        rmdirSync(lock);
      }
      return;
    }
    waited(name, lock, until, timeoutMs);
    Atomics.wait(pause, 0, 0, 200);
  }
}

function marks(name: string): { done: string; lock: string } {
  return { done: join(runDir(), `${name}.done`), lock: join(runDir(), `${name}.lock`) };
}

async function holding(lock: string, done: string, job: () => Promise<void>): Promise<void> {
  try {
    await job();
    mark(done);
  } finally {
    rmdirSync(lock);
  }
}

function mark(done: string): void {
  writeFileSync(`${done}.tmp`, '');
  renameSync(`${done}.tmp`, done);
}

function waited(name: string, lock: string, until: number, timeoutMs: number): void {
  if (Date.now() > until) throw new Error(`${name}: another jest worker held ${lock} for more than ${timeoutMs} ms`);
}

function take(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}
