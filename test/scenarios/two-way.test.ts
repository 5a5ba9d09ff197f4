import { Worker } from '@temporalio/worker';
import { TestStack, startTestStack } from '../helpers/stack';
import { workflowBundle } from '../helpers/workflow-bundle';
import { tandemSinks } from '../../workers/worker';
import { createMetrics } from '../../workers/metrics';

jest.setTimeout(180_000);

const P1 = 'zendesk-organizations-to-powerofficego-departments';
const P2 = 'zendesk-users-to-powerofficego-employees';
const Z2 = 'zendesk-tickets-to-crmoffice-activities';
const Z3 = 'zendesk-users-to-crmoffice-contacts';
const Z3B = 'zendesk-organizations-to-crmoffice-companies';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ sampleSize: 40 });
  for (const flow of [P2, Z3, Z2]) await stack.poll(flow, 'zendesk', true);
  // Every later poll starts from here: only what changes after this point is read.
  for (const flow of [P1, P2, Z2, Z3, Z3B]) {
    await stack.poll(flow, 'zendesk');
    await stack.poll(flow, 'target');
  }
});
afterAll(async () => {
  await stack?.stop();
});

/** A linked pair of a flow, chosen so the test does not depend on sample details. */
async function aLink(
  flow: Parameters<TestStack['store']['listLinks']>[0],
  pick: (zendeskId: string) => Promise<boolean> = async () => true,
) {
  for (const link of await stack.store.listLinks(flow, { state: 'linked', limit: 500 }))
    if (await pick(link.zendeskId)) return link;
  throw new Error(`no linked pair in ${flow}`);
}

test('an organisation rename in Zendesk reaches its department, and a department rename reaches Zendesk', async () => {
  const link = await aLink(P1);
  const { zendesk, poweroffice } = stack.connectors;
  await zendesk.updateOrganization(Number(link.zendeskId), { name: 'Renamed In Zendesk AS' });
  await stack.poll(P1, 'zendesk');
  expect((await poweroffice.getDepartment(Number(link.targetId))).Name).toBe('Renamed In Zendesk AS');

  await poweroffice.updateDepartment(Number(link.targetId), { Name: 'Renamed In PowerOffice AS' });
  const reads = () => stack.sims.poweroffice.stats.requests['GET /v2/Departments/:id'] ?? 0;
  const readsBefore = reads();
  await stack.poll(P1, 'target');
  expect((await zendesk.getOrganization(Number(link.zendeskId))).name).toBe('Renamed In PowerOffice AS');
  // The pair took the department as the feed listed it: not read again.
  expect(reads() - readsBefore).toBe(0);

  expect(await stack.writesOfRepoll(P1)).toBe(0);
});

test("an employee's department change reaches the user's organisation, and back", async () => {
  const { zendesk, poweroffice } = stack.connectors;
  const link = await aLink(P2, async (id) => (await zendesk.getUser(Number(id))).organization_id !== null);
  const departments = await stack.store.listLinks(P1, { state: 'linked', limit: 500 });
  const user = await zendesk.getUser(Number(link.zendeskId));
  const other = departments.find((d) => d.zendeskId !== String(user.organization_id));
  expect(other).toBeDefined();

  await poweroffice.updateEmployee(Number(link.targetId), { DepartmentId: Number(other!.targetId) });
  await stack.poll(P2, 'target');
  expect(String((await zendesk.getUser(Number(link.zendeskId))).organization_id)).toBe(other!.zendeskId);

  await zendesk.updateUser(Number(link.zendeskId), { organization_id: user.organization_id });
  await stack.poll(P2, 'zendesk');
  const original = departments.find((d) => d.zendeskId === String(user.organization_id));
  expect(String((await poweroffice.getEmployee(Number(link.targetId))).DepartmentId)).toBe(original!.targetId);

  expect(await stack.writesOfRepoll(P2)).toBe(0);
});

