/**
 * Outgrowing one machine: three `tandem worker` processes on one Temporal server and one PostgreSQL
 * store run a first sync with the simulators' real rate limits, while edits land on both sides, one
 * worker is killed (SIGKILL) and another joins. Afterwards: no duplicates, every pair converged, no
 * 429 from PowerOffice Go, and the work spread over the workers that lived.
 * `TANDEM_SCALE_USERS` sets the size (default 200; the issue's full run is 2000).
 */
import type { ChildProcess } from 'node:child_process';
import { TestStack, startTestStack } from '../helpers/stack';
import { buildCli, startWorkerProcess, stopProcess } from '../helpers/worker-process';
import { findPostgresBin, startPostgres, type PostgresServer } from '../../bench/postgres-server';
import { requireDependency } from '../helpers/dependencies';

jest.setTimeout(900_000);

const P1 = 'zendesk-organizations-to-powerofficego-departments';
const P2 = 'zendesk-users-to-powerofficego-employees';
const Z3 = 'zendesk-users-to-crmoffice-contacts';
const Z3B = 'zendesk-organizations-to-crmoffice-companies';
const USERS = Number(process.env.TANDEM_SCALE_USERS ?? 200);

const pgBin = findPostgresBin();
const describeWithPostgres = requireDependency(
  'postgres',
  pgBin !== undefined,
  'many-workers (three workers, one PostgreSQL store)',
)
  ? describe
  : describe.skip;

