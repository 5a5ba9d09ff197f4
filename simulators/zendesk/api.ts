/**
 * The Zendesk Support API v2 routes of the simulator: same paths (with or without `.json`), bodies,
 * pagination, incremental exports and error answers as the real API, for what Tandem uses.
 */
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { Clock, type Simulator } from '../kit';
import {
  CommentRec,
  OrgRec,
  renderComment,
  renderOrganization,
  renderTicket,
  renderUser,
  TicketRec,
  UserRec,
  iso,
} from './records';
import { Table, WebhookRec, ZendeskStore } from './store';
import { WebhookDispatcher, ZendeskEvent } from './webhooks';

export interface ApiContext {
  store: ZendeskStore;
  clock: Clock;
  dispatcher: WebhookDispatcher;
  /** E-mail of the API user: requester/author when a write names none. */
  ownerEmail: string;
  /** E-mail of the user a request authenticated as (`/users/me`); default the API user. */
  signedInAs?: (req: FastifyRequest) => string;
  random: () => number;
  /** The incremental exports leave out changes of this many seconds before a request (Zendesk: 60). */
  exportDelaySeconds(): number;
  /** The kit's list faults: a later page of a listing may fail on purpose. */
  listFault: Simulator['listFault'];
}

type Req = FastifyRequest;
type Reply = FastifyReply;

// ---- answers ------------------------------------------------------------------------------------

export function recordInvalid(reply: Reply, field: string, description: string, error = 'InvalidValue'): Reply {
  return reply.code(422).send({
    error: 'RecordInvalid',
    description: 'Record validation errors',
    details: { [field]: [{ description, error }] },
  });
}

export function notFound(reply: Reply): Reply {
  return reply.code(404).send({ error: 'RecordNotFound', description: 'Not found' });
}

function badRequest(reply: Reply, error: string, description: string): Reply {
  return reply.code(400).send({ error, description });
}

/** A body that fails its schema: 422 naming the first field, as Zendesk's RecordInvalid does. */
function invalidBody(reply: Reply, err: z.ZodError, wrapper: string): Reply {
  const issue = err.issues[0];
  if (issue.path.length === 0 || (issue.path.length === 1 && issue.path[0] === wrapper)) {
    return badRequest(reply, 'InvalidParams', `Parameter ${wrapper} is required and must be an object`);
  }
  const field = String(issue.path[1] ?? issue.path[0]);
  return recordInvalid(reply, field, `${capitalize(field)}: ${issue.message}`);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1).replace(/_/g, ' ');
}

function baseOf(req: Req): string {
  return `http://${req.headers.host ?? '127.0.0.1'}`;
}

/** Path ids arrive as `123` or `123.json`. */
export function idParam(req: Req): number | undefined {
  const raw = String((req.params as Record<string, string>).id ?? '').replace(/\.json$/, '');
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}

const Query = z.record(z.string(), z.union([z.string(), z.array(z.string())]).optional());
export function query(req: Req): Record<string, string | undefined> {
  const q = Query.safeParse(req.query ?? {});
  const out: Record<string, string | undefined> = {};
  if (q.success) for (const [k, v] of Object.entries(q.data)) out[k] = Array.isArray(v) ? v[0] : v;
  return out;
}

export function intParam(value: string | undefined, fallback: number, max: number): number {
  const n = value === undefined ? NaN : Number(value);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : fallback;
}

// ---- request bodies -----------------------------------------------------------------------------

const id = z.number().int().positive();
const UserInput = z.looseObject({
  name: z.string().optional(),
  email: z.string().nullable().optional(),
  role: z.enum(['end-user', 'agent', 'admin']).optional(),
  organization_id: id.nullable().optional(),
  phone: z.string().nullable().optional(),
  external_id: z.string().nullable().optional(),
});
const OrganizationInput = z.looseObject({
  name: z.string().optional(),
  external_id: z.string().nullable().optional(),
  domain_names: z.array(z.string()).optional(),
  details: z.string().nullable().optional(),
  notes: z.string().nullable().optional(),
  tags: z.array(z.string()).optional(),
});

/** The organization fields a write may set besides the name, as given (tags without duplicates). */
const ORG_KEPT = ['external_id', 'domain_names', 'details', 'notes', 'tags'] as const;

function orgFields(f: z.infer<typeof OrganizationInput>): Partial<OrgRec> {
  const out: Partial<OrgRec> = {};
  if (f.external_id !== undefined) out.external_id = f.external_id;
  if (f.domain_names !== undefined)
    out.domain_names = [...new Set(f.domain_names.map((d) => d.trim().toLowerCase()).filter(Boolean))];
  if (f.details !== undefined) out.details = f.details;
  if (f.notes !== undefined) out.notes = f.notes;
  if (f.tags !== undefined) out.tags = [...new Set(f.tags.map((t) => t.trim()).filter(Boolean))];
  return out;
}
const CommentInput = z.looseObject({
  body: z.string().optional(),
  html_body: z.string().optional(),
  public: z.boolean().optional(),
  author_id: id.optional(),
});
const TicketInput = z.looseObject({
  subject: z.string().nullable().optional(),
  description: z.string().optional(),
  comment: CommentInput.optional(),
  requester_id: id.optional(),
  requester: z.looseObject({ email: z.string(), name: z.string().optional() }).optional(),
  submitter_id: id.optional(),
  assignee_id: id.nullable().optional(),
  organization_id: id.nullable().optional(),
  status: z.enum(['new', 'open', 'pending', 'hold', 'solved', 'closed']).optional(),
  priority: z.enum(['urgent', 'high', 'normal', 'low']).nullable().optional(),
  type: z.enum(['problem', 'incident', 'question', 'task']).nullable().optional(),
  tags: z.array(z.string()).optional(),
});
const WebhookInput = z.looseObject({
  name: z.string().min(1),
  endpoint: z.string().url(),
  status: z.enum(['active', 'inactive']).default('active'),
  http_method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
  request_format: z.enum(['json', 'xml', 'form_encoded']).default('json'),
  subscriptions: z.array(z.string()).default([]),
  signing_secret: z.looseObject({ secret: z.string().min(1) }).optional(),
});

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