test("a ticket's subject and an activity's subject follow each other", async () => {
  const { zendesk, crmoffice } = stack.connectors;
  const link = await aLink(Z2);
  await zendesk.updateTicket(Number(link.zendeskId), { subject: 'Subject from Zendesk' });
  await stack.poll(Z2, 'zendesk');
  expect((await crmoffice.getActivity(link.targetId!)).subject).toBe('Subject from Zendesk');

  await crmoffice.updateActivity(link.targetId!, { subject: 'Subject from Crmoffice' });
  await stack.poll(Z2, 'target');
  expect((await zendesk.getTicket(Number(link.zendeskId))).subject).toBe('Subject from Crmoffice');

  expect(await stack.writesOfRepoll(Z2)).toBe(0);
});

test("a contact's company and a user's organisation follow each other, creating the company on demand", async () => {
  const { zendesk, crmoffice } = stack.connectors;
  const link = await aLink(Z3, async (id) => (await zendesk.getUser(Number(id))).organization_id !== null);
  // A new organisation has no company: moving the user there creates it (Z3b on demand).
  const fresh = await zendesk.createOrganization({ name: 'Brand New Org AS' });
  await stack.poll(Z3B, 'zendesk');
  expect(await stack.store.getByZendeskId(Z3B, String(fresh.id))).toBeUndefined();

  await zendesk.updateUser(Number(link.zendeskId), { organization_id: fresh.id });
  await stack.poll(Z3, 'zendesk');
  const contact = await crmoffice.getContact(link.targetId!);
  expect((await crmoffice.getCompany(contact.company!.id)).name).toBe(fresh.name);

  const back = (await stack.store.listLinks(Z3B, { state: 'linked', limit: 500 })).find(
    (l) => l.zendeskId !== String(fresh.id),
  )!;
  await crmoffice.updateContact(link.targetId!, { company: { id: back.targetId! } });
  await stack.poll(Z3, 'target');
  expect(String((await zendesk.getUser(Number(link.zendeskId))).organization_id)).toBe(back.zendeskId);

  expect(await stack.writesOfRepoll(Z3)).toBe(0);
});

/** "Later" is decided to the whole second (Zendesk's resolution): the later edit goes into the next second. */
const nextSecond = () => new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));

test('a conflicting edit on both sides resolves to the later one', async () => {
  const { zendesk, poweroffice } = stack.connectors;
  const link = await aLink(P1);
  await zendesk.updateOrganization(Number(link.zendeskId), { name: 'Earlier Zendesk Name' });
  await nextSecond();
  await poweroffice.updateDepartment(Number(link.targetId), { Name: 'Later PowerOffice Name' });
  await stack.poll(P1, 'zendesk');
  await stack.poll(P1, 'target');
  expect((await zendesk.getOrganization(Number(link.zendeskId))).name).toBe('Later PowerOffice Name');
  expect((await poweroffice.getDepartment(Number(link.targetId))).Name).toBe('Later PowerOffice Name');

  await poweroffice.updateDepartment(Number(link.targetId), { Name: 'Earlier PowerOffice Name' });
  await nextSecond();
  await zendesk.updateOrganization(Number(link.zendeskId), { name: 'Later Zendesk Name' });
  await stack.poll(P1, 'target');
  await stack.poll(P1, 'zendesk');
  expect((await zendesk.getOrganization(Number(link.zendeskId))).name).toBe('Later Zendesk Name');
  expect((await poweroffice.getDepartment(Number(link.targetId))).Name).toBe('Later Zendesk Name');
});

test('the recorded record and poll workflow histories replay without non-determinism', async () => {
  const histories = [];
  for (const type of ['syncZendeskRecord', 'pollFeed']) {
    let n = 0;
    for await (const wf of stack.env.client.workflow.list({
      query: `WorkflowType = '${type}' AND ExecutionStatus != 'Running'`,
    })) {
      histories.push({
        workflowId: wf.workflowId,
        history: await stack.env.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory(),
      });
      if (++n >= 15) break;
    }
    expect(n).toBeGreaterThan(0);
  }
  let replayed = 0;
  for await (const result of Worker.runReplayHistories(
    {
      workflowBundle: await workflowBundle(),
      sinks: tandemSinks(createMetrics()),
      dataConverter: stack.encryption.dataConverter,
    },
    histories,
  )) {
    expect({ id: result.workflowId, error: result.error?.message }).toEqual({
      id: result.workflowId,
      error: undefined,
    });
    replayed += 1;
  }
  expect(replayed).toBe(histories.length);
});
