import { Command, Option } from 'commander';
import { dirname, isAbsolute, join } from 'node:path';
import { chooseTenant } from '../../workers/tenants';
import {
  addSubcommand,
  configOf,
  openConfigStore,
  printer,
  runtimeOf,
  settingsFilePath,
  tenantsOf,
  withConfigOption,
  namedTenant,
} from '../context';
import { connectCrmoffice, DEFAULT_REDIRECT_URI } from '../connect/crmoffice';
import { connectPowerOffice } from '../connect/poweroffice';
import { CredentialToSave, defaultSecretsDir, saveCredential } from '../connect/saved-credentials';
import { connectZendesk } from '../connect/zendesk';

interface Where {
  settingsFile?: string;
  secretsDir?: string;
}

const withWhere = (cmd: Command) =>
  cmd
    .option('--settings-file <file>', 'the settings file to write (default: TANDEM_ENV_FILE, else .tandem/env)')
    .option(
      '--secrets-dir <dir>',
      'where the secret files go, each mode 600 (default: secrets/ beside the settings file)',
    );

/** `--tenant`: the tenant whose file the credential goes to (the crmoffice command has it with --config). */
const withTenant = (cmd: Command) =>
  cmd.option('--tenant <name>', "save into this tenant's file (tandem tenants) instead of the settings file");

/**
 * The settings file and the secrets folder, by the flags, else the defaults (relative to the working
 * folder): a tenant's (`--tenant`) are its own file and a secrets folder of its own, never the
 * installation's, so one customer's credentials never land where another's are read.
 */
function whereOf(cmd: Command, flags: Where): { settingsFile: string; secretsDir: string } {
  const rt = runtimeOf(cmd);
  const cwd = rt.cwd ?? process.cwd();
  const abs = (p: string) => (isAbsolute(p) ? p : join(cwd, p));
  const named = namedTenant(cmd);
  const tenant = named ? chooseTenant(tenantsOf(cmd), named) : undefined;
  if (tenant?.file) {
    const secretsDir = join(dirname(tenant.file), `${tenant.name}-secrets`);
    return { settingsFile: tenant.file, secretsDir: flags.secretsDir ? abs(flags.secretsDir) : secretsDir };
  }
  const settingsFile = flags.settingsFile ? abs(flags.settingsFile) : settingsFilePath(cmd);
  return { settingsFile, secretsDir: flags.secretsDir ? abs(flags.secretsDir) : defaultSecretsDir(settingsFile) };
}

/** Saves a checked credential and says where, never what. */
function finish(cmd: Command, flags: Where, credential: CredentialToSave | undefined): void {
  if (!credential) return;
  const rt = runtimeOf(cmd);
  const out = printer(cmd);
  const saved = saveCredential(credential, whereOf(cmd, flags));
  out(`Saved, mode 600: ${saved.secretFiles.join(', ')}`);
  out(`${saved.settingsFile} now sets:`);
  for (const [name, value] of saved.lines) out(`  ${name}=${value}`);
  out(
    'Every tandem command run from this folder reads them; a service or a --config setup takes the same variables from its environment.',
  );
  for (const { name } of credential.secrets) {
    if (rt.env[name])
      out(`${name} is set in this environment: unset it now, or tandem finds both it and ${name}_FILE and refuses.`);
  }
}

const seconds = (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`expected a whole number of seconds, got "${v}"`);
  return Number(v);
};

