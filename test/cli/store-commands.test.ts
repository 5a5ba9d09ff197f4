import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type LinkStore } from '../../store';
import { baseEnv, runCli } from './run-cli';
import { startAllSimulators, type AllSimulators } from '../../simulators/all';
import { simulatorEnvLines } from '../../cli/commands/simulators';
import { targetAccess } from '../../activities/record-access';
import { createConnectors } from '../../workers/connectors';

const P2 = 'zendesk-users-to-powerofficego-employees' as const;
const Z3 = 'zendesk-users-to-crmoffice-contacts' as const;
const P1 = 'zendesk-organizations-to-powerofficego-departments' as const;

describe('tandem links and tandem status read the link store of the config', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let store: LinkStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-cli-'));
    const path = join(dir, 'tandem.db');
    // A closed port: status must say Temporal is unreachable and still print the store.
    env = baseEnv({ TANDEM_STORE: path, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    store = openStore(path);
    await store.saveLink(
      {
        flowId: P2,
        zendeskId: '381',
        targetId: '55',
        state: 'linked',
        base: { 'name->FirstName': 'Ada', 'organization_id->DepartmentId': null },
        lastError: null,
        lastSyncedAt: '2024-05-01T10:00:00.000Z',
      },
      0,
    );
    await store.saveLink(
      {
        flowId: P2,
        zendeskId: '382',
        targetId: null,
        state: 'pending',
        base: null,
        lastError: null,
        lastSyncedAt: null,
      },
      0,
    );
    await store.markFailed(P2, '383', 'EmailAddress: PowerOffice Go answered 400 "invalid e-mail"');
    await store.markFailed(Z3, '900', 'company.id: organisation 12 has no company link');
    await store.setCheckpoint('zendesk/users', '1714557600');
  });
  afterAll(async () => {
    await store.close();
  });

  it('links finds a pair by Zendesk id and prints state, target, version, base and last sync', async () => {
    const r = await runCli(['links', P2, '381'], { env });
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(/Found by Zendesk id 381/);
    expect(r.out).toMatch(/target id +55/);
    expect(r.out).toMatch(/state +linked/);
    expect(r.out).toMatch(/version +1/);
    expect(r.out).toMatch(/last synced +2024-05-01T10:00:00.000Z/);
    expect(r.out).toMatch(/name->FirstName +"Ada"/);
    expect(r.out).toMatch(/organization_id->DepartmentId +\(empty\)/);
  });

  it('links falls back to the target id', async () => {
    const r = await runCli(['links', P2, '55'], { env });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Found by target id 55/);
    expect(r.out).toMatch(/zendesk id +381/);
  });

  it('links shows the reason of a failed pair', async () => {
    const r = await runCli(['links', P2, '383'], { env });
    expect(r.out).toMatch(/state +failed/);
    expect(r.out).toMatch(/last error +EmailAddress: PowerOffice Go answered 400/);
  });

  describe('links --set-target, against the simulators', () => {
    let sims: AllSimulators;
    let simEnv: NodeJS.ProcessEnv;
    let departments: string[];

    beforeAll(async () => {
      sims = await startAllSimulators({ sampleSize: 3, realRateLimits: false });
      simEnv = {
        ...env,
        ...Object.fromEntries(
          simulatorEnvLines(sims).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
        ),
      };
      const access = targetAccess(createConnectors(sims.configs), 'departments');
      departments = [];
      for (const Name of ['Sales', 'Support'])
        departments.push(access.idOf(await access.create({ Name, Code: Name.toUpperCase() })));
    });
    afterAll(async () => {
      await sims?.stop();
    });

    it('refuses a target that does not exist, and changes nothing', async () => {
      await store.saveLink(
        {
          flowId: P1,
          zendeskId: '384',
          targetId: null,
          state: 'conflict',
          base: null,
          lastError: '2 departments match',
          lastSyncedAt: null,
        },
        0,
      );
      const r = await runCli(['links', 'P1', '384', '--set-target', '999999', '--yes'], { env: simEnv });
      expect(r.code).toBe(1);
      expect(r.err).toContain('poweroffice has no departments record 999999; nothing was changed');
      expect(await store.getByZendeskId(P1, '384')).toMatchObject({ state: 'conflict', targetId: null });
    });

    it('shows what changes and, with no terminal to ask on, refuses without --yes', async () => {
      const r = await runCli(['links', 'P1', '384', '--set-target', departments[0]], { env: simEnv });
      expect(r.code).toBe(1);
      expect(r.out).toContain(`target  (none) -> ${departments[0]}`);
      expect(r.out).toContain('state   conflict -> linked');
      expect(r.err).toContain('confirm with --yes');
      expect(await store.getByZendeskId(P1, '384')).toMatchObject({ state: 'conflict' });
      const declined = await runCli(['links', 'P1', '384', '--set-target', departments[0]], {
        env: simEnv,
        confirm: async () => false,
      });
      expect(declined.out).toContain('Not changed.');
      expect(await store.getByZendeskId(P1, '384')).toMatchObject({ state: 'conflict' });
    });

    it('links after a yes, keeps the base of a pair that had one, and refuses a target linked elsewhere', async () => {
      const r = await runCli(['links', 'P1', '384', '--set-target', departments[0]], {
        env: simEnv,
        confirm: async () => true,
      });
      expect(r.code).toBe(0);
      expect(await store.getByZendeskId(P1, '384')).toMatchObject({
        targetId: departments[0],
        state: 'linked',
        lastError: null,
      });

      const base = { 'name->Name': 'Acme AS' };
      await store.saveLink(
        {
          flowId: P1,
          zendeskId: '386',
          targetId: null,
          state: 'conflict',
          base,
          lastError: 'x',
          lastSyncedAt: '2024-05-01T10:00:00.000Z',
        },
        0,
      );
      const moved = await runCli(['links', 'P1', '386', '--set-target', departments[1], '--yes'], { env: simEnv });
      expect(moved.code).toBe(0);
      expect(moved.out).toContain('base    kept');
      expect(await store.getByZendeskId(P1, '386')).toMatchObject({ targetId: departments[1], state: 'linked', base });

      const taken = await runCli(['links', 'P1', '385', '--set-target', departments[0], '--yes'], { env: simEnv });
      expect(taken.code).toBe(1);
      expect(taken.err).toContain(`departments ${departments[0]} is already linked to Zendesk 384`);
      expect(await store.getByZendeskId(P1, '385')).toBeUndefined();
    });
  });

  it('links --output json parses', async () => {
    const r = await runCli(['links', 'P2', '381', '-o', 'json'], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({
      foundBy: 'zendesk',
      link: { zendeskId: '381', targetId: '55', state: 'linked' },
    });
  });

  it('links says so when there is no such pair (exit 1)', async () => {
    const r = await runCli(['links', P2, '999'], { env });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no link in zendesk-users-to-powerofficego-employees with Zendesk id or target id "999"/);
  });

  it('links refuses a store path that does not exist rather than creating an empty one', async () => {
    const r = await runCli(['links', P2, '381'], { env: { ...env, TANDEM_STORE: join(dir, 'typo.db') } });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/typo\.db" does not exist/);
  });

  it('--config reads the store from a config file', async () => {
    const { writeFileSync } = await import('node:fs');
    const file = join(dir, 'tandem.yaml');
    writeFileSync(file, `store:\n  url: ${join(dir, 'tandem.db')}\n`);
    const { TANDEM_STORE: _omit, ...rest } = env;
    const r = await runCli(['links', P2, '381', '--config', file], { env: rest });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/target id +55/);
  });

  it('status prints counts, last poll, the pairs needing review, and that Temporal is unreachable', async () => {
    const r = await runCli(['status'], { env });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Temporal: cannot reach Temporal at 127\.0\.0\.1:1/);
    const p2 = r.out.slice(r.out.indexOf(`${P2}\n`));
    expect(p2).toMatch(/links +linked 1, pending 1, failed 1, orphaned 0, conflict 0/);
    expect(p2).toMatch(/zendesk +last poll \d{4}-\d\d-\d\dT[\d:.]+Z \(\d+ s ago\)/);
    expect(p2).toMatch(/poweroffice +never polled/);
    expect(p2).toMatch(/383 .* EmailAddress: PowerOffice Go answered 400 "invalid e-mail"/);
    const z3 = r.out.slice(r.out.indexOf(`${Z3}\n`));
    expect(z3).toMatch(/links +linked 0, pending 0, failed 1/);
    expect(z3).toMatch(/900 .* company\.id: organisation 12 has no company link/);
  }, 20_000);

  it('status --output json parses, with the same counts', async () => {
    const r = await runCli(['status', '--output', 'json'], { env });
    expect(r.code).toBe(0);
    const data = JSON.parse(r.out) as {
      temporal: { error?: string };
      flows: { id: string; code: string; links: Record<string, number> }[];
    };
    expect(data.temporal.error).toMatch(/cannot reach Temporal/);
    expect(data.flows.find((f) => f.code === 'P2')).toMatchObject({
      id: P2,
      links: { linked: 1, pending: 1, failed: 1 },
    });
  }, 20_000);
});
