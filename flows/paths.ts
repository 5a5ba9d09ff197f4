/**
 * Reading and writing dotted paths (`company.id`, `MailAddress.city`) in API records.
 * PowerOffice Go answers PascalCase at top level and camelCase when nested, and the spec names
 * one field in both casings, so its side is resolved case-insensitively.
 */

export interface PathOptions {
  /** Resolve each segment to an existing key that differs only in case. */
  caseInsensitive?: boolean;
  /** Casing of a key that does not exist yet, by depth (0 = top level). Default: as written in the path. */
  newKeyCase?: (segment: string, depth: number) => string;
}

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

function segments(path: string): string[] {
  const parts = path.split('.');
  for (const p of parts) {
    if (p === '') throw new Error(`path "${path}" has an empty segment`);
    if (FORBIDDEN.has(p)) throw new Error(`path "${path}" uses the forbidden segment "${p}"`);
  }
  return parts;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The key of `obj` that `segment` names: exact first, then (optionally) ignoring case. */
function resolveKey(obj: Record<string, unknown>, segment: string, caseInsensitive: boolean): string | undefined {
  if (Object.prototype.hasOwnProperty.call(obj, segment)) return segment;
  if (!caseInsensitive) return undefined;
  const lower = segment.toLowerCase();
  return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

/** The value at `path`, or undefined when any step is missing or not an object. */
export function getPath(record: unknown, path: string, options: PathOptions = {}): unknown {
  let current: unknown = record;
  for (const segment of segments(path)) {
    if (!isObject(current)) return undefined;
    const key = resolveKey(current, segment, options.caseInsensitive ?? false);
    if (key === undefined) return undefined;
    current = current[key];
  }
  return current;
}

/**
 * Sets `path` in `record` (mutating it), creating nested objects on the way. An existing key
 * keeps its casing; a new one takes `newKeyCase`. Throws when a step holds a non-object.
 */
export function setPath(
  record: Record<string, unknown>,
  path: string,
  value: unknown,
  options: PathOptions = {},
): void {
  const parts = segments(path);
  const ci = options.caseInsensitive ?? false;
  let current = record;
  parts.forEach((segment, depth) => {
    const key = resolveKey(current, segment, ci) ?? (options.newKeyCase ? options.newKeyCase(segment, depth) : segment);
    if (depth === parts.length - 1) {
      current[key] = value;
      return;
    }
    const next = current[key];
    if (next === undefined || next === null) {
      const created: Record<string, unknown> = {};
      current[key] = created;
      current = created;
    } else if (isObject(next)) {
      current = next;
    } else {
      throw new Error(
        `cannot set "${path}": "${parts.slice(0, depth + 1).join('.')}" holds a ${typeof next}, not an object`,
      );
    }
  });
}

/** PowerOffice Go casing: PascalCase at top level, camelCase in nested objects. */
export function powerOfficeCase(segment: string, depth: number): string {
  const first = segment.charAt(0);
  return (depth === 0 ? first.toUpperCase() : first.toLowerCase()) + segment.slice(1);
}
