import {
  explainFlow,
  flowForTargetRecord,
  flowsForTarget,
  flowsForZendesk,
  FLOW_IDS,
  FLOWS,
  getFlow,
  matchValue,
  parseFlowsConfig,
  pickMatch,
} from '../../flows';

describe('explainFlow', () => {
  it('P1 shows the table with read-only markers per side, condition, match key and creation rule', () => {
    const text = explainFlow(getFlow('zendesk-organizations-to-powerofficego-departments'));
    const createdLine = text.split('\n').find((l) => l.includes('CreatedDateTimeOffset'));
    expect(createdLine).toMatch(
      /created_at\s*\|\s*↔\s*\|\s*CreatedDateTimeOffset\s*\|\s*string\s*\|\s*read-only in Zendesk; read-only in PowerOffice Go; compared, never written/,
    );
    const nameLine = text.split('\n').find((l) => l.includes('| Name'));
    expect(nameLine).not.toMatch(/read-only/);
    expect(text).toContain('id:        zendesk-organizations-to-powerofficego-departments');
    expect(text).toMatch(/match:.*`name`.*`Name`.*ignoring case/);
    expect(text).toMatch(/creation:\s+on-demand: .*P2 employee/);
  });

  it('Z1 says it is one-way and why, has no table and lists its extras as beyond the table', () => {
    const text = explainFlow(getFlow('zendesk-ticketcomments-to-crmoffice-activities'));
    expect(text).toMatch(/direction: one-way: .*never written back/);
    expect(text).toContain('none listed by the spec');
    for (const target of ['subject', 'description', 'startsAt', 'ownerId', 'externalId']) {
      expect(text).toMatch(new RegExp(`^  ${target} ← .*beyond the table`, 'm'));
    }
    expect(text).toMatch(/ownerId ← .*reference via zendesk-users-to-crmoffice-contacts/);
  });

  it('P2 shows both employee-created rows, the reference and the configured roles', () => {
    const text = explainFlow(
      getFlow('zendesk-users-to-powerofficego-employees'),
      parseFlowsConfig({ employeeRoles: ['admin'] }),
    );
    expect(text).toMatch(/created_at\s*\|\s*↔\s*\|\s*EmployeeCreatedDateTimeOffset/);
    expect(text).toMatch(/created_at\s*\|\s*↔\s*\|\s*employeeCreatedDateTimeOffset/);
    expect(text).toMatch(/DepartmentId .*reference via zendesk-organizations-to-powerofficego-departments/);
    expect(text).toContain('configured employee roles: admin');
    expect(text).toMatch(/condition: users whose `role`/);
  });
});

describe('routing', () => {
  it('routes each Zendesk record kind to the flows it feeds', () => {
    expect(flowsForZendesk('user')).toEqual([
      'zendesk-users-to-crmoffice-contacts',
      'zendesk-users-to-powerofficego-employees',
    ]);
    expect(flowsForZendesk('organization')).toEqual([
      'zendesk-organizations-to-crmoffice-companies',
      'zendesk-organizations-to-powerofficego-departments',
    ]);
    expect(flowsForZendesk('ticket')).toEqual(['zendesk-tickets-to-crmoffice-activities']);
    expect(flowsForZendesk('comment')).toEqual(['zendesk-ticketcomments-to-crmoffice-activities']);
    expect(() => flowsForZendesk('deal' as never)).toThrow(/unknown Zendesk record kind "deal"/);
  });

  it("the reverse table agrees with every flow's own target", () => {
    for (const id of FLOW_IDS) expect(flowsForTarget(FLOWS[id].target.system, FLOWS[id].target.type)).toContain(id);
    expect(() => flowsForTarget('poweroffice', 'contacts')).toThrow(/no flow syncs poweroffice contacts/);
  });

  it('tells Z1 and Z2 activities apart by their externalId', () => {
    expect(flowForTargetRecord('crmoffice', 'activities', { externalId: 'zendesk:ticket:7' })).toBe(
      'zendesk-tickets-to-crmoffice-activities',
    );
    expect(flowForTargetRecord('crmoffice', 'activities', { externalId: 'zendesk:comment:9' })).toBe(
      'zendesk-ticketcomments-to-crmoffice-activities',
    );
    expect(flowForTargetRecord('crmoffice', 'activities', { externalId: 'other' })).toBeNull();
    expect(flowForTargetRecord('poweroffice', 'employees', {})).toBe('zendesk-users-to-powerofficego-employees');
  });

  it("every flow's external keys start with the prefix that tells its records apart", () => {
    const keyed = FLOW_IDS.flatMap((id) => (FLOWS[id].externalKey ? [{ id, key: FLOWS[id].externalKey! }] : []));
    expect(keyed.map(({ id }) => id).sort()).toEqual([
      'zendesk-ticketcomments-to-crmoffice-activities',
      'zendesk-tickets-to-crmoffice-activities',
      'zendesk-users-to-powerofficego-employees',
    ]);
    expect(keyed.map(({ id, key }) => ({ id, starts: key.of({ id: 5 }).startsWith(key.prefix) }))).toEqual(
      keyed.map(({ id }) => ({ id, starts: true })),
    );
  });
});

describe('matching', () => {
  const P1 = getFlow('zendesk-organizations-to-powerofficego-departments');
  const P2 = getFlow('zendesk-users-to-powerofficego-employees');

  it('matches e-mail ignoring case and surrounding space', () => {
    expect(matchValue(P2, { email: ' Kari@Example.NO ' })).toBe('Kari@Example.NO');
    const hit = pickMatch(P2, { email: 'Kari@example.no' }, [
      { Id: 1, EmailAddress: 'other@example.no' },
      { Id: 2, emailAddress: 'KARI@example.no' },
    ]);
    expect(hit).toEqual({ kind: 'one', record: { Id: 2, emailAddress: 'KARI@example.no' } });
  });

  it('two departments of the same name are a conflict, never a guess', () => {
    const many = pickMatch(P1, { name: 'Sales' }, [
      { Id: 1, Name: 'sales' },
      { Id: 2, Name: 'SALES' },
      { Id: 3, Name: 'Salg' },
    ]);
    expect(many).toMatchObject({ kind: 'many', why: expect.stringMatching(/2 departments have Name = "Sales"/) });
  });

  it('no key or no candidate is no match', () => {
    expect(pickMatch(P2, { email: null }, [{ EmailAddress: '' }])).toEqual({ kind: 'none' });
    expect(pickMatch(P1, { name: 'Sales' }, [])).toEqual({ kind: 'none' });
    expect(matchValue(getFlow('zendesk-tickets-to-crmoffice-activities'), { id: 7 })).toBe('zendesk:ticket:7');
  });
});
