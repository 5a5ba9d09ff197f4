import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { plannedSchedules } from '../../workers/schedules';
import { sharedTemporal, temporalEnvOf } from '../helpers/temporal';
import { baseEnv, runCli } from './run-cli';

const P2 = 'zendesk-users-to-powerofficego-employees';

describe('tandem schedules against a real Temporal dev server', () => {
  let env: TestWorkflowEnvironment;
  let cliEnv: NodeJS.ProcessEnv;
  const intervals = { zendesk: 60, poweroffice: 30, crmoffice: 60 };
  const all = plannedSchedules(intervals).map((s) => s.id);

  beforeAll(async () => {
    env = await sharedTemporal();
    cliEnv = baseEnv(temporalEnvOf(env));
  }, 120_000);
  afterAll(async () => {
    await env?.teardown();
  });

  async function paused(id: string): Promise<boolean> {
    return (await env.client.schedule.getHandle(id).describe()).state.paused;
  }

  it('list before apply says every schedule is missing', async () => {
    const r = await runCli(['schedules', 'list'], { env: cliEnv });
    expect(r.code).toBe(0);
    for (const id of all) expect(r.out).toContain(`${id}  missing`);
  });

  it('apply creates every schedule; a second apply keeps intervals set elsewhere unless --reset-intervals', async () => {
    const first = await runCli(['schedules', 'apply'], { env: cliEnv });
    expect(first.code).toBe(0);
    expect(first.out).toContain(`${all.length} created, 0 updated`);
    for (const id of all) expect(first.out).toContain(`created ${id}`);

    // As an operator (or `tandem dev`) would: a 10 s interval chosen outside this config.
    await env.client.schedule
      .getHandle('poll/poweroffice/employees')
      .update((prev) => ({ ...prev, spec: { intervals: [{ every: 10_000 }] } }));
    const kept = await runCli(['schedules', 'apply'], { env: { ...cliEnv, TANDEM_POLL_ZENDESK_SECONDS: '120' } });
    expect(kept.code).toBe(0);
    expect(kept.out).toContain('updated poll/poweroffice/employees (interval kept; --reset-intervals sets 30 s)');
    expect(
      (await env.client.schedule.getHandle('poll/poweroffice/employees').describe()).spec.intervals?.[0]?.every,
    ).toBe(10_000);

    const second = await runCli(['schedules', 'apply', '--reset-intervals'], {
      env: { ...cliEnv, TANDEM_POLL_ZENDESK_SECONDS: '120' },
    });
    expect(second.code).toBe(0);
    expect(second.out).toContain(`0 created, ${all.length} updated`);
    expect(second.out).toContain('updated poll/zendesk/users (every 120 s)');
    const d = await env.client.schedule.getHandle('poll/zendesk/users').describe();
    expect(d.spec.intervals?.[0]?.every).toBe(120_000);
    expect(
      (await env.client.schedule.getHandle('poll/poweroffice/employees').describe()).spec.intervals?.[0]?.every,
    ).toBe(30_000);
  });

  it('list --output json parses, one entry per schedule with its state', async () => {
    const r = await runCli(['schedules', 'list', '--output', 'json'], { env: cliEnv });
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as { id: string; state: string }[];
    expect(rows.map((x) => x.id).sort()).toEqual([...all].sort());
    expect(new Set(rows.map((x) => x.state))).toEqual(new Set(['running']));
  });

  it('a flow is named by its short code too', async () => {
    const r = await runCli(['schedules', 'trigger', 'P2'], { env: cliEnv });
    expect(r.code).toBe(0);
    expect(r.out).toContain('triggered poll/zendesk/users');
  });

  it('pause and resume flip the state of the chosen schedules only', async () => {
    const r = await runCli(['schedules', 'pause', P2, '--note', 'maintenance'], { env: cliEnv });
    expect(r.code).toBe(0);
    expect(r.out).toContain('paused poll/zendesk/users');
    expect(r.out).toContain('paused poll/poweroffice/employees');
    expect(await paused('poll/zendesk/users')).toBe(true);
    expect(await paused('poll/poweroffice/employees')).toBe(true);
    expect(await paused('poll/crmoffice/contacts')).toBe(false);

    const list = await runCli(['schedules', 'list'], { env: cliEnv });
    expect(list.out).toMatch(/poll\/zendesk\/users {2}paused \(maintenance\)/);
    expect(list.out).toMatch(/poll\/crmoffice\/contacts {2}running/);
    expect(list.out).not.toContain('missing');

    const resumed = await runCli(['schedules', 'resume', 'poll/poweroffice/employees'], { env: cliEnv });
    expect(resumed.code).toBe(0);
    expect(resumed.out.trim()).toBe('resumed poll/poweroffice/employees');
    expect(await paused('poll/poweroffice/employees')).toBe(false);
    expect(await paused('poll/zendesk/users')).toBe(true);
  });

  it('trigger starts a poll now', async () => {
    const id = 'poll/zendesk/organizations';
    const r = await runCli(['schedules', 'trigger', id], { env: cliEnv });
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(`triggered ${id}`);
    // No worker runs here: the triggered action shows up as started, not completed.
    for (let i = 0; i < 50; i++) {
      const d = await env.client.schedule.getHandle(id).describe();
      if (d.info.recentActions.length > 0) return;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error('the triggered poll never started');
  });

  it('status shows which schedules are paused', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const { openStore } = await import('../../store');
    const path = join(mkdtempSync(join(tmpdir(), 'tandem-cli-')), 'tandem.db');
    await openStore(path).close();
    const r = await runCli(['status'], { env: { ...cliEnv, TANDEM_STORE: path } });
    expect(r.code).toBe(0);
    const p2 = r.out.slice(r.out.indexOf(`${P2}\n`));
    expect(p2).toMatch(/zendesk +never polled, schedule paused/);
    expect(p2).toMatch(/poweroffice +never polled, schedule running/);
  });
});
