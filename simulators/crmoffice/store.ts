/**
 * The simulated Crmoffice records and the rules a write must pass (api-assumptions VALIDATION_RULES):
 * required fields, references to existing records, unique activity externalId, read-only id and
 * timestamps, and updatedAt moving on every change.
 */
import { z } from 'zod';
import {
  ACTIVITY_EXTERNAL_ID,
  CHANGED_SINCE_PARAM,
  CREATED_AT,
  CrmResource,
  ERROR_CODES,
  ErrorBody,
  PAGING,
  RESOURCES,
  SEARCH_FILTERS,
  UPDATED_AT,
  VALIDATION_RULES,
  WritableResource,
  errorBody,
  stripReadOnly,
} from '../../connectors/crmoffice/api-assumptions';
import { Clock, SimulatorState } from '../kit';

export type StoredRecord = Record<string, unknown> & { id: string };

/** A refused request: the HTTP status and the Crmoffice error body. */
export class SimError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    readonly body: ErrorBody,
  ) {
    super(body.error.message);
  }
}

const text = z.string().nullable().optional();
const iso = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'must be an ISO 8601 date-time');
const addressIn = z
  .looseObject({ streetAddress: text, postCode: text, postalArea: text, country: text })
  .nullable()
  .optional();

/** Types of the fields a body may carry; unknown fields are stored as given, like a lenient API. */
const BODY_SCHEMAS: Record<WritableResource, z.ZodType<Record<string, unknown>>> = {
  companies: z.looseObject({
    name: z.string().optional(),
    orgNr: text,
    postAddress: addressIn,
    visitAddress: addressIn,
  }),
  contacts: z.looseObject({
    givenName: text,
    familyName: text,
    email: z
      .string()
      .regex(/^[^@\s]+@[^@\s]+$/, 'must be an e-mail address')
      .nullable()
      .optional(),
    mobilePhone: text,
    directPhone: text,
    company: z
      .object({ id: z.string().min(1) })
      .nullable()
      .optional(),
  }),
  activities: z.looseObject({
    subject: z.string().optional(),
    ownerId: z.string().nullable().optional(),
    startsAt: iso.nullable().optional(),
    endsAt: iso.nullable().optional(),
    description: text,
    address: z.looseObject({ country: text }).nullable().optional(),
    [ACTIVITY_EXTERNAL_ID]: z.string().min(1).nullable().optional(),
  }),
};

const ListQuery = z.object({
  [PAGING.pageParam]: z.coerce.number().int().min(1).default(PAGING.firstPage),
  [PAGING.pageSizeParam]: z.coerce.number().int().min(1).max(PAGING.maxPageSize).default(PAGING.defaultPageSize),
  [CHANGED_SINCE_PARAM]: iso.optional(),
});

const Dump = z.object({
  seq: z.number().int(),
  companies: z.array(z.looseObject({ id: z.string() })),
  contacts: z.array(z.looseObject({ id: z.string() })),
  activities: z.array(z.looseObject({ id: z.string() })),
  users: z.array(z.looseObject({ id: z.string() })),
});

const SINGULAR: Record<CrmResource, string> = {
  companies: 'company',
  contacts: 'contact',
  activities: 'activity',
  users: 'user',
};

function validation(field: string, message: string): SimError {
  return new SimError(400, errorBody(ERROR_CODES[400], `${field} ${message}`, [{ field, message }]));
}

function filled(v: unknown): boolean {
  return typeof v === 'string' ? v.trim() !== '' : v !== undefined && v !== null;
}

function deepGet(record: Record<string, unknown>, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
      record,
    );
}

export class CrmofficeStore implements SimulatorState {
  private records = new Map<CrmResource, Map<string, StoredRecord>>(RESOURCES.map((r) => [r, new Map()]));
  private seq = 1000;

  constructor(private readonly clock: Clock) {}

  dump() {
    const out: Record<string, unknown> = { seq: this.seq };
    for (const r of RESOURCES) out[r] = [...this.table(r).values()];
    return out;
  }

  load(data: unknown): void {
    const parsed = Dump.parse(data);
    this.seq = parsed.seq;
    for (const r of RESOURCES) this.records.set(r, new Map(parsed[r].map((rec) => [rec.id, rec as StoredRecord])));
  }

  count(resource: CrmResource): number {
    return this.table(resource).size;
  }

  /** Stores a record as given (timestamps and id filled when missing), bypassing the write rules. */
  putRaw(resource: CrmResource, record: Record<string, unknown>): StoredRecord {
    const now = this.clock.now().toISOString();
    const stored = {
      [CREATED_AT]: now,
      [UPDATED_AT]: now,
      ...record,
      id: typeof record.id === 'string' ? record.id : this.nextId(),
    } as StoredRecord;
    this.table(resource).set(stored.id, stored);
    return stored;
  }

