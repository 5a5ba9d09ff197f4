/**
 * Starting the dev server survives its own start-up panic (an internal port taken meanwhile) but
 * not a plain refusal. The CLI is a script in front of the real one, named by TEMPORAL_CLI.
 */
import Database from 'better-sqlite3';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../workers/free-port';
import { ensureTemporalCli } from '../../workers/temporal-cli';
import { startTemporalDevServer } from '../../workers/temporal-dev-server';

jest.setTimeout(120_000);

const dir = mkdtempSync(join(tmpdir(), 'tandem-devserver-'));
const calls = join(dir, 'calls');
const realCli = ensureTemporalCli();
const savedCli = process.env.TEMPORAL_CLI;
afterEach(() => {
  if (savedCli === undefined) delete process.env.TEMPORAL_CLI;
  else process.env.TEMPORAL_CLI = savedCli;
});

/** A CLI that fails its first `failures` starts with `failure`, then is the real one. */
function fakeCli(name: string, failures: number, failure: string): string {
  const path = join(dir, name);
  writeFileSync(calls, '');
  writeFileSync(
    path,
    `#!/bin/sh
echo x >> '${calls}'
if [ "$(wc -l < '${calls}')" -le ${failures} ]; then echo 'time=... level=WARN msg=starting' >&2; echo '${failure}' >&2; exit 2; fi
exec '${realCli}' "$@"
`,
  );
  chmodSync(path, 0o755);
  return path;
}
const starts = () => readFileSync(calls, 'utf8').split('\n').filter(Boolean).length;

test('a start-up panic is followed by a fresh start, and the server answers', async () => {
  process.env.TEMPORAL_CLI = fakeCli(
    'panics-once',
    1,
    'panic: failed assigning ephemeral port: address already in use',
  );
  const lines: string[] = [];
  const server = await startTemporalDevServer({
    dataDir: join(dir, 'a'),
    port: await freePort(),
    headless: true,
    log: (l) => lines.push(l),
  });
  try {
    expect(starts()).toBe(2);
    expect(lines.join('\n')).toContain(
      '(panic: failed assigning ephemeral port: address already in use); starting it again',
    );
  } finally {
    await server.stop();
  }
});

test('any other failure is reported at once, with what the server said', async () => {
  process.env.TEMPORAL_CLI = fakeCli('refuses', 5, 'Error: port 7233 is not free');
  await expect(
    startTemporalDevServer({ dataDir: join(dir, 'b'), port: await freePort(), headless: true }),
  ).rejects.toThrow(/exited with 2: .*Error: port 7233 is not free/s);
  expect(starts()).toBe(1);
});

test('a panic on every start gives up after three', async () => {
  process.env.TEMPORAL_CLI = fakeCli('panics-always', 5, 'panic: boom');
  await expect(
    startTemporalDevServer({ dataDir: join(dir, 'c'), port: await freePort(), headless: true, log: () => undefined }),
  ).rejects.toThrow(/panic: boom/);
  expect(starts()).toBe(3);
});

test('its state file is written ahead (WAL), not through a rollback journal per commit', async () => {
  process.env.TEMPORAL_CLI = realCli;
  const dataDir = join(dir, 'wal');
  const server = await startTemporalDevServer({ dataDir, port: await freePort(), headless: true });
  try {
    const db = new Database(join(dataDir, 'temporal.db'), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  } finally {
    await server.stop();
  }
});
