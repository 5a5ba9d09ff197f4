/**
 * Every guess Tandem makes about the Crmoffice API, in one place.
 *
 * Crmoffice publishes no API document. The facts we have (docs/systems.md): API base
 * `https://api.crmoffice.no`, OAuth2 authorization-code flow with refresh tokens at
 * `/connect/authorize` and `/connect/token` on the customer's login host, scopes
 * `crmoffice offline_access`, resources companies/contacts/activities/users, lists answering an
 * `items` array, and the camelCase field names of the mapping documents. Everything else below is
 * the conventional REST shape, chosen by us. Both the connector and the simulator read this module,
 * so when the real API is known, this file (and the README's list) is the one place to change.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Hosts and paths
// ---------------------------------------------------------------------------------------------

/** FACT: the production API host. */
export const DEFAULT_API_BASE_URL = 'https://api.crmoffice.no';
/** ASSUMPTION: resources live under a versioned prefix. */
export const API_BASE_PATH = '/api/v1';
/** FACT (path) / ASSUMPTION (form-encoded refresh grant; the client authenticates with HTTP Basic, see clientBasicAuth). */
export const TOKEN_PATH = '/connect/token';
/** FACT (path) / ASSUMPTION (RFC 6749 §4.1 parameters, PKCE S256 as RFC 7636; see authorizeUrl). */
export const AUTHORIZE_PATH = '/connect/authorize';
/** FACT (the scopes); `offline_access` is what asks for a refresh token (OpenID Connect Core §11). */
export const SCOPES = ['crmoffice', 'offline_access'] as const;

export const RESOURCES = ['companies', 'contacts', 'activities', 'users'] as const;
export type CrmResource = (typeof RESOURCES)[number];
/** ASSUMPTION: Tandem only reads users (no write endpoints are used, so none are imitated). */
export const WRITABLE_RESOURCES = ['companies', 'contacts', 'activities'] as const;
export type WritableResource = (typeof WRITABLE_RESOURCES)[number];

/** ASSUMPTION: `/api/v1/{resource}` for lists and creation. */
export function collectionPath(resource: CrmResource): string {
  return `${API_BASE_PATH}/${resource}`;
}

/** ASSUMPTION: `/api/v1/{resource}/{id}` for get and update. */
export function recordPath(resource: CrmResource, id: string): string {
  return `${API_BASE_PATH}/${resource}/${encodeURIComponent(id)}`;
}

/** Path template for errors and metrics, e.g. `GET /api/v1/contacts/{id}`; never holds data. */
export function endpointTemplate(method: string, resource: CrmResource, withId: boolean): string {
  return `${method} ${API_BASE_PATH}/${resource}${withId ? '/{id}' : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Writes
// ---------------------------------------------------------------------------------------------

/** ASSUMPTION: create is `POST` to the collection answering 201 with the record. */
export const CREATE_METHOD = 'POST';
export const CREATE_STATUS = 201;
/** ASSUMPTION: update is `PATCH` with a partial JSON object (merge semantics), answering 200 with the record. */
export const UPDATE_METHOD = 'PATCH';

/** ASSUMPTION: record timestamps are named so, ISO 8601, server-set; updatedAt moves on every change. */
export const CREATED_AT = 'createdAt';
export const UPDATED_AT = 'updatedAt';
/** ASSUMPTION: server-set fields a write never changes (the simulator ignores them in a body). */
const READ_ONLY_FIELDS = ['id', CREATED_AT, UPDATED_AT] as const;

/** A write body without the read-only fields, so an echo of a whole record is a valid update. */
export function stripReadOnly<T extends object>(fields: T): Partial<T> {
  const copy = { ...fields } as Record<string, unknown>;
  for (const key of READ_ONLY_FIELDS) delete copy[key];
  return copy as Partial<T>;
}

/**
 * ASSUMPTION: an activity can hold an integration's own key, unique when set, and be filtered by it.
 * Tandem stores e.g. `zendesk:ticket:123` there so a create is findable after a crash (exactly once).
 */
export const ACTIVITY_EXTERNAL_ID = 'externalId';

/** ASSUMPTION: the validation rules a write must pass (what the simulator enforces). */
export const VALIDATION_RULES = {
  companies: { required: ['name'] },
  activities: { required: ['subject'], references: { ownerId: 'contacts' }, unique: [ACTIVITY_EXTERNAL_ID] },
  contacts: { atLeastOneOf: ['givenName', 'familyName', 'email'], references: { 'company.id': 'companies' } },
} as const;

// ---------------------------------------------------------------------------------------------
// Lists: paging, change filter, search filters
// ---------------------------------------------------------------------------------------------

/** ASSUMPTION: numbered pages from 1 with `page` and `pageSize` (at most 100). */
export const PAGING = {
  pageParam: 'page',
  pageSizeParam: 'pageSize',
  firstPage: 1,
  defaultPageSize: 100,
  maxPageSize: 100,
} as const;

/**
 * ASSUMPTION: the change filter `updatedSince=<ISO>` is strictly greater than (like PowerOffice's
 * `lastChangedDateTimeOffsetGreaterThan`), and lists are sorted by updatedAt ascending, then id, so
 * a poller can checkpoint the last item's updatedAt and ask again from page 1.
 */
export const CHANGED_SINCE_PARAM = 'updatedSince';

/** ASSUMPTION: one exact-match search filter per writable resource. */
export const SEARCH_FILTERS = {
  contacts: { param: 'email', caseInsensitive: true },
  companies: { param: 'name', caseInsensitive: true },
  activities: { param: ACTIVITY_EXTERNAL_ID, caseInsensitive: false },
} as const;

export interface ListQuery {
  since?: string;
  page?: number;
  pageSize?: number;
  /** Search filters by query parameter name, e.g. `{ email: 'a@b.no' }`. */
  filters?: Record<string, string>;
}

/** The query string of a list call. */
export function listParams(q: ListQuery): Record<string, string> {
  const params: Record<string, string> = {
    [PAGING.pageParam]: String(q.page ?? PAGING.firstPage),
    [PAGING.pageSizeParam]: String(Math.min(q.pageSize ?? PAGING.defaultPageSize, PAGING.maxPageSize)),
  };
  if (q.since !== undefined) params[CHANGED_SINCE_PARAM] = q.since;
  return { ...params, ...(q.filters ?? {}) };
}

/** ASSUMPTION: lists answer `{ items, page, pageSize, totalCount }` (only `items` is a known fact). */
export function listEnvelope<T extends z.ZodType>(item: T) {
  return z.looseObject({
    items: z.array(item),
    page: z.number().int().optional(),
    pageSize: z.number().int().optional(),
    totalCount: z.number().int().optional(),
  });
}

/** Whether a page after this one exists; without a total, a full page means "maybe". */
export function hasMorePages(
  answer: { items: unknown[]; page?: number; pageSize?: number; totalCount?: number },
  asked: { page: number; pageSize: number },
): boolean {
  const page = answer.page ?? asked.page;
  const pageSize = answer.pageSize ?? asked.pageSize;
  if (answer.totalCount !== undefined) return page * pageSize < answer.totalCount;
  return answer.items.length >= pageSize;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/**
 * ASSUMPTION: error answers are `{ error: { code, message, details?: [{ field, message }] } }` with
 * 400 validation, 401 auth, 404 not found, 409 conflict (duplicate externalId), 429 with
 * `Retry-After` (seconds), 5xx. The token endpoint answers the OAuth2 shape `{ error, error_description }`.
 */
export const ERROR_CODES = {
  400: 'validation_error',
  401: 'unauthorized',
  404: 'not_found',
  409: 'conflict',
  429: 'rate_limited',
  500: 'server_error',
} as const;

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export function errorBody(code: string, message: string, details?: { field: string; message: string }[]): ErrorBody {
  return { error: { code, message, ...(details && details.length ? { details } : {}) } };
}

// ---------------------------------------------------------------------------------------------
// Auth
// ---------------------------------------------------------------------------------------------

/** The refresh grant's form fields; the client authenticates in the header (`clientBasicAuth`), not here. */
export function refreshTokenForm(refreshToken: string): string {
  return new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString();
}

/**
 * FACT (RFC 6749 §2.3.1): every OAuth2 server must accept client credentials as HTTP Basic
 * (`client_secret_basic`); the form body (`client_secret_post`) is optional for servers. So the
 * connector sends Basic. Both parts are form-urlencoded before base64, as the RFC requires.
 */
export function clientBasicAuth(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`;
}

