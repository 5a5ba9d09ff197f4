/**
 * A person's edit made while a first sync runs does not wait behind the sync's work: the sync's
 * pairs and their steps go after everything else on the same task queue (Temporal's priority), so
 * the edit's write takes the next free slot of the system's rate, not the end of the backlog.
 */
import { collectionPath } from '../../connectors/crmoffice/api-assumptions';
import { signalPair } from '../../workers/signal-pair';
import { pairWorkflowId } from '../../protocol/ids';
import { DEFAULT_TENANT } from '../../protocol/tenants';
import { BULK } from '../../workflows/steps';
import { TEST_RETRY, TestStack, startTestStack } from '../helpers/stack';

jest.setTimeout(180_000);

const Z3 = 'zendesk-users-to-crmoffice-contacts';
const COMPANIES = 'zendesk-organizations-to-crmoffice-companies';
const USERS = 30;
/** Crmoffice's activity rate for this test: the sync's 30 creates are a backlog of 15–30 s. */
const RATE = 2;

let stack: TestStack;
let companyPatchedAfter: number | undefined;
beforeAll(async () => {
  stack = await startTestStack({
    sampleSize: 0,
    rates: { crmoffice: RATE },
    beforeAnswer: {
      crmoffice: (method, route) => {
        if (method === 'PATCH' && route.startsWith(collectionPath('companies')) && companyPatchedAfter === undefined)
          companyPatchedAfter = created();
      },
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

const created = () => stack.sims.crmoffice.stats.requests[`POST ${collectionPath('contacts')}`] ?? 0;

test("an organisation renamed during a first sync reaches its company before the sync's backlog", async () => {
  const { zendesk } = stack.connectors;
  const org = await zendesk.createOrganization({ name: 'Priority Org AS' });
  const pair = { flowId: COMPANIES, zendeskId: String(org.id) };
  // Companies are made on demand (a contact's reference): ask for this one as a contact would.
  await signalPair(stack.env.client, pair, { side: 'zendesk', via: 'manual', demanded: true }, { retry: TEST_RETRY });
  const made = await stack.env.client.workflow.getHandle(pairWorkflowId(pair, DEFAULT_TENANT)).result();
  expect(made.last.find((r: { flowId: string }) => r.flowId === COMPANIES)?.outcome).toBe('created');
  for (let i = 0; i < USERS; i++)
    await zendesk.createUser({ name: `Bulk User ${i}`, email: `bulk.user.${i}@example.no`, role: 'end-user' });

  const sync = stack.poll(Z3, 'zendesk', true);
  // The sync's creates are queued once its first contacts arrive.
  while (created() < 2) await new Promise((r) => setTimeout(r, 50));
  await zendesk.updateOrganization(org.id, { name: 'Priority Org Renamed AS' });
  await signalPair(stack.env.client, pair, { side: 'zendesk', via: 'webhook' }, { retry: TEST_RETRY });
  await sync;
  // Every contact is made (the poll stops waiting for its pairs after a while; the pairs go on).
  while ((await stack.store.counts(Z3)).linked < USERS) await new Promise((r) => setTimeout(r, 250));
  expect(created()).toBe(USERS);
  // In arrival order it would come after all 30; by priority on the server alone, after up to ten
  // more the worker already held in its pacer; with the pacer's order too, within a few slots.
  expect(companyPatchedAfter).toBeDefined();
  expect(companyPatchedAfter!).toBeLessThanOrEqual(8);

  // The sync's pairs carry the bulk priority; the webhook's pair the default.
  const bulkPair = (await stack.store.listLinks(Z3, { state: 'linked', limit: 1 }))[0];
  expect(
    (
      await stack.env.client.workflow
        .getHandle(pairWorkflowId({ flowId: Z3, zendeskId: bulkPair.zendeskId }, DEFAULT_TENANT))
        .describe()
    ).priority?.priorityKey,
  ).toBe(BULK.priorityKey);
  expect(
    (await stack.env.client.workflow.getHandle(pairWorkflowId(pair, DEFAULT_TENANT)).describe()).priority
      ?.priorityKey ?? 0,
  ).not.toBe(BULK.priorityKey);
});
