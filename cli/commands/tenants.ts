import { Command } from 'commander';
import type { Client } from '@temporalio/client';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newKey } from '../../codec/keys';
import { DEFAULT_TENANT, checkTenantName, tenantQueue, tenantWorkflowId } from '../../protocol/tenants';
import { SYSTEMS, TASK_QUEUE } from '../../protocol/ids';
import { redactUrlPasswords } from '../../protocol/redact';
import { dropSearchPathSchema } from '../../store';
import { listSchedules } from '../../workers/schedules';
import { parseSettings, printableSettings, type Settings } from '../../workers/settings-file';
import {
  DISABLED_SETTING,
  TENANT_ENV_NAMES,
  deleteSqliteStore,
  deleteTenantFile,
  tenantConfig,
  writeTenantFile,
  type Tenant,
} from '../../workers/tenants';
import { tenantWebhookPath } from '../../workers/webhook-receiver';
import { TENANT } from '../../workflows/search-attributes';
import {
  addSubcommand,
  closeTemporal,
  connectTemporal,
  installationOf,
  printer,
  runtimeOf,
  tenantsDirOf,
  tenantsOf,
  withConfigOption,
} from '../context';
import { outputFormat, printJson, withOutputOption } from '../output';

/** The installation's tenant by that name, or an error listing the names there are. */
function findTenant(cmd: Command, name: string): Tenant {
  const tenants = tenantsOf(cmd);
  const found = tenants.find((t) => t.name === name);
  if (!found) throw new Error(`no tenant "${name}" (tenants: ${tenants.map((t) => t.name).join(', ')})`);
  return found;
}

/** Runs `fn` with a Temporal client of the tenant's (its codec). */
async function withTenantClient<T>(cmd: Command, tenant: Tenant, fn: (client: Client) => Promise<T>): Promise<T> {
  const config = tenantConfig(tenant, ['temporal', 'encryption'], installationOf(cmd));
  const client = await connectTemporal(config, { timeoutMs: 5000 });
  try {
    return await fn(client);
  } finally {
    await closeTemporal(client);
  }
}

/** The workflows of a tenant still running: its own attribute, or its id prefix for those started without it. */
function runningQuery(tenant: string): string {
  return `ExecutionStatus = "Running" AND (${TENANT.name} = "${tenant}" OR WorkflowId STARTS_WITH "${tenant}:")`;
}

function describe(tenant: Tenant, cmd: Command) {
  const config = tenantConfig(tenant, ['store'], installationOf(cmd));
  return {
    name: tenant.name,
    state: tenant.disabled ? 'disabled' : 'enabled',
    file: tenant.file ?? null,
    store: redactUrlPasswords(config.store.url),
    zendesk: tenant.settings.ZENDESK_BASE_URL ?? null,
    taskQueues: [TASK_QUEUE, ...SYSTEMS].map((q) => tenantQueue(q, tenant.name)),
    webhookPath: tenantWebhookPath(tenant.name),
    workflowIds: tenantWorkflowId('…', tenant.name),
    webUiQuery: `${TENANT.name} = "${tenant.name}"`,
  };
}

