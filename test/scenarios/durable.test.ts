/**
 * The engine's promises on a real server: an edit made during an outage of any length arrives after
 * it; referenced records are pairs of their own, run as child workflows, and only once the record
 * that needs them can be written; business failures are states that heal.
 */
import { simulatorEnvLines } from '../../cli/commands/simulators';
import { signalPair } from '../../workers/signal-pair';
import { pairWorkflowId } from '../../protocol/ids';
import { DEFAULT_TENANT } from '../../protocol/tenants';
import { TEST_RETRY, TestStack, startTestStack } from '../helpers/stack';
import { temporalEnvOf } from '../helpers/temporal';
import { runCli } from '../cli/run-cli';

jest.setTimeout(240_000);

const P1 = 'zendesk-organizations-to-powerofficego-departments';
const P2 = 'zendesk-users-to-powerofficego-employees';
const Z3 = 'zendesk-users-to-crmoffice-contacts';
/** A contact the Crmoffice simulator refuses for its data (400), every time. */
const REFUSED_EMAIL = 'refused@example.no';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({
    sampleSize: 0,
    failWhen: {
      crmoffice: (method, url, body) =>
        method === 'POST' && url.startsWith('/api/v1/contacts') && JSON.stringify(body).includes(REFUSED_EMAIL)
          ? 400
          : undefined,
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function faults(sim: { url: string }, body: object): Promise<void> {
  const res = await fetch(`${sim.url}/_sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

async function workflowIds(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const wf of stack.env.client.workflow.list({ query })) ids.push(wf.workflowId);
  return ids;
}

test('an edit made during an outage longer than any retry limit arrives after it ends; meanwhile the pair shows as retrying', async () => {
  const { zendesk, poweroffice } = stack.connectors;
  const org = await zendesk.createOrganization({ name: 'Outage Org AS' });
  await zendesk.createUser({
    name: 'Ola Outage',
    email: 'ola.outage@example.no',
    role: 'agent',
    organization_id: org.id,
  });
  await stack.poll(P2, 'zendesk');
  const link = await stack.store.getByZendeskId(P1, String(org.id));
  expect(link?.state).toBe('linked');

  await faults(stack.sims.poweroffice, { errorRate: 1 });
  await zendesk.updateOrganization(org.id, { name: 'Renamed During Outage AS' });
  const pair = { flowId: P1, zendeskId: String(org.id) };
  await signalPair(stack.env.client, pair, { side: 'zendesk', via: 'webhook' }, { retry: TEST_RETRY });

  // More attempts than the old limit of 20: nothing gives up.
  const handle = stack.env.client.workflow.getHandle(pairWorkflowId(pair, DEFAULT_TENANT));
  await until(
    'the 25th attempt',
    async () => (await handle.describe()).raw.pendingActivities?.[0]?.attempt ?? 0,
    (n) => n >= 25,
    90_000,
  );
  const [retrying] = await stack.store.listRetrying(P1, 10);
  expect(retrying).toMatchObject({ zendeskId: String(org.id), lastError: expect.stringMatching(/poweroffice/i) });
  const env = Object.fromEntries(
    simulatorEnvLines(stack.sims).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const status = await runCli(['status'], {
    env: { ...env, ...temporalEnvOf(stack.env), TANDEM_STORE: stack.storePath },
  });
  expect(status.code).toBe(0);
  const p1 = status.out.slice(status.out.indexOf(`${P1}\n`));
  expect(p1).toMatch(/retrying 1/);
  expect(p1).toContain(`${org.id}  since ${retrying.since}`);

  await faults(stack.sims.poweroffice, {});
  await until(
    'the rename in PowerOffice',
    async () => (await poweroffice.getDepartment(Number(link!.targetId))).Name,
    (n) => n === 'Renamed During Outage AS',
  );
  // The write arrives before the pair's last steps (the link saved, the retrying mark cleared); a
  // settle would not wait for them, since a retrying pair's workflow counts as work that waits.
  await until(
    'the pair no longer retrying',
    () => stack.store.countRetrying(P1),
    (n) => n === 0,
  );
  expect((await stack.store.getByZendeskId(P1, String(org.id)))?.state).toBe('linked');
});

test('an agent in an organisation without a department: the department pair runs as a child workflow of the employee', async () => {
  const { zendesk, poweroffice } = stack.connectors;
  const org = await zendesk.createOrganization({ name: 'Child Workflow AS' });
  const agent = await zendesk.createUser({
    name: 'Kari Child',
    email: 'kari.child@example.no',
    role: 'agent',
    organization_id: org.id,
  });
  await stack.poll(P2, 'zendesk');

  const department = await stack.store.getByZendeskId(P1, String(org.id));
  const employee = await stack.store.getByZendeskId(P2, String(agent.id));
  expect((await poweroffice.getEmployee(Number(employee!.targetId))).DepartmentId).toBe(Number(department!.targetId));
  const [id] = await until(
    'the department workflow',
    () => workflowIds(`TandemZendeskId = "${org.id}" AND TandemFlows = "${P1}"`),
    (ids) => ids.length > 0,
  );
  expect(id).toBe(pairWorkflowId({ flowId: P1, zendeskId: String(org.id) }, DEFAULT_TENANT));
  const child = await stack.env.client.workflow.getHandle(id).describe();
  expect(child.parentExecution?.workflowId).toBe(
    pairWorkflowId({ flowId: P2, zendeskId: String(agent.id) }, DEFAULT_TENANT),
  );
  const found = await workflowIds(`TandemTargetIds = "${department!.targetId}" AND TandemFlows = "${P1}"`);
  expect(found).toEqual([id]);
});

test('an agent whose employee cannot be created (two employees have the e-mail) creates no department', async () => {
  const { zendesk, poweroffice } = stack.connectors;
  await poweroffice.createEmployee({ FirstName: 'Twin', LastName: 'One', EmailAddress: 'twin.mail@example.no' });
  await poweroffice.createEmployee({ FirstName: 'Twin', LastName: 'Two', EmailAddress: 'twin.mail@example.no' });
  const org = await zendesk.createOrganization({ name: 'Never A Department AS' });
  const agent = await zendesk.createUser({
    name: 'Tor Twin',
    email: 'twin.mail@example.no',
    role: 'agent',
    organization_id: org.id,
  });
  await stack.poll(P2, 'zendesk');

  expect((await stack.store.getByZendeskId(P2, String(agent.id)))?.state).toBe('conflict');
  expect(await stack.store.getByZendeskId(P1, String(org.id))).toBeUndefined();
  expect(await poweroffice.findDepartmentsByName('Never A Department AS')).toHaveLength(0);
  // The organisation's workflow made its company (the user's contact needs it), never a department.
  const orgWorkflow = await stack.env.client.workflow
    .getHandle(pairWorkflowId({ flowId: P1, zendeskId: String(org.id) }, DEFAULT_TENANT))
    .describe();
  expect((orgWorkflow.searchAttributes.TandemFlowOutcomes as string[]).filter((o) => o.startsWith(P1))).toEqual([]);
});

test('a record refused for its data fails alone as a state, shows under TandemOutcome "failed", and heals on its next edit', async () => {
  const { zendesk } = stack.connectors;
  const user = await zendesk.createUser({ name: 'Rita Refused', email: REFUSED_EMAIL, role: 'end-user' });
  const other = await zendesk.createUser({ name: 'Olav Other', email: 'olav.other@example.no', role: 'end-user' });
  const totals = await stack.poll(Z3, 'zendesk');
  expect(totals.outcomes.failed).toBe(1);

  const failed = await stack.store.getByZendeskId(Z3, String(user.id));
  expect(failed?.state).toBe('failed');
  expect(failed?.lastError).toMatch(/crmoffice.*400/i);
  expect((await stack.store.getByZendeskId(Z3, String(other.id)))?.state).toBe('linked');
  const id = pairWorkflowId({ flowId: Z3, zendeskId: String(user.id) }, DEFAULT_TENANT);
  const failedQuery = `TandemFlowOutcomes = "${Z3}:failed" AND ExecutionStatus = "Running"`;
  await until(
    'the failed list',
    () => workflowIds(failedQuery),
    (ids) => ids.includes(id),
  );
  // A state, not a crash: the workflow waits for the record's next change, its memo says why.
  const d = await stack.env.client.workflow.getHandle(id).describe();
  expect(d.status.name).toBe('RUNNING');
  expect(String((d.memo as { summary?: string }).summary)).toMatch(/^failed: .*400/);

  await zendesk.updateUser(user.id, { email: 'rita.accepted@example.no' });
  await stack.poll(Z3, 'zendesk');
  expect((await stack.store.getByZendeskId(Z3, String(user.id)))?.state).toBe('linked');
  await until(
    'the failed list without the healed pair',
    () => workflowIds(`TandemFlowOutcomes = "${Z3}:failed"`),
    (ids) => !ids.includes(id),
  );
  // Healed in the same run, which then ends like any other.
  await stack.env.client.workflow.getHandle(id).result();
});
