import { DEFAULT_FLOWS_CONFIG, FLOW_IDS, FLOWS, getFlow, parseFlowsConfig, rowKey } from '../../flows';

// The property tables of docs/flows.md, transcribed: the contract the definitions must keep.
const SPEC_TABLES: Record<string, [string, string][]> = {
  'zendesk-ticketcomments-to-crmoffice-activities': [],
  'zendesk-tickets-to-crmoffice-activities': [
    ['requester_id', 'ownerId'],
    ['subject', 'subject'],
  ],
  'zendesk-users-to-crmoffice-contacts': [['organization_id', 'company.id']],
  'zendesk-organizations-to-crmoffice-companies': [['name', 'name']],
  'zendesk-organizations-to-powerofficego-departments': [
    ['created_at', 'CreatedDateTimeOffset'],
    ['name', 'Name'],
  ],
  'zendesk-users-to-powerofficego-employees': [
    ['created_at', 'EmployeeCreatedDateTimeOffset'],
    ['created_at', 'employeeCreatedDateTimeOffset'],
    ['organization_id', 'DepartmentId'],
  ],
};

describe('flow definitions', () => {
  it('define exactly the six flows of the spec, keyed by their own id', () => {
    expect([...FLOW_IDS].sort()).toEqual(Object.keys(SPEC_TABLES).sort());
    for (const id of FLOW_IDS) expect(FLOWS[id].id).toBe(id);
  });

  it.each(Object.entries(SPEC_TABLES))('%s has the spec table, rows in order', (id, table) => {
    const flow = getFlow(id);
    expect(flow.properties.map((r) => [r.source, r.target])).toEqual(table);
    for (const r of flow.properties) expect(r.dataType).toBe('string');
    // Row keys must be distinct, or the two P2 created_at rows would collapse into one.
    expect(new Set(flow.properties.map(rowKey)).size).toBe(flow.properties.length);
  });

  it('marks created_at read-only in Zendesk and the PowerOffice created fields read-only there', () => {
    const ro = (id: string) =>
      getFlow(id)
        .properties.filter((r) => r.source === 'created_at')
        .map((r) => r.readOnly);
    expect(ro('zendesk-organizations-to-powerofficego-departments')).toEqual([{ zendesk: true, target: true }]);
    expect(ro('zendesk-users-to-powerofficego-employees')).toEqual([
      { zendesk: true, target: true },
      { zendesk: true, target: true },
    ]);
  });

  it('declares the references of the spec', () => {
    const refs = Object.fromEntries(
      FLOW_IDS.map((id) => [
        id,
        FLOWS[id].properties.filter((r) => r.reference).map((r) => `${r.source}->${r.target} via ${r.reference!.flow}`),
      ]),
    );
    expect(refs['zendesk-users-to-powerofficego-employees']).toEqual([
      'organization_id->DepartmentId via zendesk-organizations-to-powerofficego-departments',
    ]);
    expect(refs['zendesk-users-to-crmoffice-contacts']).toEqual([
      'organization_id->company.id via zendesk-organizations-to-crmoffice-companies',
    ]);
    expect(refs['zendesk-tickets-to-crmoffice-activities']).toEqual([
      'requester_id->ownerId via zendesk-users-to-crmoffice-contacts',
    ]);
    const z1Owner = getFlow('zendesk-ticketcomments-to-crmoffice-activities').extras.find(
      (e) => e.target === 'ownerId',
    );
    expect(z1Owner?.reference?.flow).toBe('zendesk-users-to-crmoffice-contacts');
  });

  it('only Z1 is one-way; P1 and Z3b are created on demand', () => {
    const oneWay = FLOW_IDS.filter((id) => FLOWS[id].direction.mode === 'one-way');
    expect(oneWay).toEqual(['zendesk-ticketcomments-to-crmoffice-activities']);
    const onDemand = FLOW_IDS.filter((id) => FLOWS[id].creation.mode === 'on-demand').sort();
    expect(onDemand).toEqual([
      'zendesk-organizations-to-crmoffice-companies',
      'zendesk-organizations-to-powerofficego-departments',
    ]);
  });

  it('match keys: e-mail for P2 and Z3, name for P1 and Z3b, external id for activities', () => {
    const m = (id: string) => {
      const { by, zendesk, target } = getFlow(id).match;
      return [by, zendesk, target];
    };
    expect(m('zendesk-users-to-powerofficego-employees')).toEqual(['email', 'email', 'EmailAddress']);
    expect(m('zendesk-users-to-crmoffice-contacts')).toEqual(['email', 'email', 'email']);
    expect(m('zendesk-organizations-to-powerofficego-departments')).toEqual(['name', 'name', 'Name']);
    expect(m('zendesk-organizations-to-crmoffice-companies')).toEqual(['name', 'name', 'name']);
    expect(m('zendesk-tickets-to-crmoffice-activities')).toEqual(['externalKey', undefined, 'externalId']);
    expect(m('zendesk-ticketcomments-to-crmoffice-activities')).toEqual(['externalKey', undefined, 'externalId']);
  });

  it('every extra is marked beyond the table with a reason', () => {
    for (const id of FLOW_IDS) {
      for (const e of FLOWS[id].extras) {
        expect(e.beyondTable).toBe(true);
        expect(e.why.length).toBeGreaterThan(10);
      }
    }
  });

  it('external keys name the record', () => {
    expect(getFlow('zendesk-users-to-powerofficego-employees').externalKey?.of({ id: 42 })).toBe('zendesk-user-42');
    expect(getFlow('zendesk-tickets-to-crmoffice-activities').externalKey?.of({ id: 7 })).toBe('zendesk:ticket:7');
    expect(getFlow('zendesk-ticketcomments-to-crmoffice-activities').externalKey?.of({ id: '9' })).toBe(
      'zendesk:comment:9',
    );
    expect(() => getFlow('zendesk-users-to-powerofficego-employees').externalKey?.of({})).toThrow(/no id/);
  });

  it('modified-at paths: comments have no updated_at', () => {
    expect(getFlow('zendesk-ticketcomments-to-crmoffice-activities').modifiedAt).toEqual({
      zendesk: 'created_at',
      target: 'updatedAt',
    });
    expect(getFlow('zendesk-users-to-powerofficego-employees').modifiedAt).toEqual({
      zendesk: 'updated_at',
      target: 'LastChangedDateTimeOffset',
    });
  });

  it('getFlow names the valid ids when given a wrong one', () => {
    expect(() => getFlow('zendesk-users-to-hubspot')).toThrow(
      /unknown flow "zendesk-users-to-hubspot".*zendesk-users-to-powerofficego-employees/,
    );
  });
});

