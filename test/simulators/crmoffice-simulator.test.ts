/**
 * The Crmoffice simulator enforces the rules written down in connectors/crmoffice/api-assumptions:
 * checked here over raw HTTP, without the connector, so a lenient simulator cannot hide a connector bug.
 */
import axios, { AxiosInstance } from 'axios';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  API_BASE_PATH,
  TOKEN_PATH,
  authorizationCodeForm,
  authorizeUrl,
  clientBasicAuth,
  pkceChallenge,
  refreshTokenForm,
} from '../../connectors/crmoffice/api-assumptions';
import { CrmofficeSimulator, startCrmofficeSimulator } from '../../simulators/crmoffice';

const form = { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } };

async function login(sim: CrmofficeSimulator, refreshToken = sim.credentials.refreshToken) {
  const headers = {
    ...form.headers,
    Authorization: clientBasicAuth(sim.credentials.clientId, sim.credentials.clientSecret),
  };
  return axios.post(`${sim.loginUrl}${TOKEN_PATH}`, refreshTokenForm(refreshToken), {
    headers,
    validateStatus: () => true,
  });
}

async function api(sim: CrmofficeSimulator): Promise<AxiosInstance> {
  const res = await login(sim);
  expect(res.status).toBe(200);
  return axios.create({
    baseURL: `${sim.url}${API_BASE_PATH}`,
    headers: { Authorization: `Bearer ${res.data.access_token}` },
    validateStatus: () => true,
  });
}

