/**
 * Zendesk's incremental exports leave out what changed within the minute before a request (the real
 * API's behaviour since October 2024), and the cursor or `end_time` they hand back stays before it.
 * A change polled inside that minute is not there yet; it must not be skipped by the checkpoint the
 * poll saves, so the next poll after the minute brings it. Users (cursor export) and organisations
 * (time-based export) both. No webhooks here: the polls alone carry the changes.
 */
import { TestStack, startTestStack } from '../helpers/stack';

jest.setTimeout(300_000);

const P1 = 'zendesk-organizations-to-powerofficego-departments';
const P2 = 'zendesk-users-to-powerofficego-employees';
/** The real API's delay: a shorter one would test the simulator's setting rather than Zendesk's. */
const DELAY_SECONDS = 60;

let stack: TestStack;

const setDelay = async (delaySeconds: number) => {
  const res = await fetch(`${stack.sims.zendesk.url}/_sim/exports`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ delaySeconds }),
  });
  if (!res.ok) throw new Error(`/_sim/exports answered ${res.status}`);
};

const ids = { userId: 0, earlyOrg: 0, lateOrg: 0 };

beforeAll(async () => {
  // The first sync at once (the test stack hands out every change at once), then the real minute.
  stack = await startTestStack({ sampleSize: 0 });
  const { zendesk } = stack.connectors;
  const early = await zendesk.createOrganization({ name: 'Minute Early AS' });
  const late = await zendesk.createOrganization({ name: 'Minute Other AS' });
  const user = await zendesk.createUser({
    name: 'Mina Early',
    email: 'mina.early@example.no',
    role: 'agent',
    organization_id: early.id,
  });
  // A department is made for an organisation an employee belongs to: one for the other organisation too.
  await zendesk.createUser({
    name: 'Otto Other',
    email: 'otto.other@example.no',
    role: 'agent',
    organization_id: late.id,
  });
  Object.assign(ids, { userId: user.id, earlyOrg: early.id, lateOrg: late.id });
  await stack.poll(P1, 'zendesk', true);
  await stack.poll(P2, 'zendesk', true);
  await setDelay(DELAY_SECONDS);
});
afterAll(async () => {
  await stack?.stop();
});

test('a user moved and an organisation renamed inside the last minute are not polled yet, and arrive with the first poll after it', async () => {
  const { zendesk, poweroffice } = stack.connectors;
  const departmentOf = async (orgId: number) => Number((await stack.store.getByZendeskId(P1, String(orgId)))?.targetId);
  const employeeLink = await stack.store.getByZendeskId(P2, String(ids.userId));
  expect(employeeLink?.state).toBe('linked');
  const [earlyDepartment, lateDepartment] = [await departmentOf(ids.earlyOrg), await departmentOf(ids.lateOrg)];
  expect(earlyDepartment).toBeGreaterThan(0);
  expect(lateDepartment).toBeGreaterThan(0);
  const employee = () => poweroffice.getEmployee(Number(employeeLink!.targetId));
  const renamed = async () => (await poweroffice.getDepartment(lateDepartment)).Name;
  expect((await employee()).DepartmentId).toBe(earlyDepartment);
  expect(await renamed()).toBe('Minute Other AS');

  // The user's organisation (the row P2 syncs both ways) and the other organisation's name (P1's).
  await zendesk.updateUser(ids.userId, { organization_id: ids.lateOrg });
  await zendesk.updateOrganization(ids.lateOrg, { name: 'Minute Late AS' });
  const changedAt = Date.now();
  // Inside the minute: the exports leave both changes out, and the polls save their checkpoints.
  await stack.poll(P2, 'zendesk');
  await stack.poll(P1, 'zendesk');
  expect(Date.now() - changedAt).toBeLessThan(DELAY_SECONDS * 1000);
  expect((await employee()).DepartmentId).toBe(earlyDepartment);
  expect(await renamed()).toBe('Minute Other AS');

  await new Promise((r) => setTimeout(r, Math.max(0, changedAt + DELAY_SECONDS * 1000 + 1500 - Date.now())));
  await stack.poll(P2, 'zendesk');
  await stack.poll(P1, 'zendesk');
  expect((await employee()).DepartmentId).toBe(lateDepartment);
  expect(await renamed()).toBe('Minute Late AS');
});
