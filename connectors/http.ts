import axios, { AxiosError, AxiosInstance, AxiosRequestConfig } from 'axios';
import { z } from 'zod';
import type { Pacer } from './pacer';
import {
  ApiErrorContext,
  NotFoundError,
  PermanentApiError,
  SchemaError,
  SystemName,
  TransientApiError,
} from './errors';

export interface HttpOptions {
  system: SystemName;
  baseUrl: string;
  timeoutMs?: number;
  /** Holds each request until its turn (a worker's share of the system's rate, workers/rate-share.ts). */
  pace?: Pacer;
}

/**
 * An axios instance for one system: no auth, errors left to `request`. The rate limits are held by
 * each system's Temporal task queue across every worker process; `pace` smooths this process's share.
 */
export function createHttp(opts: HttpOptions): AxiosInstance {
  const http = axios.create({
    baseURL: opts.baseUrl.replace(/\/+$/, ''),
    timeout: opts.timeoutMs ?? 30_000,
    validateStatus: () => true,
  });
  const pace = opts.pace;
  if (pace) http.interceptors.request.use(async (config) => (await pace.wait(), config));
  return http;
}

/** Seconds or an HTTP date, as `Retry-After` allows; undefined when absent or unreadable. */
export function parseRetryAfter(value: unknown, now = Date.now()): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(String(value));
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The system's own message from an error body, whatever shape it has, kept short. */
function describeBody(data: unknown): string {
  if (data === undefined || data === null || data === '') return 'no body';
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/** Who wants to hear of every call (metrics): the system and the answer's status, or `network`. */
type ApiCallListener = (system: SystemName, status: number | 'network') => void;
const listeners = new Set<ApiCallListener>();

export function observeApiCalls(listener: ApiCallListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function tell(system: SystemName, status: number | 'network'): void {
  for (const listener of listeners) listener(system, status);
}

export interface RequestSpec<T> extends AxiosRequestConfig {
  /** Template used in errors and metrics, e.g. `GET /users/{id}`. */
  endpoint: string;
  recordId?: string | number;
  schema: z.ZodType<T>;
}

/**
 * One HTTP call with the taxonomy applied: transport failures, 5xx and 429 become TransientApiError,
 * other non-2xx PermanentApiError (NotFoundError for 404), and the answer is parsed with `schema`.
 * Axios errors are never rethrown as they are: they hold the request config, headers included.
 */
export async function request<T>(
  http: AxiosInstance,
  system: SystemName,
  spec: RequestSpec<T>,
): Promise<{ data: T; status: number; headers: Record<string, unknown> }> {
  const { endpoint, recordId, schema, ...config } = spec;
  const ctx: ApiErrorContext = { system, endpoint, recordId };
  let res;
  try {
    res = await http.request(config);
  } catch (err) {
    const code = err instanceof AxiosError ? (err.code ?? 'network error') : 'network error';
    tell(system, 'network');
    const write = (config.method ?? 'GET').toUpperCase() !== 'GET';
    const timeoutMs = config.timeout ?? http.defaults.timeout;
    if (write && timeoutMs && (code === AxiosError.ECONNABORTED || code === AxiosError.ETIMEDOUT)) {
      // Unanswered is not undone: the API may still hold the write and apply it later. Its retry
      // (a create looks first, an update reads its record first) waits another timeout's length,
      // so that what it looks at already shows a late write, rather than the late write landing after it.
      throw new TransientApiError(
        ctx,
        `request failed: ${code} after ${timeoutMs} ms; the write may still be applied, so it is looked at again in ${timeoutMs} ms`,
        timeoutMs,
      );
    }
    throw new TransientApiError(ctx, `request failed: ${code}`);
  }
  const status = res.status;
  tell(system, status);
  const withStatus = { ...ctx, status };
  if (status === 429) {
    throw new TransientApiError(
      withStatus,
      `rate limited: ${describeBody(res.data)}`,
      parseRetryAfter(res.headers['retry-after']),
    );
  }
  if (status >= 500) throw new TransientApiError(withStatus, describeBody(res.data));
  if (status === 404) {
    // Every API here answers a missing record with its own JSON error. A 404 page from a proxy or a
    // half-deployed gateway says nothing about the record: retried, so nothing is thought deleted.
    if (!isJson(res.data))
      throw new TransientApiError(
        withStatus,
        `not the API's own "not found" (${kindOf(res.headers['content-type'], res.data)}), so read as an outage: ${describeBody(res.data)}`,
      );
    throw new NotFoundError(withStatus, describeBody(res.data));
  }
  if (status < 200 || status >= 300) throw new PermanentApiError(withStatus, describeBody(res.data));
  if (typeof res.data === 'string' && res.data !== '' && !isJson(res.data)) {
    throw new SchemaError(
      ctx,
      '(answer)',
      `is not JSON (${kindOf(res.headers['content-type'], res.data)}, ${res.data.length} characters, truncated or an error page): ${describeBody(res.data.slice(0, 120))}`,
    );
  }
  return { data: parseAnswer(ctx, schema, res.data), status, headers: res.headers as Record<string, unknown> };
}

/** Axios parses JSON answers; what stays a string was not JSON (HTML, plain text, a cut-off body). */
function isJson(data: unknown): boolean {
  return typeof data === 'object' && data !== null;
}

function kindOf(contentType: unknown, data: unknown): string {
  const type = typeof contentType === 'string' && contentType !== '' ? contentType.split(';')[0] : 'no content type';
  return data === '' || data === undefined ? `${type}, empty` : type;
}

/** Parses an answer; the first problem becomes a SchemaError naming system, endpoint, record and field. */
export function parseAnswer<T>(ctx: ApiErrorContext, schema: z.ZodType<T>, data: unknown): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.length ? issue.path.join('.') : '(answer)';
  throw new SchemaError(ctx, field, issue.message);
}
