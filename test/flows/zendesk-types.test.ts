import {
  FLOWS,
  FLOW_IDS,
  TARGET_RECORD_TYPES,
  ZENDESK_TYPES,
  isDeletedInZendesk,
  zendeskTypeOfKind,
} from '../../flows';
import {
  ZENDESK_EVENT_TYPES,
  ZENDESK_RECORD_TYPES,
  zendeskFeedTypeOf,
  zendeskTypeOfEvent,
} from '../../flows/zendesk-types';

test('each Zendesk record type has its noun, and its noun names it back', () => {
  expect(
    ZENDESK_TYPES.map((type) => [type, zendeskTypeOfKind(type.replace(/s$/, '').replace('ticketComment', 'comment'))]),
  ).toEqual(ZENDESK_TYPES.map((type) => [type, type]));
  expect(zendeskTypeOfKind('deal')).toBeUndefined();
});

test.each([
  ['users', { active: false }, true],
  ['users', { active: true }, false],
  ['organizations', { deleted_at: '2026-01-01T00:00:00Z' }, true],
  ['organizations', { deleted_at: null }, false],
  ['tickets', { status: 'deleted' }, true],
  ['tickets', { status: 'closed' }, false],
  ['ticketComments', { active: false, status: 'deleted' }, false],
] as const)('a %s record %j is deleted: %s', (type, record, deleted) => {
  expect(isDeletedInZendesk(type, record)).toBe(deleted);
});

test("each webhook event Tandem subscribes to is about one record type, in its subject's domain", () => {
  expect(new Set(ZENDESK_EVENT_TYPES).size).toBe(ZENDESK_EVENT_TYPES.length);
  for (const type of ZENDESK_TYPES) {
    const { events, subject } = ZENDESK_RECORD_TYPES[type];
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      expect(event.startsWith(`zen:event-type:${subject}.`)).toBe(true);
      expect(zendeskTypeOfEvent(event)).toBe(type);
    }
  }
  expect(zendeskTypeOfEvent('zen:event-type:ticket.comment_added')).toBe('ticketComments');
  expect(zendeskTypeOfEvent('zen:event-type:ticket.priority_changed')).toBeUndefined();
});

test('comments are read under their tickets, every other type from its own export', () => {
  expect(Object.fromEntries(ZENDESK_TYPES.map((t) => [t, zendeskFeedTypeOf(t)]))).toEqual({
    users: 'users',
    organizations: 'organizations',
    tickets: 'tickets',
    ticketComments: 'tickets',
  });
});

test('a type read under another names a type of its own', () => {
  const listedUnder = ZENDESK_TYPES.flatMap((type) => {
    const described = ZENDESK_RECORD_TYPES[type] as { listedUnder?: string };
    return described.listedUnder === undefined ? [] : [described.listedUnder];
  });
  expect(listedUnder).toEqual(['tickets']);
  expect(listedUnder.filter((t) => !(ZENDESK_TYPES as string[]).includes(t))).toEqual([]);
});

test("each flow's target type is on the flow's target system", () => {
  expect(FLOW_IDS.map((id) => [id, TARGET_RECORD_TYPES[FLOWS[id].target.type].system])).toEqual(
    FLOW_IDS.map((id) => [id, FLOWS[id].target.system]),
  );
});
