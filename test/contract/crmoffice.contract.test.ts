/**
 * The Crmoffice connector's contract: run against the simulator always, and against a real account
 * when CRMOFFICE_BASE_URL, CRMOFFICE_LOGIN_BASE_URL, CRMOFFICE_CLIENT_ID, CRMOFFICE_CLIENT_SECRET and
 * CRMOFFICE_REFRESH_TOKEN are set. A real account that rotates refresh tokens burns the given one:
 * set CRMOFFICE_REFRESH_TOKEN_FILE and the newest token is written there.
 * Tests that need to steer the server (expiry, 401, 429, faults, a malformed answer) run on the simulator only.
 */
import axios from 'axios';
import Fastify from 'fastify';
import { writeFileSync } from 'node:fs';
import { ApiError, NotFoundError, PermanentApiError, SchemaError, TransientApiError } from '../../connectors/errors';
import { CrmofficeClient, CrmofficeConfig, crmofficeConfigFromEnv } from '../../connectors/crmoffice';
import { CrmofficeAuthOptions } from '../../connectors/crmoffice/auth';
import { CrmofficeSimulator, startCrmofficeSimulator } from '../../simulators/crmoffice';

const REAL_VARS = [
  'CRMOFFICE_BASE_URL',
  'CRMOFFICE_LOGIN_BASE_URL',
  'CRMOFFICE_CLIENT_ID',
  'CRMOFFICE_CLIENT_SECRET',
  'CRMOFFICE_REFRESH_TOKEN',
];
const realConfigured = REAL_VARS.every((v) => !!process.env[v]);

interface Target {
  config: CrmofficeConfig;
  sim?: CrmofficeSimulator;
}

/** Awaits a promise that must fail and returns the error, kept for the no-secrets check. */
async function failure(p: Promise<unknown>, caught: unknown[]): Promise<ApiError> {
  try {
    await p;
  } catch (err) {
    caught.push(err);
    expect(err).toBeInstanceOf(ApiError);
    return err as ApiError;
  }
  throw new Error('expected the call to fail');
}

