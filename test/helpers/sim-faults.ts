/** What the fault scenarios share: switching a simulator's faults, reading whole lists, checking a create linked once. */
import type { Link } from '../../store';

/** The creates of each target system, by route: where the create-fault scenarios strike. */
export const TARGET_CREATES = {
  poweroffice: ['POST /v2/Departments', 'POST /v2/Employees'],
  crmoffice: ['POST /api/v1/companies', 'POST /api/v1/contacts', 'POST /api/v1/activities'],
};

/** Sets a simulator's faults (`POST /_sim/faults`, simulators/kit.ts); `{}` switches them off. */
export async function setSimFaults(url: string, faults: object): Promise<void> {
  const res = await fetch(`${url}/_sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (!res.ok) throw new Error(`${url}/_sim/faults answered ${res.status}`);
}

/** Every page of a paged list. */
export async function allPages<T>(list: (page: number) => Promise<{ items: T[]; hasMore: boolean }>): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; ; page++) {
    const r = await list(page);
    out.push(...r.items);
    if (!r.hasMore) return out;
  }
}

/** Exactly one target record was found, and the pair is linked to it. */
export function expectLinked(link: Link | undefined, targetIds: string[]): void {
  expect(targetIds).toHaveLength(1);
  expect({ state: link?.state, targetId: link?.targetId }).toEqual({ state: 'linked', targetId: targetIds[0] });
}
