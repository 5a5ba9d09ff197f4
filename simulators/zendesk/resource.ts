/**
 * A Zendesk resource of flat fields imitated as the others are answered: `{ <singular>: {...} }`
 * bodies, 422 RecordInvalid naming the field, 404 RecordNotFound, cursor pagination
 * (`page[size]`, `page[after]`, `meta.has_more`), whole-second times. An extension's record type
 * declares one (`ZendeskResourceSpec`) instead of writing routes; not kept in snapshots.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Clock, Simulator } from '../kit';
import { idParam, intParam, notFound, query, recordInvalid } from './api';
import { iso } from './records';

export interface ZendeskResourceSpec {
  /** Under `/api/v2`: `groups`. */
  path: string;
  /** The body's key for one record: `group`. */
  singular: string;
  /** The writable fields, each with its check. */
  fields: Record<string, z.ZodType>;
  /** The field that must not be blank (the name). */
  required: string;
  firstId: number;
}

type ResourceRecord = { id: number; created_at: string; updated_at: string; deleted: boolean } & Record<
  string,
  unknown
>;

export function registerZendeskResource(
  app: FastifyInstance,
  spec: ZendeskResourceSpec,
  ctx: { clock: Clock; listFault: Simulator['listFault'] },
): Map<number, ResourceRecord> {
  const records = new Map<number, ResourceRecord>();
  let nextId = spec.firstId;
  const Body = z.object({ [spec.singular]: z.object(spec.fields).partial().loose() });
  const base = `/api/v2/${spec.path}`;
  const read = (body: unknown) => {
    const parsed = Body.safeParse(body);
    return parsed.success ? (parsed.data[spec.singular] as Record<string, unknown>) : parsed.error;
  };
  const blank = (r: Record<string, unknown>) =>
    typeof r[spec.required] !== 'string' || !String(r[spec.required]).trim();
  const answer = (r: ResourceRecord) => ({ [spec.singular]: r });

  for (const url of [base, `${base}.json`]) {
    app.get(url, async (req, reply) => {
      const q = query(req);
      const fault = ctx.listFault(req, { later: q['page[after]'] !== undefined, more: false });
      if (fault?.kind === 'fail')
        return reply.code(fault.status).send({ error: 'ServiceUnavailable', description: fault.description });
      const size = intParam(q['page[size]'], 100, 100);
      const after = q['page[after]'] ? Number(Buffer.from(q['page[after]'], 'base64url').toString('utf8')) || 0 : 0;
      const live = [...records.values()].filter((r) => !r.deleted && r.id > after).sort((a, b) => a.id - b.id);
      const items = live.slice(0, size);
      const last = items[items.length - 1];
      return {
        [spec.path]: items,
        meta: {
          has_more: live.length > size,
          after_cursor: last ? Buffer.from(String(last.id)).toString('base64url') : null,
          before_cursor: null,
        },
      };
    });
    app.post(url, async (req, reply) => {
      const fields = read(req.body);
      if (fields instanceof z.ZodError) return recordInvalid(reply, spec.singular, fields.issues[0].message);
      if (blank(fields)) return recordInvalid(reply, spec.required, `${spec.required}: cannot be blank`, 'BlankValue');
      const now = iso(ctx.clock.now().getTime());
      const rec: ResourceRecord = { ...fields, id: nextId++, created_at: now, updated_at: now, deleted: false };
      records.set(rec.id, rec);
      return reply.code(201).send(answer(rec));
    });
  }
  app.get(`${base}/:id`, async (req, reply) => {
    const rec = records.get(idParam(req) ?? -1);
    return rec && !rec.deleted ? answer(rec) : notFound(reply);
  });
  app.put(`${base}/:id`, async (req, reply) => {
    const rec = records.get(idParam(req) ?? -1);
    if (!rec || rec.deleted) return notFound(reply);
    const fields = read(req.body);
    if (fields instanceof z.ZodError) return recordInvalid(reply, spec.singular, fields.issues[0].message);
    const next: ResourceRecord = { ...rec, ...fields, id: rec.id, created_at: rec.created_at, deleted: false };
    if (blank(next)) return recordInvalid(reply, spec.required, `${spec.required}: cannot be blank`, 'BlankValue');
    if (Object.keys(fields).some((k) => next[k] !== rec[k])) next.updated_at = iso(ctx.clock.now().getTime());
    records.set(rec.id, next);
    return answer(next);
  });
  return records;
}
