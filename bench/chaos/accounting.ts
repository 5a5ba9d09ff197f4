/**
 * Every edit accounted for: the last edit of a property (across the three systems) must hold on every
 * side where that property is synced; earlier ones are superseded by it (later wins). A deletion
 * must leave the pair orphaned and the other side's record in place (Tandem never deletes).
 */
import { getFlow, normalizeId, normalizeText, type FlowId } from '../../flows';
import { P1, P2, Z3, Z3B } from './flows';
import { targetRecord, translateWith } from './checks';
import type { Edit } from './edits';
import type { Snapshot } from './snapshot';

type Verdict = 'arrived' | 'superseded' | 'lost';

export interface Accounted {
  edit: Edit;
  verdict: Verdict;
  /** For superseded: the edit that replaced it; for lost: what each side holds instead. */
  why: string;
}

const idOf = (group: string) => group.slice(group.indexOf(':') + 1);

/** Where a property lives, side by side: `place → value` in Zendesk's terms. */
function places(s: Snapshot, edit: Edit): Record<string, string | null> {
  const id = idOf(edit.group);
  const translate = translateWith(s.links);
  const out: Record<string, string | null> = {};
  const linkedTarget = (flow: FlowId) => {
    const targetId = s.links.target(flow, id);
    return targetId ? { targetId, record: targetRecord(s, getFlow(flow), targetId) } : undefined;
  };
  if (edit.property === 'name') {
    out['zendesk organization'] = normalizeText(s.orgs.get(id)?.name);
    const dept = linkedTarget(P1);
    if (dept) out[`poweroffice department ${dept.targetId}`] = normalizeText(dept.record?.Name);
    const company = linkedTarget(Z3B);
    if (company) out[`crmoffice company ${company.targetId}`] = normalizeText(company.record?.name);
    return out;
  }
  const user = s.users.get(id);
  out['zendesk user'] = user ? normalizeId(user.organization_id) : 'gone';
  const ref = (flow: FlowId, value: unknown) => {
    const v = normalizeId(value);
    return v === null ? null : (translate(flow, 'target', v) ?? `unlinked ${v}`);
  };
  const employee = linkedTarget(P2);
  if (employee)
    out[`poweroffice employee ${employee.targetId}`] = employee.record ? ref(P1, employee.record.DepartmentId) : 'gone';
  const contact = linkedTarget(Z3);
  if (contact)
    out[`crmoffice contact ${contact.targetId}`] = contact.record
      ? ref(Z3B, (contact.record.company as { id?: unknown } | null)?.id)
      : 'gone';
  return out;
}

/** Did this edit, the last of its property, take effect everywhere? Empty when it did, else what was found. */
function missing(s: Snapshot, edit: Edit): string {
  const id = idOf(edit.group);
  if (edit.property === 'name' || edit.property === 'organization') {
    const found = places(s, edit);
    const wrong = Object.entries(found).filter(([, v]) => v !== edit.value);
    return wrong.map(([place, v]) => `${place} holds ${JSON.stringify(v)}`).join('; ');
  }
  const p2 = s.links.all.get(P2)?.find((l) => l.zendeskId === id);
  const z3 = s.links.all.get(Z3)?.find((l) => l.zendeskId === id);
  const exists = (flow: FlowId, targetId: string | null | undefined) =>
    !!targetId && !!targetRecord(s, getFlow(flow), targetId);
  if (edit.property === 'role') {
    const user = s.users.get(id);
    if (user?.role !== edit.value) return `zendesk user has role ${String(user?.role)}`;
    if (edit.value === 'agent' && !(p2?.state === 'linked' && exists(P2, p2.targetId)))
      return `no linked employee (P2 link ${p2 ? p2.state : 'absent'})`;
    if (edit.value !== 'agent' && p2 && !(p2.state === 'linked' && exists(P2, p2.targetId)))
      return `the employee's pair is ${p2.state}, its record ${exists(P2, p2.targetId) ? 'exists' : 'is gone'}`;
    return '';
  }
  // A deletion: the pair is orphaned, nothing is deleted on the other side.
  if (edit.system === 'zendesk') {
    const problems = [];
    if (s.users.has(id)) problems.push('the Zendesk user is still active');
    for (const [flow, link] of [
      [P2, p2],
      [Z3, z3],
    ] as const) {
      if (!link?.targetId) continue;
      if (link.state !== 'orphaned') problems.push(`${getFlow(flow).code} pair is ${link.state}`);
      if (!exists(flow, link.targetId)) problems.push(`${getFlow(flow).code} target ${link.targetId} was deleted`);
    }
    return problems.join('; ');
  }
  const problems = [];
  if (p2?.state !== 'orphaned') problems.push(`P2 pair is ${p2?.state ?? 'absent'}`);
  if (!s.users.has(id)) problems.push('the Zendesk user was deleted');
  return problems.join('; ');
}

export function accountEdits(s: Snapshot, log: readonly Edit[]): Accounted[] {
  const byProperty = new Map<string, Edit[]>();
  for (const e of log)
    byProperty.set(`${e.group}/${e.property}`, [...(byProperty.get(`${e.group}/${e.property}`) ?? []), e]);
  const out: Accounted[] = [];
  for (const edits of byProperty.values()) {
    edits.sort((a, b) => a.at - b.at);
    edits.forEach((edit, i) => {
      const later = edits[i + 1];
      if (later)
        return out.push({ edit, verdict: 'superseded', why: `by edit ${later.n} (${later.system}, ${later.record})` });
      const problem = missing(s, edit);
      out.push({ edit, verdict: problem ? 'lost' : 'arrived', why: problem });
    });
  }
  return out.sort((a, b) => a.edit.n - b.edit.n);
}