describe('crmoffice simulator', () => {
  let sim: CrmofficeSimulator;
  let http: AxiosInstance;
  beforeAll(async () => {
    sim = await startCrmofficeSimulator({ rateLimit: { limit: 0, windowMs: 1000 } });
    http = await api(sim);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  test('the token endpoint refuses a wrong client secret and an unknown refresh token in the OAuth2 shape', async () => {
    const wrongSecret = await axios.post(
      `${sim.loginUrl}${TOKEN_PATH}`,
      refreshTokenForm(sim.credentials.refreshToken),
      {
        headers: { ...form.headers, Authorization: clientBasicAuth(sim.credentials.clientId, 'not-the-secret') },
        validateStatus: () => true,
      },
    );
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.data.error).toBe('invalid_client');
    expect(wrongSecret.headers['www-authenticate']).toMatch(/^Basic/);
    const unknown = await login(sim, 'rt_unknown');
    expect(unknown.status).toBe(400);
    expect(unknown.data.error).toBe('invalid_grant');
    const ok = await login(sim);
    expect(ok.data).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(ok.data.refresh_token).toBeUndefined();
  });

  test('the token endpoint takes client credentials as HTTP Basic (RFC 6749 §2.3.1) or in the form body, never both', async () => {
    const { clientId, clientSecret, refreshToken } = sim.credentials;
    const post = (body: string, authorization?: string) =>
      axios.post(`${sim.loginUrl}${TOKEN_PATH}`, body, {
        headers: { ...form.headers, ...(authorization ? { Authorization: authorization } : {}) },
        validateStatus: () => true,
      });
    const inBody = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: clientId,
      client_secret: clientSecret,
    }).toString();
    expect((await post(inBody)).status).toBe(200);
    expect((await post(refreshTokenForm(refreshToken), clientBasicAuth(clientId, clientSecret))).status).toBe(200);
    const both = await post(inBody, clientBasicAuth(clientId, clientSecret));
    expect(both.status).toBe(400);
    expect(both.data.error).toBe('invalid_request');
    expect((await post(refreshTokenForm(refreshToken))).status).toBe(401);
    // Basic credentials are form-urlencoded first (RFC 6749 §2.3.1): a raw `id:secret` with a reserved character differs.
    expect(clientBasicAuth('a b', 'c:d/é')).toBe(`Basic ${Buffer.from('a+b:c%3Ad%2F%C3%A9').toString('base64')}`);
  });

  describe('the authorization-code flow (RFC 6749 §4.1, PKCE S256)', () => {
    const verifier = 'v'.repeat(43);
    const redirectUri = 'http://127.0.0.1:4567/callback';
    const authorize = (over: Record<string, string | undefined> = {}) => {
      const url = new URL(
        authorizeUrl(sim.loginUrl, {
          clientId: sim.credentials.clientId,
          redirectUri,
          state: 's-1',
          codeChallenge: pkceChallenge(verifier),
        }),
      );
      for (const [k, v] of Object.entries(over)) {
        if (v === undefined) url.searchParams.delete(k);
        else url.searchParams.set(k, v);
      }
      return axios.get(url.toString(), { maxRedirects: 0, validateStatus: () => true });
    };
    const exchange = (p: { code: string; redirectUri?: string; codeVerifier?: string }) =>
      axios.post(`${sim.loginUrl}${TOKEN_PATH}`, authorizationCodeForm({ redirectUri, codeVerifier: verifier, ...p }), {
        headers: {
          ...form.headers,
          Authorization: clientBasicAuth(sim.credentials.clientId, sim.credentials.clientSecret),
        },
        validateStatus: () => true,
      });
    const codeOf = async () => {
      const res = await authorize();
      expect(res.status).toBe(302);
      const back = new URL(res.headers.location);
      expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
      expect(back.searchParams.get('state')).toBe('s-1');
      return back.searchParams.get('code')!;
    };

    test('approves at once: a redirect with code and state; the code buys an access and a refresh token, once', async () => {
      const code = await codeOf();
      const first = await exchange({ code });
      expect(first.status).toBe(200);
      expect(first.data).toMatchObject({ token_type: 'Bearer', scope: 'crmoffice offline_access' });
      expect(first.data.refresh_token).toMatch(/^rt_/);
      // The refresh token works as any other.
      expect((await login(sim, first.data.refresh_token)).status).toBe(200);
      const again = await exchange({ code });
      expect(again.status).toBe(400);
      expect(again.data.error).toBe('invalid_grant');
    });

    test('the exchange needs the same redirect_uri and the verifier of the challenge', async () => {
      const otherRedirect = await exchange({ code: await codeOf(), redirectUri: 'http://127.0.0.1:4568/callback' });
      expect(otherRedirect.status).toBe(400);
      expect(otherRedirect.data).toMatchObject({
        error: 'invalid_grant',
        error_description: expect.stringMatching(/redirect_uri/),
      });
      const otherVerifier = await exchange({ code: await codeOf(), codeVerifier: 'w'.repeat(43) });
      expect(otherVerifier.status).toBe(400);
      expect(otherVerifier.data).toMatchObject({
        error: 'invalid_grant',
        error_description: expect.stringMatching(/code_verifier/),
      });
    });

    test('without offline_access, no refresh token', async () => {
      const res = await authorize({ scope: 'crmoffice' });
      const code = new URL(res.headers.location).searchParams.get('code')!;
      const answer = await exchange({ code });
      expect(answer.status).toBe(200);
      expect(answer.data.refresh_token).toBeUndefined();
    });

    test('an unknown client or an unregistered redirect_uri is shown to the person, never redirected to', async () => {
      for (const over of [
        { client_id: 'someone-else' },
        { redirect_uri: 'https://evil.example/cb' },
        { redirect_uri: undefined },
      ]) {
        const res = await authorize(over);
        expect(res.status).toBe(400);
        expect(res.headers.location).toBeUndefined();
        expect(res.data).toMatch(/Sign-in error/);
      }
    });

    test('other errors go back to the redirect_uri with error and state (§4.1.2.1)', async () => {
      const errorOf = async (over: Record<string, string | undefined>) => {
        const res = await authorize(over);
        expect(res.status).toBe(302);
        const q = new URL(res.headers.location).searchParams;
        expect(q.get('state')).toBe('s-1');
        expect(q.get('code')).toBeNull();
        return q.get('error');
      };
      expect(await errorOf({ response_type: 'token' })).toBe('unsupported_response_type');
      expect(await errorOf({ scope: 'offline_access' })).toBe('invalid_scope');
      expect(await errorOf({ scope: 'crmoffice admin' })).toBe('invalid_scope');
      expect(await errorOf({ code_challenge: undefined })).toBe('invalid_request');
      expect(await errorOf({ code_challenge_method: 'plain' })).toBe('invalid_request');
      sim.denyAuthorization(true);
      try {
        expect(await errorOf({})).toBe('access_denied');
      } finally {
        sim.denyAuthorization(false);
      }
    });
  });

  test('API calls without a live token answer 401 in the error shape', async () => {
    const none = await axios.get(`${sim.url}${API_BASE_PATH}/contacts`, { validateStatus: () => true });
    expect(none.status).toBe(401);
    expect(none.data.error.code).toBe('unauthorized');
    const forged = await axios.get(`${sim.url}${API_BASE_PATH}/contacts`, {
      headers: { Authorization: 'Bearer at_forged' },
      validateStatus: () => true,
    });
    expect(forged.status).toBe(401);
  });

  test('users are seeded and read-only', async () => {
    const users = await http.get('/users');
    expect(users.status).toBe(200);
    expect(users.data.items.length).toBeGreaterThan(0);
    expect(users.data.items[0]).toEqual(
      expect.objectContaining({ id: expect.any(String), updatedAt: expect.any(String) }),
    );
    expect((await http.get(`/users/${users.data.items[0].id}`)).status).toBe(200);
    expect((await http.post('/users', { name: 'x' })).status).toBe(404);
  });

  test('required fields are enforced with a detail naming the field', async () => {
    const company = await http.post('/companies', { orgNr: '999' });
    expect(company.status).toBe(400);
    expect(company.data.error.details[0].field).toBe('name');
    const activity = await http.post('/activities', { description: 'no subject' });
    expect(activity.status).toBe(400);
    expect(activity.data.error.details[0].field).toBe('subject');
    const contact = await http.post('/contacts', { mobilePhone: '+4790000000' });
    expect(contact.status).toBe(400);
    expect(contact.data.error.details[0].field).toBe('givenName');
    expect((await http.post('/contacts', { familyName: 'Only' })).status).toBe(201);
    const badEmail = await http.post('/contacts', { email: 'not-an-address' });
    expect(badEmail.status).toBe(400);
    expect(badEmail.data.error.details[0].field).toBe('email');
  });

  test('a patch cannot clear the last identifying contact field', async () => {
    const created = await http.post('/contacts', { email: 'clear@example.no' });
    const cleared = await http.patch(`/contacts/${created.data.id}`, { email: null });
    expect(cleared.status).toBe(400);
  });

  test('read-only fields are ignored on create and on update', async () => {
    const created = await http.post('/companies', {
      name: 'Fjord AS',
      id: 'mine',
      createdAt: '2000-01-01T00:00:00.000Z',
      updatedAt: '2000-01-01T00:00:00.000Z',
    });
    expect(created.status).toBe(201);
    expect(created.data.id).not.toBe('mine');
    expect(created.data.createdAt).not.toBe('2000-01-01T00:00:00.000Z');
    const patched = await http.patch(`/companies/${created.data.id}`, {
      id: 'other',
      createdAt: '2000-01-01T00:00:00.000Z',
      name: 'Fjord Holding AS',
    });
    expect(patched.data).toMatchObject({
      id: created.data.id,
      createdAt: created.data.createdAt,
      name: 'Fjord Holding AS',
    });
    expect((await http.get('/companies/other')).status).toBe(404);
  });

  test('references must point at existing records', async () => {
    const contact = await http.post('/contacts', { givenName: 'Ref', company: { id: 'no-such-company' } });
    expect(contact.status).toBe(400);
    expect(contact.data.error.details[0].field).toBe('company.id');
    const activity = await http.post('/activities', { subject: 'Call', ownerId: 'no-such-contact' });
    expect(activity.status).toBe(400);
    expect(activity.data.error.details[0].field).toBe('ownerId');
    const company = await http.post('/companies', { name: 'Referenced AS' });
    const ok = await http.post('/contacts', { givenName: 'Ref', company: { id: company.data.id } });
    expect(ok.status).toBe(201);
    expect(ok.data.company).toEqual({ id: company.data.id });
    // A company id is not a contact id: ids are unique across resources.
    expect((await http.post('/activities', { subject: 'Call', ownerId: company.data.id })).status).toBe(400);
  });

  test('externalId is unique on create and on update (409)', async () => {
    const first = await http.post('/activities', { subject: 'One', externalId: 'zendesk:ticket:1' });
    expect(first.status).toBe(201);
    const dup = await http.post('/activities', { subject: 'Two', externalId: 'zendesk:ticket:1' });
    expect(dup.status).toBe(409);
    expect(dup.data.error.code).toBe('conflict');
    const second = await http.post('/activities', { subject: 'Two', externalId: 'zendesk:ticket:2' });
    expect((await http.patch(`/activities/${second.data.id}`, { externalId: 'zendesk:ticket:1' })).status).toBe(409);
    expect(
      (await http.patch(`/activities/${first.data.id}`, { externalId: 'zendesk:ticket:1', subject: 'One!' })).status,
    ).toBe(200);
  });

  test('updatedAt moves on a change, not on a write that changes nothing', async () => {
    const created = await http.post('/companies', { name: 'Moving AS' });
    const same = await http.patch(`/companies/${created.data.id}`, { name: 'Moving AS' });
    expect(same.data.updatedAt).toBe(created.data.updatedAt);
    const changed = await http.patch(`/companies/${created.data.id}`, { orgNr: '123456789' });
    expect(Date.parse(changed.data.updatedAt)).toBeGreaterThan(Date.parse(created.data.updatedAt));
  });

  test('updatedSince is strictly greater than, and lists are sorted by updatedAt', async () => {
    const a = await http.post('/companies', { name: 'Since A' });
    const b = await http.post('/companies', { name: 'Since B' });
    const after = await http.get('/companies', { params: { updatedSince: a.data.updatedAt } });
    const ids = after.data.items.map((r: { id: string }) => r.id);
    expect(ids).not.toContain(a.data.id);
    expect(ids).toContain(b.data.id);
    const all = (await http.get('/companies')).data.items.map((r: { updatedAt: string }) => Date.parse(r.updatedAt));
    expect(all).toEqual([...all].sort((x, y) => x - y));
    expect((await http.get('/companies', { params: { updatedSince: 'yesterday-ish' } })).status).toBe(400);
  });

  test('pages follow page and pageSize with a total count', async () => {
    const since = (await http.post('/companies', { name: 'Paging marker' })).data.updatedAt;
    for (let i = 0; i < 5; i++) await http.post('/companies', { name: `Paged ${i}` });
    const pages = [];
    for (let page = 1; page <= 3; page++)
      pages.push((await http.get('/companies', { params: { updatedSince: since, page, pageSize: 2 } })).data);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages[0]).toMatchObject({ page: 1, pageSize: 2, totalCount: 5 });
    expect(pages.flatMap((p) => p.items.map((r: { name: string }) => r.name))).toEqual([
      'Paged 0',
      'Paged 1',
      'Paged 2',
      'Paged 3',
      'Paged 4',
    ]);
    expect((await http.get('/companies', { params: { pageSize: 101 } })).status).toBe(400);
  });

  test('search filters: e-mail and name case-insensitive, externalId exact', async () => {
    await http.post('/contacts', { email: 'Case.Test@Example.no' });
    expect((await http.get('/contacts', { params: { email: 'case.test@example.NO' } })).data.items).toHaveLength(1);
    await http.post('/companies', { name: 'Søk Bedrift AS' });
    expect((await http.get('/companies', { params: { name: 'SØK BEDRIFT AS' } })).data.items).toHaveLength(1);
    expect((await http.get('/companies', { params: { name: 'Søk Bedrift' } })).data.items).toHaveLength(0);
    await http.post('/activities', { subject: 'Ext', externalId: 'zendesk:Ticket:77' });
    expect((await http.get('/activities', { params: { externalId: 'zendesk:Ticket:77' } })).data.items).toHaveLength(1);
    expect((await http.get('/activities', { params: { externalId: 'zendesk:ticket:77' } })).data.items).toHaveLength(0);
  });

  test('an expired access token is refused', async () => {
    const short = await startCrmofficeSimulator({
      accessTokenTtlSeconds: 0.2,
      rateLimit: { limit: 0, windowMs: 1000 },
    });
    try {
      const h = await api(short);
      expect((await h.get('/users')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      expect((await h.get('/users')).status).toBe(401);
    } finally {
      await short.stop();
    }
  });

  test('with rotation, a used refresh token is refused and the new one works', async () => {
    const rot = await startCrmofficeSimulator({ rotateRefreshTokens: true });
    try {
      const first = await login(rot);
      expect(first.data.refresh_token).toEqual(expect.any(String));
      expect(first.data.refresh_token).not.toBe(rot.credentials.refreshToken);
      expect((await login(rot)).status).toBe(400);
      expect((await login(rot, first.data.refresh_token)).status).toBe(200);
    } finally {
      await rot.stop();
    }
  });

  test('429 and injected faults come in the Crmoffice error shape; the default limit is on', async () => {
    const limited = await startCrmofficeSimulator({});
    try {
      const h = await api(limited);
      const answers = await Promise.all(Array.from({ length: 30 }, () => h.get('/users')));
      const refused = answers.filter((a) => a.status === 429);
      expect(refused.length).toBeGreaterThan(0);
      expect(Number(refused[0].headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused[0].data.error.code).toBe('rate_limited');
      await new Promise((r) => setTimeout(r, 1100));
      await axios.post(`${limited.url}/_sim/faults`, { errorRate: 1 });
      const fault = await h.get('/users');
      expect([500, 503]).toContain(fault.status);
      expect(fault.data.error.code).toBe('server_error');
    } finally {
      await limited.stop();
    }
  });

  test('a snapshot saves and restores the records', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'crmoffice-sim-')), 'snap.json');
    const first = await startCrmofficeSimulator({ snapshotPath: path, rateLimit: { limit: 0, windowMs: 1000 } });
    let id: string;
    try {
      id = (await (await api(first)).post('/companies', { name: 'Snapshot AS' })).data.id;
      expect((await axios.post(`${first.url}/_sim/snapshot`)).status).toBe(200);
    } finally {
      await first.stop();
    }
    const second = await startCrmofficeSimulator({ snapshotPath: path, rateLimit: { limit: 0, windowMs: 1000 } });
    try {
      const h = await api(second);
      expect((await h.get(`/companies/${id}`)).data.name).toBe('Snapshot AS');
      const next = await h.post('/companies', { name: 'After restore AS' });
      expect(next.data.id).not.toBe(id);
      const records = (await axios.get(`${second.url}/_sim/records`)).data;
      expect(JSON.stringify(records)).not.toContain(second.credentials.clientSecret);
    } finally {
      await second.stop();
    }
  });
});
