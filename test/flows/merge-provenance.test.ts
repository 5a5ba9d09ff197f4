/** The merge's rows say what `tandem why` traces a value by: the rule, the side that won, the values and times compared. */
import { getFlow, merge, type MergeInput } from '../../flows';

const P1 = getFlow('zendesk-organizations-to-powerofficego-departments');
const NAME = 'name->Name';
const CREATED = 'created_at->CreatedDateTimeOffset';

function row(input: Partial<MergeInput>, key = NAME) {
  const r = merge({
    flow: P1,
    base: { [NAME]: 'Sales' },
    zendesk: {},
    target: {},
    zendeskModifiedAt: '2024-05-01T10:00:00Z',
    targetModifiedAt: '2024-05-01T10:00:00Z',
    ...input,
  });
  return r.decisions.find((d) => d.row === key)!;
}

test('both changed: the later side wins by "later-wins", with both values and times kept', () => {
  const z = row({
    zendesk: { [NAME]: 'Z' },
    target: { [NAME]: 'T' },
    zendeskModifiedAt: '2024-05-01T10:00:05Z',
    targetModifiedAt: '2024-05-01T10:00:01.500Z',
  });
  expect(z).toMatchObject({
    rule: 'later-wins',
    won: 'zendesk',
    values: { zendesk: 'Z', target: 'T', base: 'Sales', hasBase: true },
    at: { zendesk: '2024-05-01T10:00:05Z', target: '2024-05-01T10:00:01.500Z' },
  });
  const t = row({
    zendesk: { [NAME]: 'Z' },
    target: { [NAME]: 'T' },
    zendeskModifiedAt: '2024-05-01T10:00:01Z',
    targetModifiedAt: '2024-05-01T10:00:05.100Z',
  });
  expect(t).toMatchObject({ outcome: 'both-changed-target-wins', rule: 'later-wins', won: 'target' });
});

test('a tie within the second goes to Zendesk, an unknown time too, each by its own rule', () => {
  expect(
    row({ zendesk: { [NAME]: 'Z' }, target: { [NAME]: 'T' }, targetModifiedAt: '2024-05-01T10:00:00.900Z' }),
  ).toMatchObject({ rule: 'tie-to-zendesk', won: 'zendesk' });
  expect(row({ zendesk: { [NAME]: 'Z' }, target: { [NAME]: 'T' }, targetModifiedAt: null })).toMatchObject({
    rule: 'time-unknown-zendesk-wins',
    won: 'zendesk',
  });
});

test('one side changed, a first match, and rows that wrote nothing (no winner)', () => {
  expect(row({ zendesk: { [NAME]: 'Sales' }, target: { [NAME]: 'Salg' } })).toMatchObject({
    outcome: 'target-changed',
    rule: 'one-side-changed',
    won: 'target',
  });
  expect(row({ base: null, zendesk: { [NAME]: null }, target: { [NAME]: 'Salg' } })).toMatchObject({
    rule: 'first-match',
    won: 'target',
    values: { hasBase: false },
  });
  const same = row({ zendesk: { [NAME]: 'Sales' }, target: { [NAME]: 'Sales' } });
  expect(same).toMatchObject({ rule: 'unchanged' });
  expect(same.won).toBeUndefined();
  const readOnly = row(
    { zendesk: { [CREATED]: '2024-01-01T00:00:00.000Z' }, target: { [CREATED]: '2024-02-01T00:00:00.000Z' } },
    CREATED,
  );
  expect(readOnly).toMatchObject({ rule: 'read-only' });
  expect(readOnly.won).toBeUndefined();
});
