import {
  createBody,
  getFlow,
  MappingError,
  modifiedAt,
  recordId,
  toCanonical,
  translateCanonical,
  writeBody,
  type FlowId,
  type Side,
  type Translate,
} from '../../flows';

const P1 = getFlow('zendesk-organizations-to-powerofficego-departments');
const P2 = getFlow('zendesk-users-to-powerofficego-employees');
const Z1 = getFlow('zendesk-ticketcomments-to-crmoffice-activities');
const Z2 = getFlow('zendesk-tickets-to-crmoffice-activities');
const Z3 = getFlow('zendesk-users-to-crmoffice-contacts');
const Z3B = getFlow('zendesk-organizations-to-crmoffice-companies');

/** A translate over a small link table: `<flow>|<zendesk id>` → target id. */
function linksOf(pairs: Record<string, string>): Translate {
  return (flow: FlowId, from: Side, id: string) => {
    if (from === 'zendesk') return pairs[`${flow}|${id}`] ?? null;
    const hit = Object.entries(pairs).find(([k, v]) => k.startsWith(`${flow}|`) && v === id);
    return hit ? hit[0].split('|')[1] : null;
  };
}
const none: Translate = () => null;

const agent = {
  id: 381,
  name: 'Kari Nordmann',
  email: 'kari@example.no',
  role: 'agent',
  organization_id: 9001,
  phone: '+47 912 34 567',
  created_at: '2024-03-01T10:00:00Z',
  updated_at: '2024-05-01T08:30:00Z',
};
const employee = {
  Id: 55,
  FirstName: 'Kari',
  LastName: 'Nordmann',
  EmailAddress: 'kari@example.no',
  DepartmentId: 7,
  EmployeeCreatedDateTimeOffset: '2024-03-01T11:00:00+01:00',
  LastChangedDateTimeOffset: '2024-05-02T10:00:00.1234567+02:00',
};

describe('toCanonical', () => {
  it('maps both sides of P2 into the same normal form, both employee-created rows resolving to the one field', () => {
    const z = toCanonical(P2, 'zendesk', agent);
    const t = toCanonical(P2, 'target', employee);
    expect(z).toEqual({
      'created_at->EmployeeCreatedDateTimeOffset': '2024-03-01T10:00:00.000Z',
      'created_at->employeeCreatedDateTimeOffset': '2024-03-01T10:00:00.000Z',
      'organization_id->DepartmentId': '9001',
    });
    expect(t['created_at->EmployeeCreatedDateTimeOffset']).toBe(z['created_at->EmployeeCreatedDateTimeOffset']);
    expect(t['created_at->employeeCreatedDateTimeOffset']).toBe(z['created_at->employeeCreatedDateTimeOffset']);
    expect(t['organization_id->DepartmentId']).toBe('7');
  });

  it('reads nested target paths', () => {
    expect(toCanonical(Z3, 'target', { id: 'k-1', company: { id: 'co-3' } })).toEqual({
      'organization_id->company.id': 'co-3',
    });
    expect(toCanonical(Z3, 'target', { id: 'k-1', company: null })).toEqual({ 'organization_id->company.id': null });
  });

  it('throws a MappingError naming flow, record and field for an unreadable value', () => {
    expect(() => toCanonical(P1, 'zendesk', { id: 4, name: 'Acme', created_at: 'soon' })).toThrow(MappingError);
    expect(() => toCanonical(P1, 'zendesk', { id: 4, name: 'Acme', created_at: 'soon' })).toThrow(
      /zendesk organization 4: field `created_at`: .*"soon"/,
    );
  });

  it('reads ids and modification times per side', () => {
    expect(recordId(P2, 'target', employee)).toBe('55');
    expect(recordId(Z3, 'target', { id: 'k-1' })).toBe('k-1');
    expect(modifiedAt(P2, 'target', employee)).toBe('2024-05-02T08:00:00.123Z');
    expect(modifiedAt(Z1, 'zendesk', { id: 1, created_at: '2024-01-01T00:00:00Z' })).toBe('2024-01-01T00:00:00.000Z');
  });
});

