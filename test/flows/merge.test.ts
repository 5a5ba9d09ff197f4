import { getFlow, merge, type FlowDefinition, type MergeInput } from '../../flows';

const P1 = getFlow('zendesk-organizations-to-powerofficego-departments');
const P2 = getFlow('zendesk-users-to-powerofficego-employees');
const Z2 = getFlow('zendesk-tickets-to-crmoffice-activities');
const NAME = 'name->Name';
const CREATED = 'created_at->CreatedDateTimeOffset';
const SUBJECT = 'subject->subject';
const OWNER = 'requester_id->ownerId';

const EARLY = '2024-05-01T08:00:00Z';
const LATE = '2024-05-01T09:00:00+00:00';

function run(flow: FlowDefinition, input: Partial<MergeInput>) {
  return merge({
    flow,
    base: null,
    zendesk: {},
    target: {},
    zendeskModifiedAt: EARLY,
    targetModifiedAt: EARLY,
    ...input,
  });
}
const outcome = (r: ReturnType<typeof merge>, row: string) => r.decisions.find((d) => d.row === row)?.outcome;

describe('three-way merge', () => {
  it('equal values at last sync: unchanged, nothing to write', () => {
    const r = run(Z2, {
      base: { [SUBJECT]: 'A', [OWNER]: '1' },
      zendesk: { [SUBJECT]: 'A', [OWNER]: '1' },
      target: { [SUBJECT]: 'A', [OWNER]: '1' },
    });
    expect(r.toTarget).toEqual({});
    expect(r.toZendesk).toEqual({});
    expect(outcome(r, SUBJECT)).toBe('unchanged');
    expect(r.newBase).toEqual({ [SUBJECT]: 'A', [OWNER]: '1' });
  });

  it('changed in Zendesk only: copied to the target', () => {
    const r = run(P1, {
      base: { [NAME]: 'Sales' },
      zendesk: { [NAME]: 'Sales & Marketing' },
      target: { [NAME]: 'Sales' },
      targetModifiedAt: LATE,
    });
    expect(r.toTarget).toEqual({ [NAME]: 'Sales & Marketing' });
    expect(r.toZendesk).toEqual({});
    expect(outcome(r, NAME)).toBe('zendesk-changed');
    expect(r.newBase[NAME]).toBe('Sales & Marketing');
  });

  it('changed in the target only: copied to Zendesk', () => {
    const r = run(P1, { base: { [NAME]: 'Sales' }, zendesk: { [NAME]: 'Sales' }, target: { [NAME]: 'Salg' } });
    expect(r.toZendesk).toEqual({ [NAME]: 'Salg' });
    expect(r.toTarget).toEqual({});
    expect(outcome(r, NAME)).toBe('target-changed');
    expect(r.newBase[NAME]).toBe('Salg');
  });

  it('both changed differently: the later modification wins (target later)', () => {
    const r = run(P1, {
      base: { [NAME]: 'Sales' },
      zendesk: { [NAME]: 'Z' },
      target: { [NAME]: 'T' },
      zendeskModifiedAt: EARLY,
      targetModifiedAt: LATE,
    });
    expect(r.toZendesk).toEqual({ [NAME]: 'T' });
    expect(r.toTarget).toEqual({});
    expect(outcome(r, NAME)).toBe('both-changed-target-wins');
  });

  it('both changed differently: the later modification wins (Zendesk later)', () => {
    const r = run(P1, {
      base: { [NAME]: 'Sales' },
      zendesk: { [NAME]: 'Z' },
      target: { [NAME]: 'T' },
      zendeskModifiedAt: LATE,
      targetModifiedAt: EARLY,
    });
    expect(r.toTarget).toEqual({ [NAME]: 'Z' });
    expect(outcome(r, NAME)).toBe('both-changed-zendesk-wins');
    expect(r.decisions.find((d) => d.row === NAME)?.why).toMatch(/Zendesk was modified later/);
  });

  it('both changed at the same instant (spelled differently): tie goes to Zendesk', () => {
    const r = run(P1, {
      base: { [NAME]: 'Sales' },
      zendesk: { [NAME]: 'Z' },
      target: { [NAME]: 'T' },
      zendeskModifiedAt: '2024-05-01T10:00:00+02:00',
      targetModifiedAt: '2024-05-01T08:00:00.000Z',
    });
    expect(r.toTarget).toEqual({ [NAME]: 'Z' });
    expect(r.toZendesk).toEqual({});
    expect(outcome(r, NAME)).toBe('both-changed-zendesk-wins');
    expect(r.newBase[NAME]).toBe('Z');
  });

  it('both changed within one second (Zendesk in whole seconds, the target in ms): a tie, Zendesk wins, and the next merge writes nothing', () => {
    const base = { [NAME]: 'Sales' };
    // Zendesk's 10:00:00 covers 10:00:00.000–.999; the target's .900 is not later.
    const first = run(P1, {
      base,
      zendesk: { [NAME]: 'Z' },
      target: { [NAME]: 'T' },
      zendeskModifiedAt: '2024-05-01T10:00:00Z',
      targetModifiedAt: '2024-05-01T10:00:00.900Z',
    });
    expect(outcome(first, NAME)).toBe('both-changed-zendesk-wins');
    expect(first.decisions.find((d) => d.row === NAME)?.why).toMatch(/same second.*Zendesk wins/);
    expect(first.toTarget).toEqual({ [NAME]: 'Z' });
    expect(first.toZendesk).toEqual({});
    // After the write both sides hold Z, the target with a later time: nothing to do, no write back.
    const second = run(P1, {
      base: first.newBase,
      zendesk: { [NAME]: 'Z' },
      target: { [NAME]: 'Z' },
      zendeskModifiedAt: '2024-05-01T10:00:00Z',
      targetModifiedAt: '2024-05-01T10:00:01.200Z',
    });
    expect(outcome(second, NAME)).toBe('unchanged');
    expect(second.toTarget).toEqual({});
    expect(second.toZendesk).toEqual({});
    // One second later on the target is later: the target wins.
    const later = run(P1, {
      base,
      zendesk: { [NAME]: 'Z' },
      target: { [NAME]: 'T' },
      zendeskModifiedAt: '2024-05-01T10:00:00Z',
      targetModifiedAt: '2024-05-01T10:00:01.000Z',
    });
    expect(outcome(later, NAME)).toBe('both-changed-target-wins');
    expect(later.toZendesk).toEqual({ [NAME]: 'T' });
  });

  it('both changed to the same value: nothing to write, base moves', () => {
    const r = run(P1, { base: { [NAME]: 'Sales' }, zendesk: { [NAME]: 'Salg' }, target: { [NAME]: 'Salg' } });
    expect(r.toTarget).toEqual({});
    expect(r.toZendesk).toEqual({});
    expect(outcome(r, NAME)).toBe('both-changed-same-value');
    expect(r.newBase[NAME]).toBe('Salg');
  });

  it('a deliberate clear propagates', () => {
    const r = run(Z2, {
      base: { [SUBJECT]: 'Old', [OWNER]: '1' },
      zendesk: { [SUBJECT]: 'Old', [OWNER]: '1' },
      target: { [SUBJECT]: null, [OWNER]: '1' },
    });
    expect(r.toZendesk).toEqual({ [SUBJECT]: null });
    expect(outcome(r, SUBJECT)).toBe('target-changed');
    expect(r.newBase[SUBJECT]).toBeNull();
  });

  it('first match, values differ: Zendesk wins', () => {
    const r = run(P1, { zendesk: { [NAME]: 'Acme AS' }, target: { [NAME]: 'ACME' }, targetModifiedAt: LATE });
    expect(r.toTarget).toEqual({ [NAME]: 'Acme AS' });
    expect(outcome(r, NAME)).toBe('first-match-zendesk-wins');
  });

  it('first match: an empty target is filled from Zendesk', () => {
    const r = run(Z2, { zendesk: { [SUBJECT]: 'Hello', [OWNER]: '1' }, target: { [SUBJECT]: null, [OWNER]: '1' } });
    expect(r.toTarget).toEqual({ [SUBJECT]: 'Hello' });
    expect(outcome(r, SUBJECT)).toBe('first-match-fill-target');
  });

  it('first match: an empty Zendesk value never overwrites a filled target; Zendesk is filled instead', () => {
    const r = run(P2, {
      zendesk: { 'organization_id->DepartmentId': null },
      target: { 'organization_id->DepartmentId': '9001' },
    });
    expect(r.toTarget).toEqual({});
    expect(r.toZendesk).toEqual({ 'organization_id->DepartmentId': '9001' });
    expect(outcome(r, 'organization_id->DepartmentId')).toBe('first-match-fill-zendesk');
    expect(r.newBase['organization_id->DepartmentId']).toBe('9001');
  });

  it('read-only rows are compared but never written on the read-only side', () => {
    const r = run(P1, {
      base: { [CREATED]: '2023-01-01T00:00:00.000Z', [NAME]: 'A' },
      zendesk: { [CREATED]: '2023-01-01T00:00:00.000Z', [NAME]: 'A' },
      target: { [CREATED]: '2024-02-02T00:00:00.000Z', [NAME]: 'A' },
    });
    expect(r.toTarget).toEqual({});
    expect(r.toZendesk).toEqual({});
    expect(outcome(r, CREATED)).toBe('read-only-skipped');
    expect(r.decisions.find((d) => d.row === CREATED)?.why).toMatch(/read-only on both sides/);
  });

  it("a write to a side where the row is read-only is skipped, and the base keeps that side's value", () => {
    const flow: FlowDefinition = {
      ...P1,
      properties: [{ source: 'name', target: 'Name', dataType: 'string', kind: 'text', readOnly: { zendesk: true } }],
    };
    const r = run(flow, { base: { [NAME]: 'A' }, zendesk: { [NAME]: 'A' }, target: { [NAME]: 'B' } });
    expect(r.toZendesk).toEqual({});
    expect(outcome(r, NAME)).toBe('read-only-skipped');
    expect(r.newBase[NAME]).toBe('A');
    // The next sync with the same values decides the same: no flapping writes to the target.
    const again = run(flow, { base: r.newBase, zendesk: { [NAME]: 'A' }, target: { [NAME]: 'B' } });
    expect(again.toTarget).toEqual({});
  });

  it('an echo of our own write merges to nothing', () => {
    const first = run(P1, { base: { [NAME]: 'Sales' }, zendesk: { [NAME]: 'Salg' }, target: { [NAME]: 'Sales' } });
    expect(first.toTarget).toEqual({ [NAME]: 'Salg' });
    // The target now reports our write back, with a newer modification time.
    const echo = run(P1, {
      base: first.newBase,
      zendesk: { [NAME]: 'Salg' },
      target: { [NAME]: 'Salg' },
      targetModifiedAt: LATE,
    });
    expect(echo.toTarget).toEqual({});
    expect(echo.toZendesk).toEqual({});
    expect(echo.decisions.every((d) => d.outcome === 'unchanged' || d.outcome === 'read-only-skipped')).toBe(true);
  });

  it('a one-way flow never writes to Zendesk', () => {
    const oneWay: FlowDefinition = { ...P1, direction: { mode: 'one-way', description: 'test' } };
    const r = run(oneWay, { base: { [NAME]: 'A' }, zendesk: { [NAME]: 'A' }, target: { [NAME]: 'B' } });
    expect(r.toZendesk).toEqual({});
    expect(outcome(r, NAME)).toBe('read-only-skipped');
    expect(r.decisions.find((d) => d.row === NAME)?.why).toMatch(/one-way/);
  });

  it('an unresolved reference is neither compared nor written', () => {
    const r = run(P2, {
      base: { 'organization_id->DepartmentId': '9001' },
      zendesk: { 'organization_id->DepartmentId': '9001' },
      target: { 'organization_id->DepartmentId': null },
      unresolved: { target: ['organization_id->DepartmentId'] },
    });
    expect(r.toZendesk).toEqual({});
    expect(outcome(r, 'organization_id->DepartmentId')).toBe('reference-unresolved-skipped');
    expect(r.newBase['organization_id->DepartmentId']).toBe('9001');
  });
});