/** The client id and secret of a Basic header, or undefined when it is not one. */
export function readClientBasicAuth(
  header: string | undefined,
): { clientId: string; clientSecret: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const at = text.indexOf(':');
  if (at < 0) return undefined;
  return { clientId: formDecode(text.slice(0, at)), clientSecret: formDecode(text.slice(at + 1)) };
}

function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function formDecode(value: string): string {
  return new URLSearchParams(`v=${value}`).get('v') ?? '';
}

/**
 * The authorization request (RFC 6749 §4.1.1): `response_type=code`, `client_id`, `redirect_uri`,
 * `scope`, `state`, and PKCE (RFC 7636 §4.3: `code_challenge`, `code_challenge_method=S256`).
 * ASSUMPTION: the login host is an IdentityServer-style host (its `/connect/*` paths), which by
 * default requires PKCE of every client; a host that does not know PKCE ignores the two parameters.
 */
export function authorizeUrl(
  loginBaseUrl: string,
  p: { clientId: string; redirectUri: string; state: string; codeChallenge: string },
): string {
  // Under the login base's own path, as the token call is (axios joins base and path the same way).
  const url = new URL(loginBaseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${AUTHORIZE_PATH}`;
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: p.clientId,
    redirect_uri: p.redirectUri,
    scope: SCOPES.join(' '),
    state: p.state,
    code_challenge: p.codeChallenge,
    code_challenge_method: 'S256',
  }).toString();
  return url.toString();
}

/** RFC 7636 §4.2: the S256 challenge of a verifier, base64url without padding. */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** The code exchange's form fields (RFC 6749 §4.1.3 with RFC 7636 §4.5); the client authenticates with Basic. */
export function authorizationCodeForm(p: { code: string; redirectUri: string; codeVerifier: string }): string {
  return new URLSearchParams({
    grant_type: 'authorization_code',
    code: p.code,
    redirect_uri: p.redirectUri,
    code_verifier: p.codeVerifier,
  }).toString();
}

/** Standard OAuth2 token answer; `refresh_token` present when the server rotates it. */
export const TokenAnswer = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.number().positive(),
  token_type: z.string(),
  refresh_token: z.string().min(1).optional(),
});
export type TokenAnswer = z.infer<typeof TokenAnswer>;

/** ASSUMPTION: renew this long before expiry (capped at half the lifetime for short-lived tokens). */
export const RENEW_BEFORE_EXPIRY_MS = 60_000;

/**
 * ASSUMPTION: no rate limit is published. The simulator defaults to 20 requests per second;
 * a real limit replaces this number and the task-queue rate of the worker.
 */
export const DEFAULT_RATE_LIMIT = { limit: 20, windowMs: 1000 } as const;
