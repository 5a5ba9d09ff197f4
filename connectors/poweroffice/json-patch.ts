/**
 * PowerOffice Go updates are RFC 6902 JSON Patch documents (`application/json-patch+json`).
 */
export interface JsonPatchOperation {
  op: 'replace';
  path: string;
  value: unknown;
}

/** RFC 6901: `~` and `/` inside a key are escaped. */
function escapeKey(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * One `replace` per field: `{ Name: 'Sales' }` → `[{ op: 'replace', path: '/Name', value: 'Sales' }]`.
 *
 * Nested objects are flattened to one operation per leaf (`{ MailAddress: { City: 'Oslo' } }` →
 * `/MailAddress/City`), so only the given sub-fields change and the nested record keeps its id and
 * other values. That needs the nested object to exist on the record: to set one that is null, or to
 * clear it, give the whole value at the top level via `whole` (`toJsonPatch(f, { whole: ['MailAddress'] })`),
 * or `null`. Arrays and `null` are always replaced whole; `undefined` values are skipped.
 */
export function toJsonPatch(fields: Record<string, unknown>, options: { whole?: string[] } = {}): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  const walk = (prefix: string, obj: Record<string, unknown>, top: boolean): void => {
    for (const [key, value] of Object.entries(obj)) {
      if (value === undefined) continue;
      const path = `${prefix}/${escapeKey(key)}`;
      if (isPlainObject(value) && !(top && options.whole?.includes(key))) walk(path, value, false);
      else ops.push({ op: 'replace', path, value: value instanceof Date ? value.toISOString() : value });
    }
  };
  walk('', fields, true);
  return ops;
}
