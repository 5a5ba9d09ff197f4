/**
 * Whole-second Zendesk times and cleared references, end to end (real worker, real workflows,
 * simulators): a record changed twice within one second on both sides resolves by the documented
 * rule (a tie goes to Zendesk, docs/flows.md) with no write loop, and a user whose organisation is
 * removed gets a contact without company, written once as Crmoffice takes it.
 */
import { TestStack, startTestStack } from '../helpers/stack';

jest.setTimeout(180_000);

const P1 = 'zendesk-organizations-to-powerofficego-departments';
const P2 = 'zendesk-users-to-powerofficego-employees';
const Z3 = 'zendesk-users-to-crmoffice-contacts';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ sampleSize: 0 });
});
afterAll(async () => {
  await stack?.stop();
});

const writes = () =>
  stack.sims.zendesk.stats.writes + stack.sims.poweroffice.stats.writes + stack.sims.crmoffice.stats.writes;

test('changed twice within one second on both sides: a tie, Zendesk wins, and no write loop follows', async () => {
  const { zendesk, poweroffice } = stack.connectors;
  const org = await zendesk.createOrganization({ name: 'Tie Scenario AS' });
  const agent = await zendesk.createUser({
    name: 'Tor Tie',
    email: 'tor.tie@example.no',
    role: 'agent',
    organization_id: org.id,
  });
  await stack.poll(P2, 'zendesk', true);
  await stack.poll(P1, 'zendesk');
  await stack.poll(P1, 'target');
  const link = await stack.store.getByZendeskId(P1, String(org.id));
  expect(link?.state).toBe('linked');
  expect((await stack.store.getByZendeskId(P2, String(agent.id)))?.state).toBe('linked');
  const departmentId = Number(link!.targetId);

  // At the start of a fresh second: two Zendesk edits and one PowerOffice Go edit within it.
  await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
  const first = await zendesk.updateOrganization(org.id, { name: 'Tie Zendesk One AS' });
  const second = await zendesk.updateOrganization(org.id, { name: 'Tie Zendesk Two AS' });
  const department = await poweroffice.updateDepartment(departmentId, { Name: 'Tie PowerOffice AS' });
  expect(second.updated_at).toBe(first.updated_at);
  expect(Math.floor(Date.parse(department.LastChangedDateTimeOffset) / 1000) * 1000).toBe(
    Date.parse(second.updated_at),
  );

  await stack.poll(P1, 'target');
  await stack.poll(P1, 'zendesk');
  expect((await poweroffice.getDepartment(departmentId)).Name).toBe('Tie Zendesk Two AS');
  expect((await zendesk.getOrganization(org.id)).name).toBe('Tie Zendesk Two AS');
  expect(await stack.writesOfRepoll(P1)).toBe(0);
});

test('a user whose organisation is removed gets a contact without company (company: null), written once', async () => {
  const { zendesk, crmoffice } = stack.connectors;
  const org = await zendesk.createOrganization({ name: 'Leaving Scenario AS' });
  const user = await zendesk.createUser({
    name: 'Lise Leaving',
    email: 'lise.leaving@example.no',
    organization_id: org.id,
  });
  await stack.poll(Z3, 'zendesk', true);
  const link = await stack.store.getByZendeskId(Z3, String(user.id));
  expect(link?.state).toBe('linked');
  expect((await crmoffice.getContact(link!.targetId!)).company?.id).toEqual(expect.any(String));

  await zendesk.updateUser(user.id, { organization_id: null });
  await stack.poll(Z3, 'zendesk');
  const after = await stack.store.getByZendeskId(Z3, String(user.id));
  expect(after?.state).toBe('linked');
  expect(after?.lastError ?? null).toBeNull();
  expect((await crmoffice.getContact(link!.targetId!)).company ?? null).toBeNull();
  // The clear was accepted: nothing is refused and repeated on later full reads.
  const before = writes();
  await stack.poll(Z3, 'zendesk', true);
  expect(writes() - before).toBe(0);
  expect(await stack.writesOfRepoll(Z3)).toBe(0);
});
