/**
 * Finding an existing target record for a Zendesk record before creating one, by the flow's
 * match key. Exactly one candidate is a match; two or more is a conflict to report, never a guess.
 */
import { pathOptions } from './mapping';
import { normalizeText } from './normalize';
import { getPath } from './paths';
import type { ApiRecord, FlowDefinition } from './types';

/**
 * The value to search the target by, trimmed but in its own casing (a search API may compare
 * exactly); null when the record has none (then: create). pickMatch compares ignoring case.
 */
export function matchValue(flow: FlowDefinition, zendeskRecord: ApiRecord): string | null {
  const rule = flow.match;
  let value: string | null;
  if (rule.by === 'externalKey') {
    if (!flow.externalKey) throw new Error(`${flow.id}: matches by external key but defines none`);
    value = flow.externalKey.of(zendeskRecord);
  } else {
    if (!rule.zendesk) throw new Error(`${flow.id}: match rule names no Zendesk field`);
    const raw = getPath(zendeskRecord, rule.zendesk);
    value = typeof raw === 'string' || typeof raw === 'number' ? normalizeText(raw) : null;
  }
  return value;
}

function comparable(flow: FlowDefinition, value: string): string {
  return flow.match.caseInsensitive ? value.toLowerCase() : value;
}

/** A target record's match value as the comparison sees it (the index's key); null when it has none. */
export function targetMatchKey(flow: FlowDefinition, targetRecord: ApiRecord): string | null {
  const raw = getPath(targetRecord, flow.match.target, pathOptions(flow, 'target'));
  const v = typeof raw === 'string' || typeof raw === 'number' ? normalizeText(raw) : null;
  return v === null ? null : comparable(flow, v);
}

/** A Zendesk match value (matchValue's) as the comparison sees it. */
export function matchKeyOf(flow: FlowDefinition, value: string): string {
  return comparable(flow, value);
}

export type MatchOutcome =
  { kind: 'none' } | { kind: 'one'; record: ApiRecord } | { kind: 'many'; records: ApiRecord[]; why: string };

/** Picks the candidates (e.g. a search answer) that really match the record by the flow's key. */
export function pickMatch(
  flow: FlowDefinition,
  zendeskRecord: ApiRecord,
  candidates: readonly ApiRecord[],
): MatchOutcome {
  const key = matchValue(flow, zendeskRecord);
  if (key === null) return { kind: 'none' };
  const wanted = comparable(flow, key);
  const found = candidates.filter((c) => targetMatchKey(flow, c) === wanted);
  if (found.length === 0) return { kind: 'none' };
  if (found.length === 1) return { kind: 'one', record: found[0] };
  return {
    kind: 'many',
    records: found,
    why: `${found.length} ${flow.target.type} have ${flow.match.target} = "${key}": refusing to guess (${flow.match.description})`,
  };
}
