/**
 * A first sync matches against an index of the target, kept up to date from its change list, not a
 * search per record: Crmoffice sees a listing and a create per contact, no search per user, and a
 * contact that already exists (another casing of the e-mail) is linked, not duplicated. A contact
 * made in the CRM after the index was built is found by the next poll's refresh; while the CRM cannot
 * be listed, the pairs search it as before.
 */
import { collectionPath } from '../../connectors/crmoffice/api-assumptions';
import { TestStack, startTestStack } from '../helpers/stack';

jest.setTimeout(180_000);

const Z3 = 'zendesk-users-to-crmoffice-contacts';
const P2 = 'zendesk-users-to-powerofficego-employees';
const Z3B = 'zendesk-organizations-to-crmoffice-companies';
const LIST = `GET ${collectionPath('contacts')}`;
const READ = `GET ${collectionPath('contacts')}/:id`;
const CREATE = `POST ${collectionPath('contacts')}`;

let stack: TestStack;
/** Contact listings (not searches by e-mail) answer 503 while set: the index cannot be brought up to date. */
let listingsFail = false;
beforeAll(async () => {
  stack = await startTestStack({
    sampleSize: 0,
    failWhen: {
      crmoffice: (method, url) =>
        listingsFail && method === 'GET' && url.startsWith(collectionPath('contacts') + '?') && !url.includes('email=')
          ? 503
          : undefined,
    },
  });
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
  for (let i = 0; i < 30; i++)
    users.push(
      await zendesk.createUser({ name: `Indexed User ${i}`, email: `indexed.${i}@example.no`, role: 'end-user' }),
    );
  const existing = await crmoffice.createContact({
    givenName: 'Already',
    familyName: 'There',
    email: 'INDEXED.7@example.no',
  });
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
  const made = await crmoffice.createContact({
    givenName: 'Made',
    familyName: 'Later',
    email: 'made.later@example.no',
  });
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

test('while the target cannot be listed, the pairs search it one by one: the sync goes on, nothing duplicated', async () => {
  const { zendesk, crmoffice } = stack.connectors;
  const users = [];
  for (let i = 0; i < 5; i++)
    users.push(
      await zendesk.createUser({ name: `Unlisted User ${i}`, email: `unlisted.${i}@example.no`, role: 'end-user' }),
    );
  const existing = await crmoffice.createContact({
    givenName: 'Unlisted',
    familyName: 'Before',
    email: 'unlisted.2@example.no',
  });
  listingsFail = true;
  try {
    const totals = await stack.poll(Z3, 'zendesk');
    expect(totals.failures).toEqual([]);
  } finally {
    listingsFail = false;
  }
  expect((await stack.store.getByZendeskId(Z3, String(users[2].id)))?.targetId).toBe(existing.id);
  for (const u of users) expect((await stack.store.getByZendeskId(Z3, String(u.id)))?.state).toBe('linked');
  const all = (await crmoffice.listContacts({ page: 1, pageSize: 100 })).items;
  expect(all.filter((c) => c.email?.startsWith('unlisted.'))).toHaveLength(users.length);
});

test("the companies the contacts refer to match from their own flow's index too, from the organisations the page side-loaded: no search, no read per organisation", async () => {
  const { zendesk, crmoffice } = stack.connectors;
  const orgs = [];
  for (let i = 0; i < 4; i++) orgs.push(await zendesk.createOrganization({ name: `Indexed Org ${i} AS` }));
  const existing = await crmoffice.createCompany({ name: 'INDEXED ORG 2 AS' });
  for (let i = 0; i < 8; i++)
    await zendesk.createUser({
      name: `Org User ${i}`,
      email: `org.user.${i}@example.no`,
      role: 'end-user',
      organization_id: orgs[i % 4].id,
    });
  const before = requests();
  const zendeskBefore = { ...stack.sims.zendesk.stats.requests };

  const totals = await stack.poll(Z3, 'zendesk');
  const after = requests();
  // The users' page side-loaded their organizations: the companies made from them read none again.
  expect(used(zendeskBefore, stack.sims.zendesk.stats.requests, 'GET /api/v2/organizations/:id')).toBe(0);
  expect(totals.failures).toEqual([]);
  expect((await stack.store.getByZendeskId(Z3B, String(orgs[2].id)))?.targetId).toBe(existing.id);
  expect(used(before, after, `POST ${collectionPath('companies')}`)).toBe(3);
  // The companies' index: one listing of what changed (the company made above). A search per organisation would be 4.
  expect(used(before, after, `GET ${collectionPath('companies')}`)).toBe(1);
  const named = (await crmoffice.listCompanies({ page: 1, pageSize: 100 })).items.filter((c) =>
    c.name.toLowerCase().startsWith('indexed org'),
  );
  expect(named).toHaveLength(4);
});
