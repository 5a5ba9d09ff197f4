/**
 * Where a field's value came from, traced back through a record's pair syncs (oldest first): the
 * sync that last wrote it on the system asked about, the edit that won there and by which rule,
 * and each copy back to the edit where the value was born. Pure: the syncs come from the history.
 */
import { getFlow, rowKey, type FlowDefinition, type FlowId, type PropertyRow, type Side } from '../../flows';
import type { DecisionRow, PairSync } from './pair-syncs';

/** Where a value lives: the Zendesk record, or the target record of one of its flows. */
export type Lane = { system: 'zendesk' } | { system: 'target'; flowId: FlowId };

/** The field asked about: a Zendesk field and the rows of the record's flows that carry it. */
export interface TracedField {
  zendeskField: string;
  /** Per flow of the record, the row that carries the field (one per flow). */
  rows: { flowId: FlowId; row: PropertyRow }[];
}

/** Rules by which a value beat another one (the others only carried it on). */
export const CONTESTS: readonly Rule[] = ['later-wins', 'tie-to-zendesk', 'time-unknown-zendesk-wins', 'first-match'];

export type Rule =
  | 'one-side-changed'
  | 'later-wins'
  | 'tie-to-zendesk'
  | 'time-unknown-zendesk-wins'
  | 'first-match'
  | 'created'
  | 'same-value'
  | 'unchanged'
  | 'read-only'
  | 'unresolved-reference'
  | 'unknown';

/** A copy Tandem made: one sync wrote the winning side's value on the other side. */
export interface CopyHop {
  kind: 'copy';
  sync: PairSync;
  from: Lane;
  to: Lane;
  value: string | null;
  rule: Rule;
  outcome: string;
  why: string;
  /** When the winning side's value was made, as the sync compared it. */
  winnerAt: string | null;
}

/** The value's origin: a person's edit on that system (or a value held before Tandem linked it). */
interface BirthHop {
  kind: 'born';
  lane: Lane;
  /** Undefined when no sync read it (a value older than the history read, a read-only field). */
  value: string | null | undefined;
  /** The change time of that side, as the sync that first carried it on read it; null when unknown. */
  at: string | null;
  /** The sync in which the value won on its way out, when there is one. */
  sync?: PairSync;
  rule?: Rule;
  outcome?: string;
  why?: string;
  /** Why the trace stops here in words. */
  note: string;
  /**
   * Known for certain from the syncs read: a target's value (only its own flow writes it), or one a
   * person changed after Tandem's last write. A Zendesk value may have come from an older copy.
   */
  settled: boolean;
}

export type Hop = CopyHop | BirthHop;

const TO_TARGET = new Set([
  'zendesk-changed',
  'first-match-fill-target',
  'first-match-zendesk-wins',
  'both-changed-zendesk-wins',
]);
const TO_ZENDESK = new Set(['target-changed', 'first-match-fill-zendesk', 'both-changed-target-wins']);

/** The side that won a row (its value written to the other), from the row or, in older histories, its outcome. */
function wonSide(d: DecisionRow): Side | undefined {
  if (d.won) return d.won;
  if (TO_TARGET.has(d.outcome)) return 'zendesk';
  if (TO_ZENDESK.has(d.outcome)) return 'target';
  return undefined;
}

/** The rule of a row; older histories name it only in the outcome and the words of `why`. */
export function ruleOf(d: DecisionRow): Rule {
  if (d.rule) return d.rule as Rule;
  if (d.outcome === 'zendesk-changed' || d.outcome === 'target-changed') return 'one-side-changed';
  if (d.outcome.startsWith('first-match')) return 'first-match';
  if (d.outcome === 'both-changed-target-wins') return 'later-wins';
  if (d.outcome === 'both-changed-zendesk-wins')
    return /same second|tie/.test(d.why)
      ? 'tie-to-zendesk'
      : /unknown/.test(d.why)
        ? 'time-unknown-zendesk-wins'
        : 'later-wins';
  if (d.outcome === 'both-changed-same-value') return 'same-value';
  if (d.outcome === 'unchanged') return 'unchanged';
  if (d.outcome === 'read-only-skipped') return 'read-only';
  if (d.outcome === 'reference-unresolved-skipped') return 'unresolved-reference';
  return 'unknown';
}

const sideOf = (lane: Lane): Side => (lane.system === 'zendesk' ? 'zendesk' : 'target');

function firstSegment(path: string): string {
  return path.split('.')[0].toLowerCase();
}

