/**
 * The Zendesk Support API v2 as Tandem uses it: users, organizations, tickets, comments, the
 * incremental exports (change feeds) and webhook registration. Every call goes through
 * connectors/http.ts `request`, so failures arrive as the shared error taxonomy and answers are
 * checked with zod.
 */
import { AxiosInstance } from 'axios';
import { z } from 'zod';
import { createHttp, request } from '../http';
import type { Pacer } from '../pacer';
import { ZendeskConfig, zendeskAuthHeader } from './config';
import { RateLimitGate, rateLimitGateFor } from './rate-limit-headers';
import {
  CommentsPage,
  IncrementalOrganizationsPage,
  IncrementalTicketsPage,
  IncrementalUsersPage,
  OrganizationEnvelope,
  OrganizationsPage,
  SignedInUser,
  TicketEnvelope,
  TicketsPage,
  TicketUpdateAnswer,
  UserEnvelope,
  UserSearchPage,
  UsersPage,
  WebhookEnvelope,
  WebhookSigningSecret,
  WebhooksPage,
  ZendeskOrganization,
  ZendeskTicket,
  ZendeskTicketComment,
  ZendeskUser,
  ZendeskWebhook,
} from './schemas';

export interface ListOptions {
  /** `meta.after_cursor` of the previous page; omit for the first page. */
  cursor?: string;
  /** `page[size]`, at most 100. */
  pageSize?: number;
}

export interface Page<T> {
  items: T[];
  /** Present when there are more pages. */
  nextCursor?: string;
}

/** One resource's calls (see ZendeskClient.resource). */
export interface ZendeskResource<T> {
  get(id: number): Promise<T>;
  list(opts?: ListOptions): Promise<Page<T>>;
  listAll(): Promise<T[]>;
  create(fields: Record<string, unknown>): Promise<T>;
  update(id: number, fields: Record<string, unknown>): Promise<T>;
}

export interface CursorExportPage<T> {
  items: T[];
  /** Where to resume; keep it even at the end of the stream, it returns only later changes. */
  cursor: string;
  endOfStream: boolean;
}

export interface TimeExportPage<T> {
  items: T[];
  /** The `start_time` of the next request. */
  nextStartTime: number;
  endOfStream: boolean;
}

export type IncrementalStart = { startTime: number } | { cursor: string };

/** Writable fields; anything else Zendesk accepts passes through. */
export type UserFields = Partial<Pick<ZendeskUser, 'name' | 'email' | 'role' | 'organization_id' | 'phone'>> &
  Record<string, unknown>;
export type OrganizationFields = Partial<Pick<ZendeskOrganization, 'name'>> & Record<string, unknown>;
export interface NewComment {
  body: string;
  public?: boolean;
  author_id?: number;
}
export type TicketFields = Partial<Pick<ZendeskTicket, 'subject' | 'requester_id' | 'organization_id' | 'status'>> & {
  comment?: NewComment;
} & Record<string, unknown>;

function isExport(url: string | undefined): boolean {
  return (url ?? '').startsWith('/incremental/');
}

/** Zendesk refuses an incremental `start_time` less than a minute in the past. */
const MIN_START_AGE_S = 60;

export class ZendeskClient {
  private readonly http: AxiosInstance;
  /** The account's budget as its answers' rate-limit headers report it. */
  readonly rateLimit: RateLimitGate;
  /** The incremental exports' own budget (10 a minute), held by their 429s. */
  readonly exportRateLimit: RateLimitGate;

  constructor(
    config: ZendeskConfig,
    options: { rateLimit?: RateLimitGate; exportRateLimit?: RateLimitGate; pace?: Pacer } = {},
  ) {
    const parsed = ZendeskConfig.parse(config);
    this.http = createHttp({
      system: 'zendesk',
      baseUrl: parsed.baseUrl,
      timeoutMs: parsed.timeoutMs,
      pace: options.pace,
    });
    this.http.defaults.headers.common.Authorization = zendeskAuthHeader(parsed);
    this.http.defaults.headers.common.Accept = 'application/json';
    this.rateLimit = options.rateLimit ?? rateLimitGateFor(parsed.baseUrl, 'account');
    this.exportRateLimit = options.exportRateLimit ?? rateLimitGateFor(parsed.baseUrl, 'exports');
    // Every answer (429s included: validateStatus lets all through) reports the budget left. A 429 of
    // an export holds the exports only; the account's budget is read from the headers of any answer.
    this.http.interceptors.response.use((res) => {
      const gate = res.status === 429 && isExport(res.config.url) ? this.exportRateLimit : this.rateLimit;
      gate.observe(res.status, res.headers);
      return res;
    });
  }

