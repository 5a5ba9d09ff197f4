/**
 * A local stand-in for the Crmoffice API and its login host (the same server), built on the shared
 * simulator kit. Every path, filter and error shape comes from connectors/crmoffice/api-assumptions,
 * so the simulator and the connector change together when the real API is known.
 */
import { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  API_BASE_PATH,
  CREATE_STATUS,
  DEFAULT_RATE_LIMIT,
  ERROR_CODES,
  RESOURCES,
  AUTHORIZE_PATH,
  TOKEN_PATH,
  WRITABLE_RESOURCES,
  collectionPath,
  errorBody,
} from '../../connectors/crmoffice/api-assumptions';
import { Clock, Simulator, SimulatorOptions, SimulatorStats, createSimulator } from '../kit';
import { CrmofficeStore, SimError, StoredRecord } from './store';
import { TokenStore, newSecret } from './tokens';

const Extras = z.object({
  accessTokenTtlSeconds: z.number().positive().default(3600),
  rotateRefreshTokens: z.boolean().default(false),
  /** Fixed credentials (e.g. for `tandem dev` across restarts); random ones otherwise. */
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  refreshToken: z.string().min(1).optional(),
  /** Redirect URIs `/connect/authorize` accepts besides loopback ones (any port, RFC 8252 §7.3). */
  redirectUris: z.array(z.url()).optional(),
  initial: z
    .object({
      companies: z.array(z.record(z.string(), z.unknown())).optional(),
      contacts: z.array(z.record(z.string(), z.unknown())).optional(),
      activities: z.array(z.record(z.string(), z.unknown())).optional(),
      users: z.array(z.record(z.string(), z.unknown())).optional(),
    })
    .optional(),
});

export type CrmofficeSimulatorOptions = SimulatorOptions & z.input<typeof Extras>;

export interface CrmofficeSimulator {
  /** API base URL; the login base (for `/connect/authorize` and `/connect/token`) is the same server. */
  url: string;
  loginUrl: string;
  credentials: { clientId: string; clientSecret: string; refreshToken: string };
  stats: SimulatorStats;
  store: CrmofficeStore;
  /** Ends every access token now: the next API call answers 401. */
  expireAccessTokens(): void;
  /** While on, every access token is refused with 401. */
  rejectAllAccessTokens(on: boolean): void;
  /** While on, the simulated person declines at `/connect/authorize` (a redirect with `access_denied`). */
  denyAuthorization(on: boolean): void;
  stop(): Promise<void>;
}

/** Users Tandem can read; the simulator starts with these and no other records. */
const SEED_USERS = [
  { name: 'Kari Nordmann', email: 'kari@example.no' },
  { name: 'Ola Hansen', email: 'ola@example.no' },
  { name: 'Ingrid Berg', email: 'ingrid@example.no' },
];

export async function startCrmofficeSimulator(options: CrmofficeSimulatorOptions = {}): Promise<CrmofficeSimulator> {
  const {
    accessTokenTtlSeconds,
    rotateRefreshTokens,
    clientId,
    clientSecret,
    refreshToken,
    redirectUris,
    initial,
    ...kitInput
  } = options;
  const extras = Extras.parse({
    accessTokenTtlSeconds,
    rotateRefreshTokens,
    clientId,
    clientSecret,
    refreshToken,
    redirectUris,
    initial,
  });
  const credentials = {
    clientId: extras.clientId ?? newSecret('tandem-client'),
    clientSecret: extras.clientSecret ?? newSecret('cs'),
    refreshToken: extras.refreshToken ?? newSecret('rt'),
  };
  const tokens = new TokenStore({
    ...credentials,
    accessTokenTtlSeconds: extras.accessTokenTtlSeconds,
    rotateRefreshTokens: extras.rotateRefreshTokens,
    redirectUris: extras.redirectUris,
  });

  // The store exists before the kit, which loads a snapshot into it; it keeps its own kit Clock, in
  // milliseconds, or whole seconds while the `sameSecondTimes` fault is on.
  let wholeSeconds = () => false;
  const clock = new Clock(() => wholeSeconds());
  const store = new CrmofficeStore(clock);
  const sim = createSimulator(
    'crmoffice',
    { ...kitInput, rateLimit: kitInput.rateLimit ?? { ...DEFAULT_RATE_LIMIT } },
    store,
  );
  wholeSeconds = () => sim.options.faults.sameSecondTimes;
  sim.countTies(clock);
  for (const r of RESOURCES) for (const rec of extras.initial?.[r] ?? []) store.putRaw(r, rec);
  if (store.count('users') === 0) for (const u of SEED_USERS) store.putRaw('users', u);

  registerRoutes(sim, store, tokens);
  const url = await sim.start();
  return {
    url,
    loginUrl: url,
    credentials,
    stats: sim.stats,
    store,
    expireAccessTokens: () => tokens.expireAll(),
    rejectAllAccessTokens: (on) => {
      tokens.rejectAll = on;
    },
    denyAuthorization: (on) => {
      tokens.denyAuthorization = on;
    },
    stop: () => sim.stop(),
  };
}

