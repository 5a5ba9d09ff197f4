/**
 * An installation of the last single-tenant build (the commit before tenants) upgraded in place:
 * its worker process is stopped mid-retry and today's started on the same Temporal namespace, store
 * and accounts. Its links and checkpoints carry on, the workflow it left retrying finishes under
 * today's code, and nothing is created twice.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startAllSimulators, type AllSimulators } from '../../simulators/all';
import { createConnectors } from '../../workers/connectors';
import { openStore, type LinkStore } from '../../store';
import { sharedTemporal, testEncryption } from '../helpers/temporal';
import { pollAndSettle } from '../helpers/stack';
import { buildCli, buildCommit, startWorkerProcess, stopProcess } from '../helpers/worker-process';

jest.setTimeout(300_000);

/** main before tenants: the last build whose installations have no tenant of any kind. */
const LAST_SINGLE_TENANT = '22277d305340b0aef14990ecf39d23a3a853616e';
const P1 = 'zendesk-organizations-to-powerofficego-departments';
const P2 = 'zendesk-users-to-powerofficego-employees';

let env: TestWorkflowEnvironment;
let sims: AllSimulators;
let storePath: string;
let store: LinkStore | undefined;
let worker: ChildProcess | undefined;
/** Every update of this employee answers 503 while set: its pair keeps retrying. */
let blocked: number | undefined;

beforeAll(async () => {
  buildCli();
  env = await sharedTemporal(testEncryption());
  sims = await startAllSimulators({
    sampleSize: 40,
    realRateLimits: false,
    exportDelaySeconds: 0,
    failWhen: {
      poweroffice: (method, url) => (method === 'PATCH' && url === `/v2/Employees/${blocked}` ? 503 : undefined),
    },
  });
  storePath = join(mkdtempSync(join(tmpdir(), 'tandem-upgrade-')), 'tandem.db');
}, 600_000);
afterAll(async () => {
  if (worker) await stopProcess(worker);
  await store?.close();
  await sims?.stop();
  await env?.teardown();
});

/** One poll of the Zendesk users feed to its end, and its record workflows done (but those retrying). */
const poll = (full = false) => pollAndSettle(env.client, store!, 'zendesk/users', { full });

test('links, checkpoints and a retrying workflow carry on under the new build; nothing is created twice', async () => {
  const old = buildCommit(LAST_SINGLE_TENANT);
  const parts = { env, storePath, sims };
  worker = await startWorkerProcess(parts, {}, [], old);
  // The old build made the store; the test reads it with today's code.
  store = openStore(storePath);
  await poll(true);
  const links = await store.listLinks(P2, { state: 'linked', limit: 100 });
  expect(links.length).toBeGreaterThanOrEqual(2);
  const { zendesk, poweroffice } = createConnectors(sims.configs);
  const employees = (await poweroffice.listAllEmployees()).length;
  // Edits that travel: a user moved to another organisation moves its employee to that department.
  const departments = await store.listLinks(P1, { state: 'linked', limit: 100 });
  const move = async (userId: string) => {
    const user = await zendesk.getUser(Number(userId));
    const to = departments.find((d) => d.zendeskId !== String(user.organization_id))!;
    await zendesk.updateUser(Number(userId), { organization_id: Number(to.zendeskId) });
    return Number(to.targetId);
  };

  // A change whose write keeps failing: the old build's workflow retries it when the upgrade comes.
  const [across, after] = links;
  blocked = Number(across.targetId);
  const acrossTo = await move(across.zendeskId);
  await poll();
  expect(await store.countRetrying(P2)).toBe(1);
  const workflowId = `zendesk/users/${across.zendeskId}`;
  const before = await env.client.workflow.getHandle(workflowId).describe();
  expect(before.status.name).toBe('RUNNING');

  await stopProcess(worker);
  worker = await startWorkerProcess(parts);
  blocked = undefined;
  for (const deadline = Date.now() + 60_000; ;) {
    if ((await poweroffice.getEmployee(Number(across.targetId))).DepartmentId === acrossTo) break;
    if (Date.now() > deadline) throw new Error('the retried write never landed under the new build');
    await new Promise((r) => setTimeout(r, 200));
  }
  // The same run finished it: today's code replayed the old build's history without a failed task.
  const history = await env.client.workflow.getHandle(workflowId, before.runId).fetchHistory();
  expect(history.events?.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);

  // The checkpoint carried on: the next poll reads only what changed since.
  const afterTo = await move(after.zendeskId);
  const totals = await poll();
  expect(totals.read).toBe(1);
  expect((await poweroffice.getEmployee(Number(after.targetId))).DepartmentId).toBe(afterTo);

  expect((await poweroffice.listAllEmployees()).length).toBe(employees);
  expect((await store.listLinks(P2, { state: 'linked', limit: 100 })).map((l) => [l.zendeskId, l.targetId])).toEqual(
    links.map((l) => [l.zendeskId, l.targetId]),
  );
});