export function connectCommand(): Command {
  const connect = new Command('connect')
    .description(
      "check a real account's credential against its API and save it where the configuration reads it (a secret file, mode 600, named in the settings file)",
    )
    .addHelpText(
      'after',
      '\nExample:\n  tandem connect zendesk --subdomain acme --email admin@acme.no\n  tandem connect poweroffice --demo\n  tandem connect crmoffice --login-url https://login.acme.no --client-id tandem',
    );

  addSubcommand(
    connect,
    withWhere(withTenant(new Command('zendesk')))
      .description(
        "sign in with an admin's e-mail and the API token (ZENDESK_API_TOKEN, or typed), or an OAuth token (--oauth); check the user is an admin; save",
      )
      .option('--subdomain <name>', 'the account: acme for https://acme.zendesk.com')
      .option('--base-url <url>', 'the API base instead, ending in /api/v2 (default: ZENDESK_BASE_URL)')
      .option('--email <email>', "an admin's e-mail (default: ZENDESK_EMAIL)")
      .option('--oauth', 'use an OAuth access token (ZENDESK_OAUTH_TOKEN, or typed) instead of e-mail and API token')
      .addHelpText(
        'after',
        '\nExample:\n  tandem connect zendesk --subdomain acme --email admin@acme.no   # asks for the API token',
      )
      .action(async (flags: Parameters<typeof connectZendesk>[0] & Where, cmd: Command) => {
        const say = printer(cmd);
        finish(cmd, flags, await connectZendesk(flags, runtimeOf(cmd), say));
      }),
  );

  addSubcommand(
    connect,
    withWhere(withTenant(new Command('poweroffice')))
      .description(
        'sign in with the application, client and subscription keys (POWEROFFICE_*_KEY, or typed); read a department and an employee; save',
      )
      .option('--demo', 'the demo environment (https://goapi.poweroffice.net/Demo/v2)')
      .option(
        '--base-url <url>',
        'the API base, ending in /v2 (default: POWEROFFICE_BASE_URL, else production https://goapi.poweroffice.net/v2)',
      )
      .option('--token-url <url>', 'the token endpoint (default: the base without /v2, plus /OAuth/Token)')
      .addHelpText('after', '\nExample:\n  tandem connect poweroffice --demo   # asks for the three keys')
      .action(async (flags: Parameters<typeof connectPowerOffice>[0] & Where, cmd: Command) => {
        finish(cmd, flags, await connectPowerOffice(flags, runtimeOf(cmd), printer(cmd)));
      }),
  );

  addSubcommand(
    connect,
    withWhere(withConfigOption(new Command('crmoffice')))
      .description(
        "authorize Tandem at the customer's login host (OAuth2 authorization code): prints the address to open, takes the code from the browser's redirect to a local listener or pasted, exchanges it, calls the API once, seeds the workers' token chain; save",
      )
      .option(
        '--login-url <url>',
        "the customer's login host, where /connect/authorize and /connect/token live (default: CRMOFFICE_LOGIN_BASE_URL)",
      )
      .option('--base-url <url>', 'the API base (default: CRMOFFICE_BASE_URL, else https://api.crmoffice.no)')
      .option(
        '--client-id <id>',
        'the OAuth client id (default: CRMOFFICE_CLIENT_ID); its secret: CRMOFFICE_CLIENT_SECRET, or typed',
      )
      .option(
        '--redirect-uri <uri>',
        'the redirect URI registered for the client, a loopback address tandem listens on (port 0: any free port, for a login host that allows it)',
        DEFAULT_REDIRECT_URI,
      )
      .option('--no-wait', 'print the address to open and stop; then run again with --code')
      .option(
        '--code <address or code>',
        'the address the browser was sent to (or the code in it), after a --no-wait run',
      )
      .addOption(new Option('--wait-seconds <n>', 'how long to wait for the browser').default(300).argParser(seconds))
      .addHelpText(
        'after',
        "\nExample:\n  tandem connect crmoffice --login-url https://login.acme.no --client-id tandem\n  tandem connect crmoffice --login-url https://login.acme.no --client-id tandem --no-wait\n  tandem connect crmoffice --login-url https://login.acme.no --client-id tandem --code 'http://127.0.0.1:8976/callback?code=…&state=…'",
      )
      .action(async (flags: Parameters<typeof connectCrmoffice>[0] & Where, cmd: Command) => {
        const credential = await connectCrmoffice(flags, runtimeOf(cmd), printer(cmd), {
          secretsDir: whereOf(cmd, flags).secretsDir,
          openStore: async () => {
            try {
              const config = configOf(cmd, ['store']);
              const store = openConfigStore(config);
              await store.ready();
              return { holder: store, close: () => store.close() };
            } catch (err) {
              return { unavailable: (err as Error).message };
            }
          },
        });
        finish(cmd, flags, credential);
      }),
  );
  return connect;
}
