/**
 * `tandem dev` writes its settings to .tandem/env, and every command run from that folder reaches
 * the running stack with an empty environment.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../workers/free-port';
import { readSettingsFile } from '../../workers/settings-file';
import { runCli, startCli, type RunningCli } from './run-cli';

jest.setTimeout(180_000);

describe('the CLI against a running `tandem dev`, with nothing in the environment', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'tandem-devcli-'));
  let dev: RunningCli;
  let stop: () => void;
  let settings: Record<string, string>;

  beforeAll(async () => {
    const port = async () => String(await freePort());
    const args = [
      'dev',
      '--headless',
      '--sample-size',
      '4',
      '--port',
      await port(),
      '--webhook-port',
      await port(),
      '--metrics-port',
      await port(),
      '--codec-port',
      await port(),
    ];
    args.push('--zendesk-port', await port(), '--poweroffice-port', await port(), '--crmoffice-port', await port());
    dev = startCli(args, { env: {}, cwd, stop: new Promise<void>((r) => (stop = r)) });
    await dev.waitForOut(/Stop with Ctrl-C/, 150_000);
    settings = readSettingsFile(join(cwd, '.tandem', 'env'))!;
  });
  afterAll(async () => {
    stop?.();
    await dev?.done;
  });

  it('writes every setting the CLI needs, mode 600, and prints them with the secrets as <set>', () => {
    expect(statSync(join(cwd, '.tandem', 'env')).mode & 0o777).toBe(0o600);
    for (const key of [
      'TEMPORAL_ADDRESS',
      'TANDEM_STORE',
      'ZENDESK_BASE_URL',
      'ZENDESK_API_TOKEN',
      'POWEROFFICE_BASE_URL',
      'CRMOFFICE_BASE_URL',
      'CRMOFFICE_LOGIN_BASE_URL',
      'ZENDESK_WEBHOOK_SECRET',
      'TANDEM_ENCRYPTION_KEY_FILE',
      'TANDEM_CODEC_TOKEN',
    ]) {
      expect(settings[key]).toBeTruthy();
    }
    const out = dev.out();
    expect(out).toContain('ZENDESK_API_TOKEN=<set>');
    expect(out).toContain(`CRMOFFICE_BASE_URL=${settings.CRMOFFICE_BASE_URL}\n`);
    // The dev key stays in its own file (mode 600), named by the settings; neither it nor the codec token is printed.
    expect(settings.TANDEM_ENCRYPTION_KEY_FILE).toBe(join(cwd, '.tandem', 'encryption-key'));
    expect(statSync(settings.TANDEM_ENCRYPTION_KEY_FILE).mode & 0o777).toBe(0o600);
    const key = readFileSync(settings.TANDEM_ENCRYPTION_KEY_FILE, 'utf8').trim();
    for (const secret of [
      settings.ZENDESK_API_TOKEN,
      settings.CRMOFFICE_CLIENT_SECRET,
      settings.ZENDESK_WEBHOOK_SECRET,
      settings.TANDEM_CODEC_TOKEN,
      key,
    ])
      expect(out).not.toContain(secret);
  });

  it('status, schedules list and links answer, in text and JSON', async () => {
    const status = await runCli(['status'], { env: {}, cwd });
    expect(status).toMatchObject({ code: 0, err: '' });
    expect(status.out).toContain('P1  zendesk-organizations-to-powerofficego-departments');
    expect(status.out).not.toContain('cannot reach Temporal');

    const json = JSON.parse((await runCli(['status', '-o', 'json'], { env: {}, cwd })).out) as {
      temporal: { reachable?: boolean };
    };
    expect(json.temporal.reachable).toBe(true);

    const list = await runCli(['schedules', 'list', '-o', 'json'], { env: {}, cwd });
    expect(list.code).toBe(0);
    expect((JSON.parse(list.out) as { state: string }[]).every((s) => s.state === 'running')).toBe(true);

    // The first poll links the sample organisations to Crmoffice companies (Z3b); links then finds one by its Zendesk id.
    const auth = Buffer.from(`${settings.ZENDESK_EMAIL}/token:${settings.ZENDESK_API_TOKEN}`).toString('base64');
    const orgs = (await (
      await fetch(`${settings.ZENDESK_BASE_URL}/organizations.json`, { headers: { authorization: `Basic ${auth}` } })
    ).json()) as { organizations: { id: number }[] };
    const orgId = String(orgs.organizations[0].id);
    let links = await runCli(['links', 'Z3b', orgId, '-o', 'json'], { env: {}, cwd });
    for (const until = Date.now() + 60_000; links.code !== 0 && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 1000));
      links = await runCli(['links', 'Z3b', orgId, '-o', 'json'], { env: {}, cwd });
    }
    expect(links.err).toBe('');
    expect(JSON.parse(links.out)).toMatchObject({ link: { zendeskId: orgId } });
  });

  it('plan previews a full re-read as JSON, and links --set-target refuses a missing target', async () => {
    const plan = await runCli(['plan', 'P1', '--all', '--limit', '3', '-o', 'json'], { env: {}, cwd });
    expect(plan.code).toBe(0);
    const data = JSON.parse(plan.out) as { from: string; entries: unknown[] };
    expect(data.from).toBe('start');
    expect(data.entries.length).toBeGreaterThan(0);

    const missing = await runCli(['links', 'P1', '1', '--set-target', '999999', '--yes'], { env: {}, cwd });
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('no departments record 999999');
  });
});
