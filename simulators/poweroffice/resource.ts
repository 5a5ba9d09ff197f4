/**
 * A resource of flat fields imitated with the same rules as departments (state.ts): a create body
 * read in any casing, JSON Patch in the documented casing, `LastChangedDateTimeOffset` moved only by
 * a real change, paged lists filtered by change and creation time and by name. An extension's
 * record type declares one (`PowerOfficeResourceSpec`) instead of writing routes; not kept in snapshots.
 */
import type { z } from 'zod';
import type { Clock } from '../kit';
import {
  changed,
  checkValue,
  page,
  Problem,
  readBody,
  readPatch,
  resolvePath,
  timeFilter,
  type ListPage,
  type Query,
} from './state';

export interface PowerOfficeResourceSpec {
  /** Under `/v2`, as the API names it: `/Projects`. */
  path: string;
  /** As the API's messages name one: `Project`. */
  noun: string;
  /** The writable fields, each with its check. */
  fields: Record<string, z.ZodType>;
  /** The field that must not be empty (the name). */
  required: string;
  /** Ids start here, apart from the other resources' ids. */
  firstId: number;
}

type ResourceRecord = { Id: number; CreatedDateTimeOffset: string; LastChangedDateTimeOffset: string } & Record<
  string,
  unknown
>;

export class PowerOfficeResource {
  readonly records = new Map<number, ResourceRecord>();
  private nextId: number;
  private readonly title: string;

  constructor(
    readonly spec: PowerOfficeResourceSpec,
    private readonly clock: Clock,
  ) {
    this.nextId = spec.firstId;
    this.title = `${spec.noun} validation error(s)`;
  }

  create(body: unknown): ResourceRecord {
    const fields = readBody(body, this.spec.fields, this.title);
    const now = this.clock.now().toISOString();
    const rec: ResourceRecord = {
      ...Object.fromEntries(Object.keys(this.spec.fields).map((f) => [f, null])),
      ...fields,
      Id: this.nextId++,
      CreatedDateTimeOffset: now,
      LastChangedDateTimeOffset: now,
    };
    this.check(rec);
    this.records.set(rec.Id, rec);
    return rec;
  }

  patch(id: number, body: unknown): ResourceRecord {
    const old = this.get(id);
    const dto = `${this.spec.noun}PatchDto`;
    const next: ResourceRecord = { ...old };
    for (const op of readPatch(body, dto, this.title)) {
      const [field, sub] = resolvePath(op.path, this.spec.fields, dto, this.title);
      if (sub !== undefined)
        throw new Problem(
          400,
          this.title,
          `${dto}: The target location specified by path segment '${sub}' was not found.`,
        );
      next[field] = op.op === 'remove' ? null : checkValue(this.spec.fields[field], field, op.value, this.title);
    }
    this.check(next);
    if (changed(old, next)) next.LastChangedDateTimeOffset = this.clock.now().toISOString();
    this.records.set(id, next);
    return next;
  }

  get(id: number): ResourceRecord {
    const rec = this.records.get(id);
    if (!rec) throw new Problem(404, 'Object(s) not found', `${this.spec.noun} with id = ${id} not found.`);
    return rec;
  }

  delete(id: number): void {
    this.get(id);
    this.records.delete(id);
  }

  pageOf(q: Query): ListPage<ResourceRecord> {
    const lastChanged = timeFilter(q, 'lastchangeddatetimeoffsetgreaterthan');
    const created = timeFilter(q, 'createddatetimeoffsetgreaterthan');
    const name = q['name']?.trim().toLowerCase();
    const all = [...this.records.values()].filter(
      (r) =>
        (lastChanged === undefined || Date.parse(r.LastChangedDateTimeOffset) > lastChanged) &&
        (created === undefined || Date.parse(r.CreatedDateTimeOffset) > created) &&
        (!name ||
          String(r[this.spec.required] ?? '')
            .toLowerCase()
            .includes(name)),
    );
    return page(all, q);
  }

  private check(rec: ResourceRecord): void {
    const value = rec[this.spec.required];
    if (typeof value !== 'string' || !value.trim())
      throw new Problem(400, this.title, `${this.spec.required}: The ${this.spec.required} field is required.`);
  }
}