function contract(target: () => Target) {
  const run = `tandem-contract-${Date.now().toString(36)}`;
  const caught: unknown[] = [];
  const secrets = new Set<string>();
  let latestRefreshToken: string;
  let client: CrmofficeClient;

  /** A client on the newest refresh token, remembering every token it sees so none may leak. */
  async function newClient(
    options: CrmofficeAuthOptions = {},
    overrides: Partial<CrmofficeConfig> = {},
  ): Promise<CrmofficeClient> {
    const c = new CrmofficeClient({ ...target().config, refreshToken: latestRefreshToken, ...overrides }, options);
    c.onRefreshTokenRotated((token) => {
      latestRefreshToken = token;
      secrets.add(token);
      if (!target().sim && process.env.CRMOFFICE_REFRESH_TOKEN_FILE)
        writeFileSync(process.env.CRMOFFICE_REFRESH_TOKEN_FILE, token, { mode: 0o600 });
    });
    return c;
  }
  async function remember(c: CrmofficeClient) {
    secrets.add(await c.auth.accessToken());
  }
  const simOnly = (name: string, fn: () => Promise<void>) =>
    // eslint-disable-next-line jest/expect-expect -- `fn` is the test's body and asserts.
    test(name, async () => {
      if (!target().sim)
        return console.log(`skipped on a real account (needs the simulator to steer the server): ${name}`);
      await fn();
    });

  beforeAll(async () => {
    const { config } = target();
    latestRefreshToken = config.refreshToken;
    secrets.add(config.clientSecret).add(config.refreshToken);
  });
  // A fresh client per test: with rotation, a client made earlier may hold a refresh token another has since used.
  beforeEach(async () => {
    client = await newClient();
  });

  test('a refresh token buys an access token; a rotated refresh token is announced and the old one is then refused', async () => {
    const initial = latestRefreshToken;
    const users = await client.listUsers({ pageSize: 5 });
    expect(Array.isArray(users.items)).toBe(true);
    await remember(client);
    expect(client.auth.refreshes).toBe(1);
    if (latestRefreshToken === initial) {
      expect(target().sim?.credentials).toBeUndefined(); // the simulator in this suite rotates
      return;
    }
    const stale = await newClient({}, { refreshToken: initial });
    const err = await failure(stale.listUsers(), caught);
    expect(err).toBeInstanceOf(PermanentApiError);
    expect(err.endpoint).toBe('POST /connect/token');
    // And the announced one works.
    const fresh = await newClient();
    await fresh.listUsers({ pageSize: 1 });
    await remember(fresh);
  });

  test('a wrong client secret is a PermanentApiError from the token endpoint', async () => {
    const wrong = await newClient({}, { clientSecret: 'wrong-secret-for-contract-test' });
    const err = await failure(wrong.listUsers(), caught);
    expect(err).toBeInstanceOf(PermanentApiError);
    expect(err.transient).toBe(false);
  });

  test('the access token is renewed before it expires, not on every call', async () => {
    let now = Date.now();
    const c = await newClient({ now: () => now });
    await c.listUsers({ pageSize: 1 });
    await c.listUsers({ pageSize: 1 });
    expect(c.auth.refreshes).toBe(1);
    await remember(c);
    if (target().sim) {
      // The simulator's tokens live 3600 s; the client renews in the last minute, before the server refuses.
      now += 3500 * 1000;
      await c.listUsers({ pageSize: 1 });
      expect(c.auth.refreshes).toBe(1);
      now += 80 * 1000;
    } else {
      now += 24 * 3600 * 1000; // past any access token lifetime
    }
    await c.listUsers({ pageSize: 1 });
    expect(c.auth.refreshes).toBe(2);
    await remember(c);
  });

  simOnly('a 401 renews the token and retries once; a second 401 is a PermanentApiError', async () => {
    const sim = target().sim!;
    const c = await newClient();
    await c.listUsers({ pageSize: 1 });
    await remember(c);
    const calls = () => sim.stats.requests['GET /api/v1/users'] ?? 0;
    const before = calls();
    sim.expireAccessTokens();
    await c.listUsers({ pageSize: 1 });
    expect(c.auth.refreshes).toBe(2);
    expect(calls() - before).toBe(2);
    await remember(c);

    sim.rejectAllAccessTokens(true);
    try {
      const start = calls();
      const err = await failure(c.listUsers({ pageSize: 1 }), caught);
      expect(err).toBeInstanceOf(PermanentApiError);
      expect(err.status).toBe(401);
      expect(calls() - start).toBe(2);
    } finally {
      sim.rejectAllAccessTokens(false);
    }
  });

  test('companies: create, get, update, and updatedAt moves', async () => {
    const created = await client.createCompany({
      name: `${run} Fjord AS`,
      orgNr: '999888777',
      postAddress: { streetAddress: 'Storgata 1', postCode: '0150', postalArea: 'Oslo', country: 'NO' },
    });
    expect(created).toMatchObject({ id: expect.any(String), name: `${run} Fjord AS`, orgNr: '999888777' });
    expect(await client.getCompany(created.id)).toMatchObject({ id: created.id, postAddress: { postalArea: 'Oslo' } });
    await new Promise((r) => setTimeout(r, 5));
    const updated = await client.updateCompany(created.id, { orgNr: '111222333' });
    expect(updated).toMatchObject({ id: created.id, name: created.name, orgNr: '111222333' });
    expect(Date.parse(updated.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
    expect(updated.createdAt).toBe(created.createdAt);
  });

  test('contacts: create with a company, get, update; found by e-mail case-insensitively', async () => {
    const company = await client.createCompany({ name: `${run} Kontakt AS` });
    const email = `${run}.kari@example.no`;
    const created = await client.createContact({
      givenName: 'Kari',
      familyName: 'Nordmann',
      email,
      mobilePhone: '+4790000001',
      company: { id: company.id },
    });
    expect(created.company?.id).toBe(company.id);
    const updated = await client.updateContact(created.id, { directPhone: '+4722000000', company: null });
    expect(updated).toMatchObject({ id: created.id, givenName: 'Kari', directPhone: '+4722000000' });
    expect(updated.company ?? null).toBeNull();
    expect((await client.getContact(created.id)).directPhone).toBe('+4722000000');
    const found = await client.findContactsByEmail(email.toUpperCase());
    expect(found.map((c) => c.id)).toEqual([created.id]);
    expect(await client.findContactsByEmail(`${run}.nobody@example.no`)).toEqual([]);
  });

  simOnly(
    'a company cleared as `{ id: null }` is refused, naming the field; `company: null` is the way to clear it',
    async () => {
      const company = await client.createCompany({ name: `${run} Clear AS` });
      const contact = await client.createContact({
        givenName: 'Clear',
        email: `${run}.clear@example.no`,
        company: { id: company.id },
      });
      const err = await failure(
        client.updateContact(contact.id, { company: { id: null } } as unknown as { company: null }),
        caught,
      );
      expect(err.status).toBe(400);
      expect(err.message).toMatch(/company\.id/);
      expect((await client.updateContact(contact.id, { company: null })).company ?? null).toBeNull();
    },
  );

  test('activities: create with an owner and an externalId, get, update; found by externalId', async () => {
    const owner = await client.createContact({ givenName: 'Ola', email: `${run}.ola@example.no` });
    const externalId = `zendesk:ticket:${run}-1`;
    const created = await client.createActivity({
      subject: 'Printer on fire',
      ownerId: owner.id,
      startsAt: '2024-05-01T10:00:00.000Z',
      description: 'It is on fire.',
      address: { country: 'NO' },
      externalId,
    });
    expect(created).toMatchObject({ subject: 'Printer on fire', ownerId: owner.id, externalId });
    const updated = await client.updateActivity(created.id, { subject: 'Printer was on fire' });
    expect(updated.subject).toBe('Printer was on fire');
    expect((await client.getActivity(created.id)).description).toBe('It is on fire.');
    expect((await client.findActivitiesByExternalId(externalId)).map((a) => a.id)).toEqual([created.id]);
    expect(await client.findActivitiesByExternalId(`zendesk:ticket:${run}-none`)).toEqual([]);
  });

  test('companies are found by name, case-insensitively and exactly', async () => {
    const created = await client.createCompany({ name: `${run} Søk Bedrift AS` });
    expect((await client.findCompaniesByName(`${run} SØK BEDRIFT AS`)).map((c) => c.id)).toEqual([created.id]);
    expect(await client.findCompaniesByName(`${run} Søk Bedrift`)).toEqual([]);
  });

  test('list changed since a checkpoint returns the change after it and nothing older', async () => {
    const a = await client.createCompany({ name: `${run} Since A` });
    const b = await client.createCompany({ name: `${run} Since B` });
    const checkpoint = b.updatedAt;
    await new Promise((r) => setTimeout(r, 5));
    const changed = await client.updateCompany(a.id, { orgNr: '123123123' });
    const seen = [];
    for (let page = 1; ; page++) {
      const answer = await client.listCompanies({ since: checkpoint, page, pageSize: 50 });
      expect(answer.page).toBe(page);
      seen.push(...answer.items);
      if (!answer.hasMore) break;
    }
    for (const item of seen) expect(Date.parse(item.updatedAt)).toBeGreaterThan(Date.parse(checkpoint));
    const ours = seen.filter((c) => c.name.startsWith(run)).map((c) => c.id);
    expect(ours).toEqual([changed.id]);
    if (target().sim) expect(seen.map((c) => c.id)).toEqual([changed.id]);
  });

  test('paging: hasMore until the last page', async () => {
    const since = (await client.createContact({ email: `${run}.page-marker@example.no` })).updatedAt;
    for (let i = 0; i < 3; i++) await client.createContact({ email: `${run}.page${i}@example.no` });
    const first = await client.listContacts({ since, page: 1, pageSize: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.hasMore).toBe(true);
    if (target().sim) {
      const second = await client.listContacts({ since, page: 2, pageSize: 2 });
      expect(second.items.map((c) => c.email)).toEqual([`${run}.page2@example.no`]);
      expect(second.hasMore).toBe(false);
    }
  });

  test('users: list and get', async () => {
    const users = await client.listUsers();
    expect(users.items.length).toBeGreaterThan(0);
    expect((await client.getUser(users.items[0].id)).id).toBe(users.items[0].id);
  });

  test('a validation 400 is a PermanentApiError whose message is the system’s, naming the field', async () => {
    const noName = await failure(client.createCompany({ orgNr: '1' }), caught);
    expect(noName).toBeInstanceOf(PermanentApiError);
    expect(noName).not.toBeInstanceOf(NotFoundError);
    expect(noName.status).toBe(400);
    expect(noName.endpoint).toBe('POST /api/v1/companies');
    expect(noName.message).toMatch(/name/);
    const badOwner = await failure(client.createActivity({ subject: 'x', ownerId: `${run}-no-such-contact` }), caught);
    expect(badOwner.status).toBe(400);
    expect(badOwner.message).toMatch(/ownerId/);
  });

  test('a duplicate externalId is a 409 PermanentApiError', async () => {
    const externalId = `zendesk:ticket:${run}-dup`;
    await client.createActivity({ subject: 'first', externalId });
    const dup = await failure(client.createActivity({ subject: 'second', externalId }), caught);
    expect(dup).toBeInstanceOf(PermanentApiError);
    expect(dup.status).toBe(409);
    expect(dup.message).toMatch(/externalId/);
  });

  test('an unknown id is a NotFoundError naming the record', async () => {
    for (const call of [client.getContact(`${run}-missing`), client.updateCompany(`${run}-missing`, { name: 'x' })]) {
      const err = await failure(call, caught);
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err.recordId).toBe(`${run}-missing`);
    }
  });

  simOnly('an injected 5xx is a TransientApiError', async () => {
    const sim = target().sim!;
    await client.listUsers({ pageSize: 1 }); // token cached, so the fault hits the API call
    await axios.post(`${sim.url}/_sim/faults`, { errorRate: 1 });
    try {
      const err = await failure(client.getUser('1'), caught);
      expect(err).toBeInstanceOf(TransientApiError);
      expect([500, 503]).toContain(err.status);
    } finally {
      await axios.post(`${sim.url}/_sim/faults`, { errorRate: 0 });
    }
  });

  test('no secret appears in any error message, stack or serialisation', () => {
    expect(caught.length).toBeGreaterThanOrEqual(6);
    for (const err of caught) {
      const e = err as Error;
      const texts = [e.message, e.stack ?? '', JSON.stringify(err), String(err)];
      for (const secret of secrets) for (const text of texts) expect(text.includes(secret)).toBe(false);
    }
  });
}

describe('crmoffice connector against the simulator', () => {
  let sim: CrmofficeSimulator;
  let config: CrmofficeConfig;
  beforeAll(async () => {
    sim = await startCrmofficeSimulator({ rotateRefreshTokens: true, rateLimit: { limit: 0, windowMs: 1000 } });
    config = { baseUrl: sim.url, loginBaseUrl: sim.loginUrl, ...sim.credentials };
  });
  afterAll(async () => {
    await sim?.stop();
  });
  contract(() => ({ config, sim }));
});

describe('crmoffice connector, simulator quirks', () => {
  let sim: CrmofficeSimulator;
  let client: CrmofficeClient;
  beforeAll(async () => {
    // Two requests per minute: the token and one call; the next is refused.
    sim = await startCrmofficeSimulator({ rateLimit: { limit: 2, windowMs: 60_000 } });
    client = new CrmofficeClient({ baseUrl: sim.url, loginBaseUrl: sim.loginUrl, ...sim.credentials });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  test('a 429 is a TransientApiError carrying Retry-After in ms', async () => {
    await client.listUsers();
    const err = await client.listUsers().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientApiError);
    const t = err as TransientApiError;
    expect(t.status).toBe(429);
    expect(t.retryAfterMs).toBeGreaterThanOrEqual(1000);
    expect(t.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  test('an answer missing a field the code relies on is a SchemaError naming system, endpoint, record and field', async () => {
    const local = await startCrmofficeSimulator({ rateLimit: { limit: 0, windowMs: 1000 } });
    try {
      local.store.putRaw('companies', { id: 'broken-1', orgNr: '1' });
      local.store.putRaw('activities', { id: 'broken-2', subject: 'ok', updatedAt: 'not a date' });
      const c = new CrmofficeClient({ baseUrl: local.url, loginBaseUrl: local.loginUrl, ...local.credentials });
      const err = await c.getCompany('broken-1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SchemaError);
      expect(err).toMatchObject({
        system: 'crmoffice',
        endpoint: 'GET /api/v1/companies/{id}',
        recordId: 'broken-1',
        field: 'name',
      });
      const listErr = await c.listCompanies().catch((e: unknown) => e);
      expect(listErr).toBeInstanceOf(SchemaError);
      expect((listErr as SchemaError).field).toBe('items.0.name');
      expect(await c.getActivity('broken-2').catch((e: unknown) => e)).toMatchObject({ field: 'updatedAt' });
      expect(JSON.stringify(err)).not.toContain(local.credentials.clientSecret);
    } finally {
      await local.stop();
    }
  });
});

test('a credential echoed by the login host in an error is redacted', async () => {
  const secret = 'cs_contract_echo_secret';
  const refreshToken = 'rt_contract_echo_refresh';
  const echo = Fastify();
  echo.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  echo.post('/connect/token', async (req, reply) =>
    reply.code(400).send({ error: 'invalid_grant', error_description: `bad grant ${JSON.stringify(req.body)}` }),
  );
  await echo.listen({ port: 0, host: '127.0.0.1' });
  try {
    const port = (echo.server.address() as { port: number }).port;
    const c = new CrmofficeClient({
      baseUrl: `http://127.0.0.1:${port}`,
      loginBaseUrl: `http://127.0.0.1:${port}`,
      clientId: 'id',
      clientSecret: secret,
      refreshToken,
    });
    const err = (await c.getContact('1').catch((e: unknown) => e)) as PermanentApiError;
    expect(err).toBeInstanceOf(PermanentApiError);
    expect(err.message).toMatch(/invalid_grant/);
    expect(err.message).toMatch(/\[redacted\]/);
    for (const text of [err.message, err.stack ?? '', JSON.stringify(err)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(refreshToken);
    }
  } finally {
    await echo.close();
  }
});

test('the connector authenticates its client to the token endpoint with HTTP Basic, not in the form body', async () => {
  const seen: Array<{ authorization?: string; body: Record<string, string> }> = [];
  const login = Fastify();
  login.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  login.post('/connect/token', async (req, reply) => {
    seen.push({ authorization: req.headers.authorization, body: req.body as Record<string, string> });
    return reply.code(400).send({ error: 'invalid_grant', error_description: 'captured' });
  });
  await login.listen({ port: 0, host: '127.0.0.1' });
  try {
    const url = `http://127.0.0.1:${(login.server.address() as { port: number }).port}`;
    const c = new CrmofficeClient({
      baseUrl: url,
      loginBaseUrl: url,
      clientId: 'tandem client',
      clientSecret: 'cs:with/odd chars',
      refreshToken: 'rt_basic',
    });
    await c.getContact('1').catch(() => undefined);
    expect(seen).toHaveLength(1);
    expect(seen[0].body).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt_basic' });
    // RFC 6749 §2.3.1: id and secret form-urlencoded, then `id:secret` in base64.
    expect(seen[0].authorization).toBe(
      `Basic ${Buffer.from('tandem+client:cs%3Awith%2Fodd+chars').toString('base64')}`,
    );
  } finally {
    await login.close();
  }
});

const realTitle = `crmoffice connector against a real account${realConfigured ? '' : ` (skipped: set ${REAL_VARS.join(', ')} to run)`}`;
(realConfigured ? describe : describe.skip)(realTitle, () => {
  const config = realConfigured ? crmofficeConfigFromEnv() : undefined;
  contract(() => ({ config: config! }));
});
