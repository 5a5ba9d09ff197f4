import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AllSimulators, startAllSimulators } from '../../simulators/all';
import { simulatorEnvLines } from '../../cli/commands/simulators';
import { openStore } from '../../store';
import { sharedTemporal, temporalEnvOf, testEncryption, TEST_ENCRYPTION_ENV } from '../helpers/temporal';
import { signed, userEvent } from '../workers/webhook-fixtures';
import { runCli, startCli } from './run-cli';
import { freePort } from '../../workers/free-port';

const P2 = 'zendesk-users-to-powerofficego-employees';

interface PlannedEntry {
  zendeskId: string;
  action: string;
  changes: { target: Record<string, unknown> | null };
}

describe('tandem worker, tandem sync and tandem webhooks serve against Temporal and the simulators', () => {
  let env: TestWorkflowEnvironment;
  let sims: AllSimulators;
  let cliEnv: NodeJS.ProcessEnv;
  let storePath: string;

  beforeAll(async () => {
    env = await sharedTemporal(testEncryption());
    sims = await startAllSimulators({ sampleSize: 12, realRateLimits: false });
    storePath = join(mkdtempSync(join(tmpdir(), 'tandem-worker-')), 'tandem.db');
    const simEnv = Object.fromEntries(
      simulatorEnvLines(sims).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    cliEnv = {
      ...simEnv,
      ...temporalEnvOf(env),
      TANDEM_STORE: storePath,
      TANDEM_METRICS_PORT: '0',
      TANDEM_LOG_LEVEL: 'warn',
      ...TEST_ENCRYPTION_ENV,
    };
  }, 120_000);
  afterAll(async () => {
    await sims?.stop();
    await env?.teardown();
  });

  it('sync exits non-zero naming the workflow when it fails (no worker runs, so it is still waiting when terminated)', async () => {
    const sync = startCli(['sync', P2], { env: cliEnv });
    const [, id] = await sync.waitForOut(/Started (sync\/\S+) on task queue tandem/);
    expect(id).toMatch(/^sync\/zendesk\/users\/\d{4}-\d\d-\d\dT/);
    await env.client.workflow.getHandle(id).terminate('test');
    const r = await sync.done;
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`sync ${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} failed: .*terminated`, 'i'));
  });

  it('the worker runs the poll that sync starts; sync shows its progress and summary, does what plan said; the worker stops on request', async () => {
    // The plan first: what the sync below must then do, employee by employee and field by field.
    const planned = await runCli(['plan', P2, '--all', '--output', 'json'], { env: cliEnv });
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.out) as { entries: PlannedEntry[] };
    const creates = plan.entries.filter((e) => e.action === 'create');
    expect(creates.length).toBeGreaterThan(0);
    expect(plan.entries.filter((e) => !['create', 'skip'].includes(e.action))).toEqual([]);

    let stopWorker!: () => void;
    const worker = startCli(['worker'], { env: cliEnv, stop: new Promise<void>((r) => (stopWorker = r)) });
    try {
      const r = await runCli(['sync', P2, '--full'], { env: cliEnv });
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      // Not a TTY here: a line per change of the counts, then the summary.
      expect(r.out).toMatch(/^\d+ page\(s\): \d+ record\(s\) read /m);
      // Each count in its own unit: records read and dropped, pairs handed over, outcomes finished.
      const [, read, dropped] = r.out
        .match(
          /^Done: \d+ page\(s\): (\d+) record\(s\) read \((\d+) unchanged, dropped\); \d+ pair\(s\) handed to record workflows; finished: .*, 0 failed\.$/m,
        )!
        .map(Number);
      expect(read).toBe(12);
      expect(dropped).toBeLessThanOrEqual(read);
      // The worker also runs the record workflows the poll signalled: the agents end up linked.
      const store = openStore(storePath);
      try {
        let linked = 0;
        for (let i = 0; i < 300 && linked < creates.length; i++) {
          linked = (await store.counts(P2)).linked;
          if (linked < creates.length) await new Promise((res) => setTimeout(res, 100));
        }
        expect(linked).toBe(creates.length);
        // Each planned create made one employee with the planned values; nothing else was made.
        const { employees } = (await (await fetch(`${sims.poweroffice.url}/_sim/records`)).json()) as {
          employees: Record<string, unknown>[];
        };
        const made = await Promise.all(
          creates.map(async (c) => {
            const targetId = (await store.getByZendeskId(P2, c.zendeskId))?.targetId;
            const employee = employees.find((e) => String(e.Id) === targetId);
            return {
              zendeskId: c.zendeskId,
              fields: Object.fromEntries(Object.keys(c.changes.target ?? {}).map((k) => [k, employee?.[k]])),
            };
          }),
        );
        // A department the plan would create first is named `new-departments-<n>` there: each is one real department.
        const departmentOf = new Map<unknown, unknown>();
        made.forEach((m, i) => {
          const name = creates[i].changes.target?.DepartmentId;
          if (typeof name === 'string' && name.startsWith('new-'))
            departmentOf.set(name, departmentOf.get(name) ?? m.fields.DepartmentId);
        });
        expect(new Set(departmentOf.values()).size).toBe(departmentOf.size);
        const asPlanned = (fields: Record<string, unknown> | null) => ({
          ...fields,
          ...(departmentOf.has(fields?.DepartmentId) ? { DepartmentId: departmentOf.get(fields?.DepartmentId) } : {}),
        });
        expect(made).toEqual(creates.map((c) => ({ zendeskId: c.zendeskId, fields: asPlanned(c.changes.target) })));
        expect(employees).toHaveLength(creates.length);
      } finally {
        await store.close();
      }
    } finally {
      stopWorker();
    }
    const w = await worker.done;
    expect(w.err).toBe('');
    expect(w.code).toBe(0);
    const store = openStore(storePath);
    try {
      expect((await store.getCheckpoint('zendesk/users'))?.value).toBeTruthy();
    } finally {
      await store.close();
    }
  }, 90_000);

  it('webhooks serve accepts a signed event and signals its pair workflows', async () => {
    const port = await freePort();
    const secret = 'cli-test-webhook-secret';
    let stopServe!: () => void;
    const serve = startCli(['webhooks', 'serve', '--port', String(port)], {
      env: { ...cliEnv, ZENDESK_WEBHOOK_SECRET: secret },
      stop: new Promise<void>((r) => (stopServe = r)),
    });
    try {
      const body = JSON.stringify({ ...userEvent('777'), time: new Date().toISOString() });
      let res: Response | undefined;
      for (let i = 0; i < 100 && !res; i++) {
        res = await fetch(`http://127.0.0.1:${port}/webhooks/zendesk`, {
          method: 'POST',
          body,
          headers: signed(body, { secret, timestamp: new Date().toISOString() }),
        }).catch(async () => {
          await new Promise((r) => setTimeout(r, 100));
          return undefined;
        });
      }
      expect(res?.status).toBe(202);
      const d = await env.client.workflow.getHandle('zendesk/users/777').describe();
      expect(d.type).toBe('syncZendeskRecord');
    } finally {
      stopServe();
    }
    const r = await serve.done;
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });
});
