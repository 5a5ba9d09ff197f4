/**
 * The normal form values are compared in, so that the same fact spelled differently by two
 * APIs (123 vs "123", +01:00 vs Z, 7-digit vs 3-digit fractions) merges to "no change".
 * Pure and deterministic (no clock, no locale): safe in workflow code.
 */
import type { ValueKind } from './types';

export class NormalizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NormalizeError';
  }
}

/** Empty means absent: null, undefined and blank strings all become null. */
function scalarText(value: unknown, kind: ValueKind): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') {
    const t = value.trim();
    return t === '' ? null : t;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new NormalizeError(`expected a ${kind}, got the number ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  throw new NormalizeError(
    `expected a ${kind} (string or number), got ${Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : `a ${typeof value}`}`,
  );
}

/** Ids: numbers and numeric strings become the decimal string ("0123" and 123 are the same id). */
export function normalizeId(value: unknown): string | null {
  const text = scalarText(value, 'id');
  if (text === null) return null;
  if (/^\d+$/.test(text)) return text.replace(/^0+(?=\d)/, '');
  return text;
}

/** C0 controls and DEL, bar tab and line breaks: invisible, and refused or mangled by some APIs. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Text with CRLF as LF. A control character is refused, not dropped: the sync never edits words silently. */
export function normalizeText(value: unknown): string | null {
  const text = scalarText(value, 'text');
  if (text === null) return null;
  const control = CONTROL.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new NormalizeError(
      `contains the control character U+${code} at position ${control.index + 1}; remove it from the record`,
    );
  }
  return text.replace(/\r\n/g, '\n');
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * An ISO 8601 timestamp as a UTC instant with milliseconds (`2024-01-02T02:04:05.000Z`).
 * Extra fraction digits (PowerOffice sends 7) are cut to ms; a time without offset is UTC.
 * Throws on a value that is not a timestamp, naming it.
 */
export function normalizeTimestamp(value: unknown): string | null {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new NormalizeError('expected a timestamp, got an invalid Date');
    return value.toISOString();
  }
  const text = scalarText(value, 'timestamp');
  if (text === null) return null;
  const m = ISO.exec(text);
  if (!m) throw new NormalizeError(`expected an ISO 8601 timestamp, got "${text}"`);
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', offset = 'Z'] = m;
  const ms = Number((frac + '000').slice(0, 3));
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const check = new Date(wall);
  // Date.UTC rolls 2024-02-31 over into March: reject impossible dates instead of shifting them.
  if (
    Number.isNaN(wall) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    check.getUTCHours() !== Number(h) ||
    check.getUTCMinutes() !== Number(mi) ||
    check.getUTCSeconds() !== Number(s)
  ) {
    throw new NormalizeError(`expected an ISO 8601 timestamp, got the impossible "${text}"`);
  }
  let millis = wall;
  if (offset.toUpperCase() !== 'Z') {
    const sign = offset.startsWith('-') ? -1 : 1;
    const digits = offset.slice(1).replace(':', '');
    millis -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
  }
  const date = new Date(millis);
  return date.toISOString();
}

export function normalize(kind: ValueKind, value: unknown): string | null {
  switch (kind) {
    case 'id':
      return normalizeId(value);
    case 'timestamp':
      return normalizeTimestamp(value);
    case 'text':
      return normalizeText(value);
  }
}

/** Milliseconds of a timestamp, or null when absent or unreadable (used to order modifications). */
export function timestampMillis(value: unknown): number | null {
  try {
    const iso = normalizeTimestamp(value);
    return iso === null ? null : Date.parse(iso);
  } catch {
    return null;
  }
}
