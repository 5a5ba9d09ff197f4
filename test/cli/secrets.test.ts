/** A password inside TANDEM_STORE (and secret variables) never reach any output: logs, errors, help, status. */
import { createLogger } from '../../workers/logger';
import { describeConfig, loadConfig } from '../../workers/config';
import { redactUrlPasswords } from '../../protocol/redact';
import { runCli, startCli } from './run-cli';

const PASSWORD = 'secretpw-77';
const env = {
  TANDEM_STORE: `postgres://tandem:${PASSWORD}@127.0.0.1:1/tandem`,
  // Nothing listens there: every command fails fast, which is where secrets used to leak.
  TEMPORAL_ADDRESS: '127.0.0.1:1',
  TEMPORAL_API_KEY: 'api-key-SECRET-42',
  TANDEM_METRICS_PORT: '0',
  TANDEM_SDK_METRICS_PORT: '0',
  ZENDESK_BASE_URL: 'http://127.0.0.1:1/api/v2',
  ZENDESK_EMAIL: 'ops@example.com',
  ZENDESK_API_TOKEN: 'zd-SECRET-token-1',
  POWEROFFICE_BASE_URL: 'http://127.0.0.1:1/v2',
  POWEROFFICE_TOKEN_URL: 'http://127.0.0.1:1/token',
  POWEROFFICE_APPLICATION_KEY: 'po-app-SECRET',
  POWEROFFICE_CLIENT_KEY: 'po-client-SECRET',
  POWEROFFICE_SUBSCRIPTION_KEY: 'po-sub-SECRET',
  CRMOFFICE_BASE_URL: 'http://127.0.0.1:1',
  CRMOFFICE_LOGIN_BASE_URL: 'http://127.0.0.1:1',
  CRMOFFICE_CLIENT_ID: 'client',
  CRMOFFICE_CLIENT_SECRET: 'crm-SECRET-1',
  CRMOFFICE_REFRESH_TOKEN: 'crm-refresh-SECRET',
  ZENDESK_WEBHOOK_SECRET: 'webhook-SECRET-31',
  TANDEM_ENCRYPTION_KEY: 'c2VjcmV0LWtleS1TRUNSRVQtc2VjcmV0LWtleS0zMiE=',
  TANDEM_ENCRYPTION_KEYS_OLD: 'old:3e8b1d0c9f7a6b5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f10',
  TANDEM_CODEC_TOKEN: 'codec-token-SECRET-1234567',
  TANDEM_CODEC_PORT: '0',
};
const SECRETS = [
  PASSWORD,
  env.TEMPORAL_API_KEY,
  env.ZENDESK_API_TOKEN,
  env.POWEROFFICE_CLIENT_KEY,
  env.CRMOFFICE_CLIENT_SECRET,
  env.ZENDESK_WEBHOOK_SECRET,
  env.TANDEM_ENCRYPTION_KEY,
  '3e8b1d0c9f7a6b5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f10',
  env.TANDEM_CODEC_TOKEN,
];

function expectNoSecret(text: string): void {
  for (const s of SECRETS) expect(text).not.toContain(s);
}

describe('secrets are never printed', () => {
  it('redacts the password of any URL in a text', () => {
    expect(redactUrlPasswords(`connect postgres://tandem:${PASSWORD}@db/tandem failed`)).toBe(
      'connect postgres://tandem:***@db/tandem failed',
    );
    expect(redactUrlPasswords('http://127.0.0.1:7301/api/v2')).toBe('http://127.0.0.1:7301/api/v2');
  });

  it('in the config banner and in log lines, JSON or pretty', () => {
    const banner = describeConfig(loadConfig({ env }));
    expectNoSecret(banner);
    expect(banner).toContain('postgres://tandem:***@127.0.0.1:1/tandem');
    for (const format of ['json', 'pretty'] as const) {
      const lines: string[] = [];
      const log = createLogger('t', 'info', { write: (s: string) => void lines.push(s) }, format);
      log.info(
        { store: env.TANDEM_STORE, err: new Error(`cannot open ${env.TANDEM_STORE}`) },
        `opening ${env.TANDEM_STORE}`,
      );
      expect(lines.join('')).toContain('tandem:***@');
      expectNoSecret(lines.join(''));
    }
  });

  it.each([
    [['status']],
    [['status', '--output', 'json']],
    [['links', 'P1', '1']],
    [['schedules', 'list']],
    [['setup']],
    [['worker', '--help']],
    [['dev', '--help']],
    [['codec', 'serve', '--help']],
    [['--help']],
  ])('tandem %j', async (args) => {
    const r = await runCli(args, { env });
    expectNoSecret(r.out + r.err);
  });

  it('the worker start-up banner and the status error name the store, without its password', async () => {
    const worker = await runCli(['worker'], { env });
    expect(worker.code).toBe(1);
    expect(worker.out).toContain('postgres://tandem:***@127.0.0.1:1/tandem');
    const status = await runCli(['status'], { env });
    expect(status.err).toContain('postgres://tandem:***@127.0.0.1:1/tandem');
  });

  it('the codec endpoint names its key ids and origins, never the key or the token', async () => {
    let stop!: () => void;
    const codec = startCli(['codec', 'serve'], { env, stop: new Promise<void>((r) => (stop = r)) });
    await codec.waitForOut(/codec endpoint listening/);
    stop();
    const r = await codec.done;
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/"decrypts":\["k-[0-9a-f]{16}","old"\]/);
    expectNoSecret(r.out + r.err);
  });

  it('a bad key is named by its variable, not shown', async () => {
    const r = await runCli(['worker'], { env: { ...env, TANDEM_ENCRYPTION_KEY: 'bad-SECRET-key' } });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/TANDEM_ENCRYPTION_KEY: expected 32 random bytes/);
    expect(r.out + r.err).not.toContain('bad-SECRET-key');
  });
});
