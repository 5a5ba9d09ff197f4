/**
 * The one home of the Temporal CLI (which carries the dev server and its Web UI).
 * It is found, or built once from the Go module proxy, never downloaded from a release site.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const TEMPORAL_CLI_VERSION = '1.5.1';
// Later tags carry a `replace` directive that `go install` refuses.
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;

export function temporalCliCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'tandem', `temporal-cli-${TEMPORAL_CLI_VERSION}`);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Where the CLI is, by the documented order: TEMPORAL_CLI, PATH, the cache. Undefined when absent. */
export function findTemporalCli(): string | undefined {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`TEMPORAL_CLI is set to ${fromEnv}, which is not an executable file`);
    return fromEnv;
  }
  const cached = join(temporalCliCacheDir(), 'temporal');
  return onPath('temporal') ?? (isExecutable(cached) ? cached : undefined);
}

/** Finds the CLI, or builds it into the cache with Go (minutes, the first time only). */
export function ensureTemporalCli(log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): string {
  const found = findTemporalCli();
  if (found) return found;
  const go = onPath('go');
  if (!go) {
    throw new Error(
      'The Temporal CLI was not found (TEMPORAL_CLI, PATH, ' + temporalCliCacheDir() + ') and Go is not installed to build it. ' +
        'Install the Temporal CLI (https://docs.temporal.io/cli) and put `temporal` on PATH, or install Go >= 1.24 and run again.',
    );
  }
  const dir = temporalCliCacheDir();
  mkdirSync(dir, { recursive: true });
  log(`Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${dir} (first run only; this takes a few minutes)...`);
  const result = spawnSync(go, ['install', GO_PACKAGE], {
    env: { ...process.env, GOBIN: dir, CGO_ENABLED: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const built = join(dir, 'temporal');
  if (result.status !== 0 || !isExecutable(built)) {
    throw new Error(`go install ${GO_PACKAGE} failed (exit ${result.status ?? result.signal}); see the output above`);
  }
  log(`Temporal CLI ready: ${built}`);
  return built;
}
