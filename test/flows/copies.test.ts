import { decideMerge, getFlow, laterOf, type ZendeskCopy } from '../../flows';

// Chaos finding: a PowerOffice Go rename at 10:00:00.9, copied into the Zendesk organisation by P1 at
// 10:00:06, must not beat a Crmoffice rename made at 10:00:04 when Z3b compares the two.
const Z3B = getFlow('zendesk-organizations-to-crmoffice-companies');
const base = { 'name->name': 'Old AS' };
const org = { id: 8, name: 'Chaos 3 AS', updated_at: '2024-05-01T10:00:06Z' };
const company = { id: 1020, name: 'Chaos 10 AS', updatedAt: '2024-05-01T10:00:04.193Z' };
const copy: ZendeskCopy = {
  modifiedAt: '2024-05-01T10:00:06Z',
  originAt: '2024-05-01T10:00:00.948Z',
  fields: { name: 'Chaos 3 AS' },
};
const none = () => null;

describe('values Tandem copied into Zendesk count as made when their edits were', () => {
  it('without a note of the copy, the later modification time wins: the copy', () => {
    const plan = decideMerge(Z3B, org, company, base, none);
    expect(plan.toTarget).toEqual({ name: 'Chaos 3 AS' });
    expect(plan.toZendesk).toBeNull();
  });

  it('with it, the later edit wins, and the decision says why', () => {
    const plan = decideMerge(Z3B, org, company, base, none, copy);
    expect(plan.toZendesk).toEqual({ name: 'Chaos 10 AS' });
    expect(plan.toTarget).toBeNull();
    expect(plan.decisions[0]).toMatchObject({ row: '(record)', outcome: 'copy-dated' });
    expect(plan.decisions[0].why).toContain('2024-05-01T10:00:00.948Z');
    // The Zendesk write carries the Crmoffice edit: noted as made at its time.
    expect(plan.copyOriginAt).toBe(company.updatedAt);
  });

  it('a record edited since the copy (a field differs, or another modification time) has its own time', () => {
    for (const edited of [
      { ...org, name: 'Chaos 3 AS (edited)' },
      { ...org, updated_at: '2024-05-01T10:00:07Z' },
    ]) {
      const plan = decideMerge(Z3B, edited, company, base, none, copy);
      expect(plan.toTarget).toEqual({ name: edited.name });
      expect(plan.decisions.some((d) => d.outcome === 'copy-dated')).toBe(false);
    }
  });

  it('fields compare by value, whatever order an API gives object keys in', () => {
    const users = getFlow('zendesk-users-to-crmoffice-contacts');
    const user = {
      id: 1,
      name: 'Ada',
      email: 'ada@example.no',
      updated_at: '2024-05-01T10:00:06Z',
      user_fields: { a: 1, b: [2, { c: 3, d: 4 }] },
    };
    const contact = {
      id: 'c',
      givenName: 'Ada',
      familyName: '',
      email: 'ada@example.no',
      updatedAt: '2024-05-01T10:00:00Z',
    };
    const written: ZendeskCopy = {
      modifiedAt: user.updated_at,
      originAt: '2024-05-01T09:00:00Z',
      fields: { user_fields: { b: [2, { d: 4, c: 3 }], a: 1 } },
    };
    const plan = decideMerge(users, user, contact, null, none, written);
    expect(plan.copyOriginAt).toBe('2024-05-01T10:00:00.000Z');
  });

  it('laterOf takes the later known time', () => {
    expect(laterOf('2024-05-01T10:00:00Z', '2024-05-01T10:00:00.500Z')).toBe('2024-05-01T10:00:00.500Z');
    expect(laterOf('2024-05-01T11:00:00+01:00', '2024-05-01T10:00:00.500Z')).toBe('2024-05-01T10:00:00.500Z');
    expect(laterOf(null, '2024-05-01T10:00:00Z')).toBe('2024-05-01T10:00:00Z');
    expect(laterOf('2024-05-01T10:00:00Z', null)).toBe('2024-05-01T10:00:00Z');
    expect(laterOf(null, null)).toBeNull();
  });
});