describeWithPostgres('three workers, one PostgreSQL store', () => {
  let pg: PostgresServer;
  let stack: TestStack;
  const workers: ChildProcess[] = [];

  beforeAll(async () => {
    buildCli();
    pg = await startPostgres(pgBin);
    stack = await startTestStack({ sampleSize: USERS, realRateLimits: true, store: await pg.createDatabase() });
    await stack.stopWorker();
    for (let i = 0; i < 3; i++) workers.push(await startWorkerProcess(stack));
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => stopProcess(w, 'SIGKILL')));
    await stack?.stop();
    await pg?.stop();
  });

  test('a first sync and edits on both sides through a killed and an added worker: no duplicates, all converged, no 429', async () => {
    const { zendesk, poweroffice, crmoffice } = stack.connectors;
    const { client } = stack.env;
    const users = await allZendeskUsers();
    const orgs = (await zendesk.listOrganizations({ pageSize: 100 })).items;

    const firstSync = await client.workflow.start('pollFeed', {
      taskQueue: 'tandem',
      workflowId: 'many-workers-first-sync',
      args: [{ feed: 'zendesk/users', full: true }],
    });
    // Kill one worker mid-sync, with its activities in flight, then add a fresh one.
    while ((await stack.store.counts(Z3)).linked < USERS / 5) await sleep(500);
    const killed = workers[0];
    killed.kill('SIGKILL');
    const added = await startWorkerProcess(stack);
    workers.push(added);

    // Zendesk-side edits during the sync: staff move to another organisation.
    const staff = users.filter((u) => u.role === 'agent' || u.role === 'admin');
    const movers = staff.slice(0, 6);
    for (const [i, u] of movers.entries())
      await zendesk.updateUser(u.id, { organization_id: orgs[i % orgs.length].id });
    await firstSync.result();
    await stack.settle(600_000);
    await quiet();
    const limitedInFirstSync = stack.sims.poweroffice.stats.rateLimited;

    // Target-side edits after it: employees and contacts move to another linked department/company.
    const departments = await stack.store.listLinks(P1, { state: 'linked', limit: 1000 });
    const companies = await stack.store.listLinks(Z3B, { state: 'linked', limit: 1000 });
    expect(departments.length).toBeGreaterThan(1);
    for (const link of await stack.store.listLinks(P2, { state: 'linked', limit: 3, offset: 6 })) {
      const employee = await poweroffice.getEmployee(Number(link.targetId));
      const other = departments.find((d) => d.targetId !== String(employee.DepartmentId))!;
      await poweroffice.updateEmployee(employee.Id, { DepartmentId: Number(other.targetId) });
      await sleep(1000); // a person's pace: the limit is shared with whoever else calls the API
    }
    for (const link of await stack.store.listLinks(Z3, { state: 'linked', limit: 3, offset: 10 })) {
      const contact = await crmoffice.getContact(link.targetId!);
      const other = companies.find((c) => c.targetId !== contact.company?.id)!;
      await crmoffice.updateContact(contact.id, { company: { id: other.targetId! } });
    }
    // A write to Zendesk (the user's organisation) travels on to the user's other flow by the next Zendesk poll.
    await quiet();

    // No duplicates on any side, and one link per target.
    const employees = await poweroffice.listAllEmployees({});
    const contacts = await allContacts();
    const emails = (records: { email?: string | null }[]) =>
      records.map((r) => (r.email ?? '').toLowerCase()).filter(Boolean);
    expect(duplicates(emails(employees.map((e) => ({ email: e.EmailAddress }))))).toEqual([]);
    expect(duplicates(emails(contacts))).toEqual([]);
    expect(employees).toHaveLength(staff.length);
    for (const flow of [P1, P2, Z3, Z3B] as const) {
      const links = await stack.store.listLinks(flow, { limit: 5000 });
      expect(duplicates(links.map((l) => l.targetId).filter((t): t is string => t !== null))).toEqual([]);
      expect({
        flow,
        notLinked: links.filter((l) => l.state !== 'linked').map((l) => `${l.zendeskId}: ${l.state} ${l.lastError}`),
      }).toEqual({ flow, notLinked: [] });
    }

    // Every pair converged: the employee's department and the contact's company are its user's organisation's.
    const deptOf = new Map(departments.map((d) => [d.zendeskId, d.targetId]));
    const companyOf = new Map(companies.map((c) => [c.zendeskId, c.targetId]));
    const now = new Map((await allZendeskUsers()).map((u) => [String(u.id), u]));
    const byId = new Map(employees.map((e) => [String(e.Id), e]));
    const contactById = new Map(contacts.map((c) => [c.id, c]));
    const diverged: string[] = [];
    for (const link of await stack.store.listLinks(P2, { limit: 5000 })) {
      const org = now.get(link.zendeskId)?.organization_id;
      const want = org ? (deptOf.get(String(org)) ?? null) : null;
      const have = byId.get(link.targetId!)?.DepartmentId;
      if (String(have ?? null) !== String(want))
        diverged.push(`P2 ${link.zendeskId}: department ${have}, organisation ${org} → ${want}`);
    }
    for (const link of await stack.store.listLinks(Z3, { limit: 5000 })) {
      const org = now.get(link.zendeskId)?.organization_id;
      const want = org ? (companyOf.get(String(org)) ?? null) : null;
      const have = contactById.get(link.targetId!)?.company?.id ?? null;
      if (have !== want) diverged.push(`Z3 ${link.zendeskId}: company ${have}, organisation ${org} → ${want}`);
    }
    expect(diverged).toEqual([]);

    // Shared limits held, and the added worker took work the killed one left.
    expect({ limitedInFirstSync, limited: stack.sims.poweroffice.stats.rateLimited }).toEqual({
      limitedInFirstSync: 0,
      limited: 0,
    });
    const identities = new Set<string>();
    let n = 0;
    for await (const wf of client.workflow.list({ query: 'TandemKind = "record"' })) {
      const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      for (const e of history.events ?? [])
        if (e.activityTaskStartedEventAttributes?.identity)
          identities.add(e.activityTaskStartedEventAttributes.identity);
      if (++n >= 150) break;
    }
    const pids = [...identities].map((id) => Number(id.split('@')[0]));
    expect(pids).toContain(added.pid);
    expect(new Set(pids).size).toBeGreaterThanOrEqual(3);
  });

  async function poll(feed: string): Promise<void> {
    await stack.env.client.workflow.execute('pollFeed', {
      taskQueue: 'tandem',
      workflowId: `many-workers-${feed}-${Date.now()}`,
      args: [{ feed }],
    });
    await stack.settle(300_000);
  }

  /** Polls every feed of the users' flows until a round writes nothing, as the schedules would. */
  async function quiet(): Promise<void> {
    const writes = () =>
      stack.sims.zendesk.stats.writes + stack.sims.poweroffice.stats.writes + stack.sims.crmoffice.stats.writes;
    for (let round = 0; round < 5; round++) {
      const before = writes();
      for (const feed of ['zendesk/users', 'poweroffice/employees', 'crmoffice/contacts']) await poll(feed);
      if (writes() === before) return;
    }
    throw new Error('the feeds kept writing after 5 rounds of polls: a loop?');
  }

  async function allZendeskUsers() {
    const out = [];
    for (let cursor: string | undefined, first = true; first || cursor; first = false) {
      const page = await stack.connectors.zendesk.listUsers({ cursor, pageSize: 100 });
      out.push(...page.items);
      cursor = page.nextCursor;
    }
    return out;
  }

  async function allContacts() {
    const out = [];
    for (let page = 1; ; page++) {
      const r = await stack.connectors.crmoffice.listContacts({ page, pageSize: 100 });
      out.push(...r.items);
      if (!r.hasMore) return out;
      // The check's own pace: at 2,000 users back-to-back pages went over Crmoffice's 20 a second.
      await sleep(100);
    }
  }
});

function duplicates(values: string[]): string[] {
  const seen = new Set<string>();
  return values.filter((v) => (seen.has(v) ? true : (seen.add(v), false)));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
