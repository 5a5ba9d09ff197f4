/**
 * Reliability: the first sync with every simulator failing a share of its requests (500/503 and
 * dropped connections) ends with the same result as without faults: everything synced exactly once.
 */
import { TestStack, startTestStack } from '../helpers/stack';

jest.setTimeout(240_000);

const P2 = 'zendesk-users-to-powerofficego-employees';
const Z3 = 'zendesk-users-to-crmoffice-contacts';
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ sampleSize: 60 });
  for (const sim of [stack.sims.zendesk, stack.sims.poweroffice, stack.sims.crmoffice]) {
    const res = await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 0.05, dropRate: 0.02 }),
    });
    expect(res.status).toBe(200);
  }
});
afterAll(async () => {
  await stack?.stop();
});

test('a first sync through injected faults creates every employee and contact exactly once', async () => {
  const p2 = await stack.poll(P2, 'zendesk', true);
  const z3 = await stack.poll(Z3, 'zendesk', true);
  expect([...p2.failures, ...z3.failures]).toEqual([]);
  const injected =
    stack.sims.zendesk.stats.faults + stack.sims.poweroffice.stats.faults + stack.sims.crmoffice.stats.faults;
  expect(injected).toBeGreaterThan(0);

  // Faults off again, to read the result plainly.
  for (const sim of [stack.sims.zendesk, stack.sims.poweroffice, stack.sims.crmoffice]) {
    await fetch(`${sim.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
  }
  const users = (await stack.connectors.zendesk.listUsers({ pageSize: 100 })).items;
  const staff = users.filter((u) => u.role !== 'end-user');
  const employees = await stack.connectors.poweroffice.listAllEmployees({});
  expect(employees.map((e) => e.EmailAddress).sort()).toEqual(staff.map((u) => u.email).sort());
  const contacts = [];
  for (let page = 1; ; page++) {
    const r = await stack.connectors.crmoffice.listContacts({ page, pageSize: 100 });
    contacts.push(...r.items);
    if (!r.hasMore) break;
  }
  expect(contacts.map((c) => c.email).sort()).toEqual(users.map((u) => u.email).sort());
});