describe('conditions', () => {
  const p2 = getFlow('zendesk-users-to-powerofficego-employees');

  it('P2 takes agents and admins by default, not end-users', () => {
    expect(p2.condition.predicate({ role: 'agent' }, DEFAULT_FLOWS_CONFIG)).toBe(true);
    expect(p2.condition.predicate({ role: 'admin' }, DEFAULT_FLOWS_CONFIG)).toBe(true);
    expect(p2.condition.predicate({ role: 'end-user' }, DEFAULT_FLOWS_CONFIG)).toBe(false);
    expect(p2.condition.predicate({}, DEFAULT_FLOWS_CONFIG)).toBe(false);
  });

  it('P2 roles are configurable', () => {
    const config = parseFlowsConfig({ employeeRoles: ['admin'] });
    expect(p2.condition.predicate({ role: 'agent' }, config)).toBe(false);
    expect(p2.condition.predicate({ role: 'admin' }, config)).toBe(true);
  });

  it('the config defaults and rejects bad roles naming the field', () => {
    expect(parseFlowsConfig(undefined).employeeRoles).toEqual(['agent', 'admin']);
    expect(() => parseFlowsConfig({ employeeRoles: ['boss'] })).toThrow(/employeeRoles\.0/);
    expect(() => parseFlowsConfig({ employeeRoles: [] })).toThrow(/employeeRoles/);
    expect(() => parseFlowsConfig({ employeRoles: ['agent'] })).toThrow(/employeRoles/);
  });

  it('Z3 takes every user', () => {
    expect(
      getFlow('zendesk-users-to-crmoffice-contacts').condition.predicate({ role: 'end-user' }, DEFAULT_FLOWS_CONFIG),
    ).toBe(true);
  });
});