  private async call<T>(
    method: 'GET' | 'POST' | 'PUT',
    endpoint: string,
    url: string,
    schema: z.ZodType<T>,
    opts: { recordId?: number | string; params?: Record<string, unknown>; data?: unknown } = {},
  ): Promise<T> {
    await this.rateLimit.beforeRequest(`${method} ${endpoint}`);
    if (isExport(url)) await this.exportRateLimit.beforeRequest(`${method} ${endpoint}`);
    const res = await request(this.http, 'zendesk', {
      method,
      url,
      endpoint: `${method} ${endpoint}`,
      schema,
      recordId: opts.recordId,
      params: opts.params,
      data: opts.data,
    });
    return res.data;
  }

  // --- single records -------------------------------------------------------------------------

  /**
   * Whom the credentials sign in as (`GET /users/me`). Zendesk answers an anonymous request with an
   * end-user whose `id` is null, so `id` may be null here; bad credentials answer 401.
   */
  async getSignedInUser(): Promise<SignedInUser> {
    return (await this.call('GET', '/users/me', '/users/me.json', z.object({ user: SignedInUser }))).user;
  }

  async getUser(id: number): Promise<ZendeskUser> {
    return (await this.call('GET', '/users/{id}', `/users/${id}.json`, UserEnvelope, { recordId: id })).user;
  }

  async getOrganization(id: number): Promise<ZendeskOrganization> {
    return (
      await this.call('GET', '/organizations/{id}', `/organizations/${id}.json`, OrganizationEnvelope, { recordId: id })
    ).organization;
  }

  async getTicket(id: number): Promise<ZendeskTicket> {
    return (await this.call('GET', '/tickets/{id}', `/tickets/${id}.json`, TicketEnvelope, { recordId: id })).ticket;
  }

  async createUser(fields: UserFields): Promise<ZendeskUser> {
    return (await this.call('POST', '/users', '/users.json', UserEnvelope, { data: { user: fields } })).user;
  }

  async updateUser(id: number, fields: UserFields): Promise<ZendeskUser> {
    return (
      await this.call('PUT', '/users/{id}', `/users/${id}.json`, UserEnvelope, { recordId: id, data: { user: fields } })
    ).user;
  }

  async createOrganization(fields: OrganizationFields): Promise<ZendeskOrganization> {
    return (
      await this.call('POST', '/organizations', '/organizations.json', OrganizationEnvelope, {
        data: { organization: fields },
      })
    ).organization;
  }

  async updateOrganization(id: number, fields: OrganizationFields): Promise<ZendeskOrganization> {
    return (
      await this.call('PUT', '/organizations/{id}', `/organizations/${id}.json`, OrganizationEnvelope, {
        recordId: id,
        data: { organization: fields },
      })
    ).organization;
  }

  /** A new ticket needs `comment.body` (it becomes the description and the first comment). */
  async createTicket(fields: TicketFields): Promise<ZendeskTicket> {
    return (await this.call('POST', '/tickets', '/tickets.json', TicketEnvelope, { data: { ticket: fields } })).ticket;
  }

  async updateTicket(id: number, fields: TicketFields): Promise<ZendeskTicket> {
    return (
      await this.call('PUT', '/tickets/{id}', `/tickets/${id}.json`, TicketUpdateAnswer, {
        recordId: id,
        data: { ticket: fields },
      })
    ).ticket;
  }

  // --- any resource ---------------------------------------------------------------------------

