/**
 * `tandem dev --tenants 3`: three simulated customers in one stack. An edit in one customer's
 * Zendesk arrives, through that customer's webhook path, in that customer's Crmoffice only.
 */
import type { DevStack } from '../../workers/dev-stack';
import { startTestDevStack } from '../helpers/dev-stack';
import { createConnectors } from '../../workers/connectors';
import { TransientApiError } from '../../connectors/errors';
import type { AllSimulators } from '../../simulators/all';

jest.setTimeout(240_000);

const Z3B = 'zendesk-organizations-to-crmoffice-companies';
const NAME = 'Renamed For Customer Two AS';
let stack: DevStack;

beforeAll(async () => {
  stack = await startTestDevStack({ sampleSize: 12, tenants: 3 });
});
afterAll(async () => {
  await stack?.stop();
});

async function eventually<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read().catch((err: unknown) => {
      if (err instanceof TransientApiError) return undefined as T;
      throw err;
    });
    if (value !== undefined && ok(value)) return value;
    if (Date.now() > until) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const companyNames = async (sims: AllSimulators) =>
  (await createConnectors(sims.configs).crmoffice.listCompanies({ pageSize: 100 })).items.map((c) => c.name);

test("an edit in one customer's Zendesk reaches that customer's Crmoffice only", async () => {
  expect(stack.tenants.map((t) => t.name)).toEqual(['customer-2', 'customer-3']);
  const two = stack.tenants[0];
  // Each customer's first sync, triggered at start, links companies in its own accounts.
  const link = await eventually(
    "customer-2's linked company",
    async () => (await two.store.listLinks(Z3B, { state: 'linked', limit: 1 }))[0],
    (l) => l !== undefined,
  );
  await createConnectors(two.sims.configs).zendesk.updateOrganization(Number(link.zendeskId), { name: NAME });
  await eventually(
    'company renamed',
    async () => (await createConnectors(two.sims.configs).crmoffice.getCompany(link.targetId!)).name,
    (n) => n === NAME,
    30_000,
  );
  // It came by customer-2's webhook (its simulator posts to /webhooks/zendesk/customer-2).
  expect(two.sims.zendesk.deliveries.delivered).toBeGreaterThan(0);
  expect(await companyNames(two.sims)).toContain(NAME);
  expect(await companyNames(stack.sims)).not.toContain(NAME);
  expect(await companyNames(stack.tenants[1].sims)).not.toContain(NAME);
  // Its workflow is customer-2's: its id, and its task queue.
  const described = await two.client.workflow
    .getHandle(`customer-2:zendesk/organizations/${link.zendeskId}`)
    .describe();
  expect(described.taskQueue).toBe('tandem@customer-2');
});
