import { fitPayload, referencedOnce, routeZendeskRecord, type WorkItem } from '../../activities/feed-routing';
import { DEFAULT_FLOWS_CONFIG, getFeed } from '../../flows';
import { openSqliteStore } from '../../store';

const Z2 = 'zendesk-tickets-to-crmoffice-activities';
const P1 = 'zendesk-organizations-to-powerofficego-departments';
const P2 = 'zendesk-users-to-powerofficego-employees';
const Z3 = 'zendesk-users-to-crmoffice-contacts';
const Z3B = 'zendesk-organizations-to-crmoffice-companies';

function tickets(n: number, bodyBytes: number): WorkItem[] {
  return Array.from({ length: n }, (_, i) => ({
    kind: 'pair' as const,
    flowId: Z2,
    zendeskId: String(i),
    given: { record: { id: i, description: 'x'.repeat(bodyBytes) } },
  }));
}

test('a page that fits is handed over with its records, so no pair reads its record again', () => {
  const items = tickets(1000, 500);
  expect(fitPayload(items)).toBe(items);
});

test('a page too large for one Temporal payload hands over as many records as fit, the rest by id; nothing is dropped', () => {
  const items: WorkItem[] = [
    ...tickets(1000, 4000),
    { kind: 'comments', ticketId: '7', ticket: { id: 7, subject: 'y'.repeat(4000) } },
  ];
  const fitted = fitPayload(items);
  expect(fitted).toHaveLength(items.length);
  const bytes = Buffer.byteLength(JSON.stringify(fitted));
  expect(bytes).toBeLessThanOrEqual(1_500_000);
  // The first ones keep their records, up to where the next would not fit; the rest go by id.
  const kept = fitted.findIndex((item) => item.kind === 'pair' && !item.given);
  expect(kept).toBeGreaterThan(300);
  expect(fitted.slice(0, kept)).toEqual(items.slice(0, kept));
  expect(fitted[kept]).toEqual({ kind: 'pair', flowId: Z2, zendeskId: String(kept) });
  expect(bytes + JSON.stringify(items[kept]).length - JSON.stringify(fitted[kept]).length).toBeGreaterThan(1_500_000);
  expect(fitted.at(-1)).toEqual({ kind: 'comments', ticketId: '7' });
});

test("a ticket's comments item carries only what their sync takes from the ticket, not the ticket again", async () => {
  const store = openSqliteStore(':memory:');
  const ticket = {
    id: 5,
    subject: 'Printer on fire',
    status: 'open',
    description: 'x'.repeat(2000),
    requester_id: 9,
    updated_at: '2024-05-01T10:00:00Z',
  };
  const items = await routeZendeskRecord(store, DEFAULT_FLOWS_CONFIG, getFeed('zendesk/tickets'), '5', ticket);
  expect(items.find((i) => i.kind === 'comments')).toEqual({
    kind: 'comments',
    ticketId: '5',
    ticket: { id: 5, subject: 'Printer on fire', status: 'open' },
  });
});

test("a Zendesk record handed over carries its pair's link version, so a sync since then makes the pair read it again", async () => {
  const store = openSqliteStore(':memory:');
  const feed = getFeed('zendesk/organizations');
  const org = (name: string) => ({ id: 8, name, updated_at: '2024-05-01T10:00:00Z' });
  // A failed pair hears of every change (it may heal it), with the version it was read at.
  const failed = await store.markFailed(P1, '8', 'PowerOffice Go refused the name');
  const first = await routeZendeskRecord(store, DEFAULT_FLOWS_CONFIG, feed, '8', org('Nord AS'));
  expect(first.find((i) => i.kind === 'pair' && i.flowId === P1)).toMatchObject({
    given: { linkVersion: failed.version },
  });
  const saved = await store.saveLink(
    {
      flowId: P1,
      zendeskId: '8',
      targetId: '10',
      state: 'linked',
      base: { 'name->Name': 'Nord AS' },
      lastError: null,
      lastSyncedAt: null,
    },
    failed.version,
  );
  expect(await routeZendeskRecord(store, DEFAULT_FLOWS_CONFIG, feed, '8', org('Nord AS'))).toEqual([]);
  const renamed = await routeZendeskRecord(store, DEFAULT_FLOWS_CONFIG, feed, '8', org('Sør AS'));
  expect(renamed.find((i) => i.kind === 'pair' && i.flowId === P1)).toMatchObject({
    given: { record: org('Sør AS'), linkVersion: saved.version },
  });
  await store.close();
});