function addCommand(): Command {
  return withConfigOption(new Command('add'))
    .description(
      "add a tenant: a customer with its own Zendesk, PowerOffice Go and Crmoffice accounts, settings and encryption key, from an env file of that customer's settings",
    )
    .argument('<name>', 'lowercase letters, digits and hyphens, e.g. acme')
    .requiredOption(
      '--from <env-file>',
      'KEY=value lines: ZENDESK_*, POWEROFFICE_*, CRMOFFICE_*, ZENDESK_WEBHOOK_SECRET, TANDEM_POLL_*, TANDEM_RATE_*, ... (secrets as values or as *_FILE paths)',
    )
    .addHelpText(
      'after',
      '\nExample:\n  tandem tenants add acme --from ./acme.env\n  tandem schedules apply --tenant acme',
    )
    .action((name: string, flags: { from: string }, cmd: Command) => {
      const out = printer(cmd);
      checkTenantName(name);
      if (name === DEFAULT_TENANT) throw new Error('"default" is the installation\'s own tenant; choose another name');
      const dir = tenantsDirOf(cmd);
      const file = join(dir, `${name}.env`);
      if (existsSync(file)) throw new Error(`tenant ${name} exists already (${file})`);
      const given = parseSettings(readFileSync(flags.from, 'utf8'), flags.from);
      const refused = Object.keys(given).filter((k) => !TENANT_ENV_NAMES.has(k));
      if (refused.length)
        throw new Error(
          `${flags.from}: ${refused.join(', ')}: not a tenant's setting (its accounts, secrets, polling, rates, flows, key, webhook secret and store)`,
        );
      const settings: Record<string, string> = { ...given };
      const generated =
        given.TANDEM_ENCRYPTION !== 'off' && !given.TANDEM_ENCRYPTION_KEY && !given.TANDEM_ENCRYPTION_KEY_FILE;
      if (generated) settings.TANDEM_ENCRYPTION_KEY = newKey();
      const tenant: Tenant = { name, disabled: false, settings };
      // Every problem now, named by its setting, before the file exists.
      const config = tenantConfig(
        tenant,
        ['zendesk', 'poweroffice', 'crmoffice', 'polling', 'rates', 'flows', 'encryption', 'webhook', 'store'],
        installationOf(cmd),
      );
      writeTenantFile(dir, name, Object.entries(settings) as Settings);
      out(
        `Added tenant ${name}: ${file} (mode 600${generated ? '; its encryption key was generated there: back it up' : ''}).`,
      );
      out(`Its link store: ${redactUrlPasswords(config.store.url)}`);
      const missing = (['poweroffice', 'crmoffice'] as const).filter((s) => !config[s]);
      if (missing.length) out(`warning: no ${missing.join(' or ')} settings: the worker will refuse to serve it`);
      if (!config.webhook.secret) out('warning: no ZENDESK_WEBHOOK_SECRET: its changes arrive by polling alone');
      out('Next:');
      out(`  tandem schedules apply --tenant ${name}`);
      out('  (a running worker and webhook receiver start serving it within --reload-tenants seconds, 10 by default)');
      out(
        `  tandem webhooks register <public-url> --tenant ${name}   (Zendesk then posts to ${tenantWebhookPath(name)})`,
      );
    });
}

function listCommand(): Command {
  return withOutputOption(withConfigOption(new Command('list')))
    .description('list the tenants: enabled or disabled, their Zendesk and their link store')
    .addHelpText('after', '\nExample:\n  tandem tenants list\n  tandem tenants list -o json')
    .action((_flags: unknown, cmd: Command) => {
      const rows = tenantsOf(cmd).map((t) => describe(t, cmd));
      if (outputFormat(cmd) === 'json') return printJson(cmd, rows);
      const out = printer(cmd);
      for (const r of rows)
        out(`${r.name}  ${r.state}  zendesk ${r.zendesk ?? '(installation settings)'}  store ${r.store}`);
    });
}

function showCommand(): Command {
  return withOutputOption(withConfigOption(new Command('show')))
    .description(
      "one tenant: its settings (secrets shown as <set>), task queues, webhook path, store and the Web UI's query for it",
    )
    .argument('<name>')
    .addHelpText('after', '\nExample:\n  tandem tenants show acme')
    .action((name: string, _flags: unknown, cmd: Command) => {
      const tenant = findTenant(cmd, name);
      const facts = describe(tenant, cmd);
      const settings = printableSettings(Object.entries(tenant.settings) as Settings);
      if (outputFormat(cmd) === 'json') return printJson(cmd, { ...facts, settings });
      const out = printer(cmd);
      out(`${facts.name} (${facts.state})`);
      out(`  file          ${facts.file ?? '(the installation settings)'}`);
      out(`  store         ${facts.store}`);
      out(`  task queues   ${facts.taskQueues.join(', ')}`);
      out(`  webhook path  ${facts.webhookPath}`);
      out(`  workflow ids  ${facts.workflowIds}`);
      out(`  Web UI query  ${facts.webUiQuery}`);
      for (const line of settings) out(`  ${line}`);
    });
}

