/**
 * The Zendesk webhook receiver: checks the signature over the exact bytes received, validates the
 * event, and signals the record workflow of every pair the record feeds. It answers only after the
 * signals are in Temporal, so a 202 means "durably noticed" and anything else makes Zendesk retry.
 */
import Fastify, { FastifyError, FastifyInstance } from 'fastify';
import { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import {
  SIGNATURE_HEADER,
  SIGNATURE_TIMESTAMP_HEADER,
  ZendeskWebhookEvent,
  reportedValueOfEvent,
  verifyWebhookSignature,
  zendeskIdsOfEvent,
} from '../connectors/zendesk/webhooks';
import { flowsForZendesk } from '../flows/routing';
import { signalRecord } from './signal-pair';
import {
  commentPairId,
  recordOfPair,
  type ChangeNotice,
  type PairRef,
  type RecordNotice,
  type RecordRef,
} from '../protocol/ids';
import { DEFAULT_TENANT } from '../protocol/tenants';
import { createLogger } from './logger';
import type { RetryTuning } from '../workflows/steps';
import { metrics as processMetrics, TandemMetrics, WebhookResult } from './metrics';

const WEBHOOK_PATH = '/webhooks/zendesk';

/** Where a tenant's webhooks arrive (the default tenant's at the path it always had). */
export function tenantWebhookPath(tenant: string): string {
  return tenant === DEFAULT_TENANT ? WEBHOOK_PATH : `${WEBHOOK_PATH}/${tenant}`;
}
const DEFAULT_MAX_BODY_BYTES = 256 * 1024;
const DEFAULT_TOLERANCE_SECONDS = 300;

/** Event subjects (`zen:<domain>:<id>`) whose records some flow syncs. */
const SYNCED_SUBJECT_DOMAINS: ReadonlySet<string> = new Set(['user', 'organization', 'ticket']);

export type RouteEvent = (event: ZendeskWebhookEvent) => PairRef[];

/**
 * The pairs a Zendesk event touches: the record's pair in every flow its kind feeds. A comment also
 * touches its ticket's pair. A comment's pair id is `<ticket id>:<comment id>` (protocol/ids.ts).
 * Subjects Tandem does not sync route nowhere.
 */
export function routeZendeskEvent(event: ZendeskWebhookEvent): PairRef[] {
  const [, domain] = event.subject.split(':');
  if (!SYNCED_SUBJECT_DOMAINS.has(domain)) return [];
  const ids = zendeskIdsOfEvent(event);
  // A comment is read through its ticket, so its pair id carries both.
  const zendeskId = ids.kind === 'comment' && ids.ticketId ? commentPairId(ids.ticketId, ids.id) : ids.id;
  const pairs = flowsForZendesk(ids.kind).map((flowId) => ({ flowId, zendeskId }));
  if (ids.kind === 'comment' && ids.ticketId) {
    pairs.push(...flowsForZendesk('ticket').map((flowId) => ({ flowId, zendeskId: ids.ticketId! })));
  }
  return pairs;
}

/** `routeZendeskEvent` limited to the flows this installation runs (e.g. no Crmoffice configured). */
export function routeToFlows(enabledFlowIds: Iterable<string>): RouteEvent {
  const enabled = new Set(enabledFlowIds);
  return (event) => routeZendeskEvent(event).filter((p) => enabled.has(p.flowId));
}

/** One tenant's webhook: its own Zendesk's signing secret, its flows, its record workflows. */
interface TenantWebhook {
  /** The webhook's signing secret (Zendesk Admin Center → webhook → signing secret). */
  secret: string;
  route?: RouteEvent;
  /** Tells one Zendesk record's workflow (the tenant's) of the change; the notice names the record's pairs it routes to. */
  signal: (record: RecordRef, notice: RecordNotice) => Promise<void>;
}

export interface WebhookReceiverOptions extends Partial<TenantWebhook> {
  /**
   * The tenants served, each at `/webhooks/zendesk/<tenant>`; the `default` tenant's at
   * `/webhooks/zendesk` too. Read at each request: tenants may come and go while it runs. Without
   * it, the top-level secret, route and signal are the default tenant's.
   */
  tenants?: ReadonlyMap<string, TenantWebhook>;
  maxBodyBytes?: number;
  /** How far a signature timestamp may be from now, either way. */
  toleranceSeconds?: number;
  logger?: Logger;
  metrics?: TandemMetrics;
  /** Milliseconds since the epoch; a seam for tests. */
  now?: () => number;
}

/** The receiver as a Fastify instance, not listening (tests drive it with `inject`). */
export function buildWebhookReceiver(opts: WebhookReceiverOptions): FastifyInstance {
  if (!opts.tenants && !opts.secret)
    throw new Error('webhook receiver: a signing secret is required (ZENDESK_WEBHOOK_SECRET)');
  const tenants =
    opts.tenants ?? new Map([[DEFAULT_TENANT, { secret: opts.secret!, route: opts.route, signal: opts.signal! }]]);
  for (const [name, t] of tenants)
    if (!t.secret) throw new Error(`webhook receiver: tenant ${name} has no signing secret (ZENDESK_WEBHOOK_SECRET)`);
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const toleranceMs = (opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS) * 1000;
  const log = opts.logger ?? createLogger('webhook-receiver');
  const m = opts.metrics ?? processMetrics;
  const now = opts.now ?? Date.now;

  const app = Fastify({ logger: false, bodyLimit: maxBodyBytes });

  // The signature covers the bytes as sent: keep them raw for every content type, parse JSON ourselves.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      m.recordWebhook('too_large');
      log.warn({ limit: maxBodyBytes }, 'webhook rejected: body over the size limit');
      return reply
        .code(413)
        .send({ error: 'payload_too_large', message: `body is over the limit of ${maxBodyBytes} bytes` });
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) log.error({ err: { message: err.message, code: err.code } }, 'webhook receiver failed');
    return reply
      .code(status)
      .send({ error: err.code ?? 'error', message: status === 500 ? 'internal error' : err.message });
  });

  app.get('/healthz', async () => ({ ok: true }));

  app.post<{ Params: { tenant?: string } }>(`${WEBHOOK_PATH}/:tenant?`, async (req, reply) => {
    const name = req.params.tenant || DEFAULT_TENANT;
    const reject = (code: number, result: WebhookResult, message: string) => {
      m.recordWebhook(result, name);
      log.warn({ result, ...(name !== DEFAULT_TENANT && { tenant: name }) }, `webhook rejected: ${message}`);
      return reply.code(code).send({ error: result, message });
    };
    const tenant = tenants.get(name);
    if (!tenant)
      return reject(
        404,
        'unknown_tenant',
        req.params.tenant
          ? `no tenant "${name}" is served here`
          : `name the tenant in the path: ${WEBHOOK_PATH}/<tenant> (tenants: ${[...tenants.keys()].join(', ')})`,
      );
    const route = tenant.route ?? routeZendeskEvent;

    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signature = headerValue(req.headers[SIGNATURE_HEADER]);
    const timestamp = headerValue(req.headers[SIGNATURE_TIMESTAMP_HEADER]);
    if (!signature || !timestamp)
      return reject(401, 'bad_signature', 'signature or signature timestamp header missing');
    if (!verifyWebhookSignature(tenant.secret, signature, timestamp, raw))
      return reject(401, 'bad_signature', 'signature does not match');
    // Checked after the signature, so only a genuine but old (replayed or long-delayed) request reads "stale".
    const at = parseTimestamp(timestamp);
    if (at === undefined) return reject(401, 'stale', 'signature timestamp is not a date');
    if (Math.abs(now() - at) > toleranceMs)
      return reject(401, 'stale', `signature timestamp is more than ${toleranceMs / 1000}s from now`);

    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch (err) {
      return reject(400, 'malformed', `body is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = ZendeskWebhookEvent.safeParse(json);
    if (!parsed.success) {
      const reasons = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(body)'}: ${i.message}`);
      return reject(400, 'malformed', `body is not a Zendesk event: ${reasons.join('; ')}`);
    }
    const event = parsed.data;

    let pairs: PairRef[];
    try {
      pairs = route(event);
    } catch (err) {
      return reject(400, 'malformed', `event ${event.id} cannot be routed: ${(err as Error).message}`);
    }

    const reported = reportedValueOfEvent(event);
    const notice: ChangeNotice = { side: 'zendesk', via: 'webhook', at: event.time, ...(reported && { reported }) };
    // One signal per Zendesk record, naming its pairs: its workflow syncs them in one round, one read.
    const records = new Map<string, { ref: RecordRef; pairs: PairRef[] }>();
    for (const pair of pairs) {
      const ref = recordOfPair(pair);
      const key = `${ref.type}/${ref.zendeskId}`;
      records.set(key, { ref, pairs: [...(records.get(key)?.pairs ?? []), pair] });
    }
    const results = await Promise.allSettled(
      [...records.values()].map((r) => tenant.signal(r.ref, { ...notice, pairs: r.pairs })),
    );
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length) {
      // Not counted as a webhook result: Zendesk retries it, and the retry is what gets counted.
      log.error(
        {
          eventId: event.id,
          failed: failed.length,
          of: records.size,
          reason: String((failed[0].reason as Error)?.message ?? failed[0].reason),
        },
        'webhook not accepted: could not signal Temporal',
      );
      return reply
        .code(503)
        .header('retry-after', '30')
        .send({ error: 'unavailable', message: 'could not record the change; retry later' });
    }

    m.recordWebhook('accepted', name);
    log.info({ eventId: event.id, type: event.type, pairs }, 'webhook accepted');
    return reply.code(202).send({ accepted: true, eventId: event.id, pairs });
  });

  return app;
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Zendesk sends ISO 8601 (`2024-05-01T10:00:00Z`); epoch seconds are accepted too. */
function parseTimestamp(ts: string): number | undefined {
  if (/^\d+$/.test(ts)) return Number(ts) * 1000;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? undefined : ms;
}