  /**
   * A resource of the API read and written as the others are: `{ <singular>: … }` bodies on
   * `GET|PUT /<path>/{id}` and `POST /<path>`, and cursor-paged lists of `<path>`. The record types
   * above have methods of their own; an extension's record type declares its resource here.
   */
  resource<T extends { id: number }>(path: string, singular: string, schema: z.ZodType<T>): ZendeskResource<T> {
    const one = z.object({ [singular]: schema }).transform((a) => a[singular] as T);
    const many = z
      .object({
        [path]: z.array(schema),
        meta: z.object({ has_more: z.boolean(), after_cursor: z.string().nullish() }),
      })
      .transform((a) => ({
        items: a[path] as T[],
        meta: a.meta as { has_more: boolean; after_cursor?: string | null },
      }));
    const list = async (opts: ListOptions = {}) => {
      const a = await this.call('GET', `/${path}`, `/${path}.json`, many, { params: this.pageParams(opts) });
      return ZendeskClient.page(a.items, a.meta);
    };
    return {
      get: (id) => this.call('GET', `/${path}/{id}`, `/${path}/${id}.json`, one, { recordId: id }),
      list,
      async listAll() {
        const out: T[] = [];
        for (let cursor: string | undefined; ;) {
          const page = await list({ cursor });
          out.push(...page.items);
          if (!page.nextCursor) return out;
          cursor = page.nextCursor;
        }
      },
      create: (fields) => this.call('POST', `/${path}`, `/${path}.json`, one, { data: { [singular]: fields } }),
      update: (id, fields) =>
        this.call('PUT', `/${path}/{id}`, `/${path}/${id}.json`, one, { recordId: id, data: { [singular]: fields } }),
    };
  }

  // --- lists (cursor pagination) --------------------------------------------------------------

  private pageParams(opts: ListOptions): Record<string, unknown> {
    const params: Record<string, unknown> = { 'page[size]': Math.min(100, Math.max(1, opts.pageSize ?? 100)) };
    if (opts.cursor) params['page[after]'] = opts.cursor;
    return params;
  }

  private static page<T>(items: T[], meta: { has_more: boolean; after_cursor?: string | null }): Page<T> {
    return meta.has_more && meta.after_cursor ? { items, nextCursor: meta.after_cursor } : { items };
  }

  async listUsers(opts: ListOptions = {}): Promise<Page<ZendeskUser>> {
    const a = await this.call('GET', '/users', '/users.json', UsersPage, { params: this.pageParams(opts) });
    return ZendeskClient.page(a.users, a.meta);
  }

  async listOrganizations(opts: ListOptions = {}): Promise<Page<ZendeskOrganization>> {
    const a = await this.call('GET', '/organizations', '/organizations.json', OrganizationsPage, {
      params: this.pageParams(opts),
    });
    return ZendeskClient.page(a.organizations, a.meta);
  }

  async listTickets(opts: ListOptions = {}): Promise<Page<ZendeskTicket>> {
    const a = await this.call('GET', '/tickets', '/tickets.json', TicketsPage, { params: this.pageParams(opts) });
    return ZendeskClient.page(a.tickets, a.meta);
  }

  // --- comments -------------------------------------------------------------------------------

  /** Every comment of a ticket, oldest first (all pages followed). */
  async listTicketComments(ticketId: number): Promise<ZendeskTicketComment[]> {
    const all: ZendeskTicketComment[] = [];
    let cursor: string | undefined;
    do {
      const a = await this.call('GET', '/tickets/{id}/comments', `/tickets/${ticketId}/comments.json`, CommentsPage, {
        recordId: ticketId,
        params: this.pageParams({ cursor }),
      });
      all.push(...a.comments);
      cursor = a.meta.has_more && a.meta.after_cursor ? a.meta.after_cursor : undefined;
    } while (cursor);
    return all;
  }

  /**
   * Comments have no create endpoint: they are added through a ticket update. Returns the ticket and,
   * when Zendesk's audit names it, the id of the new comment.
   */
  async addTicketComment(
    ticketId: number,
    comment: NewComment,
  ): Promise<{ ticket: ZendeskTicket; commentId?: number }> {
    const a = await this.call('PUT', '/tickets/{id}', `/tickets/${ticketId}.json`, TicketUpdateAnswer, {
      recordId: ticketId,
      data: { ticket: { comment } },
    });
    const event = a.audit?.events.find((e) => e.type === 'Comment');
    return event ? { ticket: a.ticket, commentId: event.id } : { ticket: a.ticket };
  }

  // --- search ---------------------------------------------------------------------------------

