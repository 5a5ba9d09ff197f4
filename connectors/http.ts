import axios, { AxiosError, AxiosInstance, AxiosRequestConfig } from 'axios';
import Bottleneck from 'bottleneck';
import { z } from 'zod';
import { ApiErrorContext, NotFoundError, PermanentApiError, SchemaError, SystemName, TransientApiError } from './errors';

export interface HttpOptions {
  system: SystemName;
  baseUrl: string;
  timeoutMs?: number;
  /** Requests a second this process sends to the system; 0 turns pacing off. Defaults: DEFAULT_RATES. */
  requestsPerSecond?: number;
}

/**
 * The published limits: Zendesk 700/min (Enterprise), PowerOffice Go 10/s per subscription key,
 * Crmoffice unknown (see its api-assumptions). Pacing under them costs less than answering 429s.
 */
export const DEFAULT_RATES: Record<SystemName, number> = { zendesk: 11, poweroffice: 10, crmoffice: 20 };

// One pace per system and process: every client of a system shares the system's budget.
const pacers = new Map<string, Bottleneck>();

function pacer(system: SystemName, perSecond: number): Bottleneck {
  const key = `${system}/${perSecond}`;
  let limiter = pacers.get(key);
  if (!limiter) {
    // Evenly spaced (with 5 % to spare) rather than in bursts: no one-second window sees more than the limit.
    limiter = new Bottleneck({ minTime: Math.ceil(1050 / perSecond) });
    pacers.set(key, limiter);
  }
  return limiter;
}

/** An axios instance for one system: paced, no auth, errors left to `request`. */
export function createHttp(opts: HttpOptions): AxiosInstance {
  const http = axios.create({ baseURL: opts.baseUrl.replace(/\/+$/, ''), timeout: opts.timeoutMs ?? 30_000, validateStatus: () => true });
  const perSecond = opts.requestsPerSecond ?? DEFAULT_RATES[opts.system];
  if (perSecond > 0) {
    const limiter = pacer(opts.system, perSecond);
    http.interceptors.request.use((config) => limiter.schedule(async () => config));
  }
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
export function describeBody(data: unknown): string {
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
export async function request<T>(http: AxiosInstance, system: SystemName, spec: RequestSpec<T>): Promise<{ data: T; status: number; headers: Record<string, unknown> }> {
  const { endpoint, recordId, schema, ...config } = spec;
  const ctx: ApiErrorContext = { system, endpoint, recordId };
  let res;
  try {
    res = await http.request(config);
  } catch (err) {
    const code = err instanceof AxiosError ? (err.code ?? 'network error') : 'network error';
    tell(system, 'network');
    throw new TransientApiError(ctx, `request failed: ${code}`);
  }
  const status = res.status;
  tell(system, status);
  const withStatus = { ...ctx, status };
  if (status === 429) {
    throw new TransientApiError(withStatus, `rate limited: ${describeBody(res.data)}`, parseRetryAfter(res.headers['retry-after']));
  }
  if (status >= 500) throw new TransientApiError(withStatus, describeBody(res.data));
  if (status === 404) throw new NotFoundError(withStatus, describeBody(res.data));
  if (status < 200 || status >= 300) throw new PermanentApiError(withStatus, describeBody(res.data));
  return { data: parseAnswer(ctx, schema, res.data), status, headers: res.headers as Record<string, unknown> };
}

/** Parses an answer; the first problem becomes a SchemaError naming system, endpoint, record and field. */
export function parseAnswer<T>(ctx: ApiErrorContext, schema: z.ZodType<T>, data: unknown): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.length ? issue.path.join('.') : '(answer)';
  throw new SchemaError(ctx, field, issue.message);
}
