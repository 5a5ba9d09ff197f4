import { zendeskIdsOfEvent } from '../../connectors/zendesk/webhooks';
import {
  FLOW_IDS,
  FEEDS,
  ZENDESK_EVENT_TYPES,
  extendFlows,
  flowsForZendesk,
  getFlow,
  isDeletedInZendesk,
  type FlowDefinition,
} from '../../flows';

const base = getFlow('zendesk-organizations-to-powerofficego-departments');
const flow = (changes: Partial<FlowDefinition>): FlowDefinition => ({
  ...base,
  id: 'zendesk-x-to-y',
  code: 'T9',
  ...changes,
});

test('a flow naming what is not registered is refused, every problem named, and nothing is added', () => {
  const before = [...FLOW_IDS];
  expect(() =>
    extendFlows({
      flows: [
        flow({
          id: 'Bad Id',
          code: 'p1',
          source: { system: 'zendesk', type: 'groups' },
          target: { system: 'crmoffice', type: 'departments' },
        }),
      ],
    }),
  ).toThrow(
    'flow "Bad Id" cannot be registered: its id is not lower-case words joined by "-"; source type "groups" is not a ' +
      'registered Zendesk record type; target type "departments" belongs to poweroffice, not crmoffice; code "p1" is ' +
      "already zendesk-organizations-to-powerofficego-departments's",
  );
  expect(FLOW_IDS).toEqual(before);
});

test('a type registered with a flow feeds the derived tables', () => {
  extendFlows({
    targetTypes: { budgets: { system: 'poweroffice', noun: 'budget' } },
    flows: [flow({ target: { system: 'poweroffice', type: 'budgets' } })],
  });
  expect(FLOW_IDS).toContain('zendesk-x-to-y');
  expect(FEEDS.find((f) => f.id === 'poweroffice/budgets')?.flows).toEqual(['zendesk-x-to-y']);
  expect(() => extendFlows({ targetTypes: { budgets: { system: 'crmoffice', noun: 'budget' } }, flows: [] })).toThrow(
    'cannot register target record type "budgets": the name is taken',
  );
});

test('a Zendesk record type registered subscribes to its webhook events and routes them to its flows', () => {
  extendFlows({
    zendeskTypes: {
      groups: {
        noun: 'group',
        isDeleted: (r) => r.deleted === true,
        events: ['zen:event-type:group.name_changed'],
        subject: 'group',
      },
    },
    flows: [flow({ id: 'zendesk-groups-to-y', code: 'T8', source: { system: 'zendesk', type: 'groups' } })],
  });
  expect(ZENDESK_EVENT_TYPES).toContain('zen:event-type:group.name_changed');
  const event = {
    id: 'e1',
    type: 'zen:event-type:group.name_changed',
    subject: 'zen:group:42',
    time: '2026-12-08T00:00:00Z',
    account_id: 1,
    detail: { id: '42' },
    event: {},
  };
  expect(zendeskIdsOfEvent(event)).toEqual({ kind: 'group', id: '42' });
  expect(flowsForZendesk('group')).toEqual(['zendesk-groups-to-y']);
  expect(FEEDS.find((f) => f.id === 'zendesk/groups')?.flows).toEqual(['zendesk-groups-to-y']);
  expect(isDeletedInZendesk('groups', { deleted: true })).toBe(true);
});
