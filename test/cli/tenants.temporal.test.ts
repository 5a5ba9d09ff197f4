/**
 * Three tenants, each with its own simulated accounts and key, served by one `tandem worker` and
 * one `tandem webhooks serve`: each tenant's edits reach its own accounts only, another tenant's
 * secret or name is refused, and a removed tenant leaves no schedule, workflow, link or key.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AllSimulators, startAllSimulators } from '../../simulators/all';
import { simulatorEnvLines } from '../../cli/commands/simulators';
import { createConnectors } from '../../workers/connectors';
import { openStore } from '../../store';
import { encryptionOf } from '../../codec/data-converter';
import { newKey } from '../../codec/keys';
import { METADATA_KEY_ID } from '../../codec/encryption-codec';
import { sharedTemporal, temporalEnvOf, testEncryption } from '../helpers/temporal';
import { signed, userEvent } from '../workers/webhook-fixtures';
import { freePort } from '../../workers/free-port';
import { listSchedules } from '../../workers/schedules';
import { metrics as tandemMetrics } from '../../workers/metrics';
import { runCli, startCli, type RunningCli } from './run-cli';

// Three tenants' workers and simulators in one process, beside the other suites: room for a slow machine.
jest.setTimeout(180_000);

const P2 = 'zendesk-users-to-powerofficego-employees';
const TENANTS = ['acme', 'beta', 'gamma'] as const;
type Name = (typeof TENANTS)[number];

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('three tenants on one worker and one webhook receiver', () => {
  let env: TestWorkflowEnvironment;
  const sims = {} as Record<Name, AllSimulators>;
  const keys = {} as Record<Name, string>;
  const secrets = {} as Record<Name, string>;
  let root: string;
  let cliEnv: NodeJS.ProcessEnv;
  let port: number;
  const stops: (() => void)[] = [];
  const running: RunningCli[] = [];
  let delta: AllSimulators | undefined;

  const storeOf = (t: Name) => join(root, `tandem.${t}.db`);
  const writes = (t: Name) =>
    sims[t].zendesk.stats.writes + sims[t].poweroffice.stats.writes + sims[t].crmoffice.stats.writes;

  function post(tenantPath: string, body: string, secret: string): Promise<Response> {
    return fetch(`http://127.0.0.1:${port}/webhooks/zendesk${tenantPath}`, {
      method: 'POST',
      body,
      headers: signed(body, { secret, timestamp: new Date().toISOString() }),
    });
  }

  beforeAll(async () => {
    env = await sharedTemporal(testEncryption());
    root = mkdtempSync(join(tmpdir(), 'tandem-tenants-'));
    port = await freePort();
    // No account of the installation's own: its tenants are the files alone (no `default` tenant).
    cliEnv = {
      ...temporalEnvOf(env),
      TANDEM_TENANTS_DIR: join(root, 'tenants'),
      TANDEM_STORE: join(root, 'tandem.db'),
      TANDEM_METRICS_PORT: '0',
      TANDEM_WEBHOOK_PORT: String(port),
      TANDEM_LOG_LEVEL: 'warn',
    };
    for (const t of TENANTS) {
      sims[t] = await startAllSimulators({ sampleSize: 8, realRateLimits: false, seed: TENANTS.indexOf(t) + 1 });
      keys[t] = newKey();
      secrets[t] = `${t}-webhook-${newKey()}`;
      const from = join(root, `${t}.env`);
      writeFileSync(
        from,
        [
          ...simulatorEnvLines(sims[t]),
          `TANDEM_ENCRYPTION_KEY=${keys[t]}`,
          `ZENDESK_WEBHOOK_SECRET=${secrets[t]}`,
          '',
        ].join('\n'),
      );
      const added = await runCli(['tenants', 'add', t, '--from', from], { env: cliEnv });
      expect(added.err).toBe('');
      expect(added.out).toContain(`Added tenant ${t}`);
    }
    const applied = await runCli(['schedules', 'apply'], { env: cliEnv });
    expect(applied.code).toBe(0);
    // The tenant files are read again each second: a tenant added or removed is served without a restart.
    for (const args of [
      ['worker', '--reload-tenants', '1'],
      ['webhooks', 'serve', '--reload-tenants', '1'],
    ]) {
      let stop!: () => void;
      running.push(startCli(args, { env: cliEnv, stop: new Promise<void>((r) => (stop = r)) }));
      stops.push(stop);
    }
    // The worker bundles its workflows as it starts: the tests begin once it polls every tenant's queue.
    for (const t of TENANTS)
      await until(`the worker to poll tandem@${t}`, async () => {
        const { pollers } = await env.client.workflowService.describeTaskQueue({
          namespace: env.namespace,
          taskQueue: { name: `tandem@${t}` },
          taskQueueType: 1, // workflow tasks
        });
        return pollers?.length ? true : undefined;
      });
    // Pause every poll: this test's changes travel by webhook and by `tandem sync`, at the moments it chooses.
    for (const t of TENANTS)
      expect((await runCli(['schedules', 'pause', '--tenant', t], { env: cliEnv })).code).toBe(0);
  }, 180_000);

  afterAll(async () => {
    stops.forEach((s) => s());
    const ended = await Promise.all(running.map((r) => r.done));
    for (const r of ended)
      expect({
        code: r.code,
        err: r.err
          .split('\n')
          .filter((l) => !/WARN/.test(l))
          .join('\n'),
      }).toEqual({ code: 0, err: '' });
    await Promise.all([...TENANTS.map((t) => sims[t]?.stop()), delta?.stop()]);
    await env?.teardown();
  });

  it('lists the tenants, each with its own store, queues and webhook path', async () => {
    const r = await runCli(['tenants', 'list', '-o', 'json'], { env: cliEnv });
    const rows = JSON.parse(r.out) as {
      name: string;
      state: string;
      store: string;
      taskQueues: string[];
      webhookPath: string;
    }[];
    expect(rows.map((x) => [x.name, x.state, x.store])).toEqual(TENANTS.map((t) => [t, 'enabled', storeOf(t)]));
    expect(rows[1].taskQueues).toEqual(['tandem@beta', 'zendesk@beta', 'poweroffice@beta', 'crmoffice@beta']);
    expect(rows[1].webhookPath).toBe('/webhooks/zendesk/beta');
    const shown = await runCli(['tenants', 'show', 'beta'], { env: cliEnv });
    expect(shown.out).toMatch(/TANDEM_ENCRYPTION_KEY=<set>/);
    expect(shown.out).not.toContain(keys.beta);
  });

  it("runs each tenant's sync in its own accounts and store only", async () => {
    const before = { acme: writes('acme'), gamma: writes('gamma') };
    const r = await runCli(['sync', P2, '--full', '--tenant', 'beta'], { env: cliEnv });
    expect(r.err).toBe('');
    expect(r.out).toMatch(/Started beta:sync\/zendesk\/users\/\S+ on task queue tandem@beta/);
    const store = openStore(storeOf('beta'));
    try {
      const linked = await until('beta linked', async () =>
        (await store.counts(P2)).linked > 0 ? (await store.counts(P2)).linked : undefined,
      );
      expect(linked).toBeGreaterThan(0);
      expect(sims.beta.poweroffice.stats.writes).toBeGreaterThanOrEqual(linked);
    } finally {
      await store.close();
    }
    expect({ acme: writes('acme'), gamma: writes('gamma') }).toEqual(before);
    for (const t of ['acme', 'gamma'] as const)
      expect(existsSync(storeOf(t)) ? await countLinks(storeOf(t)) : 0).toBe(0);
  });

  it("takes a tenant's webhook at its own path with its own secret, and writes to its own accounts", async () => {
    const store = openStore(storeOf('beta'));
    const link = (await store.listLinks(P2, { limit: 1 }))[0];
    await store.close();
    expect(link).toBeDefined();
    const zendesk = createConnectors(sims.beta.configs).zendesk;
    // Its organisation is what an employee keeps in sync once made (flows.md): its department is made too.
    const org = (await zendesk.listOrganizations()).items[0];
    await zendesk.updateUser(Number(link.zendeskId), { organization_id: org.id });
    const event = {
      ...userEvent(link.zendeskId),
      type: 'zen:event-type:user.organization_membership_created',
      detail: { ...(userEvent(link.zendeskId).detail as object), organization_id: String(org.id) },
      event: {},
    };
    const body = JSON.stringify({ ...event, time: new Date().toISOString() });
    const before = { acme: writes('acme'), gamma: writes('gamma') };

    // Another tenant's secret, an unknown tenant, no tenant: each refused, nothing signalled.
    const wrongSecret = await post('/beta', body, secrets.acme);
    expect(wrongSecret.status).toBe(401);
    const unknown = await post('/delta', body, secrets.beta);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('no tenant \\"delta\\"');
    const unnamed = await post('', body, secrets.beta);
    expect(unnamed.status).toBe(404);
    expect(await unnamed.text()).toContain('/webhooks/zendesk/<tenant>');

    const accepted = await post('/beta', body, secrets.beta);
    expect(accepted.status).toBe(202);
    const poweroffice = createConnectors(sims.beta.configs).poweroffice;
    const employee = await until('the employee in a department', async () => {
      const e = await poweroffice.getEmployee(Number(link.targetId));
      return e.DepartmentId ? e : undefined;
    });
    const department = await poweroffice.getDepartment(employee.DepartmentId!);
    expect(department.Name).toBe(org.name);
    expect({ acme: writes('acme'), gamma: writes('gamma') }).toEqual(before);
    // Read raw: the test's client has none of the tenants' keys for the memo, and the attribute is not encrypted.
    const described = await env.client.workflowService.describeWorkflowExecution({
      namespace: env.namespace,
      execution: { workflowId: `beta:zendesk/users/${link.zendeskId}` },
    });
    const tenant = described.workflowExecutionInfo?.searchAttributes?.indexedFields?.TandemTenant?.data;
    expect(Buffer.from(tenant!).toString()).toBe('"beta"');
  });

  it('refuses a tenant the installation does not have, and asks which when there are several', async () => {
    const unknown = await runCli(['links', P2, '1', '--tenant', 'delta'], { env: cliEnv });
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toMatch(/no tenant "delta" in this installation \(tenants: acme, beta, gamma\)/);
    const unnamed = await runCli(['links', P2, '1'], { env: cliEnv });
    expect(unnamed.code).not.toBe(0);
    expect(unnamed.err).toMatch(/serves 3 tenants \(acme, beta, gamma\): name one with --tenant/);
  });

  it('sums up every tenant in `tandem status`, and shows one in full with --tenant', async () => {
    const r = await runCli(['status', '-o', 'json'], { env: cliEnv });
    expect(r.err).toBe('');
    const { tenants } = JSON.parse(r.out) as {
      tenants: { tenant: string; state: string; links?: { linked: number }; schedules?: Record<string, number> }[];
    };
    expect(tenants.map((t) => t.tenant)).toEqual(['acme', 'beta', 'gamma']);
    // Only beta has synced; its schedules (like everyone's here) are paused.
    expect(tenants.find((t) => t.tenant === 'beta')?.links?.linked).toBeGreaterThan(0);
    for (const t of tenants.filter((x) => x.tenant !== 'beta')) expect(t.links?.linked ?? 0).toBe(0);
    expect(tenants.find((t) => t.tenant === 'beta')?.schedules?.paused).toBeGreaterThan(0);
    const text = await runCli(['status'], { env: cliEnv });
    expect(text.out).toMatch(/^beta \(enabled\) {2}links linked [1-9]/m);
    const one = await runCli(['status', '--tenant', 'beta'], { env: cliEnv });
    expect(one.out).toMatch(new RegExp(` ${P2}$`, 'm'));
  });

  it('removes a tenant: no schedule, workflow, link or key of it remains, and its histories no longer decode', async () => {
    // Gamma's own work first: a record workflow whose history holds gamma's encrypted payloads.
    const zendesk = createConnectors(sims.gamma.configs).zendesk;
    const user = (await zendesk.listUsers()).items[0];
    const body = JSON.stringify({ ...userEvent(String(user.id)), time: new Date().toISOString() });
    expect((await post('/gamma', body, secrets.gamma)).status).toBe(202);
    const id = `gamma:zendesk/users/${user.id}`;
    const history = await until('its history', async () => {
      const h = await env.client.workflow.getHandle(id).fetchHistory();
      return (h.events?.length ?? 0) > 3 ? h : undefined;
    });
    const payload = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
    const keyId = Buffer.from(payload.metadata![METADATA_KEY_ID]!).toString();
    const gammaCodec = encryptionOf({ mode: 'on', key: keys.gamma }, { requireKey: true }).payloadCodec;
    expect(await gammaCodec.decode([payload])).toHaveLength(1);

    const r = await runCli(['tenants', 'remove', 'gamma', '--yes'], { env: cliEnv });
    expect(r.err).toBe('');
    expect(r.out).toMatch(/deleted schedule gamma:poll\//);
    expect(r.out).toMatch(/terminated [1-9]\d* workflow/);
    expect(existsSync(storeOf('gamma'))).toBe(false);
    expect(existsSync(join(root, 'tenants', 'gamma.env'))).toBe(false);

    expect(await listSchedules(env.client, 'gamma')).toEqual([]);
    const left = await env.client.workflow.count('ExecutionStatus = "Running" AND TandemTenant = "gamma"');
    expect(left.count).toBe(0);
    const listed = JSON.parse((await runCli(['tenants', 'list', '-o', 'json'], { env: cliEnv })).out) as {
      name: string;
    }[];
    expect(listed.map((t) => t.name)).toEqual(['acme', 'beta']);
    // No key the installation still has opens gamma's payloads.
    for (const t of ['acme', 'beta'] as const) {
      const codec = encryptionOf({ mode: 'on', key: keys[t] }, { requireKey: true }).payloadCodec;
      await expect(codec.decode([payload])).rejects.toThrow(new RegExp(keyId));
    }
  });

  it('serves a tenant added while the worker and the receiver run, and stops when it is disabled: no restart', async () => {
    delta = await startAllSimulators({ sampleSize: 8, realRateLimits: false, seed: 4 });
    const secret = `delta-webhook-${newKey()}`;
    const from = join(root, 'delta.env');
    writeFileSync(
      from,
      [...simulatorEnvLines(delta), `TANDEM_ENCRYPTION_KEY=${newKey()}`, `ZENDESK_WEBHOOK_SECRET=${secret}`, ''].join(
        '\n',
      ),
    );
    expect((await runCli(['tenants', 'add', 'delta', '--from', from], { env: cliEnv })).code).toBe(0);
    const polling = async (tenant: string) => {
      const gauge = await tandemMetrics.registry.getSingleMetric('tandem_worker_polling')!.get();
      return gauge.values.filter((v) => v.labels.tenant === tenant && v.value === 1).length;
    };
    await until('the worker to serve delta', async () => ((await polling('delta')) > 0 ? true : undefined), 30_000);

    const before = { acme: writes('acme'), beta: writes('beta') };
    const r = await runCli(['sync', P2, '--full', '--tenant', 'delta'], { env: cliEnv });
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    expect(delta.poweroffice.stats.writes).toBeGreaterThan(0);
    expect({ acme: writes('acme'), beta: writes('beta') }).toEqual(before);

    const user = (await createConnectors(delta.configs).zendesk.listUsers()).items[0];
    const body = () => JSON.stringify({ ...userEvent(String(user.id)), time: new Date().toISOString() });
    await until('the receiver to take delta', async () =>
      (await post('/delta', body(), secret)).status === 202 ? true : undefined,
    );

    expect((await runCli(['tenants', 'disable', 'delta'], { env: cliEnv })).code).toBe(0);
    await until('the receiver to refuse delta', async () =>
      (await post('/delta', body(), secret)).status === 404 ? true : undefined,
    );
    await until('the worker to stop serving delta', async () => ((await polling('delta')) === 0 ? true : undefined));
    // The others were served throughout, never restarted.
    expect(await polling('acme')).toBeGreaterThan(0);
    expect((await runCli(['tenants', 'remove', 'delta', '--yes'], { env: cliEnv })).code).toBe(0);
  });
});

async function countLinks(path: string): Promise<number> {
  const store = openStore(path);
  try {
    return (await store.counts(P2)).linked;
  } finally {
    await store.close();
  }
}
