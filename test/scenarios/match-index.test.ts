/**
 * A first sync matches against an index of the target, kept up to date from its change list, not a
 * search per record: Crmoffice sees a listing and a create per contact, no search per user, and a
 * contact that already exists (another casing of the e-mail) is linked, not duplicated. A contact
 * made in the CRM after the index was built is found by the next poll's refresh.
 */
import { collectionPath } from '../../connectors/crmoffice/api-assumptions';
import { TestStack, startTestStack } from '../helpers/stack';

jest.setTimeout(180_000);

const Z3 = 'zendesk-users-to-crmoffice-contacts';
const P2 = 'zendesk-users-to-powerofficego-employees';
const LIST = `GET ${collectionPath('contacts')}`;
const READ = `GET ${collectionPath('contacts')}/:id`;
const CREATE = `POST ${collectionPath('contacts')}`;

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ sampleSize: 0 });
});
afterAll(async () => {
  await stack?.stop();
});

type Counts = Record<string, number>;
const requests = (): Counts => ({ ...stack.sims.crmoffice.stats.requests });
const used = (before: Counts, after: Counts, key: string) => (after[key] ?? 0) - (before[key] ?? 0);

test('a first sync: one listing, a create per new contact, a read for the one that exists; no search per user', async () => {
  const { zendesk, crmoffice } = stack.connectors;
  const users = [];
  for (let i = 0; i < 30; i++) users.push(await zendesk.createUser({ name: `Indexed User ${i}`, email: `indexed.${i}@example.no`, role: 'end-user' }));
  const existing = await crmoffice.createContact({ givenName: 'Already', familyName: 'There', email: 'INDEXED.7@example.no' });
  const before = requests();

  const totals = await stack.poll(Z3, 'zendesk', true);
  const after = requests();
  expect(totals.failures).toEqual([]);

  const contacts = (await crmoffice.listContacts({ page: 1, pageSize: 100 })).items;
  expect(contacts).toHaveLength(users.length);
  expect((await stack.store.getByZendeskId(Z3, String(users[7].id)))?.targetId).toBe(existing.id);
  expect(used(before, after, CREATE)).toBe(users.length - 1);
  expect(used(before, after, READ)).toBe(1);
  // The index's listing: the one contact there was, in one page. A search per user would be 30.
  expect(used(before, after, LIST)).toBe(1);
});

test('a contact made in the CRM after the index was built is found by the next poll, not duplicated', async () => {
  const { zendesk, crmoffice } = stack.connectors;
  const made = await crmoffice.createContact({ givenName: 'Made', familyName: 'Later', email: 'made.later@example.no' });
  const user = await zendesk.createUser({ name: 'Made Later', email: 'Made.Later@example.no', role: 'end-user' });
  const before = requests();

  const totals = await stack.poll(Z3, 'zendesk');
  const after = requests();
  expect(totals.failures).toEqual([]);
  expect((await stack.store.getByZendeskId(Z3, String(user.id)))?.targetId).toBe(made.id);
  expect(used(before, after, CREATE)).toBe(0);
  // The refresh: what changed since the index last read (the 29 contacts the first sync made, and this one).
  expect(used(before, after, LIST)).toBe(1);
  const all = (await crmoffice.listContacts({ page: 1, pageSize: 100 })).items;
  expect(all.filter((c) => c.email?.toLowerCase() === 'made.later@example.no')).toHaveLength(1);
  // The same feed carries P2: an end user is not its business, so its index was not touched.
  expect(await stack.store.getCheckpoint(`target-index/${P2}`)).toBeUndefined();
});
