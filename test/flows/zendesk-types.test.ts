import { ZENDESK_TYPES, isDeletedInZendesk, zendeskTypeOfKind } from '../../flows';

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
