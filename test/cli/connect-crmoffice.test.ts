/**
 * `tandem connect crmoffice` against the simulator, end to end: the authorize address, the browser's
 * redirect to the command's loopback listener (or the address pasted, or `--code` in a later run),
 * the code's exchange, the first API call, and the workers' token chain seeded in the link store. A
 * wrong client secret, a declined authorization and a code from another authorization are refused
 * naming what is wrong, and nothing is saved.
 */
import { join } from 'node:path';
import { CrmofficeClient } from '../../connectors/crmoffice';
import { openStore } from '../../store';
import { loadConfigFor } from '../../workers/config';
import { CrmofficeSimulator, startCrmofficeSimulator } from '../../simulators/crmoffice';
import { freshFolder, modeOf, secretFilesIn, secretNamedBy, settingsIn } from './connect-helpers';
import { runCli, RunningCli, startCli } from './run-cli';

const AUTHORIZE = /(http:\/\/\S+\/connect\/authorize\?\S+)/;

describe('tandem connect crmoffice', () => {
  let sim: CrmofficeSimulator;
  beforeAll(async () => {
    // Rotating refresh tokens: a connect that spent the new one would leave the workers a dead chain.
    sim = await startCrmofficeSimulator({ rotateRefreshTokens: true, rateLimit: { limit: 0, windowMs: 1000 } });
  });
  afterAll(async () => {
    await sim?.stop();
  });
  afterEach(() => sim.denyAuthorization(false));

  const args = (...more: string[]) => [
    'connect',
    'crmoffice',
    '--login-url',
    sim.loginUrl,
    '--base-url',
    sim.url,
    '--client-id',
    sim.credentials.clientId,
    '--redirect-uri',
    'http://127.0.0.1:0/callback',
    ...more,
  ];
  const envFor = (cwd: string, secret = sim.credentials.clientSecret) => ({
    CRMOFFICE_CLIENT_SECRET: secret,
    TANDEM_STORE: join(cwd, 'tandem.db'),
  });

  test('authorize, the redirect to the listener, the code exchange, a first API call; saved and the token chain seeded', async () => {
    const cwd = freshFolder();
    const run = startCli(args(), { cwd, env: envFor(cwd) });
    const [address] = await run.waitForOut(AUTHORIZE);
    const asked = new URL(address);
    expect(Object.fromEntries(asked.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: sim.credentials.clientId,
      scope: 'crmoffice offline_access',
      code_challenge_method: 'S256',
    });
    expect(asked.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/callback$/);
    expect(asked.searchParams.get('state')).toMatch(/^[\w-]{16,}$/);

    // An answer not of this authorization (another state) is refused, and the listener keeps waiting.
    const forged = await fetch(`${asked.searchParams.get('redirect_uri')}?code=forged&state=another`);
    expect(forged.status).toBe(400);

    // The browser: the login host approves and sends it on to the listener, which answers the person.
    const browser = await fetch(address);
    expect(browser.status).toBe(200);
    expect(await browser.text()).toMatch(/You can close this window/);

    const r = await run.done;
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/answered the first call/);
    expect(r.out).toMatch(/link store now holds the token chain/);
    expect(r.out).not.toContain(sim.credentials.clientSecret);

    const settings = settingsIn(cwd)!;
    expect(settings).toMatchObject({
      CRMOFFICE_BASE_URL: sim.url,
      CRMOFFICE_LOGIN_BASE_URL: sim.loginUrl,
      CRMOFFICE_CLIENT_ID: sim.credentials.clientId,
    });
    for (const name of ['CRMOFFICE_CLIENT_SECRET', 'CRMOFFICE_REFRESH_TOKEN'])
      expect(modeOf(settings[`${name}_FILE`])).toBe(0o600);
    expect(secretNamedBy(settings, 'CRMOFFICE_CLIENT_SECRET')).toBe(sim.credentials.clientSecret);
    const refreshToken = secretNamedBy(settings, 'CRMOFFICE_REFRESH_TOKEN');
    expect(r.out).not.toContain(refreshToken);
    expect(secretFilesIn(cwd)).not.toContain('crmoffice-authorization.json');

    // A worker's client, configured from what was saved and sharing the store, reads at once with the
    // seeded access token: no refresh spent.
    const config = loadConfigFor(['crmoffice'], {
      env: { ...settings, ZENDESK_BASE_URL: 'http://x', ZENDESK_OAUTH_TOKEN: 'x' },
    }).crmoffice!;
    const store = openStore(join(cwd, 'tandem.db'));
    try {
      const crm = new CrmofficeClient(config, { sharedTokens: store });
      expect((await crm.listUsers({ pageSize: 1 })).items.length).toBe(1);
      expect(crm.auth.refreshes).toBe(0);
      // And once that access token is gone, the chain goes on from the saved refresh token.
      sim.expireAccessTokens();
      expect((await crm.listUsers({ pageSize: 1 })).items.length).toBe(1);
      expect(crm.auth.refreshes).toBe(1);
    } finally {
      await store.close();
    }
  });

  test('a wrong client secret is refused before anyone is sent to sign in, naming it; nothing saved', async () => {
    const cwd = freshFolder();
    const r = await runCli(args(), { cwd, env: envFor(cwd, 'not-the-client-secret') });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /refused the client \(invalid_client\): the client secret \(CRMOFFICE_CLIENT_SECRET\) is wrong for the client id/,
    );
    expect(r.err).not.toContain('not-the-client-secret');
    expect(r.out).not.toMatch(AUTHORIZE);
    expect(settingsIn(cwd)).toBeUndefined();
    expect(secretFilesIn(cwd)).toEqual([]);
  });

  test('--no-wait prints the address; --code with the address the browser was sent to finishes; the code works once', async () => {
    const cwd = freshFolder();
    const first = await runCli(args('--no-wait'), { cwd, env: envFor(cwd) });
    expect(first.code).toBe(0);
    const [address] = first.out.match(AUTHORIZE)!;
    expect(secretFilesIn(cwd)).toEqual(['crmoffice-authorization.json']);
    expect(modeOf(join(cwd, '.tandem', 'secrets', 'crmoffice-authorization.json'))).toBe(0o600);
    expect(settingsIn(cwd)).toBeUndefined();

    const approved = await fetch(address, { redirect: 'manual' });
    expect(approved.status).toBe(302);
    const sentTo = approved.headers.get('location')!;
    expect(new URL(sentTo).searchParams.get('state')).toBe(new URL(address).searchParams.get('state'));

    // An address from another authorization (its state differs) is refused, and the code not spent.
    const forged = new URL(sentTo);
    forged.searchParams.set('state', 'another');
    const wrong = await runCli(args('--code', forged.toString()), { cwd, env: envFor(cwd) });
    expect(wrong.code).toBe(1);
    expect(wrong.err).toMatch(/belongs to another authorization/);

    const done = await runCli(args('--code', sentTo), { cwd, env: envFor(cwd) });
    expect(done.err).toBe('');
    expect(done.code).toBe(0);
    expect(settingsIn(cwd)!.CRMOFFICE_REFRESH_TOKEN_FILE).toBeDefined();
    expect(secretFilesIn(cwd)).not.toContain('crmoffice-authorization.json');

    const again = await runCli(args('--code', sentTo), { cwd, env: envFor(cwd) });
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/no authorization was started here/);
  });

  test('the code pasted at the terminal while the listener waits', async () => {
    const cwd = freshFolder();
    const asked: string[] = [];
    const run: RunningCli = startCli(args(), {
      cwd,
      env: envFor(cwd),
      ask: async (question) => {
        asked.push(question);
        const [address] = await run.waitForOut(AUTHORIZE);
        // As a person whose browser could not reach the listener: the address copied from the browser.
        const approved = await fetch(address, { redirect: 'manual' });
        return approved.headers.get('location')!;
      },
    });
    const r = await run.done;
    expect(asked).toEqual([expect.stringMatching(/Address or code/)]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(settingsIn(cwd)!.CRMOFFICE_REFRESH_TOKEN_FILE).toBeDefined();
  });

  test('an authorization declined at the login host is said so; nothing saved', async () => {
    sim.denyAuthorization(true);
    const cwd = freshFolder();
    const run = startCli(args(), { cwd, env: envFor(cwd) });
    const [address] = await run.waitForOut(AUTHORIZE);
    expect((await fetch(address)).status).toBe(200);
    const r = await run.done;
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/declined at the login host \(access_denied/);
    expect(secretFilesIn(cwd)).toEqual([]);
  });
});
