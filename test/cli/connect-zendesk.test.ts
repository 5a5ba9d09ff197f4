/**
 * `tandem connect zendesk` against the simulator: a good admin credential is checked and saved (a
 * secret file of mode 600, named in the settings file, which the configuration then reads); a wrong
 * token, an agent's e-mail and a wrong account are refused with a message naming what is wrong, and
 * nothing is saved. The token never reaches the output.
 */
import axios from 'axios';
import { join } from 'node:path';
import { loadConfigFor } from '../../workers/config';
import { startZendeskSimulator, ZendeskSimulator } from '../../simulators/zendesk';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseSettings } from '../../workers/settings-file';
import { freshFolder, modeOf, secretFilesIn, secretNamedBy, settingsIn } from './connect-helpers';
import { runCli } from './run-cli';

describe('tandem connect zendesk', () => {
  let sim: ZendeskSimulator;
  const token = 'zendesk-api-token-4f1c9e';
  beforeAll(async () => {
    sim = await startZendeskSimulator({
      sample: { size: 0 },
      credentials: { email: 'owner@acme.example', apiToken: token },
    });
  });
  afterAll(async () => {
    await sim?.stop();
  });
  const api = () => `${sim.url}/api/v2`;

  test('checks an admin credential, saves the token in a mode-600 file and the settings the config reads', async () => {
    const cwd = freshFolder();
    const r = await runCli(['connect', 'zendesk', '--base-url', api(), '--email', 'owner@acme.example'], {
      cwd,
      env: { ZENDESK_API_TOKEN: token },
    });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/an admin/);
    expect(r.out + r.err).not.toContain(token);
    // Given in the environment: the person is told to unset it, since the file now holds it.
    expect(r.out).toMatch(/ZENDESK_API_TOKEN is set in this environment: unset it/);

    const settings = settingsIn(cwd)!;
    expect(settings).toMatchObject({
      ZENDESK_BASE_URL: api(),
      ZENDESK_EMAIL: 'owner@acme.example',
      ZENDESK_API_TOKEN_FILE: join(cwd, '.tandem', 'secrets', 'zendesk-api-token'),
    });
    expect(settings.ZENDESK_API_TOKEN).toBeUndefined();
    expect(modeOf(settings.ZENDESK_API_TOKEN_FILE)).toBe(0o600);
    expect(modeOf(join(cwd, '.tandem', 'env'))).toBe(0o600);
    expect(modeOf(join(cwd, '.tandem', 'secrets'))).toBe(0o700);
    expect(secretNamedBy(settings, 'ZENDESK_API_TOKEN')).toBe(token);
    // What was saved is what the configuration reads.
    expect(loadConfigFor(['zendesk'], { env: settings }).zendesk).toMatchObject({
      baseUrl: api(),
      email: 'owner@acme.example',
      apiToken: token,
    });
  });

  test("with --tenant, saves into that tenant's file and secrets folder, never the installation's", async () => {
    const cwd = freshFolder();
    const dir = join(cwd, '.tandem', 'tenants');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'acme.env'), 'TANDEM_POLL_ZENDESK_SECONDS=120\n');
    const r = await runCli(
      ['connect', 'zendesk', '--base-url', api(), '--email', 'owner@acme.example', '--tenant', 'acme'],
      { cwd, env: { ZENDESK_API_TOKEN: token } },
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(settingsIn(cwd)).toBeUndefined();
    expect(secretFilesIn(cwd)).toEqual([]);
    const acme = parseSettings(readFileSync(join(dir, 'acme.env'), 'utf8'));
    expect(acme).toMatchObject({ TANDEM_POLL_ZENDESK_SECONDS: '120', ZENDESK_BASE_URL: api() });
    expect(acme.ZENDESK_API_TOKEN_FILE.startsWith(join(dir, 'acme-secrets'))).toBe(true);
    expect(secretNamedBy(acme, 'ZENDESK_API_TOKEN')).toBe(token);
    const unknown = await runCli(
      ['connect', 'zendesk', '--base-url', api(), '--email', 'owner@acme.example', '--tenant', 'beta'],
      { cwd, env: { ZENDESK_API_TOKEN: token } },
    );
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toMatch(/no tenant "beta"/);
  });

  test('a wrong token is refused naming the e-mail and the token, and nothing is saved', async () => {
    const cwd = freshFolder();
    const r = await runCli(['connect', 'zendesk', '--base-url', api(), '--email', 'owner@acme.example'], {
      cwd,
      env: { ZENDESK_API_TOKEN: 'not-the-token' },
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/refused ZENDESK_EMAIL owner@acme\.example with the API token \(ZENDESK_API_TOKEN\) \(401\)/);
    expect(r.err).not.toContain('not-the-token');
    expect(settingsIn(cwd)).toBeUndefined();
    expect(secretFilesIn(cwd)).toEqual([]);
  });

  test("an agent's e-mail signs in but is refused: Tandem needs an admin", async () => {
    const owner = { username: 'owner@acme.example/token', password: token };
    const made = await axios.post(
      `${api()}/users.json`,
      { user: { name: 'Agent Smith', email: 'agent@acme.example', role: 'agent' } },
      { auth: owner },
    );
    expect(made.status).toBe(201);
    const cwd = freshFolder();
    const r = await runCli(['connect', 'zendesk', '--base-url', api(), '--email', 'agent@acme.example'], {
      cwd,
      env: { ZENDESK_API_TOKEN: token },
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/as agent@acme\.example, whose role is agent, not admin: .*incremental exports/);
    expect(settingsIn(cwd)).toBeUndefined();
    expect(secretFilesIn(cwd)).toEqual([]);
  });

  test('an address where no account answers is refused naming the subdomain', async () => {
    const cwd = freshFolder();
    // The simulator's root answers 404 outside /api/v2, as an unclaimed subdomain does.
    const r = await runCli(
      ['connect', 'zendesk', '--base-url', `${sim.url}/nothing/api/v2`, '--email', 'owner@acme.example'],
      { cwd, env: { ZENDESK_API_TOKEN: token } },
    );
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no Zendesk account answers at .*\(404\): check the subdomain/);
    expect(secretFilesIn(cwd)).toEqual([]);
  });

  test('--subdomain must be the subdomain alone; without a terminal the token must come from the environment', async () => {
    const bad = await runCli(['connect', 'zendesk', '--subdomain', 'acme.zendesk.com', '--email', 'a@b.c'], {
      env: { ZENDESK_API_TOKEN: token },
    });
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--subdomain "acme\.zendesk\.com": expected the subdomain alone/);
    const none = await runCli(['connect', 'zendesk', '--base-url', api(), '--email', 'owner@acme.example'], {
      env: {},
    });
    expect(none.code).toBe(1);
    expect(none.err).toMatch(
      /set ZENDESK_API_TOKEN \(or ZENDESK_API_TOKEN_FILE, a file holding it\) in the environment, or run in a terminal/,
    );
  });

  test('a token typed at the terminal is used, and replaces what the settings file held for Zendesk', async () => {
    const cwd = freshFolder();
    const first = await runCli(['connect', 'zendesk', '--base-url', api(), '--email', 'owner@acme.example'], {
      cwd,
      env: { ZENDESK_API_TOKEN: token },
    });
    expect(first.code).toBe(0);
    const asked: string[] = [];
    const again = await runCli(['connect', 'zendesk', '--base-url', api(), '--email', 'owner@acme.example'], {
      cwd,
      env: {},
      ask: async (q, o) => {
        asked.push(`${q}${o?.secret ? ' (secret)' : ''}`);
        return token;
      },
    });
    expect(again.code).toBe(0);
    expect(asked).toEqual(['Zendesk API token for owner@acme.example (not shown):  (secret)']);
    expect(again.out).not.toMatch(/unset it/);
    expect(
      Object.keys(settingsIn(cwd)!)
        .filter((k) => k.startsWith('ZENDESK_'))
        .sort(),
    ).toEqual(['ZENDESK_API_TOKEN_FILE', 'ZENDESK_BASE_URL', 'ZENDESK_EMAIL']);
  });
});
