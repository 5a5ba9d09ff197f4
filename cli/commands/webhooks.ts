import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ZendeskClient } from '../../connectors/zendesk';
import { ZENDESK_EVENT_TYPES } from '../../flows/zendesk-types';
import { FLOW_IDS, getFlow } from '../../flows';
import { routeToFlows, startWebhookReceiver, tenantWebhookPath } from '../../workers/webhook-receiver';
import type { Config } from '../../workers/config';
import type { Client } from '@temporalio/client';
import {
  addSubcommand,
  closeTemporal,
  configOf,
  connectTemporal,
  printer,
  withConfigOption,
  servedTenantConfigs,
  namedTenant,
  type TenantConfig,
} from '../context';
import { watchForStop, withGraceOption } from '../shutdown';
import { fingerprintOf, readTenantConfigs, reloadTenants, withReloadOption } from '../tenant-reload';
import { httpUrlArg, portArg } from '../usage';
import { commandLogger } from '../logging';
import { explainingPorts } from '../errors';

const WEBHOOK_NAME = 'Tandem';

/** The receiver reads these sections: the targets' only say which flows run (their credentials are the worker's). */
const SERVE_SECTIONS = ['temporal', 'webhook', 'poweroffice', 'crmoffice'] as const;
type Served = TenantConfig<(typeof SERVE_SECTIONS)[number]>;

/** The flows this config can run: Zendesk events for the others are dropped, not signalled. */
function enabledFlows(config: Partial<Config>): string[] {
  return FLOW_IDS.filter((id) => {
    const system = getFlow(id).target.system;
    return system === 'poweroffice' ? Boolean(config.poweroffice) : Boolean(config.crmoffice);
  });
}

/** The receiver's full address: a bare origin gets the tenant's path, a URL with a path is taken as is. */
function webhookEndpoint(publicUrl: string, tenant: string): string {
  const url = new URL(publicUrl);
  if (url.pathname === '/' || url.pathname === '') url.pathname = tenantWebhookPath(tenant);
  return url.toString();
}

function serveCommand(): Command {
  return withReloadOption(withGraceOption(withConfigOption(new Command('serve'))))
    .description(
      'run the Zendesk webhook receiver from the config (needs ZENDESK_WEBHOOK_SECRET); SIGTERM or Ctrl-C lets requests under way finish (--grace), then stops',
    )
    .option('--host <host>', 'address to listen on (put a TLS proxy in front for Zendesk)', '127.0.0.1')
    .option('--port <port>', 'port to listen on (default: webhook.port of the config)', portArg)
    .addHelpText(
      'after',
      '\nExample:\n  ZENDESK_WEBHOOK_SECRET_FILE=/run/secrets/webhook tandem webhooks serve --host 0.0.0.0',
    )
    .action(async (flags: { host: string; port?: number; grace: number; reloadTenants: number }, cmd: Command) => {
      const tenants = servedTenantConfigs(cmd, SERVE_SECTIONS);
      if (!tenants.length) throw new Error('every tenant of this installation is disabled: no webhook to receive');
      const several = tenants.length > 1;
      const unsigned = tenants.filter((t) => !t.webhook.secret).map((t) => t.tenant);
      if (unsigned.length) throw new Error(noSecret(several ? unsigned : undefined));
      const config = tenants[0];
      const log = commandLogger(cmd, 'webhook-receiver');
      const stopping = watchForStop(cmd, 'the webhook receiver', flags.grace);
      // A client per tenant: each encrypts what it sends Temporal with its tenant's key.
      const clients = new Map<string, { client: Client; fingerprint: string }>();
      const closeClient = async (tenant: string) => {
        const c = clients.get(tenant);
        clients.delete(tenant);
        if (c) await closeTemporal(c.client);
      };
      const closeAll = () => Promise.all([...clients.keys()].map(closeClient));
      try {
        for (const t of tenants)
          clients.set(t.tenant, { client: await connectTemporal(t), fingerprint: fingerprintOf(t) });
      } catch (err) {
        await closeAll();
        stopping.done();
        throw err;
      }
      const webhookOf = (t: Served) => ({
        client: clients.get(t.tenant)!.client,
        secret: t.webhook.secret!,
        route: routeToFlows(enabledFlows(t)),
      });
      const port = flags.port ?? config.webhook.port;
      let reload: { stop(): Promise<void> } | undefined;
      try {
        const receiver = await explainingPorts(
          { [port]: flags.port !== undefined ? '--port' : '--port or set TANDEM_WEBHOOK_PORT' },
          () =>
            startWebhookReceiver({
              port,
              host: flags.host,
              tenants: new Map(tenants.map((t) => [t.tenant, webhookOf(t)])),
              maxBodyBytes: config.webhook.maxBodyBytes,
              logger: log,
            }),
        );
        for (const t of tenants)
          log.info(
            {
              ...(several && { tenant: t.tenant }),
              url: `${receiver.url}${tenantWebhookPath(t.tenant)}`,
              flows: enabledFlows(t),
            },
            'webhook receiver listening',
          );
        // Serving every tenant: the tenant files are read again, so a tenant added or removed needs no restart.
        reload =
          !namedTenant(cmd) && flags.reloadTenants > 0
            ? reloadTenants({
                read: () => readTenantConfigs(cmd, SERVE_SECTIONS),
                everyMs: flags.reloadTenants * 1000,
                log,
                served: () => new Map([...clients].map(([name, c]) => [name, c.fingerprint])),
                async start(t, fingerprint) {
                  if (!t.webhook.secret) throw new Error(noSecret([t.tenant]));
                  clients.set(t.tenant, { client: await connectTemporal(t), fingerprint });
                  receiver.serve(t.tenant, webhookOf(t));
                },
                async stop(tenant) {
                  receiver.forget(tenant);
                  await closeClient(tenant);
                },
              })
            : undefined;
        await stopping.requested;
        await reload?.stop();
        log.info('stopping: answering the requests under way');
        await receiver.close();
        log.info('webhook receiver stopped');
      } finally {
        await reload?.stop();
        await closeAll();
        stopping.done();
      }
    });
}

