import { FLOW_IDS, FEEDS, extendFlows, getFlow, type FlowDefinition } from '../../flows';

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
