/**
 * The invariants of a chaos run, checked on the systems' records and the link store after the drain:
 * no duplicates, every linked pair equal on every synced property, no pair failed, in conflict or
 * stuck, and no system's rate limit exceeded. (Edits are classified in accounting.ts.)
 */
import type { SimulatorStats } from '../../simulators/kit';
import {
  getFlow,
  rowKey,
  toCanonical,
  translateCanonical,
  type ApiRecord,
  type FlowDefinition,
  type FlowId,
  type Translate,
} from '../../flows';
import { CHAOS_FLOWS, syncedRows } from './flows';
import type { LinkIndex } from './links';
import type { Snapshot } from './snapshot';

export interface Finding {
  check: 'duplicates' | 'pairs equal' | 'stuck pairs' | 'rate limits';
  /**
   * Which way the check failed: `unequal` or `record gone` (pairs equal); `failed`, `conflict`,
   * `orphaned with no last_error`, `pending`, `retrying` (stuck pairs); `429 over the limit`,
   * `peak over the limit` (rate limits).
   */
  how: string;
  detail: string;
}

export function translateWith(links: LinkIndex): Translate {
  return (flow, from, id) => (from === 'target' ? links.zendesk(flow, id) : links.target(flow, id)) ?? null;
}

function zendeskRecord(s: Snapshot, flow: FlowDefinition, id: string): ApiRecord | undefined {
  return (flow.source.type === 'users' ? s.users : s.orgs).get(id);
}

export function targetRecord(s: Snapshot, flow: FlowDefinition, id: string): ApiRecord | undefined {
  return s.targets[flow.target.type as keyof Snapshot['targets']].get(id);
}

/** Values sharing a key (lower-cased), beyond what is allowed per key. */
function repeated(
  values: (string | null | undefined)[],
  allowed: (key: string) => number = () => 1,
): [string, number][] {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v.trim().toLowerCase(), (counts.get(v.trim().toLowerCase()) ?? 0) + 1);
  return [...counts].filter(([k, n]) => n > Math.max(1, allowed(k)));
}

export function duplicates(s: Snapshot): Finding[] {
  const out: Finding[] = [];
  const add = (what: string, found: [string, number][]) =>
    found.forEach(([k, n]) => out.push({ check: 'duplicates', how: 'duplicate', detail: `${n} ${what} "${k}"` }));
  const list = (m: Map<string, ApiRecord>, key: string) => [...m.values()].map((r) => r[key] as string | null);
  add('Zendesk users with the e-mail', repeated(list(s.users, 'email')));
  add('PowerOffice Go employees with the e-mail', repeated(list(s.targets.employees, 'EmailAddress')));
  add(
    'PowerOffice Go employees with the external reference',
    repeated(list(s.targets.employees, 'ExternalImportReference')),
  );
  add('Crmoffice contacts with the e-mail', repeated(list(s.targets.contacts, 'email')));
  // Organisations may share a name in Zendesk (the sample data has some): as many departments or companies are fine.
  const orgNames = new Map<string, number>();
  for (const n of list(s.orgs, 'name'))
    if (n) orgNames.set(n.trim().toLowerCase(), (orgNames.get(n.trim().toLowerCase()) ?? 0) + 1);
  add(
    'PowerOffice Go departments named',
    repeated(list(s.targets.departments, 'Name'), (k) => orgNames.get(k) ?? 1),
  );
  add(
    'Crmoffice companies named',
    repeated(list(s.targets.companies, 'name'), (k) => orgNames.get(k) ?? 1),
  );
  for (const flow of CHAOS_FLOWS) {
    const targets = (s.links.all.get(flow) ?? []).map((l) => l.targetId);
    add(`links of ${getFlow(flow).code} to the target`, repeated(targets));
  }
  return out;
}