describe('translateCanonical', () => {
  it('translates target reference ids to Zendesk ids and lists the unlinked', () => {
    const translate = linksOf({ 'zendesk-organizations-to-powerofficego-departments|9001': '7' });
    const t = toCanonical(P2, 'target', employee);
    expect(translateCanonical(P2, 'target', t, translate).values['organization_id->DepartmentId']).toBe('9001');
    const other = translateCanonical(P2, 'target', { ...t, 'organization_id->DepartmentId': '8' }, translate);
    expect(other.values['organization_id->DepartmentId']).toBeNull();
    expect(other.unresolved).toEqual(['organization_id->DepartmentId']);
  });
});

describe('writeBody', () => {
  it('writes only the given rows, skips read-only ones, and uses PowerOffice casing and number ids', () => {
    const body = writeBody(P2, 'target', {
      'created_at->EmployeeCreatedDateTimeOffset': '2024-01-01T00:00:00.000Z',
      'organization_id->DepartmentId': '12',
    });
    expect(body).toEqual({ DepartmentId: 12 });
    expect(writeBody(P1, 'target', { 'name->Name': 'Sales' })).toEqual({ Name: 'Sales' });
    expect(
      writeBody(P1, 'zendesk', {
        'name->Name': 'Sales',
        'created_at->CreatedDateTimeOffset': '2024-01-01T00:00:00.000Z',
      }),
    ).toEqual({ name: 'Sales' });
  });

  it('builds nested paths and translates references when given translate', () => {
    const translate = linksOf({ 'zendesk-organizations-to-crmoffice-companies|9001': 'co-3' });
    expect(writeBody(Z3, 'target', { 'organization_id->company.id': '9001' }, translate)).toEqual({
      company: { id: 'co-3' },
    });
    expect(writeBody(Z3, 'zendesk', { 'organization_id->company.id': 'co-3' }, translate)).toEqual({
      organization_id: 9001,
    });
  });

  it('Z3: a cleared company is written as Crmoffice takes it, `company: null`, not `{ id: null }`', () => {
    expect(writeBody(Z3, 'target', { 'organization_id->company.id': null }, none)).toEqual({ company: null });
    const translate = linksOf({ 'zendesk-organizations-to-crmoffice-companies|9001': 'co-3' });
    expect(writeBody(Z3, 'target', { 'organization_id->company.id': '9001' }, translate)).toEqual({
      company: { id: 'co-3' },
    });
    // PowerOffice Go takes an empty DepartmentId as null at the field itself.
    expect(writeBody(P2, 'target', { 'organization_id->DepartmentId': null }, none)).toEqual({ DepartmentId: null });
  });

  it('refuses an unknown row and an unlinked reference with clear errors', () => {
    expect(() => writeBody(P1, 'target', { 'nme->Name': 'x' })).toThrow(/"nme->Name" is not a row.*name->Name/);
    expect(() => writeBody(Z3, 'target', { 'organization_id->company.id': '404' }, none)).toThrow(
      /404 has no link in flow zendesk-organizations-to-crmoffice-companies/,
    );
  });
});