/** The body's value for the row's field on that side, as a string (undefined: the body does not hold it). */
function bodyValue(body: Record<string, unknown>, row: PropertyRow, side: Side): string | null | undefined {
  const path = side === 'zendesk' ? row.source : row.target;
  const key = Object.keys(body).find((k) => k.toLowerCase() === firstSegment(path));
  if (key === undefined) return undefined;
  let value: unknown = body[key];
  for (const part of path.split('.').slice(1))
    value =
      value && typeof value === 'object'
        ? (value as Record<string, unknown>)[
            Object.keys(value).find((k) => k.toLowerCase() === part.toLowerCase()) ?? part
          ]
        : undefined;
  return value === undefined || value === null ? null : typeof value === 'string' ? value.trim() : String(value);
}

function rowOf(field: TracedField, flowId: FlowId | undefined): PropertyRow | undefined {
  return field.rows.find((r) => r.flowId === flowId)?.row;
}

function decisionOf(sync: PairSync, row: PropertyRow): DecisionRow | undefined {
  return sync.decisions?.find((d) => d.row === rowKey(row));
}

/** What this sync wrote into the lane for the field: the value and the decision behind it, or undefined. */
function writeInto(
  sync: PairSync,
  lane: Lane,
  field: TracedField,
): { value: string | null; decision?: DecisionRow; created: boolean } | undefined {
  if (lane.system === 'target' && sync.flowId !== lane.flowId) return undefined;
  const row = rowOf(field, sync.flowId);
  if (!row) return undefined;
  const side = sideOf(lane);
  const decision = decisionOf(sync, row);
  for (const write of [...sync.writes].reverse()) {
    if (write.side !== side || !write.doneAt) continue;
    const written = bodyValue(write.body, row, side);
    if (written === undefined) continue;
    // An update writes the rows the merge decided for that side; a create writes the whole record.
    if (!write.created && decision && wonSide(decision) !== (side === 'zendesk' ? 'target' : 'zendesk')) continue;
    const value =
      !write.created && decision?.values ? decision.values[side === 'zendesk' ? 'target' : 'zendesk'] : written;
    return { value, decision, created: write.created };
  }
  return undefined;
}

function laneOfSync(sync: PairSync, side: Side): Lane {
  return side === 'zendesk' ? { system: 'zendesk' } : { system: 'target', flowId: sync.flowId! };
}

/**
 * The chain of a lane's value, newest hop first: each copy back to the birth. `before` bounds the
 * syncs looked at (the index of the sync that copied it on); `value`, when known, is the value the
 * lane held then: a write of another value means a person changed it after that write.
 */
export function traceLane(
  lane: Lane,
  field: TracedField,
  syncs: readonly PairSync[],
  before = syncs.length,
  value?: string | null,
): Hop[] {
  const own =
    lane.system === 'zendesk'
      ? field.rows.map((r) => r.row)
      : [rowOf(field, lane.flowId)].filter((r) => r !== undefined);
  if (own.length && own.every((r) => r.readOnly[sideOf(lane)])) {
    return [
      {
        kind: 'born',
        lane,
        value,
        at: null,
        note: `read-only in ${systemName(lane)}: set by it, never written by Tandem`,
        settled: true,
      },
    ];
  }
  for (let i = before - 1; i >= 0; i--) {
    const sync = syncs[i];
    const wrote = writeInto(sync, lane, field);
    if (!wrote) continue;
    if (value !== undefined && wrote.value !== value)
      return [
        {
          ...birth(
            lane,
            field,
            syncs,
            before,
            value,
            `a person's edit after Tandem last wrote ${JSON.stringify(wrote.value)} here`,
          ),
          settled: true,
        },
      ];
    const fromSide: Side = lane.system === 'zendesk' ? 'target' : 'zendesk';
    const from = laneOfSync(sync, fromSide);
    const d = wrote.decision;
    const hop: CopyHop = {
      kind: 'copy',
      sync,
      from,
      to: lane,
      value: wrote.value,
      rule: wrote.created ? 'created' : d ? ruleOf(d) : 'unknown',
      outcome: wrote.created ? 'created' : (d?.outcome ?? 'unknown'),
      why: wrote.created
        ? `created with the value of Zendesk's \`${field.zendeskField}\``
        : (d?.why ?? 'the decision is not in the history'),
      winnerAt: d?.at?.[fromSide] ?? null,
    };
    if (from.system === 'target') {
      // A target is written by its own flow only: a value there that differed from the base was a person's.
      const first = d?.outcome === 'first-match-fill-zendesk';
      return [
        hop,
        {
          kind: 'born',
          lane: from,
          value: wrote.value,
          at: hop.winnerAt,
          note: first
            ? 'held by the target record before Tandem linked it (first match)'
            : `a person's edit in ${systemName(from)}`,
          settled: true,
        },
      ];
    }
    return [hop, ...traceLane(from, field, syncs, i, d?.values?.zendesk ?? (wrote.created ? undefined : wrote.value))];
  }
  return [
    birth(
      lane,
      field,
      syncs,
      before,
      value,
      lane.system === 'zendesk' ? "a person's edit in Zendesk" : `a person's edit in ${systemName(lane)}`,
    ),
  ];
}

