/** `tandem worker` as a process of its own (the compiled CLI), pointed at a test stack. */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../workers/free-port';
import { WORKER_NODE_FLAGS } from '../../workers/node-flags';
import { settingsOf } from '../../workers/settings-file';
import type { TestStack } from './stack';
import { TEST_ENCRYPTION_ENV, temporalEnvOf } from './temporal';
import { oncePerRunSync, runDir } from './test-run';

const ROOT = join(__dirname, '..', '..');

/**
 * The worker process runs the compiled code: build it as `npm ci` does (`npm run build`: compile,
 * then bundle the workflows, so no worker process bundles them at its start), once a run.
 */
export function buildCli(): void {
  oncePerRunSync('build-cli', () => {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: ROOT });
    execFileSync(process.execPath, [join(ROOT, 'dist/workers/workflow-bundle.js')], { cwd: ROOT });
  });
}

/** `args` go after `worker` (e.g. `--grace 10`); `root` is the tree whose build runs (another version's, say). */
export async function startWorkerProcess(
  stack: Pick<TestStack, 'env' | 'storePath' | 'sims'>,
  extraEnv: NodeJS.ProcessEnv = {},
  args: string[] = [],
  root = ROOT,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, join(root, 'dist/cli/main.js'), 'worker', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      ...temporalEnvOf(stack.env),
      TANDEM_STORE: stack.storePath,
      TANDEM_METRICS_PORT: String(await freePort()),
      // The APIs' settings under the names the config reads (one table: CONFIG_KEYS).
      ...Object.fromEntries(settingsOf(stack.sims.configs)),
      ...TEST_ENCRYPTION_ENV,
      ...extraEnv,
    },
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker running')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`tandem worker exited with ${code}:\n${output}`)));
  });
  return child;
}

/**
 * The tree of an earlier commit, built as `npm run build` builds it (the dependencies are today's:
 * the commits an upgrade test starts from have the same lock file), once a run. Needs the git history.
 */
export function buildCommit(commit: string): string {
  const dir = join(runDir(), `build-${commit}`);
  oncePerRunSync(`build-${commit}`, () => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    const tree = execFileSync('git', ['archive', '--format=tar', commit], { cwd: ROOT, maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', dir], { input: tree });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: dir });
    execFileSync(process.execPath, [join(dir, 'dist/workers/workflow-bundle.js')], { cwd: dir });
  });
  return dir;
}

export { stopProcess } from '../../workers/stop-process';
