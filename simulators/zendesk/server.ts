/**
 * Starts the Zendesk simulator: the kit's Fastify app (rate limit, latency, faults, /_sim/) with the
 * Zendesk API under `/api/v2`, sample data from the seed, credentials checked on every API call, and
 * optionally a webhook created at start pointing at `webhookUrl`.
 */
import { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Clock, createSimulator, SimulatorOptions, SimulatorStats, slidingWindowLimiter } from '../kit';
import { ZENDESK_EVENT_TYPES } from '../../flows/zendesk-types';
import { createWebhookRecord, registerZendeskApi } from './api';
import { generateSampleData } from './sample';
import { registerZendeskResource, type ZendeskResourceSpec } from './resource';
import { ZendeskStore } from './store';
import { DeliveryStats, WebhookDispatcher } from './webhooks';

/** A budget of requests per fixed window; a limit of 0 turns it off. */
const WindowLimit = z.object({ limit: z.number().int().min(0), windowMs: z.number().int().positive() });

const ZendeskSimulatorExtras = z.object({
  sample: z.object({ size: z.number().int().min(0).max(1_000_000) }).default({ size: 40 }),
  /** A webhook created at start, subscribed to every event type Tandem uses. */
  webhookUrl: z.string().url().optional(),
  /** Signing secret of that webhook; random when absent. */
  webhookSecret: z.string().min(1).optional(),
  credentials: z
    .object({ email: z.string().min(1), apiToken: z.string().min(1), oauthToken: z.string().min(1).optional() })
    .default({ email: 'admin@tandem.example', apiToken: 'sim-zendesk-token' }),
  /** Timeout of one webhook delivery. */
  webhookTimeoutMs: z.number().int().positive().default(2000),
  /** The incremental exports' own limit: 10 requests a minute (30 with High Volume); 0 turns it off. */
  exportRateLimit: WindowLimit.default({ limit: 10, windowMs: 60_000 }),
  /** The sample exports (`/incremental/{resource}/sample`): Zendesk's stricter 10 requests per 20 minutes. */
  sampleRateLimit: WindowLimit.default({ limit: 10, windowMs: 20 * 60_000 }),
  /**
   * The incremental exports leave out what changed this many seconds before a request, as Zendesk's
   * do (a minute); 0 hands out every change at once. `POST /_sim/exports` changes it while running.
   */
  exportDelaySeconds: z.number().int().min(0).default(60),
});

export type ZendeskSimulatorOptions = SimulatorOptions &
  z.input<typeof ZendeskSimulatorExtras> & {
    /** Resources beyond users, organisations and tickets: an extension's record types. */
    resources?: readonly ZendeskResourceSpec[];
  };

export interface ZendeskSimulator {
  /** Base URL; the API is at `${url}/api/v2`. */
  url: string;
  credentials: { email: string; apiToken: string; oauthToken?: string };
  webhookSecret?: string;
  webhookId?: string;
  stats: SimulatorStats;
  deliveries: DeliveryStats;
  store: ZendeskStore;
  /** The `resources` asked for, their records by id, by path. */
  resources: ReadonlyMap<string, Map<number, Record<string, unknown>>>;
  /** Seconds the incremental exports hold back now (`exportDelaySeconds`, or as `POST /_sim/exports` set it). */
  exportDelaySeconds(): number;
  stop(): Promise<void>;
}

/** Zendesk's 401 body. */
const UNAUTHORIZED = { error: "Couldn't authenticate you" };

