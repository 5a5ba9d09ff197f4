/**
 * The mapping engine: a record of either side into the flow's property table (normal form), and
 * row changes back into a write body for one side. Pure and synchronous: references are not looked
 * up here; the caller passes a `translate` function built from the links it has read.
 */
import { idOf } from './extras';
import { ZENDESK_RECORD_TYPES } from './zendesk-types';
import { normalize, normalizeId, normalizeTimestamp } from './normalize';
import { getPath, powerOfficeCase, setPath, type PathOptions } from './paths';
import {
  rowKey,
  type ApiRecord,
  type Canonical,
  type CreateContext,
  type FlowDefinition,
  type FlowId,
  type PropertyRow,
  type Side,
  type Translate,
} from './types';

/** A record, or a change, that cannot be put into the other shape; names the flow, record and field. */
export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

function otherSide(side: Side): Side {
  return side === 'zendesk' ? 'target' : 'zendesk';
}

/** PowerOffice Go names are matched ignoring case and new keys take its casing. */
export function pathOptions(flow: FlowDefinition, side: Side): PathOptions {
  return side === 'target' && flow.target.system === 'poweroffice'
    ? { caseInsensitive: true, newKeyCase: powerOfficeCase }
    : {};
}

function rowPath(row: PropertyRow, side: Side): string {
  return side === 'zendesk' ? row.source : row.target;
}

/** Path of a record's own id on that side. */
function idPath(flow: FlowDefinition, side: Side): string {
  if (side === 'zendesk') return 'id';
  return flow.target.system === 'poweroffice' ? 'Id' : 'id';
}

/** The record's id on that side as a string, or null when absent. */
export function recordId(flow: FlowDefinition, side: Side, record: ApiRecord): string | null {
  return normalizeId(getPath(record, idPath(flow, side), pathOptions(flow, side)));
}

/** "user 123", "employees 45": how messages name a record. */
export function recordLabel(flow: FlowDefinition, side: Side, record: ApiRecord): string {
  const noun =
    side === 'zendesk'
      ? `zendesk ${ZENDESK_RECORD_TYPES[flow.source.type].noun}`
      : `${flow.target.system} ${flow.target.type.replace(/s$/, '')}`;
  let id: string | null = null;
  try {
    id = recordId(flow, side, record);
  } catch {
    id = null;
  }
  return `${noun} ${id ?? '(no id)'}`;
}

/** The record's last-modified time as a UTC instant, or null when absent or unreadable. */
export function modifiedAt(flow: FlowDefinition, side: Side, record: ApiRecord): string | null {
  try {
    return normalizeTimestamp(getPath(record, flow.modifiedAt[side], pathOptions(flow, side)));
  } catch {
    return null;
  }
}

/**
 * The flow's table rows of one record, in normal form, by row key. Reference rows hold the raw
 * referenced id of that side (translate them with `translateCanonical` before merging).
 * Throws MappingError naming the record and field when a value cannot be read as its kind.
 */
export function toCanonical(flow: FlowDefinition, side: Side, record: ApiRecord): Canonical {
  const options = pathOptions(flow, side);
  const out: Canonical = {};
  for (const row of flow.properties) {
    const path = rowPath(row, side);
    try {
      out[rowKey(row)] = normalize(row.kind, getPath(record, path, options));
    } catch (e) {
      throw new MappingError(
        `${flow.id}: ${recordLabel(flow, side, record)}: field \`${path}\`: ${(e as Error).message}`,
      );
    }
  }
  return out;
}

/**
 * The records a Zendesk record refers to through its flow's reference rows (a user's organization,
 * for the department flow), as Zendesk ids by flow; none when the record cannot be read.
 */
export function zendeskReferences(flow: FlowDefinition, record: ApiRecord): { flowId: FlowId; zendeskId: string }[] {
  let values: Canonical;
  try {
    values = toCanonical(flow, 'zendesk', record);
  } catch {
    return [];
  }
  return flow.properties.flatMap((row) => {
    const id = row.reference ? values[rowKey(row)] : null;
    return row.reference && id ? [{ flowId: row.reference.flow, zendeskId: id }] : [];
  });
}

/**
 * Reference rows of a canonical record translated to the other side's ids (e.g. a target's
 * DepartmentId to the Zendesk organization id), so both sides can be merged in one id space.
 * A reference with no link comes back null and is listed in `unresolved`.
 */