// ---- cursors ------------------------------------------------------------------------------------

/**
 * Opaque to clients: where the next page starts. The change's sequence number is exact within one run
 * of the store; the `updated` time (ms) is the fallback when the store was reloaded since (a restart
 * from a snapshot), and then the whole second is read again: a few repeats, never a loss.
 */
interface CursorPosition {
  epoch: string;
  seq: number;
  updated: number;
}

function encodeCursor(p: CursorPosition): string {
  return Buffer.from(`${p.epoch}.${p.seq}.${p.updated}`).toString('base64url');
}

function decodeCursor(cursor: string): CursorPosition | undefined {
  const m = /^([0-9a-z]+)\.(\d+)\.(-?\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m ? { epoch: m[1], seq: Number(m[2]), updated: Number(m[3]) } : undefined;
}

/** The records an answer side-loads for its records (`include=`), as fields to add to the answer. */
type Sideload<T> = (req: Req, records: T[]) => Record<string, unknown>;
const none: Sideload<unknown> = () => ({});

/** Zendesk refuses a start time less than a minute in the past. */
const MIN_START_AGE_S = 60;
const EXPORT_PAGE = 1000;
/** The sample export's page: Zendesk's `/incremental/{resource}/sample` returns up to 50. */
const SAMPLE_PAGE = 50;

function checkStartTime(reply: Reply, raw: string | undefined): number | Reply {
  if (raw === undefined || !/^\d+$/.test(raw))
    return badRequest(reply, 'InvalidValue', 'start_time is required and must be a Unix epoch time in seconds');
  const startTime = Number(raw);
  if (startTime > Math.floor(Date.now() / 1000) - MIN_START_AGE_S) {
    return badRequest(reply, 'InvalidValue', 'Too recent start_time. Use a start_time older than 1 minute');
  }
  return startTime;
}

// ---- events -------------------------------------------------------------------------------------

const idStr = (v: number | null): string | null => (v === null ? null : String(v));

function userDetail(u: UserRec): Record<string, unknown> {
  // Real payloads carry ids as strings and "0" for an absent organization or group.
  return {
    created_at: iso(u.created),
    email: u.email,
    external_id: u.external_id ?? '',
    default_group_id: '0',
    id: String(u.id),
    organization_id: u.organization_id === null ? '0' : String(u.organization_id),
    role: u.role,
    updated_at: iso(u.updated),
  };
}

function orgDetail(o: OrgRec): Record<string, unknown> {
  return {
    created_at: iso(o.created),
    external_id: o.external_id,
    group_id: '0',
    id: String(o.id),
    name: o.name,
    shared_comments: false,
    shared_tickets: false,
    updated_at: iso(o.updated),
  };
}

function ticketDetail(t: TicketRec, actorId: number): Record<string, unknown> {
  return {
    actor_id: String(actorId),
    assignee_id: idStr(t.assignee_id),
    brand_id: '360000000001',
    created_at: iso(t.created),
    description: t.description,
    external_id: null,
    form_id: '360000000101',
    group_id: null,
    id: String(t.id),
    is_public: true,
    organization_id: idStr(t.organization_id),
    priority: t.priority ? t.priority.toUpperCase() : null,
    requester_id: String(t.requester_id),
    status: t.status.toUpperCase(),
    subject: t.subject,
    submitter_id: String(t.submitter_id),
    tags: t.tags,
    type: t.type ? t.type.toUpperCase() : null,
    updated_at: iso(t.updated),
    via: { channel: 'api_call' },
  };
}

function changed<T>(previous: T, current: T): Record<string, unknown> {
  return { previous, current };
}

function userEvents(before: UserRec | null, after: UserRec, deleted = false): ZendeskEvent[] {
  const subject = `zen:user:${after.id}`;
  const detail = userDetail(after);
  const ev = (name: string, event: Record<string, unknown> = {}): ZendeskEvent => ({
    type: `zen:event-type:user.${name}`,
    subject,
    detail,
    event,
  });
  if (deleted) return [ev('deleted')];
  if (!before) return [ev('created')];
  const out: ZendeskEvent[] = [];
  if (before.name !== after.name) out.push(ev('name_changed', changed(before.name, after.name)));
  if (before.role !== after.role) out.push(ev('role_changed', changed(before.role, after.role)));
  for (const [field, type] of [
    ['email', 'email'],
    ['phone', 'phone_number'],
  ] as const) {
    const was = before[field];
    const now = after[field];
    if (was === now) continue;
    const identity = (value: string | null) => (value === null ? null : { type, value, primary: true });
    if (was === null) out.push(ev('identity_created', { current: identity(now) }));
    else if (now === null) out.push(ev('identity_deleted', { previous: identity(was) }));
    else out.push(ev('identity_changed', changed(identity(was), identity(now))));
  }
  if (before.organization_id !== after.organization_id) {
    if (before.organization_id !== null)
      out.push(ev('organization_membership_deleted', { previous: { id: String(before.organization_id) } }));
    if (after.organization_id !== null)
      out.push(ev('organization_membership_created', { current: { id: String(after.organization_id) } }));
  }
  if (before.active !== after.active) out.push(ev('active_changed', changed(before.active, after.active)));
  return out;
}

function orgEvents(before: OrgRec | null, after: OrgRec, deleted = false): ZendeskEvent[] {
  const subject = `zen:organization:${after.id}`;
  const detail = orgDetail(after);
  if (deleted) return [{ type: 'zen:event-type:organization.deleted', subject, detail, event: {} }];
  if (!before) return [{ type: 'zen:event-type:organization.created', subject, detail, event: {} }];
  return before.name !== after.name
    ? [{ type: 'zen:event-type:organization.name_changed', subject, detail, event: changed(before.name, after.name) }]
    : [];
}

// ---- the routes ---------------------------------------------------------------------------------

export function registerZendeskApi(app: FastifyInstance, ctx: ApiContext): void {
  const { store, clock, dispatcher } = ctx;

  /** Registers `path` and `path.json` (paths ending in `:id` take the suffix inside the parameter). */
  const route = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    handler: (req: Req, reply: Reply) => unknown,
  ) => {
    const full = `/api/v2${path}`;
    app.route({ method, url: full, handler: async (req, reply) => handler(req, reply) });
    if (!full.endsWith(':id'))
      app.route({ method, url: `${full}.json`, handler: async (req, reply) => handler(req, reply) });
  };

  const liveUser = (userId: number | undefined) => (userId === undefined ? undefined : store.users.byId.get(userId));
  const liveOrg = (orgId: number | undefined) => {
    const o = orgId === undefined ? undefined : store.organizations.byId.get(orgId);
    return o && o.deleted === null ? o : undefined;
  };
  const liveTicket = (ticketId: number | undefined) => {
    const t = ticketId === undefined ? undefined : store.tickets.byId.get(ticketId);
    return t && t.status !== 'deleted' ? t : undefined;
  };

  /**
   * Side-loading (`include=organizations,users`): the records an answer's records refer to, each
   * once, beside them. Names Zendesk does not side-load there are ignored, as Zendesk does.
   */
  const included = (req: Req, name: string) => (query(req).include ?? '').split(',').some((n) => n.trim() === name);
  const orgsOf = (ids: (number | null)[]) => [...new Set(ids)].flatMap((id) => liveOrg(id ?? undefined) ?? []);
  const userSideloads: Sideload<UserRec> = (req, users) =>
    included(req, 'organizations')
      ? { organizations: orgsOf(users.map((u) => u.organization_id)).map((o) => renderOrganization(o, baseOf(req))) }
      : {};
  const ticketSideloads: Sideload<TicketRec> = (req, tickets) => ({
    ...(included(req, 'users')
      ? {
          users: [...new Set(tickets.flatMap((t) => [t.requester_id, t.submitter_id, t.assignee_id]))]
            .flatMap((id) => liveUser(id ?? undefined) ?? [])
            .map((u) => renderUser(u, baseOf(req))),
        }
      : {}),
    ...(included(req, 'organizations')
      ? { organizations: orgsOf(tickets.map((t) => t.organization_id)).map((o) => renderOrganization(o, baseOf(req))) }
      : {}),
  });

  /** The API user (an admin), created on first need as it exists in every real account. */
  const owner = (): UserRec => {
    const existing = liveUser(store.emails.get(ctx.ownerEmail.toLowerCase()));
    if (existing) return existing;
    const now = clock.now().getTime();
    const u: UserRec = {
      id: store.nextId('user'),
      name: 'Account Owner',
      email: ctx.ownerEmail,
      role: 'admin',
      organization_id: null,
      phone: null,
      external_id: null,
      active: true,
      created: now,
      updated: now,
    };
    store.users.insert(u);
    store.emails.set(ctx.ownerEmail.toLowerCase(), u.id);
    dispatcher.emit(userEvents(null, u));
    return u;
  };

  /** Cursor pagination (`page[size]`/`page[after]`) or, without those, offset pagination (`page`/`per_page`). */
  const listAnswer = <T extends { id: number; updated: number }>(
    req: Req,
    reply: Reply,
    key: string,
    table: Table<T>,
    keep: (r: T) => boolean,
    render: (r: T) => unknown,
    path: string,
    side: Sideload<T> = none,
  ) => {
    const q = query(req);
    const base = `${baseOf(req)}/api/v2/${path}.json`;
    const fault = ctx.listFault(req, {
      later: q['page[after]'] !== undefined || intParam(q.page, 1, Number.MAX_SAFE_INTEGER) > 1,
      more: false,
    });
    if (fault?.kind === 'fail')
      return reply.code(fault.status).send({ error: 'ServiceUnavailable', description: fault.description });
    if (q['page[size]'] !== undefined || q['page[after]'] !== undefined) {
      const size = intParam(q['page[size]'], 100, 100);
      const afterId = q['page[after]'] ? Number(Buffer.from(q['page[after]'], 'base64url').toString('utf8')) || 0 : 0;
      const { items, hasMore } = table.pageById(afterId, size, keep);
      const first = items[0];
      const last = items[items.length - 1];
      const cur = (v: number) => Buffer.from(String(v)).toString('base64url');
      const afterCursor = last ? cur(last.id) : null;
      const beforeCursor = first ? cur(first.id - 1) : null;
      return {
        [key]: items.map(render),
        ...side(req, items),
        meta: { has_more: hasMore, after_cursor: afterCursor, before_cursor: beforeCursor },
        links: {
          next: hasMore && afterCursor ? `${base}?page%5Bsize%5D=${size}&page%5Bafter%5D=${afterCursor}` : null,
          prev: null,
        },
      };
    }
    const perPage = intParam(q.per_page, 100, 100);
    const page = intParam(q.page, 1, Number.MAX_SAFE_INTEGER);
    const all = table.filter(keep);
    const slice = all.slice((page - 1) * perPage, page * perPage);
    return {
      [key]: slice.map(render),
      ...side(req, slice),
      next_page: page * perPage < all.length ? `${base}?page=${page + 1}&per_page=${perPage}` : null,
      previous_page: page > 1 ? `${base}?page=${page - 1}&per_page=${perPage}` : null,
      count: all.length,
    };
  };

  // ---- users ----

  route('GET', '/users', (req, reply) =>
    listAnswer(
      req,
      reply,
      'users',
      store.users,
      (u) => u.active,
      (u) => renderUser(u, baseOf(req)),
      'users',
      userSideloads,
    ),
  );

  route('GET', '/users/search', (req, reply) => {
    const q = query(req);
    const text = (q.query ?? '').trim();
    if (!text && !q.external_id) return badRequest(reply, 'InvalidParams', 'query or external_id is required');
    let keep: (u: UserRec) => boolean;
    if (q.external_id) keep = (u) => u.external_id === q.external_id;
    else {
      const m = /^email:"?([^"]+)"?$/i.exec(text);
      if (m) {
        const hit = store.emails.get(m[1].toLowerCase());
        keep = (u) => u.id === hit;
      } else {
        const needle = text.toLowerCase();
        keep = (u) => u.name.toLowerCase().includes(needle) || (u.email ?? '').toLowerCase().includes(needle);
      }
    }
    const users = store.users.filter((u) => u.active && keep(u)).slice(0, 100);
    return {
      users: users.map((u) => renderUser(u, baseOf(req))),
      ...userSideloads(req, users),
      next_page: null,
      previous_page: null,
      count: users.length,
    };
  });

  // Who the credentials belong to, as Zendesk answers it; a static path, so it wins over `/users/:id`.
  route('GET', '/users/me', (req, reply) => {
    const email = (ctx.signedInAs?.(req) ?? ctx.ownerEmail).toLowerCase();
    const u = email === ctx.ownerEmail.toLowerCase() ? owner() : liveUser(store.emails.get(email));
    return u ? { user: renderUser(u, baseOf(req)) } : notFound(reply);
  });

  route('GET', '/users/:id', (req, reply) => {
    const u = liveUser(idParam(req));
    return u ? { user: renderUser(u, baseOf(req)), ...userSideloads(req, [u]) } : notFound(reply);
  });

  /** Checks a user's fields against the other users; undefined when fine, else the 422 answer. */
  const checkUser = (reply: Reply, fields: z.infer<typeof UserInput>, selfId: number | null): Reply | undefined => {
    if (fields.name !== undefined && fields.name.trim() === '')
      return recordInvalid(reply, 'name', 'Name:  is too short (minimum is 1 character)', 'BlankValue');
    if (fields.email) {
      if (!EMAIL.test(fields.email))
        return recordInvalid(reply, 'email', `Email: ${fields.email} is not properly formatted`);
      const holder = store.emails.get(fields.email.toLowerCase());
      if (holder !== undefined && holder !== selfId)
        return recordInvalid(
          reply,
          'email',
          `Email: ${fields.email} is already being used by another user`,
          'DuplicateValue',
        );
    }
    if (fields.organization_id != null && !liveOrg(fields.organization_id))
      return recordInvalid(reply, 'organization_id', 'Organization: is invalid');
    return undefined;
  };

  route('POST', '/users', (req, reply) => {
    const body = z.object({ user: UserInput }).safeParse(req.body);
    if (!body.success) return invalidBody(reply, body.error, 'user');
    const f = body.data.user;
    if (f.name === undefined)
      return recordInvalid(reply, 'name', 'Name:  is too short (minimum is 1 character)', 'BlankValue');
    const bad = checkUser(reply, f, null);
    if (bad) return bad;
    const now = clock.now().getTime();
    const u: UserRec = {
      id: store.nextId('user'),
      name: f.name.trim(),
      email: f.email ?? null,
      role: f.role ?? 'end-user',
      organization_id: f.organization_id ?? null,
      phone: f.phone ?? null,
      external_id: f.external_id ?? null,
      active: true,
      created: now,
      updated: now,
    };
    store.users.insert(u);
    if (u.email) store.emails.set(u.email.toLowerCase(), u.id);
    dispatcher.emit(userEvents(null, u));
    return reply.code(201).send({ user: renderUser(u, baseOf(req)) });
  });

  route('PUT', '/users/:id', (req, reply) => {
    const u = liveUser(idParam(req));
    if (!u) return notFound(reply);
    const body = z.object({ user: UserInput }).safeParse(req.body);
    if (!body.success) return invalidBody(reply, body.error, 'user');
    const f = body.data.user;
    const bad = checkUser(reply, f, u.id);
    if (bad) return bad;
    const before = { ...u };
    if (f.name !== undefined) u.name = f.name.trim();
    if (f.email !== undefined) u.email = f.email;
    if (f.role !== undefined) u.role = f.role;
    if (f.organization_id !== undefined) u.organization_id = f.organization_id;
    if (f.phone !== undefined) u.phone = f.phone;
    if (f.external_id !== undefined) u.external_id = f.external_id;
    const events = userEvents(before, u);
    if (events.length > 0 || before.external_id !== u.external_id) {
      u.updated = clock.now().getTime();
      store.users.touched(u);
      if (before.email !== u.email) {
        if (before.email) store.emails.delete(before.email.toLowerCase());
        if (u.email) store.emails.set(u.email.toLowerCase(), u.id);
      }
      dispatcher.emit(userEvents(before, u));
    }
    return { user: renderUser(u, baseOf(req)) };
  });

  route('DELETE', '/users/:id', (req, reply) => {
    const u = liveUser(idParam(req));
    if (!u || !u.active) return notFound(reply);
    u.active = false;
    u.updated = clock.now().getTime();
    store.users.touched(u);
    dispatcher.emit(userEvents(null, u, true));
    return { user: renderUser(u, baseOf(req)) };
  });

  // ---- organizations ----

  route('GET', '/organizations', (req, reply) =>
    listAnswer(
      req,
      reply,
      'organizations',
      store.organizations,
      (o) => o.deleted === null,
      (o) => renderOrganization(o, baseOf(req)),
      'organizations',
    ),
  );

  route('GET', '/organizations/:id', (req, reply) => {
    const o = liveOrg(idParam(req));
    return o ? { organization: renderOrganization(o, baseOf(req)) } : notFound(reply);
  });

  const checkOrg = (reply: Reply, f: z.infer<typeof OrganizationInput>, selfId: number | null): Reply | undefined => {
    if (f.name !== undefined) {
      if (f.name.trim() === '') return recordInvalid(reply, 'name', 'Name: cannot be blank', 'BlankValue');
      const holder = store.orgNames.get(f.name.trim().toLowerCase());
      if (holder !== undefined && holder !== selfId)
        return recordInvalid(reply, 'name', 'Name: has already been taken', 'DuplicateValue');
    }
    return undefined;
  };

  route('POST', '/organizations', (req, reply) => {
    const body = z.object({ organization: OrganizationInput }).safeParse(req.body);
    if (!body.success) return invalidBody(reply, body.error, 'organization');
    const f = body.data.organization;
    if (f.name === undefined) return recordInvalid(reply, 'name', 'Name: cannot be blank', 'BlankValue');
    const bad = checkOrg(reply, f, null);
    if (bad) return bad;
    const now = clock.now().getTime();
    const o: OrgRec = {
      id: store.nextId('organization'),
      name: f.name.trim(),
      external_id: null,
      domain_names: [],
      details: null,
      notes: null,
      tags: [],
      deleted: null,
      created: now,
      updated: now,
      ...orgFields(f),
    };
    store.organizations.insert(o);
    store.orgNames.set(o.name.toLowerCase(), o.id);
    dispatcher.emit(orgEvents(null, o));
    return reply.code(201).send({ organization: renderOrganization(o, baseOf(req)) });
  });

  route('PUT', '/organizations/:id', (req, reply) => {
    const o = liveOrg(idParam(req));
    if (!o) return notFound(reply);
    const body = z.object({ organization: OrganizationInput }).safeParse(req.body);
    if (!body.success) return invalidBody(reply, body.error, 'organization');
    const f = body.data.organization;
    const bad = checkOrg(reply, f, o.id);
    if (bad) return bad;
    const before = { ...o };
    if (f.name !== undefined) o.name = f.name.trim();
    Object.assign(o, orgFields(f));
    // Any real change moves updated_at (a notes-only edit included); a write that changes nothing does not.
    const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
    if (before.name !== o.name || ORG_KEPT.some((k) => !same(before[k], o[k]))) {
      o.updated = clock.now().getTime();
      store.organizations.touched(o);
      store.orgNames.delete(before.name.toLowerCase());
      store.orgNames.set(o.name.toLowerCase(), o.id);
      dispatcher.emit(orgEvents(before, o));
    }
    return { organization: renderOrganization(o, baseOf(req)) };
  });

  route('DELETE', '/organizations/:id', (req, reply) => {
    const o = liveOrg(idParam(req));
    if (!o) return notFound(reply);
    const now = clock.now().getTime();
    o.deleted = now;
    o.updated = now;
    store.organizations.touched(o);
    store.orgNames.delete(o.name.toLowerCase());
    // Members lose the organization, as in Zendesk.
    for (const u of store.users.filter((x) => x.organization_id === o.id)) {
      const before = { ...u };
      u.organization_id = null;
      u.updated = clock.now().getTime();
      store.users.touched(u);
      dispatcher.emit(userEvents(before, u));
    }
    dispatcher.emit(orgEvents(null, o, true));
    return reply.code(204).send();
  });

  // ---- tickets and comments ----

  route('GET', '/tickets', (req, reply) =>
    listAnswer(
      req,
      reply,
      'tickets',
      store.tickets,
      (t) => t.status !== 'deleted',
      (t) => renderTicket(t, baseOf(req)),
      'tickets',
      ticketSideloads,
    ),
  );

  route('GET', '/tickets/:id', (req, reply) => {
    const t = liveTicket(idParam(req));
    return t ? { ticket: renderTicket(t, baseOf(req)), ...ticketSideloads(req, [t]) } : notFound(reply);
  });

  const addComment = (t: TicketRec, input: z.infer<typeof CommentInput>, authorId: number, at: number): CommentRec => {
    const c: CommentRec = {
      id: store.nextId('comment'),
      ticket_id: t.id,
      author_id: authorId,
      body: input.body ?? stripHtml(input.html_body ?? ''),
      public: input.public ?? true,
      audit_id: store.nextId('audit'),
      created: at,
    };
    const list = store.comments.get(t.id);
    if (list) list.push(c);
    else store.comments.set(t.id, [c]);
    return c;
  };

  const commentEvent = (t: TicketRec, c: CommentRec): ZendeskEvent => {
    const author = store.users.byId.get(c.author_id);
    return {
      type: 'zen:event-type:ticket.comment_added',
      subject: `zen:ticket:${t.id}`,
      detail: ticketDetail(t, c.author_id),
      event: {
        comment: {
          id: String(c.id),
          body: c.body,
          is_public: c.public,
          author: {
            id: String(c.author_id),
            is_staff: author ? author.role !== 'end-user' : false,
            name: author?.name ?? '',
          },
        },
      },
    };
  };

  route('POST', '/tickets', (req, reply) => {
    const body = z.object({ ticket: TicketInput }).safeParse(req.body);
    if (!body.success) return invalidBody(reply, body.error, 'ticket');
    const f = body.data.ticket;
    const text = f.comment?.body ?? f.comment?.html_body ?? f.description;
    if (!text || text.trim() === '') return recordInvalid(reply, 'base', 'Description: cannot be blank', 'BlankValue');
    let requester: UserRec | undefined;
    if (f.requester_id !== undefined) {
      requester = liveUser(f.requester_id);
      if (!requester || !requester.active) return recordInvalid(reply, 'requester', 'Requester: is invalid');
    } else if (f.requester) {
      if (!EMAIL.test(f.requester.email))
        return recordInvalid(reply, 'requester', `Requester: Email: ${f.requester.email} is not properly formatted`);
      requester = liveUser(store.emails.get(f.requester.email.toLowerCase()));
      if (!requester) {
        const now = clock.now().getTime();
        requester = {
          id: store.nextId('user'),
          name: f.requester.name ?? f.requester.email.split('@')[0],
          email: f.requester.email,
          role: 'end-user',
          organization_id: null,
          phone: null,
          external_id: null,
          active: true,
          created: now,
          updated: now,
        };
        store.users.insert(requester);
        store.emails.set(f.requester.email.toLowerCase(), requester.id);
        dispatcher.emit(userEvents(null, requester));
      }
    }
    const submitter = f.submitter_id !== undefined ? liveUser(f.submitter_id) : owner();
    if (!submitter) return recordInvalid(reply, 'submitter', 'Submitter: is invalid');
    requester ??= submitter;
    if (f.assignee_id != null) {
      const a = liveUser(f.assignee_id);
      if (!a || a.role === 'end-user') return recordInvalid(reply, 'assignee', 'Assignee: is invalid');
    }
    if (f.organization_id != null && !liveOrg(f.organization_id))
      return recordInvalid(reply, 'organization_id', 'Organization: is invalid');
    const now = clock.now().getTime();
    const t: TicketRec = {
      id: store.nextId('ticket'),
      subject: f.subject ?? null,
      description:
        f.comment?.body ??
        (f.comment?.html_body !== undefined ? stripHtml(f.comment.html_body) : (f.description ?? '')),
      status: f.status ?? (f.assignee_id != null ? 'open' : 'new'),
      requester_id: requester.id,
      submitter_id: submitter.id,
      assignee_id: f.assignee_id ?? null,
      organization_id: f.organization_id !== undefined ? f.organization_id : requester.organization_id,
      priority: f.priority ?? null,
      type: f.type ?? null,
      tags: f.tags ?? [],
      created: now,
      updated: now,
    };
    store.tickets.insert(t);
    // The first comment is the description, written by the comment's author or else the submitter.
    const c = addComment(
      t,
      { body: t.description, public: f.comment?.public ?? true },
      f.comment?.author_id ?? submitter.id,
      now,
    );
    dispatcher.emit([
      {
        type: 'zen:event-type:ticket.created',
        subject: `zen:ticket:${t.id}`,
        detail: ticketDetail(t, submitter.id),
        event: { meta: { sequence: { position: 1 } } },
      },
      commentEvent(t, c),
    ]);
    return reply.code(201).send({ ticket: renderTicket(t, baseOf(req)), audit: audit(t, c, submitter.id, []) });
  });

  const audit = (
    t: TicketRec,
    c: CommentRec | null,
    authorId: number,
    changes: Array<{ field: string; previous: unknown; value: unknown }>,
  ) => ({
    id: c ? c.audit_id : store.nextId('audit'),
    ticket_id: t.id,
    created_at: iso(t.updated),
    author_id: authorId,
    metadata: { system: {}, custom: {} },
    via: { channel: 'api', source: { from: {}, to: {}, rel: null } },
    events: [
      ...(c ? [{ ...renderComment(c), audit_id: undefined }] : []),
      ...changes.map((ch, i) => ({
        id: (c?.id ?? t.id) + i + 1,
        type: 'Change',
        field_name: ch.field,
        value: ch.value,
        previous_value: ch.previous,
      })),
    ],
  });

  route('PUT', '/tickets/:id', (req, reply) => {
    const t = liveTicket(idParam(req));
    if (!t) return notFound(reply);
    const body = z.object({ ticket: TicketInput }).safeParse(req.body);
    if (!body.success) return invalidBody(reply, body.error, 'ticket');
    const f = body.data.ticket;
    if (t.status === 'closed') return recordInvalid(reply, 'status', 'Status: closed prevents ticket update');
    if (f.requester_id !== undefined && !liveUser(f.requester_id)?.active)
      return recordInvalid(reply, 'requester', 'Requester: is invalid');
    if (f.assignee_id != null && (liveUser(f.assignee_id)?.role ?? 'end-user') === 'end-user')
      return recordInvalid(reply, 'assignee', 'Assignee: is invalid');
    if (f.organization_id != null && !liveOrg(f.organization_id))
      return recordInvalid(reply, 'organization_id', 'Organization: is invalid');
    const commentText = f.comment ? (f.comment.body ?? f.comment.html_body ?? '') : undefined;
    if (commentText !== undefined && commentText.trim() === '')
      return recordInvalid(reply, 'comment', 'Comment: cannot be blank', 'BlankValue');
    if (f.comment?.author_id !== undefined && !liveUser(f.comment.author_id))
      return recordInvalid(reply, 'author_id', 'Author: is invalid');

    const before = { ...t };
    const changes: Array<{ field: string; previous: unknown; value: unknown }> = [];
    const set = <
      K extends 'subject' | 'status' | 'requester_id' | 'assignee_id' | 'organization_id' | 'priority' | 'type',
    >(
      key: K,
      value: TicketRec[K] | undefined,
    ) => {
      if (value === undefined || t[key] === value) return;
      changes.push({ field: key, previous: t[key], value });
      t[key] = value;
    };
    set('subject', f.subject);
    set('status', f.status);
    set('requester_id', f.requester_id);
    set('assignee_id', f.assignee_id);
    set('organization_id', f.organization_id);
    set('priority', f.priority);
    set('type', f.type);
    if (f.tags && f.tags.join(' ') !== t.tags.join(' ')) {
      changes.push({ field: 'tags', previous: t.tags, value: f.tags });
      t.tags = f.tags;
    }
    if (changes.length === 0 && !f.comment) return { ticket: renderTicket(t, baseOf(req)), audit: null };

    const actor = f.comment?.author_id ?? owner().id;
    t.updated = clock.now().getTime();
    store.tickets.touched(t);
    const c = f.comment ? addComment(t, f.comment, actor, t.updated) : null;
    const events: ZendeskEvent[] = [];
    const ev = (name: string, event: Record<string, unknown>): ZendeskEvent => ({
      type: `zen:event-type:ticket.${name}`,
      subject: `zen:ticket:${t.id}`,
      detail: ticketDetail(t, actor),
      event,
    });
    const idOrNull = (v: number | null) => (v === null ? null : String(v));
    if (before.subject !== t.subject) events.push(ev('subject_changed', changed(before.subject, t.subject)));
    if (before.requester_id !== t.requester_id)
      events.push(ev('requester_changed', changed(String(before.requester_id), String(t.requester_id))));
    if (before.organization_id !== t.organization_id)
      events.push(ev('organization_changed', changed(idOrNull(before.organization_id), idOrNull(t.organization_id))));
    if (before.status !== t.status)
      events.push(ev('status_changed', changed(before.status.toUpperCase(), t.status.toUpperCase())));
    if (c) events.push(commentEvent(t, c));
    dispatcher.emit(events);
    return { ticket: renderTicket(t, baseOf(req)), audit: audit(t, c, actor, changes) };
  });

  route('DELETE', '/tickets/:id', (req, reply) => {
    const t = liveTicket(idParam(req));
    if (!t) return notFound(reply);
    t.status = 'deleted';
    t.updated = clock.now().getTime();
    store.tickets.touched(t);
    dispatcher.emit([
      {
        type: 'zen:event-type:ticket.soft_deleted',
        subject: `zen:ticket:${t.id}`,
        detail: ticketDetail(t, owner().id),
        event: {},
      },
    ]);
    return reply.code(204).send();
  });

  app.route({
    method: 'GET',
    url: '/api/v2/tickets/:id/comments',
    handler: async (req, reply) => commentsAnswer(req, reply),
  });
  app.route({
    method: 'GET',
    url: '/api/v2/tickets/:id/comments.json',
    handler: async (req, reply) => commentsAnswer(req, reply),
  });

  function commentsAnswer(req: Req, reply: Reply) {
    const t = liveTicket(idParam(req));
    if (!t) return notFound(reply);
    const q = query(req);
    const all = (store.comments.get(t.id) ?? []).slice();
    if (q.sort_order === 'desc') all.reverse();
    const base = `${baseOf(req)}/api/v2/tickets/${t.id}/comments.json`;
    if (q['page[size]'] !== undefined || q['page[after]'] !== undefined) {
      const size = intParam(q['page[size]'], 100, 100);
      const start = q['page[after]'] ? Number(Buffer.from(q['page[after]'], 'base64url').toString('utf8')) || 0 : 0;
      const items = all.slice(start, start + size);
      const hasMore = start + size < all.length;
      const afterCursor = items.length ? Buffer.from(String(start + items.length)).toString('base64url') : null;
      return {
        comments: items.map(renderComment),
        meta: {
          has_more: hasMore,
          after_cursor: afterCursor,
          before_cursor: items.length ? Buffer.from(String(start)).toString('base64url') : null,
        },
        links: { next: hasMore ? `${base}?page%5Bsize%5D=${size}&page%5Bafter%5D=${afterCursor}` : null, prev: null },
      };
    }
    const perPage = intParam(q.per_page, 100, 100);
    const page = intParam(q.page, 1, Number.MAX_SAFE_INTEGER);
    return {
      comments: all.slice((page - 1) * perPage, page * perPage).map(renderComment),
      next_page: page * perPage < all.length ? `${base}?page=${page + 1}&per_page=${perPage}` : null,
      previous_page: page > 1 ? `${base}?page=${page - 1}&per_page=${perPage}` : null,
      count: all.length,
    };
  }

  // ---- incremental exports ----

  /**
   * Zendesk leaves out what changed within the minute before a request, to hand out settled data;
   * the cursor or `end_time` stays before it, so the next request picks those changes up.
   */
  const exportCutoff = () => {
    const delay = ctx.exportDelaySeconds();
    return delay > 0 ? Date.now() - delay * 1000 : Number.POSITIVE_INFINITY;
  };

  const cursorExport = <T extends { id: number; updated: number }>(
    req: Req,
    reply: Reply,
    key: string,
    table: Table<T>,
    render: (r: T) => unknown,
    path: string,
    side: Sideload<T>,
  ) => {
    const q = query(req);
    let from: CursorPosition;
    if (q.cursor !== undefined) {
      const decoded = decodeCursor(q.cursor);
      if (!decoded) return badRequest(reply, 'InvalidValue', 'cursor is invalid');
      // A cursor of an earlier run: resume at its second, which is read again whole.
      from =
        decoded.epoch === table.epoch
          ? decoded
          : {
              epoch: table.epoch,
              seq: table.seqBefore(Math.floor(decoded.updated / 1000) * 1000),
              updated: decoded.updated,
            };
    } else {
      const start = checkStartTime(reply, q.start_time);
      if (typeof start !== 'number') return start;
      // start_time is inclusive: every change at or after that second.
      from = { epoch: table.epoch, seq: table.seqBefore(start * 1000), updated: start * 1000 };
    }
    const fault = q.cursor !== undefined ? ctx.listFault(req, { later: true, more: false }) : undefined;
    if (fault?.kind === 'fail')
      return reply.code(fault.status).send({ error: 'ServiceUnavailable', description: fault.description });
    const perPage = intParam(q.per_page, EXPORT_PAGE, EXPORT_PAGE);
    const { items, hasMore } = table.changesAfter(from.seq, perPage, exportCutoff());
    const last = items[items.length - 1];
    const afterCursor = encodeCursor(last ? { epoch: table.epoch, seq: last.seq, updated: last.record.updated } : from);
    return {
      [key]: items.map((i) => render(i.record)),
      ...side(
        req,
        items.map((i) => i.record),
      ),
      after_url: `${baseOf(req)}/api/v2/incremental/${path}/cursor.json?cursor=${afterCursor}`,
      before_url: null,
      after_cursor: afterCursor,
      before_cursor: null,
      end_of_stream: !hasMore,
    };
  };

  /**
   * The time-based exports: `start_time` inclusive, pages of up to 1000 that never split a second.
   * `end_time` is the page's newest second, so the next page (`start_time` = `end_time`) reads that
   * second again: a change landing in it later is not lost; the repeats are echoes. Only a page that
   * is all `start_time`'s second, with more to come, moves on, or it would repeat forever.
   * A sample (`/incremental/{resource}/sample`, to try the format) is one page of the first 50, the end.
   */
  const timeExport = <T extends { id: number; updated: number }>(
    req: Req,
    reply: Reply,
    key: string,
    table: Table<T>,
    render: (r: T) => unknown,
    side: Sideload<T>,
    sample = false,
  ) => {
    const q = query(req);
    const start = checkStartTime(reply, q.start_time);
    if (typeof start !== 'number') return start;
    const perPage = sample ? SAMPLE_PAGE : intParam(q.per_page, EXPORT_PAGE, EXPORT_PAGE);
    const before = exportCutoff();
    const { items, hasMore } = table.changesAfter(table.seqBefore(start * 1000), perPage, before);
    let page = items;
    let more = hasMore && !sample;
    let endTime = start;
    if (items.length > 0) {
      const lastSecond = Math.floor(items[items.length - 1].record.updated / 1000);
      if (more) {
        const rest = table.changesAfter(items[items.length - 1].seq, Number.MAX_SAFE_INTEGER, before).items;
        const sameSecond = rest.filter((r) => Math.floor(r.record.updated / 1000) === lastSecond);
        page = items.concat(sameSecond);
        more = rest.length > sameSecond.length;
      }
      endTime = more && lastSecond <= start ? start + 1 : lastSecond;
    }
    return {
      [key]: page.map((r) => render(r.record)),
      ...side(
        req,
        page.map((r) => r.record),
      ),
      next_page: `${baseOf(req)}/api/v2/incremental/${key}.json?start_time=${endTime}`,
      count: page.length,
      end_of_stream: !more,
      end_time: endTime,
    };
  };

  const users = (req: Req) => (u: UserRec) => renderUser(u, baseOf(req));
  const tickets = (req: Req) => (t: TicketRec) => renderTicket(t, baseOf(req));
  const orgs = (req: Req) => (o: OrgRec) => renderOrganization(o, baseOf(req));
  route('GET', '/incremental/users/cursor', (req, reply) =>
    cursorExport(req, reply, 'users', store.users, users(req), 'users', userSideloads),
  );
  route('GET', '/incremental/tickets/cursor', (req, reply) =>
    cursorExport(req, reply, 'tickets', store.tickets, tickets(req), 'tickets', ticketSideloads),
  );
  route('GET', '/incremental/users', (req, reply) =>
    timeExport(req, reply, 'users', store.users, users(req), userSideloads),
  );
  route('GET', '/incremental/tickets', (req, reply) =>
    timeExport(req, reply, 'tickets', store.tickets, tickets(req), ticketSideloads),
  );
  route('GET', '/incremental/organizations', (req, reply) =>
    timeExport(req, reply, 'organizations', store.organizations, orgs(req), none),
  );
  route('GET', '/incremental/users/sample', (req, reply) =>
    timeExport(req, reply, 'users', store.users, users(req), userSideloads, true),
  );
  route('GET', '/incremental/tickets/sample', (req, reply) =>
    timeExport(req, reply, 'tickets', store.tickets, tickets(req), ticketSideloads, true),
  );
  route('GET', '/incremental/organizations/sample', (req, reply) =>
    timeExport(req, reply, 'organizations', store.organizations, orgs(req), none, true),
  );

  // ---- webhooks ----

  const renderWebhook = (w: WebhookRec) => ({
    id: w.id,
    name: w.name,
    status: w.status,
    endpoint: w.endpoint,
    http_method: 'POST',
    request_format: 'json',
    subscriptions: w.subscriptions,
    created_at: iso(w.created),
    created_by: String(owner().id),
    updated_at: iso(w.updated),
  });

  app.post('/api/v2/webhooks', async (req, reply) => {
    const body = z.object({ webhook: WebhookInput }).safeParse(req.body);
    if (!body.success) {
      const issue = body.error.issues[0];
      return reply.code(400).send({
        errors: [
          {
            code: 'InvalidInput',
            title: 'Invalid input',
            detail: `${issue.path.join('.')}: ${issue.message}`,
            source: { pointer: `/${issue.path.join('/')}` },
          },
        ],
      });
    }
    const w = createWebhookRecord(ctx, body.data.webhook);
    return reply.code(201).send({ webhook: renderWebhook(w) });
  });

  app.get('/api/v2/webhooks', async () => ({
    webhooks: [...store.webhooks.values()].map(renderWebhook),
    meta: { has_more: false, after_cursor: null, before_cursor: null },
    links: { next: null, prev: null },
  }));

  app.get('/api/v2/webhooks/:id', async (req, reply) => {
    const w = store.webhooks.get((req.params as { id: string }).id);
    return w
      ? { webhook: renderWebhook(w) }
      : reply.code(404).send({ errors: [{ code: 'WebhookNotFound', title: 'Webhook not found' }] });
  });

  app.delete('/api/v2/webhooks/:id', async (req, reply) => {
    const key = (req.params as { id: string }).id;
    if (!store.webhooks.delete(key))
      return reply.code(404).send({ errors: [{ code: 'WebhookNotFound', title: 'Webhook not found' }] });
    return reply.code(204).send();
  });

  app.get('/api/v2/webhooks/:id/signing_secret', async (req, reply) => {
    const w = store.webhooks.get((req.params as { id: string }).id);
    return w
      ? { signing_secret: { algorithm: 'SHA256', secret: w.secret } }
      : reply.code(404).send({ errors: [{ code: 'WebhookNotFound', title: 'Webhook not found' }] });
  });
}

/** Used by the API and by the simulator's start option `webhookUrl`. */
export function createWebhookRecord(
  ctx: Pick<ApiContext, 'store' | 'clock' | 'random'>,
  input: {
    name: string;
    endpoint: string;
    status?: 'active' | 'inactive';
    subscriptions: string[];
    signing_secret?: { secret: string };
  },
): WebhookRec {
  const now = ctx.clock.now().getTime();
  // ULID-like id, as Zendesk's webhook ids are.
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let id = '01';
  for (let i = 0; i < 24; i++) id += alphabet[Math.floor(ctx.random() * alphabet.length)];
  const w: WebhookRec = {
    id,
    name: input.name,
    endpoint: input.endpoint,
    status: input.status ?? 'active',
    subscriptions: input.subscriptions,
    secret: input.signing_secret?.secret ?? randomBytes(32).toString('base64'),
    created: now,
    updated: now,
  };
  ctx.store.webhooks.set(w.id, w);
  return w;
}

function stripHtml(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .trim();
}