  /**
   * Users whose e-mail is exactly `email` (case-insensitive). Uses `GET /users/search?query=email:…`
   * (Zendesk search syntax) and filters the answer, since search may also match partially.
   */
  async searchUsersByEmail(email: string): Promise<ZendeskUser[]> {
    const a = await this.call('GET', '/users/search', '/users/search.json', UserSearchPage, {
      params: { query: `email:${email}` },
    });
    const wanted = email.trim().toLowerCase();
    return a.users.filter((u) => u.email?.toLowerCase() === wanted);
  }

  // --- incremental exports --------------------------------------------------------------------

  /** Never ask for a start time Zendesk would refuse; re-reading the last minute is harmless. */
  static clampStartTime(startTime: number, nowMs = Date.now()): number {
    return Math.max(0, Math.min(Math.floor(startTime), Math.floor(nowMs / 1000) - MIN_START_AGE_S));
  }

  private static exportParams(start: IncrementalStart): Record<string, unknown> {
    return 'cursor' in start ? { cursor: start.cursor } : { start_time: ZendeskClient.clampStartTime(start.startTime) };
  }

  /** A page of changed users with their organizations side-loaded (the same request: no call of its own). */
  async incrementalUsers(
    start: IncrementalStart,
  ): Promise<CursorExportPage<ZendeskUser> & { organizations: ZendeskOrganization[] }> {
    const params = { ...ZendeskClient.exportParams(start), include: 'organizations' };
    const a = await this.call(
      'GET',
      '/incremental/users/cursor',
      '/incremental/users/cursor.json',
      IncrementalUsersPage,
      { params },
    );
    return {
      items: a.users,
      cursor: a.after_cursor ?? ('cursor' in start ? start.cursor : ''),
      endOfStream: a.end_of_stream,
      organizations: a.organizations ?? [],
    };
  }

  async incrementalTickets(start: IncrementalStart): Promise<CursorExportPage<ZendeskTicket>> {
    const a = await this.call(
      'GET',
      '/incremental/tickets/cursor',
      '/incremental/tickets/cursor.json',
      IncrementalTicketsPage,
      { params: ZendeskClient.exportParams(start) },
    );
    return {
      items: a.tickets,
      cursor: a.after_cursor ?? ('cursor' in start ? start.cursor : ''),
      endOfStream: a.end_of_stream,
    };
  }

  async incrementalOrganizations(startTime: number): Promise<TimeExportPage<ZendeskOrganization>> {
    const clamped = ZendeskClient.clampStartTime(startTime);
    const a = await this.call(
      'GET',
      '/incremental/organizations',
      '/incremental/organizations.json',
      IncrementalOrganizationsPage,
      { params: { start_time: clamped } },
    );
    // start_time is inclusive and end_time the page's newest second, so the next page reads that second
    // again (repeats are echoes; a change landing in it later is not lost). A page that did not get past
    // its start second, with more to come, moves on by one, or it would be read forever.
    let next = a.end_time ?? clamped;
    if (!a.end_of_stream && next <= clamped) next = clamped + 1;
    return { items: a.organizations, nextStartTime: next, endOfStream: a.end_of_stream };
  }

  // --- webhooks -------------------------------------------------------------------------------

  async createWebhook(input: { name: string; endpoint: string; subscriptions: string[] }): Promise<{ id: string }> {
    const webhook = {
      name: input.name,
      endpoint: input.endpoint,
      subscriptions: input.subscriptions,
      status: 'active',
      http_method: 'POST',
      request_format: 'json',
    };
    const a = await this.call('POST', '/webhooks', '/webhooks', WebhookEnvelope, { data: { webhook } });
    return { id: a.webhook.id };
  }

  /** The secret Zendesk signs deliveries with; never log it. */
  async getWebhookSigningSecret(id: string): Promise<string> {
    const a = await this.call(
      'GET',
      '/webhooks/{id}/signing_secret',
      `/webhooks/${encodeURIComponent(id)}/signing_secret`,
      WebhookSigningSecret,
      { recordId: id },
    );
    return a.signing_secret.secret;
  }

  async listWebhooks(): Promise<ZendeskWebhook[]> {
    const all: ZendeskWebhook[] = [];
    let cursor: string | undefined;
    do {
      const a = await this.call('GET', '/webhooks', '/webhooks', WebhooksPage, { params: this.pageParams({ cursor }) });
      all.push(...a.webhooks);
      cursor = a.meta?.has_more && a.meta.after_cursor ? a.meta.after_cursor : undefined;
    } while (cursor);
    return all;
  }
}
