import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AllSimulators, startAllSimulators } from '../../simulators/all';
import { simulatorEnvLines } from '../../cli/commands/simulators';
import { openStore } from '../../store';
import { runCli } from './run-cli';

const P2 = 'zendesk-users-to-powerofficego-employees';

interface Stats {
  requests: Record<string, number>;
  writes: number;
}

/** Writes other than getting an access token (a POST that changes no record). */
function recordWrites(stats: Stats): string[] {
  return Object.entries(stats.requests)
    .filter(([key]) => !/^(GET|HEAD) /.test(key) && !/token/i.test(key))
    .map(([key, n]) => `${key} x${n}`);
}

describe('tandem plan on a fresh stack', () => {
  let sims: AllSimulators;
  let env: NodeJS.ProcessEnv;
  let dir: string;

  beforeAll(async () => {
    sims = await startAllSimulators({ sampleSize: 12, realRateLimits: false });
    dir = mkdtempSync(join(tmpdir(), 'tandem-plan-'));
    // The settings exactly as `tandem simulators` prints them.
    env = Object.fromEntries(
      simulatorEnvLines(sims).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  });
  afterAll(async () => {
    await sims?.stop();
  });

  async function stats(): Promise<Stats[]> {
    return Promise.all(
      [sims.zendesk.url, sims.poweroffice.url, sims.crmoffice.url].map(
        async (u) => (await fetch(`${u}/_sim/stats`)).json() as Promise<Stats>,
      ),
    );
  }

  it('lists a create per agent and admin, field by field, and writes nothing to any API or the store', async () => {
    const storePath = join(dir, 'tandem.db');
    await openStore(storePath).close();
    const r = await runCli(['plan', P2], { env: { ...env, TANDEM_STORE: storePath } });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);

    const users = (await (await fetch(`${sims.zendesk.url}/_sim/records`)).json()) as {
      users?: { id: number; role: string }[];
    };
    const agents = (users.users ?? []).filter((u) => u.role === 'agent' || u.role === 'admin');
    expect(agents.length).toBeGreaterThan(0);
    expect(r.out).toMatch(new RegExp(`^create \\(${agents.length}\\):`, 'm'));
    for (const a of agents) expect(r.out).toMatch(new RegExp(`^  zendesk ${a.id}: `, 'm'));
    expect(r.out).toMatch(/^ {6}poweroffice\.FirstName = "/m);
    expect(r.out).toMatch(/^ {6}poweroffice\.EmailAddress = "/m);
    // End users are skipped, and the plan says why.
    expect(r.out).toMatch(/^skip \(\d+\):/m);
    expect(r.out).toMatch(/Nothing was written\.$/m);

    for (const s of await stats()) expect(recordWrites(s)).toEqual([]);
    const store = openStore(storePath);
    try {
      expect((await store.counts(P2)).linked).toBe(0);
      expect(await store.listLinks(P2, { limit: 10 })).toEqual([]);
      expect(await store.getCheckpoint('zendesk/users')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('plans the first sync without creating a store file when there is none, and --limit bounds it', async () => {
    const storePath = join(dir, 'never-created.db');
    const r = await runCli(['plan', P2, '--limit', '2'], { env: { ...env, TANDEM_STORE: storePath } });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/no link store at .*never-created\.db yet/);
    expect(r.out).toMatch(/^2 record\(s\) read:/m);
    expect(existsSync(storePath)).toBe(false);
  });
});