test("a new user's pairs carry the organisation the page side-loaded, for the department and company they may create; a linked user's do not", async () => {
  const store = openSqliteStore(':memory:');
  const feed = getFeed('zendesk/users');
  const org = { id: 8, name: 'Nord AS', updated_at: '2024-05-01T10:00:00Z' };
  const user = {
    id: 5,
    name: 'Kari Nord',
    email: 'kari@nord.no',
    role: 'agent',
    organization_id: 8,
    updated_at: '2024-05-01T10:00:00Z',
  };
  const sideloaded = { organizations: new Map([['8', org]]) };
  const items = await routeZendeskRecord(store, DEFAULT_FLOWS_CONFIG, feed, '5', user, sideloaded);
  const referenced = Object.fromEntries(
    items.flatMap((i) => (i.kind === 'pair' ? [[i.flowId, i.given?.referenced]] : [])),
  );
  expect(referenced).toEqual({
    [P2]: [{ flowId: P1, zendeskId: '8', record: org }],
    [Z3]: [{ flowId: Z3B, zendeskId: '8', record: org }],
  });
  // Without the organisation on the page (or without one at all), nothing is carried: the pair reads it.
  const alone = await routeZendeskRecord(store, DEFAULT_FLOWS_CONFIG, feed, '5', user);
  expect(alone.every((i) => i.kind === 'pair' && i.given?.referenced === undefined)).toBe(true);
  // Linked already: its references exist or are the sync's to read.
  const failed = await store.markFailed(P2, '5', 'x');
  await store.saveLink(
    { flowId: P2, zendeskId: '5', targetId: '10', state: 'linked', base: {}, lastError: null, lastSyncedAt: null },
    failed.version,
  );
  const linked = await routeZendeskRecord(store, DEFAULT_FLOWS_CONFIG, feed, '5', user, sideloaded);
  expect(linked.find((i) => i.kind === 'pair' && i.flowId === P2)).toMatchObject({ given: { record: user } });
  expect(linked.find((i) => i.kind === 'pair' && i.flowId === P2 && i.given?.referenced)).toBeUndefined();
  await store.close();
});

test('a side-loaded record rides with the first pair of the page that refers to it; the pairs after it name it only', () => {
  const org = { id: 8, name: 'Nord AS' };
  const pair = (zendeskId: string, flowId: string, refFlow: string): WorkItem => ({
    kind: 'pair',
    flowId,
    zendeskId,
    given: { record: { id: Number(zendeskId) }, referenced: [{ flowId: refFlow, zendeskId: '8', record: org }] },
  });
  const items = [pair('1', P2, P1), pair('1', Z3, Z3B), pair('2', P2, P1), pair('2', Z3, Z3B)];
  const once = referencedOnce(items);
  expect(
    once.map((i) =>
      i.kind === 'pair' ? i.given?.referenced?.map((r) => [r.flowId, r.record !== undefined]) : undefined,
    ),
  ).toEqual([[[P1, true]], [[Z3B, true]], [[P1, false]], [[Z3B, false]]]);
  expect(once[2]).toEqual({
    kind: 'pair',
    flowId: P2,
    zendeskId: '2',
    given: { record: { id: 2 }, referenced: [{ flowId: P1, zendeskId: '8' }] },
  });
});
