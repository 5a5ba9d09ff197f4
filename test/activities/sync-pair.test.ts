/**
 * The sync of one pair as plain code against the simulators (no Temporal): the link version guards
 * a pair that two syncs touch at once, and an echo costs no write.
 */
import { DEFAULT_FLOWS_CONFIG } from '../../flows';
import { LinkStore, openStore } from '../../store';
import { AllSimulators, startAllSimulators } from '../../simulators/all';
import { createConnectors } from '../../workers/connectors';
import { pollDeps } from '../../activities';
import { syncOnePair } from '../../activities/sync-pair';
import type { Connectors } from '../../activities/record-access';

const P1 = 'zendesk-organizations-to-powerofficego-departments';
const P2 = 'zendesk-users-to-powerofficego-employees';

let sims: AllSimulators;
let store: LinkStore;
let connectors: Connectors;
beforeAll(async () => {
  sims = await startAllSimulators({ sampleSize: 0, realRateLimits: false });
  store = openStore(':memory:');
  connectors = createConnectors(sims.configs);
});
afterAll(async () => {
  await store?.close();
  await sims?.stop();
});

test('a sync whose link moved under it reads again and merges against the newer base', async () => {
  const deps = pollDeps({ connectors, store, flows: DEFAULT_FLOWS_CONFIG });
  const org = await connectors.zendesk.createOrganization({ name: 'Versioned AS' });
  const user = await connectors.zendesk.createUser({ name: 'Vera Version', email: 'vera@example.no', role: 'agent', organization_id: org.id });
  expect((await syncOnePair(deps, { flowId: P2, zendeskId: String(user.id) })).outcome).toBe('created');
  const link = (await store.getByZendeskId(P1, String(org.id)))!;

  await connectors.zendesk.updateOrganization(org.id, { name: 'Versioned Renamed AS' });
  // Another worker syncs the same pair between our read and our save: our first save must lose.
  let raced = false;
  const racing: LinkStore = Object.create(store);
  racing.saveLink = async (write, expected) => {
    if (!raced) {
      raced = true;
      await store.saveLink({ ...link, base: link.base }, link.version);
    }
    return store.saveLink(write, expected);
  };
  const result = await syncOnePair({ ...deps, store: racing }, { flowId: P1, zendeskId: String(org.id) });
  expect(raced).toBe(true);
  expect(result.outcome).toBe('updated');
  expect((await connectors.poweroffice.getDepartment(Number(link.targetId))).Name).toBe('Versioned Renamed AS');
  expect((await store.getByZendeskId(P1, String(org.id)))!.version).toBeGreaterThan(link.version + 1);
});

test('an echo of our own write merges to nothing and writes nothing', async () => {
  const deps = pollDeps({ connectors, store, flows: DEFAULT_FLOWS_CONFIG });
  const org = await connectors.zendesk.createOrganization({ name: 'Echo AS' });
  const user = await connectors.zendesk.createUser({ name: 'Eco Echo', email: 'echo@example.no', role: 'admin', organization_id: org.id });
  await syncOnePair(deps, { flowId: P2, zendeskId: String(user.id) });
  await connectors.zendesk.updateOrganization(org.id, { name: 'Echo Renamed AS' });
  expect((await syncOnePair(deps, { flowId: P1, zendeskId: String(org.id) })).outcome).toBe('updated');

  const writes = sims.zendesk.stats.writes + sims.poweroffice.stats.writes;
  const again = await syncOnePair(deps, { flowId: P1, zendeskId: String(org.id) });
  expect(again.outcome).toBe('unchanged');
  expect(again.written).toEqual({ target: null, zendesk: null });
  // Only token requests may have been made; no record was written.
  expect(sims.zendesk.stats.writes + sims.poweroffice.stats.writes - writes).toBe(0);
});