/** Every linked pair: both records exist and hold the same value on every synced row. */
export function pairsEqual(s: Snapshot): { checked: number; findings: Finding[] } {
  const findings: Finding[] = [];
  const translate = translateWith(s.links);
  let checked = 0;
  for (const flowId of CHAOS_FLOWS) {
    const flow = getFlow(flowId);
    for (const link of s.links.all.get(flowId) ?? []) {
      if (link.state !== 'linked' || link.targetId === null) continue;
      checked += 1;
      const label = `${flow.code} ${link.zendeskId} ↔ ${link.targetId}`;
      const z = zendeskRecord(s, flow, link.zendeskId);
      const t = targetRecord(s, flow, link.targetId);
      if (!z || !t) {
        findings.push({
          check: 'pairs equal',
          how: 'record gone',
          detail: `${label}: linked, but the ${!z ? 'Zendesk' : flow.target.type} record is gone`,
        });
        continue;
      }
      try {
        const zValues = toCanonical(flow, 'zendesk', z);
        const { values: tValues } = translateCanonical(flow, 'target', toCanonical(flow, 'target', t), translate);
        for (const row of syncedRows(flow)) {
          const key = rowKey(row);
          if (zValues[key] !== tValues[key])
            findings.push({
              check: 'pairs equal',
              how: 'unequal',
              detail: `${label}: ${row.source} ${JSON.stringify(zValues[key])} ≠ ${row.target} ${JSON.stringify(tValues[key])}`,
            });
        }
      } catch (err) {
        findings.push({ check: 'pairs equal', how: 'unreadable', detail: `${label}: ${(err as Error).message}` });
      }
    }
  }
  return { checked, findings };
}

/**
 * Pairs not synced after the drain: failed or conflict (the sample data holds nothing that cannot be
 * synced, so either is a fault, reason or not), orphaned without last_error, pending, or still retrying.
 */
export function stuckPairs(s: Snapshot, flows: readonly FlowId[] = CHAOS_FLOWS): Finding[] {
  const out: Finding[] = [];
  for (const flow of flows) {
    for (const link of s.links.all.get(flow) ?? []) {
      const label = `${getFlow(flow).code} ${link.zendeskId}`;
      if (link.state === 'pending')
        out.push({ check: 'stuck pairs', how: 'pending', detail: `${label}: pending after the drain` });
      else if (link.state === 'failed' || link.state === 'conflict')
        out.push({
          check: 'stuck pairs',
          how: link.state,
          detail: `${label}: ${link.state} after the drain (${link.lastError ?? 'no last_error'})`,
        });
      else if (link.state !== 'linked' && !link.lastError)
        out.push({
          check: 'stuck pairs',
          how: `${link.state} with no last_error`,
          detail: `${label}: ${link.state} with no last_error`,
        });
    }
  }
  for (const r of s.retrying)
    out.push({
      check: 'stuck pairs',
      how: 'retrying',
      detail: `${getFlow(r.flowId).code} ${r.zendeskId}: retrying since ${r.since} after the drain (${r.lastError})`,
    });
  return out;
}

export type LimitStats = Pick<SimulatorStats, 'rateLimited' | 'peakPerSecond' | 'peakPerWindow' | 'rateLimit'>;

/**
 * Each system's limit held: no 429 for exceeding it (none is allowed: a limit held by the task queues
 * leaves no room for one), and the most requests sent in any interval of the limit's window, refused
 * ones included, within the limit.
 */
export function rateLimits(simulators: Record<string, LimitStats>): Finding[] {
  const out: Finding[] = [];
  for (const [system, s] of Object.entries(simulators)) {
    if (s.rateLimited > 0)
      out.push({
        check: 'rate limits',
        how: '429 over the limit',
        detail: `${system}: ${s.rateLimited} answers 429 for exceeding a published limit`,
      });
    if (s.rateLimit && s.peakPerWindow > s.rateLimit.limit) {
      out.push({
        check: 'rate limits',
        how: 'peak over the limit',
        detail: `${system}: ${s.peakPerWindow} requests within ${s.rateLimit.windowMs} ms, over its limit of ${s.rateLimit.limit} (peak in one second ${s.peakPerSecond})`,
      });
    }
  }
  return out;
}