/**
 * No sync wrote the value here: it was made on this system. The latest sync in which it won (up to
 * and including the one at `upTo`, which copied it on) names when.
 */
function birth(
  lane: Lane,
  field: TracedField,
  syncs: readonly PairSync[],
  upTo: number,
  value: string | null | undefined,
  note: string,
): BirthHop {
  const side = sideOf(lane);
  for (let i = Math.min(upTo, syncs.length - 1); i >= 0; i--) {
    const sync = syncs[i];
    if (lane.system === 'target' && sync.flowId !== lane.flowId) continue;
    const row = rowOf(field, sync.flowId);
    const d = row && decisionOf(sync, row);
    if (!d || wonSide(d) !== side) continue;
    const held = d.values?.[side];
    if (value !== undefined && held !== undefined && held !== value) continue;
    const first = d.outcome === 'first-match-fill-zendesk';
    return {
      kind: 'born',
      lane,
      value: held ?? value,
      at: d.at?.[side] ?? null,
      sync,
      rule: ruleOf(d),
      outcome: d.outcome,
      why: d.why,
      note: first ? 'held by the target record before Tandem linked it (first match)' : note,
      settled: lane.system === 'target',
    };
  }
  return {
    kind: 'born',
    lane,
    value,
    at: null,
    note: `${note}; no sync in the history read carried it on (it was there when the pair was first synced, or that history is gone)`,
    settled: false,
  };
}

export function systemName(lane: Lane): string {
  if (lane.system === 'zendesk') return 'Zendesk';
  return getFlow(lane.flowId).target.system === 'poweroffice' ? 'PowerOffice Go' : 'Crmoffice';
}

/** The echoes among the syncs after `after`: a pair woken by the webhook of a write of ours, that synced nothing. */
export function echoesAfter(syncs: readonly PairSync[], after: PairSync | undefined, field: TracedField): PairSync[] {
  const from = after ? syncs.indexOf(after) + 1 : 0;
  return syncs.slice(from).filter((s) => s.echo && s.echo.reported.some((r) => r.field === field.zendeskField));
}

/** The field of the record's flows that a property of one system names (case ignored), or undefined. */
export function fieldOf(flows: readonly FlowDefinition[], lane: Lane, property: string): TracedField | undefined {
  const lower = property.toLowerCase();
  let source: string | undefined;
  if (lane.system === 'zendesk')
    source = flows
      .flatMap((f) => f.properties)
      .find((r) => r.source === property || r.source.toLowerCase() === lower)?.source;
  else {
    const rows = getFlow(lane.flowId).properties;
    const row = rows.find((r) => r.target === property) ?? rows.find((r) => r.target.toLowerCase() === lower);
    if (row) return fieldFromRow(flows, lane.flowId, row);
  }
  return source === undefined ? undefined : fieldFromSource(flows, source);
}

function fieldFromSource(flows: readonly FlowDefinition[], source: string): TracedField {
  const rows = flows.flatMap((f) => {
    const row =
      f.properties.find((r) => r.source === source && !(r.readOnly.zendesk && r.readOnly.target)) ??
      f.properties.find((r) => r.source === source);
    return row ? [{ flowId: f.id, row }] : [];
  });
  return { zendeskField: source, rows };
}

function fieldFromRow(flows: readonly FlowDefinition[], flowId: FlowId, row: PropertyRow): TracedField {
  const others = fieldFromSource(flows, row.source).rows.filter((r) => r.flowId !== flowId);
  return { zendeskField: row.source, rows: [{ flowId, row }, ...others] };
}

/** Every field a lane shows, for a `why` without a property. */
export function fieldsOf(flows: readonly FlowDefinition[], lane: Lane): TracedField[] {
  if (lane.system === 'zendesk')
    return [...new Set(flows.flatMap((f) => f.properties.map((r) => r.source)))].map((s) => fieldFromSource(flows, s));
  return getFlow(lane.flowId).properties.map((row) => fieldFromRow(flows, lane.flowId, row));
}
