import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseEnv, runCli, startCli } from './run-cli';
import { readSettingsFile } from '../../workers/settings-file';

/** KEY=value lines of the output, as an env object (what an operator pastes). */
function envLines(out: string): NodeJS.ProcessEnv {
  return Object.fromEntries([...out.matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
}

describe('tandem simulators and tandem webhooks register', () => {
  let stop: () => void;
  let sims: ReturnType<typeof startCli>;
  let env: NodeJS.ProcessEnv;
  let cwd: string;

  beforeAll(async () => {
    cwd = mkdtempSync(join(tmpdir(), 'tandem-sims-'));
    sims = startCli(
      ['simulators', '--zendesk-port', '0', '--poweroffice-port', '0', '--crmoffice-port', '0', '--sample-size', '5'],
      {
        stop: new Promise<void>((resolve) => (stop = resolve)),
        cwd,
      },
    );
    await sims.waitForOut(/Stop with Ctrl-C/);
    // The credentials are in the settings file, not the output.
    env = readSettingsFile(join(cwd, '.tandem', 'env'))!;
  });
  afterAll(async () => {
    stop?.();
    await sims?.done;
  });

  it('prints each base URL and the settings (secrets as <set>), and writes them to .tandem/env where they reach the simulators', async () => {
    expect(sims.out()).toMatch(/^Zendesk simulator +http:\/\/127\.0\.0\.1:\d+\/api\/v2$/m);
    const printed = envLines(sims.out());
    expect(Object.keys(printed).sort()).toEqual(Object.keys(env).sort());
    expect(printed.ZENDESK_API_TOKEN).toBe('<set>');
    expect(printed.CRMOFFICE_BASE_URL).toBe(env.CRMOFFICE_BASE_URL);
    expect(sims.out()).not.toContain(env.ZENDESK_API_TOKEN!);
    for (const key of [
      'ZENDESK_BASE_URL',
      'ZENDESK_EMAIL',
      'ZENDESK_API_TOKEN',
      'POWEROFFICE_BASE_URL',
      'POWEROFFICE_APPLICATION_KEY',
      'POWEROFFICE_CLIENT_KEY',
      'POWEROFFICE_SUBSCRIPTION_KEY',
      'CRMOFFICE_BASE_URL',
      'CRMOFFICE_CLIENT_ID',
      'CRMOFFICE_CLIENT_SECRET',
      'CRMOFFICE_REFRESH_TOKEN',
    ]) {
      expect(env[key]).toBeTruthy();
    }
    const auth = Buffer.from(`${env.ZENDESK_EMAIL}/token:${env.ZENDESK_API_TOKEN}`).toString('base64');
    const res = await fetch(`${env.ZENDESK_BASE_URL}/users.json`, { headers: { authorization: `Basic ${auth}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { users: unknown[] }).users.length).toBeGreaterThan(0);
  });

  it('register creates the webhook with every Tandem event type and saves the signing secret to a file, not the output', async () => {
    const secretFile = join(mkdtempSync(join(tmpdir(), 'tandem-webhook-')), 'secret');
    const r = await runCli(['webhooks', 'register', 'https://tandem.example.com', '--secret-file', secretFile], {
      env,
    });
    expect(r.code).toBe(0);
    const id = r.out.match(/Created webhook (\S+) for https:\/\/tandem\.example\.com\/webhooks\/zendesk/)?.[1];
    expect(id).toBeTruthy();
    expect(r.out).toContain(`ZENDESK_WEBHOOK_SECRET_FILE=${secretFile}`);
    const secret = readFileSync(secretFile, 'utf8').trim();
    expect(secret.length).toBeGreaterThan(8);
    expect(r.out).not.toContain(secret);
    expect(statSync(secretFile).mode & 0o777).toBe(0o600);

    const auth = Buffer.from(`${env.ZENDESK_EMAIL}/token:${env.ZENDESK_API_TOKEN}`).toString('base64');
    const hook = (await (
      await fetch(`${env.ZENDESK_BASE_URL}/webhooks/${id}`, { headers: { authorization: `Basic ${auth}` } })
    ).json()) as {
      webhook: { endpoint: string; subscriptions: string[] };
    };
    const { ZENDESK_EVENT_TYPES } = await import('../../flows/zendesk-types');
    expect(hook.webhook.endpoint).toBe('https://tandem.example.com/webhooks/zendesk');
    expect([...hook.webhook.subscriptions].sort()).toEqual([...ZENDESK_EVENT_TYPES].sort());

    // Again: the same webhook, not a second one delivering every event twice.
    const again = await runCli(['webhooks', 'register', 'https://tandem.example.com/'], { env });
    expect(again.code).toBe(0);
    expect(again.out).toContain(`exists already: id ${id}`);
    expect(again.out).toContain('ZENDESK_WEBHOOK_SECRET=<signing secret>');
  });

  it('webhooks serve refuses to start without the signing secret', async () => {
    const r = await runCli(['webhooks', 'serve'], { env });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/set ZENDESK_WEBHOOK_SECRET or ZENDESK_WEBHOOK_SECRET_FILE/);
  });

  it('worker refuses to start without PowerOffice, naming the flows that could not run', async () => {
    const r = await runCli(['worker'], {
      env: baseEnv({
        CRMOFFICE_BASE_URL: env.CRMOFFICE_BASE_URL,
        CRMOFFICE_LOGIN_BASE_URL: env.CRMOFFICE_LOGIN_BASE_URL,
        CRMOFFICE_CLIENT_ID: 'x',
        CRMOFFICE_CLIENT_SECRET: 'y',
        CRMOFFICE_REFRESH_TOKEN: 'z',
      }),
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /no poweroffice configuration \(set POWEROFFICE_\*\), so these flows cannot run: zendesk-organizations-to-powerofficego-departments, zendesk-users-to-powerofficego-employees/,
    );
  });
});