export function translateCanonical(
  flow: FlowDefinition,
  fromSide: Side,
  canonical: Canonical,
  translate: Translate,
): { values: Canonical; unresolved: string[] } {
  const values: Canonical = { ...canonical };
  const unresolved: string[] = [];
  for (const row of flow.properties) {
    const key = rowKey(row);
    const value = canonical[key] ?? null;
    if (!row.reference || value === null) continue;
    const translated = translate(row.reference.flow, fromSide, value);
    values[key] = translated === null ? null : normalizeId(translated);
    if (translated === null) unresolved.push(key);
  }
  return { values, unresolved };
}

/** A normal-form value as the side's API takes it: Zendesk and PowerOffice ids are numbers. */
function toApiValue(flow: FlowDefinition, side: Side, row: Pick<PropertyRow, 'kind'>, value: string | null): unknown {
  if (value === null || row.kind !== 'id') return value;
  const numericIds = side === 'zendesk' || flow.target.system === 'poweroffice';
  if (numericIds && /^\d+$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  return value;
}

/**
 * The body of an update on one side from row changes (row key → normal-form value): only the
 * rows given, never a row read-only on that side, nested paths built, PowerOffice casing kept.
 * With `translate`, reference values are in the other side's id space and are translated here;
 * an untranslatable one throws MappingError (sync the referenced record first).
 */
export function writeBody(
  flow: FlowDefinition,
  side: Side,
  changes: Canonical,
  translate?: Translate,
): Record<string, unknown> {
  const rows = new Map(flow.properties.map((r) => [rowKey(r), r]));
  const body: Record<string, unknown> = {};
  const options = pathOptions(flow, side);
  for (const [key, value] of Object.entries(changes)) {
    const row = rows.get(key);
    if (!row)
      throw new MappingError(`${flow.id}: "${key}" is not a row of this flow; rows: ${[...rows.keys()].join(', ')}`);
    if (row.readOnly[side]) continue;
    let v = value;
    if (translate && row.reference && v !== null) {
      const translated = translate(row.reference.flow, otherSide(side), v);
      if (translated === null) {
        throw new MappingError(
          `${flow.id}: field \`${rowPath(row, side)}\`: ${v} has no link in flow ${row.reference.flow}; sync it first`,
        );
      }
      v = normalizeId(translated);
    }
    // A cleared reference is written as the target API takes "none" (flows.md, "Names and references").
    if (v === null && side === 'target' && row.clearOnTarget) setPath(body, row.clearOnTarget.path, null, options);
    else setPath(body, rowPath(row, side), toApiValue(flow, side, row, v), options);
  }
  return body;
}

/**
 * The full body to create the target record of a Zendesk record: table rows (except those
 * read-only on the target) plus the flow's extras. A record that cannot be mapped yields
 * problems, each naming the record and the field, not an exception.
 */
export function createBody(
  flow: FlowDefinition,
  zendeskRecord: ApiRecord,
  translate: Translate,
  context: CreateContext = {},
): { body: Record<string, unknown>; problems: string[] } {
  const body: Record<string, unknown> = {};
  const problems: string[] = [];
  const options = pathOptions(flow, 'target');
  const label = recordLabel(flow, 'zendesk', zendeskRecord);
  const id = idOf(zendeskRecord);
  if (typeof id !== 'string') problems.push(id.problem);

  for (const row of flow.properties) {
    if (row.readOnly.target) continue;
    let value: string | null;
    try {
      value = normalize(row.kind, getPath(zendeskRecord, row.source));
    } catch (e) {
      problems.push(`\`${row.source}\`: ${(e as Error).message}`);
      continue;
    }
    if (value === null) continue;
    if (row.reference) {
      const translated = translate(row.reference.flow, 'zendesk', value);
      if (translated === null) {
        problems.push(`\`${row.source}\` ${value} has no linked record in flow ${row.reference.flow}: sync it first`);
        continue;
      }
      value = normalizeId(translated);
    }
    setPath(body, row.target, toApiValue(flow, 'target', row, value), options);
  }

  for (const extra of flow.extras) {
    const result = extra.value({ record: zendeskRecord, translate, context });
    if ('problem' in result) {
      problems.push(result.problem);
      continue;
    }
    if (result.value === undefined || result.value === null) continue;
    setPath(body, extra.target, result.value, options);
  }
  return { body, problems: problems.map((p) => `${label}: ${p}`) };
}
