/**
 * A Zendesk user or organisation feeds two flows (PowerOffice Go and Crmoffice). When one flow copies
 * a target's edit into it, the record's modification time becomes the time of the copy, and the other
 * flow would take that value for the newest edit even over a later one on its own target. So the sync
 * notes each copy it writes, and a record still holding exactly that copy counts as modified when the
 * edits it carries were made.
 */
import { modifiedAt } from './mapping';
import { timestampMillis } from './normalize';
import type { ApiRecord, FlowDefinition } from './types';

/**
 * What a write to Zendesk copied: the record's time right after it, when its edits were made, the
 * fields. The note is saved ahead of its write with `modifiedAt` null (the write under way), so a
 * write whose answer is lost is still known for a copy when its step is tried again.
 */
export interface ZendeskCopy {
  modifiedAt: string | null;
  originAt: string;
  fields: Record<string, unknown>;
}

/** JSON with object keys sorted, so equal values compare equal whatever order an API gives keys in. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Whether the record holds every one of these fields' values. */
export function holdsFields(record: ApiRecord, fields: Record<string, unknown>): boolean {
  return Object.entries(fields).every(([k, v]) => stable(record[k]) === stable(v));
}

/**
 * When the record's values were made: the copy's origin while the record is as the copy left it
 * (same modification time, every copied field unchanged); else null (someone edited it since, or
 * the copy's write is not confirmed).
 */
export function copiedAt(flow: FlowDefinition, zendesk: ApiRecord, copy: ZendeskCopy | undefined): string | null {
  const at = timestampMillis(modifiedAt(flow, 'zendesk', zendesk));
  if (!copy || at === null || at !== timestampMillis(copy.modifiedAt)) return null;
  return holdsFields(zendesk, copy.fields) ? copy.originAt : null;
}

/** The later of two times (either may be unknown). */
export function laterOf(a: string | null, b: string | null): string | null {
  const [ma, mb] = [timestampMillis(a), timestampMillis(b)];
  if (ma === null) return mb === null ? null : b;
  return mb !== null && mb > ma ? b : a;
}
