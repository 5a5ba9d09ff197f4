/**
 * Bad input on purpose, through the whole stack: a record that cannot be mapped fails alone and is
 * healed by its fix; a flood of webhooks for one record, replays included, makes one write.
 */
import { TestStack, startTestStack } from '../helpers/stack';
import { startWebhookReceiver, type RunningReceiver } from '../../workers/webhook-receiver';
import { createMetrics } from '../../workers/metrics';
import { createLogger } from '../../workers/logger';
import { SECRET, signed, userEvent } from '../workers/webhook-fixtures';

jest.setTimeout(180_000);

const P2 = 'zendesk-users-to-powerofficego-employees';
const Z3 = 'zendesk-users-to-crmoffice-contacts';

let stack: TestStack;
let receiver: RunningReceiver;
beforeAll(async () => {
  stack = await startTestStack({ sampleSize: 0 });
  receiver = await startWebhookReceiver({
    port: 0,
    client: stack.env.client,
    secret: SECRET,
    metrics: createMetrics(),
    logger: createLogger('test', 'silent'),
  });
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

test('a name with a control character fails alone, naming the character and the field, and its fix heals the pair', async () => {
  const { zendesk, poweroffice, crmoffice } = stack.connectors;
  const bad = await zendesk.createUser({ name: 'Kari\u0007 Nord', email: 'kari.nord@example.no', role: 'agent' });
  const fine = await zendesk.createUser({ name: 'Per Fine', email: 'per.fine@example.no', role: 'agent' });
  await stack.poll(P2, 'zendesk');
  await stack.poll(Z3, 'zendesk');

  for (const flow of [P2, Z3] as const) {
    const failed = await stack.store.getByZendeskId(flow, String(bad.id));
    expect(failed?.state).toBe('failed');
    expect(failed?.lastError).toMatch(/`name`.*control character U\+0007 at position 5/);
    expect((await stack.store.getByZendeskId(flow, String(fine.id)))?.state).toBe('linked');
  }
  expect(await poweroffice.findEmployeesByEmail('kari.nord@example.no')).toHaveLength(0);
  expect(await crmoffice.findContactsByEmail('kari.nord@example.no')).toHaveLength(0);
  const failures = await stack.store.needingReview(undefined, 10);
  expect(failures.filter((l) => l.zendeskId === String(bad.id))).toHaveLength(2);

  await zendesk.updateUser(bad.id, { name: 'Kari Nord' });
  await stack.poll(P2, 'zendesk');
  await stack.poll(Z3, 'zendesk');
  expect((await stack.store.getByZendeskId(P2, String(bad.id)))?.state).toBe('linked');
  expect(await poweroffice.findEmployeesByEmail('kari.nord@example.no')).toMatchObject([
    { FirstName: 'Kari', LastName: 'Nord' },
  ]);
});

test('forty webhooks for one edit within a second, replays among them, make one write on each side', async () => {
  const { zendesk, poweroffice } = stack.connectors;
  const user = await zendesk.createUser({ name: 'Flo Odd', email: 'flo.odd@example.no', role: 'agent' });
  await stack.poll(P2, 'zendesk');
  await stack.poll(Z3, 'zendesk');
  const org = await zendesk.createOrganization({ name: 'Flood AS' });
  await zendesk.updateUser(user.id, { organization_id: org.id });
  const counts = () => ({
    po: { ...stack.sims.poweroffice.stats.requests },
    crm: { ...stack.sims.crmoffice.stats.requests },
  });
  const before = counts();

  const replayed = JSON.stringify(userEvent(String(user.id)));
  const headers = signed(replayed, { timestamp: new Date().toISOString() });
  const answers = await Promise.all(
    Array.from({ length: 40 }, (_, i) => {
      // A quarter are the same delivery again (same body, same signature), as a retrying sender makes.
      const body = i % 4 === 0 ? replayed : JSON.stringify({ ...userEvent(String(user.id)), id: `flood-${i}` });
      return fetch(`${receiver.url}/webhooks/zendesk`, {
        method: 'POST',
        body,
        headers: i % 4 === 0 ? headers : signed(body, { timestamp: new Date().toISOString() }),
      });
    }),
  );
  expect(answers.map((a) => a.status)).toEqual(Array(40).fill(202));
  await stack.settle();

  const [employee] = await poweroffice.findEmployeesByEmail('flo.odd@example.no');
  const link = await stack.store.getByZendeskId('zendesk-organizations-to-powerofficego-departments', String(org.id));
  expect(String(employee.DepartmentId)).toBe(link?.targetId);
  const after = counts();
  const delta = (a: Record<string, number>, b: Record<string, number>, key: string) => (b[key] ?? 0) - (a[key] ?? 0);
  expect(delta(before.po, after.po, 'POST /v2/Departments')).toBe(1);
  expect(delta(before.po, after.po, 'PATCH /v2/Employees/:employeeId')).toBe(1);
  expect(delta(before.crm, after.crm, 'POST /api/v1/companies')).toBe(1);
  expect(delta(before.crm, after.crm, 'PATCH /api/v1/contacts/:id')).toBe(1);
});

test("an employee deleted in PowerOffice Go is found by a pass from the feed's start: orphaned with the reason, nothing deleted in Zendesk", async () => {
  const { zendesk, poweroffice } = stack.connectors;
  const kept = await zendesk.createUser({ name: 'Vera Stays', email: 'vera.stays@example.no', role: 'agent' });
  const gone = await zendesk.createUser({ name: 'Odd Gone', email: 'odd.gone@example.no', role: 'agent' });
  await stack.poll(P2, 'zendesk');
  await stack.poll(P2, 'target');
  const link = await stack.store.getByZendeskId(P2, String(gone.id));
  const sim = stack.sims.configs.poweroffice;
  const { access_token } = (await (
    await fetch(sim.tokenUrl!, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${sim.applicationKey}:${sim.clientKey}`).toString('base64')}`,
        'Ocp-Apim-Subscription-Key': sim.subscriptionKey,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    })
  ).json()) as { access_token: string };
  const res = await fetch(`${sim.baseUrl}/Employees/${link!.targetId}`, {
    method: 'DELETE',
    headers: { Authorization: `Bearer ${access_token}`, 'Ocp-Apim-Subscription-Key': sim.subscriptionKey },
  });
  expect(res.ok).toBe(true);

  // An ordinary poll reads what changed since the last one: a deletion is not among it.
  await stack.poll(P2, 'target');
  expect((await stack.store.getByZendeskId(P2, String(gone.id)))?.state).toBe('linked');
  // A pass from the start (the first poll, then daily; or `tandem sync … --side target --full`) misses it.
  await stack.poll(P2, 'target', true);
  const orphaned = await stack.store.getByZendeskId(P2, String(gone.id));
  expect(orphaned).toMatchObject({ state: 'orphaned', targetId: link!.targetId });
  expect(orphaned?.lastError).toMatch(/is gone; the link is kept for review and nothing is deleted/);
  expect((await stack.store.getByZendeskId(P2, String(kept.id)))?.state).toBe('linked');
  expect((await zendesk.getUser(gone.id)).active).not.toBe(false);
  expect(await poweroffice.findEmployeesByEmail('vera.stays@example.no')).toHaveLength(1);
});