describe('createBody', () => {
  it('P2: an employee from an agent, department through P1, read-only created rows left out', () => {
    const translate = linksOf({ 'zendesk-organizations-to-powerofficego-departments|9001': '7' });
    const { body, problems } = createBody(P2, agent, translate);
    expect(problems).toEqual([]);
    expect(body).toEqual({
      DepartmentId: 7,
      FirstName: 'Kari',
      LastName: 'Nordmann',
      EmailAddress: 'kari@example.no',
      ExternalImportReference: 'zendesk-user-381',
    });
  });

  it('P2: a single-word name fills both FirstName and LastName (both required), kept as written', () => {
    const single = createBody(P2, { ...agent, organization_id: null, name: ' Cher ' }, none);
    expect(single).toEqual({
      body: {
        FirstName: 'Cher',
        LastName: 'Cher',
        EmailAddress: 'kari@example.no',
        ExternalImportReference: 'zendesk-user-381',
      },
      problems: [],
    });
    expect(createBody(P2, { ...agent, organization_id: null, name: 'Åsa-Lill Øvergård' }, none).body).toMatchObject({
      FirstName: 'Åsa-Lill',
      LastName: 'Øvergård',
    });
  });

  it('P2: an empty name, or a bad e-mail, is a problem naming the user, not a throw', () => {
    const empty = createBody(P2, { ...agent, organization_id: null, name: '  ' }, none);
    expect(empty.problems).toEqual(['zendesk user 381: `name` is empty, cannot make FirstName/LastName']);
    const badMail = createBody(P2, { ...agent, organization_id: null, email: 'kari(at)example.no' }, none);
    expect(badMail.problems).toEqual(['zendesk user 381: `email` "kari(at)example.no" is not a valid e-mail address']);
  });

  it('P2: an organisation without a department is a problem (sync it first)', () => {
    const { problems } = createBody(P2, agent, none);
    expect(problems).toEqual([
      expect.stringMatching(
        /`organization_id` 9001 has no linked record in flow zendesk-organizations-to-powerofficego-departments/,
      ),
    ]);
  });

  it('P1 and Z3b: a department and a company from an organisation', () => {
    const org = { id: 9001, name: ' Acme AS ', created_at: '2023-01-01T00:00:00Z', updated_at: '2024-01-01T00:00:00Z' };
    expect(createBody(P1, org, none)).toEqual({ body: { Name: 'Acme AS' }, problems: [] });
    expect(createBody(Z3B, org, none)).toEqual({ body: { name: 'Acme AS' }, problems: [] });
  });

  it('Z3: a contact with split names, e-mail, phone and company', () => {
    const translate = linksOf({ 'zendesk-organizations-to-crmoffice-companies|9001': 'co-3' });
    const user = { ...agent, name: 'Ola Jakob Nordmann' };
    expect(createBody(Z3, user, translate)).toEqual({
      body: {
        company: { id: 'co-3' },
        givenName: 'Ola Jakob',
        familyName: 'Nordmann',
        email: 'kari@example.no',
        mobilePhone: '+47 912 34 567',
      },
      problems: [],
    });
    // A contact may have a one-word name and no e-mail or organisation.
    expect(createBody(Z3, { id: 5, name: 'Cher' }, none)).toEqual({ body: { givenName: 'Cher' }, problems: [] });
  });

  it("Z2: an activity from a ticket, owner through the requester's contact", () => {
    const translate = linksOf({ 'zendesk-users-to-crmoffice-contacts|381': 'k-1' });
    const ticket = {
      id: 77,
      subject: 'Printer on fire',
      description: 'Help',
      requester_id: 381,
      organization_id: 9001,
      created_at: '2024-05-01T09:00:00+02:00',
      updated_at: '2024-05-01T09:00:00Z',
    };
    expect(createBody(Z2, ticket, translate)).toEqual({
      body: {
        ownerId: 'k-1',
        subject: 'Printer on fire',
        startsAt: '2024-05-01T07:00:00.000Z',
        description: 'Help',
        externalId: 'zendesk:ticket:77',
      },
      problems: [],
    });
  });

  it('Z1: an activity from a comment, subject from the ticket given as context', () => {
    const translate = linksOf({ 'zendesk-users-to-crmoffice-contacts|381': 'k-1' });
    const comment = {
      id: 5001,
      author_id: 381,
      body: '<p>Hi</p>',
      plain_body: 'Hi',
      public: true,
      created_at: '2024-05-01T10:00:00Z',
    };
    const ticket = { id: 77, subject: 'Printer on fire' };
    expect(createBody(Z1, comment, translate, { ticket })).toEqual({
      body: {
        subject: 'Comment on #77: Printer on fire',
        description: 'Hi',
        startsAt: '2024-05-01T10:00:00.000Z',
        ownerId: 'k-1',
        externalId: 'zendesk:comment:5001',
      },
      problems: [],
    });
    const withoutBody = createBody(Z1, { ...comment, plain_body: '' }, translate, { ticket });
    expect(withoutBody.body.description).toBe('<p>Hi</p>');
  });

  it('Z1: no ticket context and an unlinked author are problems', () => {
    const { problems } = createBody(
      Z1,
      { id: 5001, author_id: 12, plain_body: 'x', created_at: '2024-05-01T10:00:00Z' },
      none,
    );
    expect(problems).toEqual([
      'zendesk comment 5001: the ticket of the comment is needed to make the subject, none was given',
      expect.stringMatching(/^zendesk comment 5001: author 12 has no linked Crmoffice contact/),
    ]);
  });
});