export interface StartWebhookReceiverOptions extends Omit<WebhookReceiverOptions, 'signal' | 'tenants'> {
  port: number;
  /** 127.0.0.1 unless told otherwise: put a TLS-terminating proxy in front for Zendesk to reach it. */
  host?: string;
  /** The default tenant's client (its codec), when `tenants` is not given. */
  client?: Client;
  /** Each tenant's secret, route and client (its codec encrypts with the tenant's key). */
  tenants?: ReadonlyMap<string, Omit<TenantWebhook, 'signal'> & { client: Client }>;
  /** The backoff of the pairs a webhook starts; the engine's default unless a test shortens it. */
  retry?: RetryTuning;
}

export interface RunningReceiver {
  url: string;
  /** Starts taking a tenant's webhooks (or takes its new settings). */
  serve(tenant: string, webhook: Omit<TenantWebhook, 'signal'> & { client: Client }): void;
  /** Stops taking a tenant's webhooks: they are answered 404 from now on. */
  forget(tenant: string): void;
  close(): Promise<void>;
}

/** Builds the receiver wired to Temporal through `signalRecord`, and listens. */
export async function startWebhookReceiver(opts: StartWebhookReceiverOptions): Promise<RunningReceiver> {
  const { port, host = '127.0.0.1', client, retry, tenants, ...rest } = opts;
  const signalOf = (c: Client, tenant: string) => (record: RecordRef, notice: RecordNotice) =>
    signalRecord(c, record, notice, retry && { retry }, tenant);
  const served = new Map<string, TenantWebhook>();
  const serve: RunningReceiver['serve'] = (name, t) =>
    served.set(name, { secret: t.secret, route: t.route, signal: signalOf(t.client, name) });
  for (const [name, t] of tenants ?? []) serve(name, t);
  const app = buildWebhookReceiver({
    ...rest,
    ...(tenants ? { tenants: served } : { signal: signalOf(client!, DEFAULT_TENANT) }),
  });
  await app.listen({ port, host });
  const address = app.server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    serve,
    forget: (name) => served.delete(name),
    close: () => app.close(),
  };
}
