/**
 * The "Run in production" walk-through of docs/operating.md, as separate processes: `temporal server
 * start-dev` (a namespace without Tandem's search attributes), `tandem simulators` (standing in for
 * the three APIs, writing .tandem/env), `tandem worker`, `tandem webhooks serve` and `tandem
 * schedules apply`. It ends with an edit that arrives: a Zendesk organisation renamed, its
 * PowerOffice department follows. It asserts on what a user sees, not on Tandem's internals.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../workers/config';
import { createConnectors } from '../../workers/connectors';
import { freePort } from '../../workers/free-port';
import { WORKER_NODE_FLAGS } from '../../workers/node-flags';
import { readSettingsFile } from '../../workers/settings-file';
import { startTemporalDevServer, type DevServer } from '../../workers/temporal-dev-server';
import type { Connectors } from '../../activities/record-access';
import { TransientApiError } from '../../connectors/errors';

jest.setTimeout(300_000);

const ROOT = resolve(__dirname, '../..');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');

interface Proc {
  name: string;
  child: ChildProcess;
  out: string;
  exited: Promise<number | null>;
}
const procs: Proc[] = [];

function start(name: string, command: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Proc {
  const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = { name, child, out: '', exited: new Promise((r) => child.once('exit', (code) => r(code))) };
  child.stdout!.on('data', (d: Buffer) => (p.out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (p.out += d.toString()));
  procs.push(p);
  return p;
}

async function waitFor(p: Proc, pattern: RegExp, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let ended = false;
  void p.exited.then(() => (ended = true));
  while (!pattern.test(p.out)) {
    if (ended || Date.now() > until)
      throw new Error(`${p.name}: no ${pattern} (${ended ? 'exited' : 'timed out'}):\n${p.out.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The test's own API calls share the simulators' rate limits with the worker. */
async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch (err) {
      if (!(err instanceof TransientApiError)) throw err;
    }
    if (Date.now() > until)
      throw new Error(
        `${what}: still ${JSON.stringify(last)?.slice(0, 500)} after ${timeoutMs} ms\n${procs.map((p) => `--- ${p.name}\n${p.out.slice(-1500)}`).join('\n')}`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

let temporal: DevServer | undefined;
afterAll(async () => {
  for (const p of [...procs].reverse()) {
    if (p.child.exitCode !== null) continue;
    p.child.kill('SIGTERM');
    const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
    await p.exited;
    clearTimeout(timer);
  }
  await temporal?.stop();
});

test('from an empty Temporal namespace to an edit that arrives, each part its own process', async () => {
  // `npm run build` as the README's `npm ci` does; incremental, so nearly free when built.
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-b', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  const cwd = mkdtempSync(join(tmpdir(), 'tandem-prod-'));
  const [webhookPort, metricsPort, sdkMetricsPort] = [await freePort(), await freePort(), await freePort()];

  // 1. Temporal, with no custom search attributes: Tandem must register them itself.
  // The one start of a dev server Tandem has (it starts again should the server panic at start-up).
  temporal = await startTemporalDevServer({ dataDir: join(cwd, 'temporal'), port: await freePort(), headless: true });

  // What the README exports; everything else comes from .tandem/env, written by the simulators.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: temporal.address,
    TANDEM_STORE: join(cwd, 'tandem.db'),
    TANDEM_WEBHOOK_PORT: String(webhookPort),
    TANDEM_METRICS_PORT: String(metricsPort),
    TANDEM_SDK_METRICS_PORT: String(sdkMetricsPort),
    TANDEM_POLL_ZENDESK_SECONDS: '5',
    TANDEM_POLL_POWEROFFICE_SECONDS: '5',
    TANDEM_POLL_CRMOFFICE_SECONDS: '5',
  };
  const tandem = (name: string, args: string[]) => start(name, process.execPath, [MAIN, ...args], { cwd, env });

  // 2. The simulators, sending their webhooks to the receiver.
  const sims = tandem('simulators', [
    'simulators',
    '--zendesk-port',
    '0',
    '--poweroffice-port',
    '0',
    '--crmoffice-port',
    '0',
    '--webhook-url',
    `http://127.0.0.1:${webhookPort}/webhooks/zendesk`,
  ]);
  await waitFor(sims, /Stop with Ctrl-C/);
  expect(sims.out).toContain('ZENDESK_API_TOKEN=<set>');

  // 3. The encryption key: made once, given to every process by its file.
  const newKey = tandem('codec new-key', ['codec', 'new-key']);
  expect(await newKey.exited).toBe(0);
  writeFileSync(join(cwd, 'tandem-key'), newKey.out, { mode: 0o600 });
  env.TANDEM_ENCRYPTION_KEY_FILE = join(cwd, 'tandem-key');

  // 4. The worker registers the search attributes and runs every flow.
  // `npm run worker`: the CLI under the worker's Node flags.
  const worker = start('worker', process.execPath, [...WORKER_NODE_FLAGS, MAIN, 'worker'], { cwd, env });
  await waitFor(worker, /"msg":"worker running"/);
  expect(worker.out).toMatch(/"msg":"registered the search attributes"/);

  // 5. The webhook receiver; 6. the schedules.
  const receiver = tandem('webhooks', ['webhooks', 'serve']);
  await waitFor(receiver, /"msg":"webhook receiver listening"/);
  const apply = tandem('schedules apply', ['schedules', 'apply']);
  expect(await apply.exited).toBe(0);
  expect(apply.out).toMatch(/\d+ created, 0 updated/);

  // The first sync creates departments for the organisations of agents.
  const config = loadConfig({ env: { ...readSettingsFile(join(cwd, '.tandem', 'env')), ...env } });
  const api: Connectors = createConnectors({
    zendesk: config.zendesk,
    poweroffice: config.poweroffice!,
    crmoffice: config.crmoffice!,
  });
  const orgs = (await api.zendesk.listOrganizations()).items;
  const pair = await eventually(
    'a department of a Zendesk organisation',
    async () => {
      const departments = await api.poweroffice.listAllDepartments();
      const org = orgs.find((o) => departments.some((d) => d.Name === o.name));
      return org && { org, department: departments.find((d) => d.Name === org.name)! };
    },
    (v) => v !== undefined,
    180_000,
  );

  // 7. The edit: rename the organisation in Zendesk; its department follows.
  await api.zendesk.updateOrganization(Number(pair!.org.id), { name: 'Renamed In Production AS' });
  await eventually(
    'the department renamed',
    async () => (await api.poweroffice.getDepartment(Number(pair!.department.Id))).Name,
    (n) => n === 'Renamed In Production AS',
    60_000,
  );

  // And the CLI sees the same stack from the same folder.
  const status = tandem('status', ['status', '--output', 'json']);
  expect(await status.exited).toBe(0);
  expect(JSON.parse(status.out)).toMatchObject({ temporal: { reachable: true } });
});