function registerRoutes(sim: Simulator, store: CrmofficeStore, tokens: TokenStore): void {
  const app = sim.app;
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  // The kit answers 429 and injected faults in its own shape; give them Crmoffice's.
  app.addHook('onSend', async (req, reply, payload) => {
    if (
      req.url.startsWith('/_sim/') ||
      (reply.statusCode !== 429 && reply.statusCode < 500) ||
      typeof payload !== 'string'
    )
      return payload;
    try {
      const body = JSON.parse(payload) as { error?: unknown; description?: unknown };
      if (typeof body.error !== 'string') return payload;
      const code = reply.statusCode === 429 ? ERROR_CODES[429] : ERROR_CODES[500];
      return JSON.stringify(errorBody(code, String(body.description ?? body.error)));
    } catch {
      return payload;
    }
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(errorBody(ERROR_CODES[404], `no route ${req.method} ${req.url.split('?')[0]}`)),
  );
  app.setErrorHandler((err: { statusCode?: number; message?: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    return reply
      .code(status)
      .send(
        errorBody(
          status === 500 ? ERROR_CODES[500] : ERROR_CODES[400],
          status === 500 ? 'internal error' : (err.message ?? 'bad request'),
        ),
      );
  });

  // No login page: the simulated person approves (or declines) at once; a browser follows the redirect.
  app.get(AUTHORIZE_PATH, async (req, reply) => {
    const result = tokens.authorize(req.query);
    if ('redirect' in result)
      return reply.code(302).header('Cache-Control', 'no-store').header('Location', result.redirect).send();
    // Shown to the person, never sent to an unchecked redirect URI (RFC 6749 §4.1.2.1).
    const text = `${result.body.error}: ${result.body.error_description}`.replace(/[<>&]/g, '');
    return reply
      .code(result.status)
      .type('text/html; charset=utf-8')
      .send(`<!doctype html><title>Sign-in error</title><h1>Sign-in error</h1><p>${text}</p>`);
  });

  app.post(TOKEN_PATH, async (req, reply) => {
    const result = tokens.grant(req.body, req.headers.authorization);
    // RFC 6749 §5.2: a failed client authentication through the Authorization header answers 401 with WWW-Authenticate.
    if (result.status === 401 && req.headers.authorization) reply.header('WWW-Authenticate', 'Basic realm="crmoffice"');
    return reply.code(result.status).header('Cache-Control', 'no-store').send(result.body);
  });

  app.addHook('preHandler', async (req, reply) => {
    if (!req.url.startsWith(`${API_BASE_PATH}/`)) return;
    if (!tokens.verify(req.headers.authorization)) {
      return reply
        .code(401)
        .header('WWW-Authenticate', 'Bearer error="invalid_token"')
        .send(errorBody(ERROR_CODES[401], 'the access token is missing, invalid or expired'));
    }
  });

  const answer = (reply: FastifyReply, status: number, fn: () => unknown) => {
    try {
      return reply.code(status).send(fn());
    } catch (err) {
      if (err instanceof SimError) return reply.code(err.status).send(err.body);
      throw err;
    }
  };
  const idOf = (req: FastifyRequest) => (req.params as { id: string }).id;

  for (const resource of RESOURCES) {
    app.get(collectionPath(resource), async (req, reply) => {
      try {
        const page = store.list(resource, req.query as Record<string, unknown>);
        // A page may fail or come back short on purpose (the kit's list faults), its totals unchanged.
        const fault = sim.listFault(req, { later: page.page > 1, more: page.page * page.pageSize < page.totalCount });
        if (fault?.kind === 'fail')
          return reply.code(fault.status).send(errorBody(ERROR_CODES[500], fault.description));
        return reply
          .code(200)
          .send(fault?.kind === 'short' ? { ...page, items: page.items.filter((_item, i) => fault.keep(i)) } : page);
      } catch (err) {
        if (err instanceof SimError) return reply.code(err.status).send(err.body);
        throw err;
      }
    });
    app.get(`${collectionPath(resource)}/:id`, async (req, reply) =>
      answer(reply, 200, (): StoredRecord => store.get(resource, idOf(req))),
    );
  }
  for (const resource of WRITABLE_RESOURCES) {
    app.post(collectionPath(resource), async (req, reply) =>
      answer(reply, CREATE_STATUS, () => store.create(resource, req.body)),
    );
    app.patch(`${collectionPath(resource)}/:id`, async (req, reply) =>
      answer(reply, 200, () => store.update(resource, idOf(req), req.body)),
    );
  }
}
