import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeConfig, loadConfig } from '../../workers/config';

const dir = mkdtempSync(join(tmpdir(), 'tandem-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const minimalEnv = {
  ZENDESK_BASE_URL: 'https://acme.zendesk.com/api/v2',
  ZENDESK_EMAIL: 'agent@acme.no',
  ZENDESK_API_TOKEN: 'zd-token-SECRET1',
};

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the defaults', () => {
    const c = loadConfig({ env: minimalEnv });
    expect(c.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'tandem' });
    expect(c.store).toEqual({ url: '.tandem/tandem.db' });
    expect(c.webhook).toEqual({ port: 8080, maxBodyBytes: 256 * 1024 });
    expect(c.metrics).toEqual({ port: 9464 });
    expect(c.polling).toEqual({ zendesk: 60, poweroffice: 30, crmoffice: 60 });
    expect(c.flows.employeeRoles).toEqual(['agent', 'admin']);
    expect(c.zendesk).toMatchObject({ baseUrl: minimalEnv.ZENDESK_BASE_URL, apiToken: 'zd-token-SECRET1' });
    // No key of theirs was given: those flows are off.
    expect(c.poweroffice).toBeUndefined();
    expect(c.crmoffice).toBeUndefined();
  });

  it('reads every environment variable, converting numbers and lists', () => {
    const c = loadConfig({
      env: {
        ...minimalEnv,
        TEMPORAL_ADDRESS: 'temporal:7233',
        TEMPORAL_NAMESPACE: 'prod',
        TANDEM_STORE: 'postgres://db/tandem',
        POWEROFFICE_BASE_URL: 'https://goapi.poweroffice.net/Demo/v2',
        POWEROFFICE_APPLICATION_KEY: 'a',
        POWEROFFICE_CLIENT_KEY: 'b',
        POWEROFFICE_SUBSCRIPTION_KEY: 'c',
        TANDEM_WEBHOOK_PORT: '9000',
        ZENDESK_WEBHOOK_SECRET: 'whsec',
        TANDEM_METRICS_PORT: '9999',
        TANDEM_POLL_ZENDESK_SECONDS: '120',
        TANDEM_POLL_POWEROFFICE_SECONDS: '15',
        TANDEM_EMPLOYEE_ROLES: 'agent, end-user',
      },
    });
    expect(c.temporal.address).toBe('temporal:7233');
    expect(c.temporal.namespace).toBe('prod');
    expect(c.store.url).toBe('postgres://db/tandem');
    expect(c.poweroffice).toMatchObject({ applicationKey: 'a', clientKey: 'b', subscriptionKey: 'c' });
    expect(c.webhook).toMatchObject({ port: 9000, secret: 'whsec' });
    expect(c.metrics.port).toBe(9999);
    expect(c.polling).toEqual({ zendesk: 120, poweroffice: 15, crmoffice: 60 });
    expect(c.flows.employeeRoles).toEqual(['agent', 'end-user']);
  });

  it('lists every problem at once, each naming its key', () => {
    const err = (() => {
      try {
        loadConfig({
          env: {
            ZENDESK_BASE_URL: 'not a url',
            TANDEM_WEBHOOK_PORT: 'eighty',
            TANDEM_METRICS_PORT: '70000',
            TANDEM_EMPLOYEE_ROLES: 'agent,boss',
            CRMOFFICE_BASE_URL: 'https://api.crmoffice.no',
          },
        });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    const p = err.problems;
    expect(p.some((l) => l.startsWith('ZENDESK_BASE_URL:'))).toBe(true);
    expect(p.some((l) => l.startsWith('ZENDESK_API_TOKEN (or ZENDESK_API_TOKEN_FILE) is required'))).toBe(true);
    expect(p).toContain('TANDEM_WEBHOOK_PORT: expected a whole number, got "eighty"');
    expect(p.some((l) => l.startsWith('TANDEM_METRICS_PORT:'))).toBe(true);
    expect(p.some((l) => l.startsWith('TANDEM_EMPLOYEE_ROLES[1]:'))).toBe(true);
    // Crmoffice was started (one key set), so its missing keys are named.
    expect(p).toContain('CRMOFFICE_LOGIN_BASE_URL (or crmoffice.loginBaseUrl in the config file): is required');
    expect(p).toContain('CRMOFFICE_CLIENT_SECRET (or CRMOFFICE_CLIENT_SECRET_FILE): is required');
    expect(p).toContain('CRMOFFICE_REFRESH_TOKEN (or CRMOFFICE_REFRESH_TOKEN_FILE): is required');
    // One problem per line of the message.
    for (const line of p) expect(err.message).toContain(`\n  - ${line}`);
    expect(err.message.split('\n')).toHaveLength(p.length + 1);
  });

  it("takes the Web UI's address for the links `tandem why` prints, and names TANDEM_UI_URL when it is no http(s) URL", () => {
    expect(loadConfig({ env: { ...minimalEnv, TANDEM_UI_URL: 'https://temporal.example.com' } }).temporal.uiUrl).toBe(
      'https://temporal.example.com',
    );
    expect(
      problemsOf(() => loadConfig({ env: { ...minimalEnv, TANDEM_UI_URL: 'temporal.example.com:8233' } })).some((l) =>
        l.startsWith('TANDEM_UI_URL:'),
      ),
    ).toBe(true);
  });

  it('asks for the e-mail when only the API token is given, and accepts an OAuth token alone', () => {
    expect(
      problemsOf(() => loadConfig({ env: { ZENDESK_BASE_URL: minimalEnv.ZENDESK_BASE_URL, ZENDESK_API_TOKEN: 't' } })),
    ).toEqual(['ZENDESK_EMAIL (or zendesk.email in the config file): is required with ZENDESK_API_TOKEN']);
    const c = loadConfig({ env: { ZENDESK_BASE_URL: minimalEnv.ZENDESK_BASE_URL, ZENDESK_OAUTH_TOKEN: 'o' } });
    expect(c.zendesk.oauthToken).toBe('o');
  });

  it('reads secrets from *_FILE, without the trailing newline', () => {
    const tokenFile = file('zd-token', 'from-file-token\n');
    const c = loadConfig({
      env: {
        ZENDESK_BASE_URL: minimalEnv.ZENDESK_BASE_URL,
        ZENDESK_EMAIL: 'a@b.no',
        ZENDESK_API_TOKEN_FILE: tokenFile,
      },
    });
    expect(c.zendesk.apiToken).toBe('from-file-token');
  });

  it('names the *_FILE variable when the file cannot be read, or when both forms are set', () => {
    const p = problemsOf(() =>
      loadConfig({
        env: {
          ...minimalEnv,
          ZENDESK_API_TOKEN_FILE: join(dir, 'missing'),
          ZENDESK_WEBHOOK_SECRET_FILE: join(dir, 'missing'),
        },
      }),
    );
    expect(p).toContain('ZENDESK_API_TOKEN and ZENDESK_API_TOKEN_FILE are both set; set only one');
    expect(p.some((l) => l.startsWith('ZENDESK_WEBHOOK_SECRET_FILE: cannot read') && l.includes('ENOENT'))).toBe(true);
  });

  it('reads a YAML file, with the environment taking precedence', () => {
    const path = file(
      'tandem.yaml',
      [
        'temporal:',
        '  namespace: from-file',
        '  taskQueue: q1',
        'store:',
        '  url: /var/tandem.db',
        'zendesk:',
        '  baseUrl: https://file.zendesk.com/api/v2',
        'polling:',
        '  crmoffice: 300',
        'flows:',
        '  employeeRoles: [admin]',
      ].join('\n'),
    );
    const c = loadConfig({ env: { ...minimalEnv, TEMPORAL_NAMESPACE: 'from-env' }, file: path });
    expect(c.temporal).toEqual({ address: '127.0.0.1:7233', namespace: 'from-env', taskQueue: 'q1' });
    expect(c.store.url).toBe('/var/tandem.db');
    expect(c.zendesk.baseUrl).toBe(minimalEnv.ZENDESK_BASE_URL);
    expect(c.polling.crmoffice).toBe(300);
    expect(c.flows.employeeRoles).toEqual(['admin']);
  });

  it('finds the file through TANDEM_CONFIG and reads JSON', () => {
    const path = file('tandem.json', JSON.stringify({ metrics: { port: 1234 } }));
    expect(loadConfig({ env: { ...minimalEnv, TANDEM_CONFIG: path } }).metrics.port).toBe(1234);
  });

  it('refuses a secret in the config file without echoing it, and names file keys in problems', () => {
    const path = file(
      'bad.yaml',
      [
        'zendesk:',
        '  apiToken: FILE-SECRET-VALUE',
        'webhook:',
        '  secret: FILE-WH-SECRET',
        '  port: "eighty"',
        'metrics:',
        '  prot: 1',
        'colour: blue',
      ].join('\n'),
    );
    let err: ConfigError | undefined;
    try {
      loadConfig({ env: minimalEnv, file: path });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const p = err!.problems;
    expect(p).toContain(
      `${path}: zendesk.apiToken is a secret and is not read from the config file; set ZENDESK_API_TOKEN or ZENDESK_API_TOKEN_FILE in the environment instead`,
    );
    expect(p.some((l) => l.startsWith(`${path}: webhook.secret is a secret`))).toBe(true);
    // A value the schema refuses is named with its line in the file.
    expect(p.some((l) => l.startsWith(`${path}:5: webhook.port:`))).toBe(true);
    expect(p.some((l) => l.startsWith(`${path}: unknown key metrics.prot`))).toBe(true);
    expect(p.some((l) => l.startsWith(`${path}: unknown key "colour"`))).toBe(true);
    expect(err!.message).not.toContain('FILE-SECRET-VALUE');
    expect(err!.message).not.toContain('FILE-WH-SECRET');
  });

  it('reports a file that is not YAML by position and key path only', () => {
    const path = file('broken.yaml', 'zendesk:\n  apiToken: "SECRET-IN-BROKEN\n  x: [');
    const p = problemsOf(() => loadConfig({ env: minimalEnv, file: path }));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(
      new RegExp(
        `^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line \\d+, column \\d+, under zendesk\\.\\w+: not valid YAML or JSON`,
      ),
    );
    expect(p[0]).not.toContain('SECRET-IN-BROKEN');
  });

  it('never puts an env secret value in a problem', () => {
    const p = problemsOf(() =>
      loadConfig({ env: { ...minimalEnv, ZENDESK_BASE_URL: 'nope', CRMOFFICE_CLIENT_SECRET: 'CRM-SECRET-VALUE' } }),
    );
    expect(p.join('\n')).not.toContain('CRM-SECRET-VALUE');
    expect(p.join('\n')).not.toContain('zd-token-SECRET1');
  });
});

describe('describeConfig', () => {
  it('shows every secret as *** and keeps the rest', () => {
    const c = loadConfig({
      env: {
        ...minimalEnv,
        ZENDESK_WEBHOOK_SECRET: 'WH-SECRET',
        CRMOFFICE_BASE_URL: 'https://api.crmoffice.no',
        CRMOFFICE_LOGIN_BASE_URL: 'https://login.crmoffice.no',
        CRMOFFICE_CLIENT_ID: 'tandem-client',
        CRMOFFICE_CLIENT_SECRET: 'CRM-SECRET',
        CRMOFFICE_REFRESH_TOKEN: 'CRM-REFRESH',
        POWEROFFICE_BASE_URL: 'https://goapi.poweroffice.net/Demo/v2',
        POWEROFFICE_APPLICATION_KEY: 'PO-APP',
        POWEROFFICE_CLIENT_KEY: 'PO-CLIENT',
        POWEROFFICE_SUBSCRIPTION_KEY: 'PO-SUB',
      },
    });
    const text = describeConfig(c);
    for (const secret of [
      'zd-token-SECRET1',
      'WH-SECRET',
      'CRM-SECRET',
      'CRM-REFRESH',
      'PO-APP',
      'PO-CLIENT',
      'PO-SUB',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('apiToken: "***"');
    expect(text).toContain('clientId: tandem-client');
    expect(text).toContain('baseUrl: https://acme.zendesk.com/api/v2');
    expect(text.match(/\*\*\*/g)).toHaveLength(7);
  });
});
