/**
 * What the target index read, the target feed does not read again: after a first sync the CRM's
 * contacts feed reads what the sync created, not the whole CRM again. But a change the feed must
 * carry back (a contact moved to another company) is never skipped because the index read it first.
 */
import { collectionPath } from '../../connectors/crmoffice/api-assumptions';
import { TestStack, startTestStack } from '../helpers/stack';

jest.setTimeout(180_000);

const Z3 = 'zendesk-users-to-crmoffice-contacts';
const LIST = `GET ${collectionPath('contacts')}`;
/** More contacts than a page of the change list (100): reading them again would cost a second request. */
const ALREADY_IN_CRM = 150;

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ sampleSize: 0 });
});
afterAll(async () => {
  await stack?.stop();
});

const lists = () => stack.sims.crmoffice.stats.requests[LIST] ?? 0;

test('after a first sync, the target feed reads only what changed since the index read the target', async () => {
  const { zendesk, crmoffice } = stack.connectors;
  for (let i = 0; i < ALREADY_IN_CRM; i++)
    await crmoffice.createContact({ givenName: 'Crm', familyName: `Only ${i}`, email: `crm.only.${i}@example.no` });
  const orgs = [
    await zendesk.createOrganization({ name: 'Feed Org A AS' }),
    await zendesk.createOrganization({ name: 'Feed Org B AS' }),
  ];
  for (let i = 0; i < 4; i++)
    await zendesk.createUser({
      name: `Feed User ${i}`,
      email: `feed.user.${i}@example.no`,
      role: 'end-user',
      organization_id: orgs[i % 2].id,
    });

  const first = await stack.poll(Z3, 'zendesk', true);
  expect(first.failures).toEqual([]);
  expect((await stack.store.counts(Z3)).linked).toBe(4);

  // The feed takes the instant the index reached again (a same-second change must not be skipped):
  // the CRM's contacts changed at that very instant are read again, and dropped as echoes.
  const since = JSON.parse((await stack.store.getCheckpoint('crmoffice/contacts'))!.value).since as string;
  const listed = await crmoffice.listContacts({ since: new Date(Date.parse(since) - 1).toISOString(), pageSize: 200 });
  const atTheInstant = listed.items.filter((c) => c.updatedAt === since).length;
  expect(atTheInstant).toBeGreaterThan(0);

  const before = lists();
  const feed = await stack.poll(Z3, 'target');
  // The four contacts the first sync created, in one request: not the 154 in the CRM, which take two.
  expect(lists() - before).toBe(1);
  expect(feed.read).toBe(4 + atTheInstant);
  expect(feed.started).toBe(0);
});

test('a contact moved to another company in the CRM reaches Zendesk, though an index refresh read it first', async () => {
  const { zendesk, crmoffice } = stack.connectors;
  const [moved, other] = await stack.store.listLinks(Z3, { state: 'linked', limit: 10 });
  const user = await zendesk.getUser(Number(moved.zendeskId));
  const otherOrg = (await zendesk.getUser(Number(other.zendeskId))).organization_id;
  expect(otherOrg).not.toBe(user.organization_id);
  const otherCompany = (await crmoffice.getContact(other.targetId!)).company!.id;
  await crmoffice.updateContact(moved.targetId!, { company: { id: otherCompany } });

  // A new user: the users feed's poll refreshes the index, which reads the moved contact.
  await zendesk.createUser({ name: 'Feed User Late', email: 'feed.user.late@example.no', role: 'end-user' });
  expect((await stack.poll(Z3, 'zendesk')).failures).toEqual([]);

  const feed = await stack.poll(Z3, 'target');
  expect(feed.started).toBeGreaterThanOrEqual(1);
  expect((await zendesk.getUser(Number(moved.zendeskId))).organization_id).toBe(otherOrg);
});