/** Sets a tenant's state in its file, and pauses or resumes its schedules (when Temporal answers). */
function stateCommand(verb: 'disable' | 'enable'): Command {
  const disable = verb === 'disable';
  return withConfigOption(new Command(verb))
    .description(
      disable
        ? 'stop serving a tenant: its schedules paused, and the workers and webhook receivers leave it out at their next reading of the tenant files; its links and workflows are kept'
        : 'serve a disabled tenant again: its schedules resumed, and the workers and webhook receivers serve it at their next reading of the tenant files',
    )
    .argument('<name>')
    .addHelpText('after', `\nExample:\n  tandem tenants ${verb} acme`)
    .action(async (name: string, _flags: unknown, cmd: Command) => {
      const out = printer(cmd);
      const tenant = findTenant(cmd, name);
      if (!tenant.file) throw new Error('the default tenant is the installation itself: stop its processes instead');
      const settings: Record<string, string> = Object.fromEntries(
        Object.entries(tenant.settings).filter(([k]) => k !== DISABLED_SETTING),
      );
      if (disable) settings[DISABLED_SETTING] = 'true';
      writeTenantFile(tenantsDirOf(cmd), name, Object.entries(settings) as Settings);
      out(`Tenant ${name} ${disable ? 'disabled' : 'enabled'} (${tenant.file}).`);
      try {
        await withTenantClient(cmd, tenant, async (client) => {
          for (const s of await listSchedules(client, name)) {
            const handle = client.schedule.getHandle(s.id);
            if (disable) await handle.pause(`tenant ${name} disabled with tandem tenants disable`);
            else await handle.unpause(`tenant ${name} enabled with tandem tenants enable`);
            out(`${disable ? 'paused' : 'resumed'} ${s.id}`);
          }
        });
      } catch (err) {
        out(
          `Its schedules were not ${disable ? 'paused' : 'resumed'}: ${(err as Error).message}; run this again once Temporal answers.`,
        );
      }
      out('Restart the worker and the webhook receiver for them to see it.');
    });
}

function removeCommand(): Command {
  return withConfigOption(new Command('remove'))
    .description(
      'remove a tenant for good: its schedules deleted, its workflows terminated, its link store dropped and its file deleted with its encryption key, so its histories can no longer be read',
    )
    .argument('<name>')
    .option('--yes', 'do not ask for confirmation')
    .addHelpText('after', '\nExample:\n  tandem tenants remove acme')
    .action(async (name: string, flags: { yes?: boolean }, cmd: Command) => {
      const out = printer(cmd);
      const tenant = findTenant(cmd, name);
      if (!tenant.file) throw new Error('the default tenant is the installation itself and cannot be removed');
      if (!flags.yes) {
        const rt = runtimeOf(cmd);
        if (!rt.confirm) throw new Error('removing a tenant destroys its links and its key: confirm with --yes');
        if (!(await rt.confirm(`Remove tenant ${name}, its links and its encryption key for good?`)))
          return out('Not removed.');
      }
      const { store } = tenantConfig(tenant, ['store'], installationOf(cmd));
      await withTenantClient(cmd, tenant, async (client) => {
        for (const s of await listSchedules(client, name)) {
          await client.schedule.getHandle(s.id).delete();
          out(`deleted schedule ${s.id}`);
        }
        // Visibility lags a little behind: ask again until none is listed.
        let ended = 0;
        for (let round = 0; round < 20; round++) {
          const ids: string[] = [];
          for await (const w of client.workflow.list({ query: runningQuery(name) })) ids.push(w.workflowId);
          if (!ids.length && round > 0) break;
          for (const id of ids) {
            await client.workflow
              .getHandle(id)
              .terminate(`tenant ${name} removed`)
              .catch(() => undefined);
            ended += 1;
          }
          await new Promise((r) => setTimeout(r, 500));
        }
        out(`terminated ${ended} workflow${ended === 1 ? '' : 's'}`);
      });
      if (/^postgres(ql)?:\/\//i.test(store.url)) await dropSearchPathSchema(store.url);
      else deleteSqliteStore(store.url);
      out(`dropped its link store ${redactUrlPasswords(store.url)}`);
      deleteTenantFile(tenant);
      out(`deleted ${tenant.file} and with it the tenant's encryption key: its histories in Temporal no longer decode`);
      out('Restart the worker and the webhook receiver for them to see it.');
    });
}

export function tenantsCommand(): Command {
  const cmd = new Command('tenants')
    .description(
      'the customers this installation serves, each with its own accounts, settings, task queues, link store and key: add, list, show, disable, enable, remove',
    )
    .addHelpText('after', '\nExample:\n  tandem tenants add acme --from ./acme.env\n  tandem tenants list');
  for (const sub of [
    addCommand(),
    listCommand(),
    showCommand(),
    stateCommand('disable'),
    stateCommand('enable'),
    removeCommand(),
  ])
    addSubcommand(cmd, sub);
  return cmd;
}