  get(resource: CrmResource, id: string): StoredRecord {
    const found = this.table(resource).get(id);
    if (!found) throw new SimError(404, errorBody(ERROR_CODES[404], `${SINGULAR[resource]} ${id} not found`));
    return found;
  }

  list(resource: CrmResource, query: Record<string, unknown>) {
    const q = ListQuery.safeParse(query);
    if (!q.success) {
      const issue = q.error.issues[0];
      throw validation(String(issue.path[0] ?? 'query'), issue.message);
    }
    const { page, pageSize } = { page: q.data[PAGING.pageParam], pageSize: q.data[PAGING.pageSizeParam] };
    const since = q.data[CHANGED_SINCE_PARAM];
    const sinceMs = since === undefined ? undefined : Date.parse(since);
    const filter = resource === 'users' ? undefined : SEARCH_FILTERS[resource];
    const wanted = filter ? query[filter.param] : undefined;
    const matches = [...this.table(resource).values()]
      .filter((r) => sinceMs === undefined || Date.parse(String(r[UPDATED_AT])) > sinceMs)
      .filter((r) => {
        if (!filter || typeof wanted !== 'string') return true;
        const value = r[filter.param];
        if (typeof value !== 'string') return false;
        return filter.caseInsensitive ? value.toLowerCase() === wanted.toLowerCase() : value === wanted;
      })
      .sort(
        (a, b) =>
          Date.parse(String(a[UPDATED_AT])) - Date.parse(String(b[UPDATED_AT])) ||
          (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      );
    const start = (page - 1) * pageSize;
    return { items: matches.slice(start, start + pageSize), page, pageSize, totalCount: matches.length };
  }

  create(resource: WritableResource, body: unknown): StoredRecord {
    const fields = this.parseBody(resource, body);
    this.check(resource, fields, undefined);
    const now = this.clock.now().toISOString();
    const record = { ...fields, id: this.nextId(), [CREATED_AT]: now, [UPDATED_AT]: now } as StoredRecord;
    this.table(resource).set(record.id, record);
    return record;
  }

  update(resource: WritableResource, id: string, body: unknown): StoredRecord {
    const existing = this.get(resource, id);
    const fields = this.parseBody(resource, body);
    // Top-level merge: a nested object in the body replaces the stored one whole.
    const merged = { ...existing, ...fields } as StoredRecord;
    this.check(resource, merged, id);
    const changed = Object.keys(fields).some((k) => JSON.stringify(existing[k]) !== JSON.stringify(fields[k]));
    if (!changed) return existing;
    merged[UPDATED_AT] = this.clock.now().toISOString();
    this.table(resource).set(id, merged);
    return merged;
  }

  private parseBody(resource: WritableResource, body: unknown): Record<string, unknown> {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw validation('(body)', 'must be a JSON object');
    const parsed = BODY_SCHEMAS[resource].safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw validation(issue.path.join('.') || '(body)', issue.message);
    }
    // Read-only fields in a body are ignored, as most APIs do, so a whole record can be sent back.
    return stripReadOnly(parsed.data);
  }

  private check(resource: WritableResource, record: Record<string, unknown>, selfId: string | undefined): void {
    const rules = VALIDATION_RULES[resource];
    if ('required' in rules)
      for (const field of rules.required) if (!filled(record[field])) throw validation(field, 'is required');
    if ('atLeastOneOf' in rules && !rules.atLeastOneOf.some((f) => filled(record[f]))) {
      throw validation(rules.atLeastOneOf[0], `is required unless ${rules.atLeastOneOf.slice(1).join(' or ')} is set`);
    }
    if ('references' in rules) {
      for (const [path, target] of Object.entries(rules.references) as [string, CrmResource][]) {
        const ref = deepGet(record, path);
        if (filled(ref) && !this.table(target).has(String(ref)))
          throw validation(path, `refers to ${SINGULAR[target]} ${String(ref)}, which does not exist`);
      }
    }
    if ('unique' in rules) {
      for (const field of rules.unique) {
        const value = record[field];
        if (!filled(value)) continue;
        const clash = [...this.table(resource).values()].find((r) => r.id !== selfId && r[field] === value);
        if (clash)
          throw new SimError(
            409,
            errorBody(
              ERROR_CODES[409],
              `${field} ${String(value)} is already used by ${SINGULAR[resource]} ${clash.id}`,
              [{ field, message: 'must be unique' }],
            ),
          );
      }
    }
  }

  private nextId(): string {
    this.seq += 1;
    return String(this.seq);
  }

  private table(resource: CrmResource): Map<string, StoredRecord> {
    return this.records.get(resource)!;
  }
}