/** Why a tenant's webhooks cannot be taken without its secret, and where the secret goes. */
function noSecret(tenants?: readonly string[]): string {
  return (
    `${tenants ? `tenant ${tenants.join(', ')}: ` : ''}the webhook receiver needs the signing secret of the Zendesk webhook: set ZENDESK_WEBHOOK_SECRET or ZENDESK_WEBHOOK_SECRET_FILE ` +
    `${tenants ? "in the tenant's file " : ''}(\`tandem webhooks register <public-url> --secret-file <path>\` saves it to a file)`
  );
}

function registerCommand(): Command {
  return withConfigOption(new Command('register'))
    .description(
      "create Tandem's webhook in Zendesk (every user, organization and ticket event Tandem uses) pointing at the receiver",
    )
    .argument(
      '<public-url>',
      "where Zendesk reaches the receiver, e.g. https://tandem.example.com (the path defaults to /webhooks/zendesk, a tenant's to /webhooks/zendesk/<tenant>)",
      httpUrlArg,
    )
    .option(
      '--secret-file <path>',
      'write the signing secret to this file (mode 600) instead of leaving it in Zendesk only',
    )
    .addHelpText(
      'after',
      '\nExample:\n  tandem webhooks register https://tandem.example.com --secret-file /run/secrets/zendesk-webhook',
    )
    .action(async (publicUrl: string, flags: { secretFile?: string }, cmd: Command) => {
      const out = printer(cmd);
      const config = configOf(cmd, ['zendesk']);
      const zendesk = new ZendeskClient(config.zendesk);
      const endpoint = webhookEndpoint(publicUrl, config.tenant);
      // Registering twice must not make Zendesk deliver every event twice: reuse one with the same endpoint.
      const existing = (await zendesk.listWebhooks()).find((w) => w.endpoint === endpoint);
      let id: string;
      if (existing) {
        id = String(existing.id);
        out(`A webhook for ${endpoint} exists already: id ${id} (not created again).`);
      } else {
        id = (await zendesk.createWebhook({ name: WEBHOOK_NAME, endpoint, subscriptions: [...ZENDESK_EVENT_TYPES] }))
          .id;
        out(`Created webhook ${id} for ${endpoint} (${ZENDESK_EVENT_TYPES.length} event types).`);
      }
      if (flags.secretFile) {
        const path = resolve(flags.secretFile);
        const secret = await zendesk.getWebhookSigningSecret(id);
        writeFileSync(path, `${secret}\n`, { mode: 0o600 });
        out(`Signing secret written to ${path}. Give it to the receiver:`);
        out(`  ZENDESK_WEBHOOK_SECRET_FILE=${path}`);
      } else {
        out(
          'Give the receiver its signing secret (Admin Center > Apps and integrations > Webhooks > this webhook > Reveal secret):',
        );
        out(
          '  ZENDESK_WEBHOOK_SECRET=<signing secret>   (or rerun with --secret-file <path> to have it saved to a file)',
        );
      }
    });
}

export function webhooksCommand(): Command {
  const cmd = new Command('webhooks')
    .description('the Zendesk webhook: run its receiver, or register it in Zendesk')
    .addHelpText(
      'after',
      '\nExample:\n  tandem webhooks register https://tandem.example.com --secret-file ./webhook-secret\n  tandem webhooks serve',
    );
  addSubcommand(cmd, serveCommand());
  addSubcommand(cmd, registerCommand());
  return cmd;
}