export async function startZendeskSimulator(options: ZendeskSimulatorOptions = {}): Promise<ZendeskSimulator> {
  const { resources = [], ...rest } = options;
  const {
    sample,
    webhookUrl,
    webhookSecret,
    credentials,
    webhookTimeoutMs,
    exportRateLimit,
    sampleRateLimit,
    exportDelaySeconds,
    ...kitOptions
  } = ZendeskSimulatorExtras.passthrough().parse(rest) as z.output<typeof ZendeskSimulatorExtras> & SimulatorOptions;
  const store = new ZendeskStore();
  const sim = createSimulator(
    'zendesk',
    { rateLimit: { limit: 700, windowMs: 60_000 }, rateLimitHeaders: true, ...kitOptions },
    {
      dump: () => store.dump(),
      load: (data) => store.loadSnapshot(data),
    },
  );
  // A snapshot, when the kit loaded one, wins over generated sample data.
  if (store.users.size === 0 && store.organizations.size === 0 && store.tickets.size === 0)
    store.load(generateSampleData(sim.options.seed, sample.size));

  const exportLimit = windowLimiter(exportRateLimit);
  const sampleLimit = windowLimiter(sampleRateLimit);
  // Zendesk's timestamps are whole seconds: two changes within one second share one.
  const clock = new Clock(true);
  const dispatcher = new WebhookDispatcher(() => store.webhooks.values(), webhookTimeoutMs);
  const bearer = credentials.oauthToken ? `Bearer ${credentials.oauthToken}` : undefined;
  /**
   * As Zendesk: an API token is the account's, and works with the e-mail of any of its agents or
   * admins (`{email}/token:{token}`), as that user; the OAuth token is the API user's.
   */
  const signIn = (auth: string | undefined): string | undefined => {
    if (bearer !== undefined && auth === bearer) return credentials.email;
    const m = /^Basic\s+(\S+)$/.exec(auth ?? '');
    const [, email, token] = /^(.*)\/token:(.*)$/s.exec(m ? Buffer.from(m[1], 'base64').toString('utf8') : '') ?? [];
    if (email === undefined || token !== credentials.apiToken) return undefined;
    if (email.toLowerCase() === credentials.email.toLowerCase()) return credentials.email;
    const user = store.users.byId.get(store.emails.get(email.toLowerCase()) ?? -1);
    return user && user.active && user.role !== 'end-user' ? (user.email ?? undefined) : undefined;
  };
  const signedIn = new WeakMap<FastifyRequest, string>();

  sim.app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!req.url.startsWith('/api/v2')) return;
    const who = signIn(req.headers.authorization);
    if (who === undefined)
      return reply.code(401).header('WWW-Authenticate', 'Basic realm="Web Password"').send(UNAUTHORIZED);
    signedIn.set(req, who);
    if (req.url.startsWith('/api/v2/incremental/')) {
      const sample = /^\/api\/v2\/incremental\/[a-z_]+\/sample(\.json)?(\?|$)/.test(req.url);
      const retryAfter = (sample ? sampleLimit : exportLimit)(Date.now());
      if (retryAfter > 0) {
        sim.stats.rateLimited += 1;
        const allowed = sample
          ? `sample export API requests per 20 minutes exceeded (${sampleRateLimit.limit})`
          : `incremental export API requests per minute exceeded (${exportRateLimit.limit})`;
        return reply
          .code(429)
          .header('Retry-After', String(retryAfter))
          .send({ error: 'APIRateLimitExceeded', description: `Number of allowed ${allowed}` });
      }
    }
  });
  sim.app.get('/_sim/webhooks/deliveries', async () => dispatcher.stats);
  let exportDelay = exportDelaySeconds;
  sim.app.post('/_sim/exports', async (req) => {
    exportDelay = z.object({ delaySeconds: z.number().int().min(0) }).parse(req.body ?? {}).delaySeconds;
    return { delaySeconds: exportDelay };
  });

  registerZendeskApi(sim.app, {
    store,
    clock,
    dispatcher,
    ownerEmail: credentials.email,
    random: sim.random,
    signedInAs: (req) => signedIn.get(req) ?? credentials.email,
    exportDelaySeconds: () => exportDelay,
    listFault: sim.listFault,
  });

  const extra = new Map(
    resources.map((spec) => [spec.path, registerZendeskResource(sim.app, spec, { clock, listFault: sim.listFault })]),
  );

  let webhookId: string | undefined;
  let secret: string | undefined;
  if (webhookUrl) {
    const w = createWebhookRecord(
      { store, clock, random: sim.random },
      {
        name: 'Tandem',
        endpoint: webhookUrl,
        subscriptions: [...ZENDESK_EVENT_TYPES],
        signing_secret: webhookSecret ? { secret: webhookSecret } : undefined,
      },
    );
    webhookId = w.id;
    secret = w.secret;
  }

  const url = await sim.start();
  return {
    url,
    exportDelaySeconds: () => exportDelay,
    credentials: { ...credentials },
    webhookSecret: secret,
    webhookId,
    stats: sim.stats,
    deliveries: dispatcher.stats,
    store,
    resources: extra,
    async stop() {
      await sim.stop();
      await dispatcher.settle();
    },
  };
}

/**
 * Zendesk's export budgets: a function that counts a request and answers 0 when it may go, else the
 * seconds until it may. Sliding, as the kit's limit: no twice the budget across a window's edge.
 */
function windowLimiter(limit: z.infer<typeof WindowLimit>): (now: number) => number {
  const limiter = slidingWindowLimiter(limit);
  return (now) => {
    const { retryAfterMs } = limiter(now);
    return retryAfterMs > 0 ? Math.max(1, Math.ceil(retryAfterMs / 1000)) : 0;
  };
}
