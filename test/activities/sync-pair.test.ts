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

test('a record changed twice within one second on both sides: a tie, Zendesk wins by the documented rule, and no write loop follows', async () => {
  const deps = pollDeps({ connectors, store, flows: DEFAULT_FLOWS_CONFIG });
  const org = await connectors.zendesk.createOrganization({ name: 'Tie AS' });
  const user = await connectors.zendesk.createUser({ name: 'Tia Tie', email: 'tie@example.no', role: 'agent', organization_id: org.id });
  await syncOnePair(deps, { flowId: P2, zendeskId: String(user.id) });
  const departmentId = Number((await store.getByZendeskId(P1, String(org.id)))!.targetId);

  // Start of a fresh second, then two Zendesk edits and one PowerOffice Go edit within it.
  await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
  const first = await connectors.zendesk.updateOrganization(org.id, { name: 'Tie Zendesk 1 AS' });
  const second = await connectors.zendesk.updateOrganization(org.id, { name: 'Tie Zendesk 2 AS' });
  const department = await connectors.poweroffice.updateDepartment(departmentId, { Name: 'Tie PowerOffice AS' });
  expect(second.updated_at).toBe(first.updated_at);
  expect(Math.floor(Date.parse(department.LastChangedDateTimeOffset) / 1000) * 1000).toBe(Date.parse(second.updated_at));

  const tie = await syncOnePair(deps, { flowId: P1, zendeskId: String(org.id) });
  expect(tie.outcome).toBe('updated');
  expect(tie.decisions.find((d) => d.row === 'name->Name')).toMatchObject({ outcome: 'both-changed-zendesk-wins', why: expect.stringMatching(/same second/) });
  expect((await connectors.poweroffice.getDepartment(departmentId)).Name).toBe('Tie Zendesk 2 AS');
  expect((await connectors.zendesk.getOrganization(org.id)).name).toBe('Tie Zendesk 2 AS');

  // The write made the department newer than the organisation; still nothing to do, on either side.
  const writes = sims.zendesk.stats.writes + sims.poweroffice.stats.writes;
  for (let i = 0; i < 2; i++) {
    const again = await syncOnePair(deps, { flowId: P1, zendeskId: String(org.id) });
    expect(again.outcome).toBe('unchanged');
    expect(again.written).toEqual({ target: null, zendesk: null });
  }
  expect(sims.zendesk.stats.writes + sims.poweroffice.stats.writes - writes).toBe(0);
});

test('a user whose organisation is removed clears the contact\'s company (company: null), once, with no repeated write', async () => {
  const Z3 = 'zendesk-users-to-crmoffice-contacts';
  const deps = pollDeps({ connectors, store, flows: DEFAULT_FLOWS_CONFIG });
  const org = await connectors.zendesk.createOrganization({ name: 'Leaving AS' });
  const user = await connectors.zendesk.createUser({ name: 'Lea Leaving', email: 'lea.leaving@example.no', organization_id: org.id });
  expect((await syncOnePair(deps, { flowId: Z3, zendeskId: String(user.id) })).outcome).toBe('created');
  const contactId = (await store.getByZendeskId(Z3, String(user.id)))!.targetId!;
  expect((await connectors.crmoffice.getContact(contactId)).company?.id).toEqual(expect.any(String));

  await connectors.zendesk.updateUser(user.id, { organization_id: null });
  const cleared = await syncOnePair(deps, { flowId: Z3, zendeskId: String(user.id) });
  expect(cleared.outcome).toBe('updated');
  expect((await connectors.crmoffice.getContact(contactId)).company ?? null).toBeNull();
  expect((await store.getByZendeskId(Z3, String(user.id)))!.state).toBe('linked');

  const writes = sims.zendesk.stats.writes + sims.crmoffice.stats.writes;
  const again = await syncOnePair(deps, { flowId: Z3, zendeskId: String(user.id) });
  expect(again.outcome).toBe('unchanged');
  expect(sims.zendesk.stats.writes + sims.crmoffice.stats.writes - writes).toBe(0);
});

test('an agent named "Cher" becomes a valid employee: the one word fills FirstName and LastName', async () => {
  const deps = pollDeps({ connectors, store, flows: DEFAULT_FLOWS_CONFIG });
  const user = await connectors.zendesk.createUser({ name: 'Cher', email: 'cher.single@example.no', role: 'agent' });
  expect((await syncOnePair(deps, { flowId: P2, zendeskId: String(user.id) })).outcome).toBe('created');
  const employee = await connectors.poweroffice.getEmployee(Number((await store.getByZendeskId(P2, String(user.id)))!.targetId));
  expect(employee).toMatchObject({ FirstName: 'Cher', LastName: 'Cher', EmailAddress: 'cher.single@example.no' });
});
