/**
 * Helpers for the fields written on create beyond the spec's tables: splitting a Zendesk
 * `name` into given/family names and checking e-mail addresses.
 */
import { normalizeId, normalizeText, normalizeTimestamp, NormalizeError } from './normalize';
import type { ApiRecord, ExtraResult } from './types';

/**
 * "Ada King Lovelace" → given "Ada King", family "Lovelace": the last word is the family name. A
 * one-word name ("Cher") is all given name, family null: each flow decides what a record needs then
 * (docs/flows.md, "Names and references").
 */
function splitName(name: unknown): { given: string; family: string | null } | null {
  const text = typeof name === 'string' ? (normalizeText(name) ?? '').replace(/\s+/g, ' ') : '';
  if (text === '') return null;
  const cut = text.lastIndexOf(' ');
  if (cut < 0) return { given: text, family: null };
  return { given: text.slice(0, cut), family: text.slice(cut + 1) };
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function isEmail(value: string): boolean {
  return EMAIL.test(value);
}

/** The given part of `name` for a create, or what stops it (an empty name, a control character). */
export function givenNameExtra(record: ApiRecord, makes: string): ExtraResult {
  try {
    const parts = splitName(record.name);
    return parts ? { value: parts.given } : { problem: `\`name\` is empty, cannot make ${makes}` };
  } catch (e) {
    return { problem: `\`name\`: ${(e as Error).message}` };
  }
}

/** The family part of `name` (or the given one, where a family name is required); the given part reports problems. */
export function familyNameExtra(record: ApiRecord, orGiven: boolean): ExtraResult {
  try {
    const parts = splitName(record.name);
    return { value: (parts && (parts.family ?? (orGiven ? parts.given : null))) ?? undefined };
  } catch {
    return { value: undefined };
  }
}

/** The record's e-mail for a create: absent is fine (left out), malformed is a problem. */
export function emailExtra(record: ApiRecord, field = 'email'): ExtraResult {
  const raw = record[field];
  if (raw !== undefined && raw !== null && typeof raw !== 'string') {
    return { problem: `\`${field}\` is a ${typeof raw}, not an e-mail address` };
  }
  let email: string | null;
  try {
    email = normalizeText(raw);
  } catch (e) {
    return { problem: `\`${field}\`: ${(e as Error).message}` };
  }
  if (email === null) return { value: undefined };
  if (!isEmail(email)) return { problem: `\`${field}\` "${email}" is not a valid e-mail address` };
  return { value: email };
}

/** A field copied as text (trimmed, empty left out). */
export function textExtra(record: ApiRecord, field: string): ExtraResult {
  try {
    return { value: normalizeText(record[field]) ?? undefined };
  } catch (e) {
    return { problem: `\`${field}\`: ${(e as Error).message}` };
  }
}

/** A timestamp copied as a UTC instant; required ones report their absence. */
export function timestampExtra(record: ApiRecord, field: string, required: boolean): ExtraResult {
  try {
    const value = normalizeTimestamp(record[field]);
    if (value === null && required) return { problem: `\`${field}\` is empty` };
    return { value: value ?? undefined };
  } catch (e) {
    return { problem: `\`${field}\`: ${(e as NormalizeError).message}` };
  }
}

/** The record's id as a string, or a problem. */
export function idOf(record: ApiRecord, field = 'id'): string | { problem: string } {
  try {
    const id = normalizeId(record[field]);
    return id === null ? { problem: `\`${field}\` is empty` } : id;
  } catch (e) {
    return { problem: `\`${field}\`: ${(e as Error).message}` };
  }
}
