import { Command } from 'commander';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeTenantFile } from '../../workers/tenants';
import { tenantWebhookPath } from '../../workers/webhook-receiver';
import { DEV_DEFAULTS, startDevStack, type DevStack } from '../../workers/dev-stack';
import { settingsOf } from '../../workers/settings-file';
import { portArg, positiveIntArg } from '../usage';
import { printer, runtimeOf } from '../context';
import { assertPortsFree, explainingPorts } from '../errors';
import { commandLogger, installSdkRuntime } from '../logging';
import { writeAndShowSettings } from '../settings-output';
import { watchForStop, withGraceOption, type Stopping } from '../shutdown';

interface DevFlags {
  dataDir: string;
  port: number;
  uiPort: number;
  headless?: boolean;
  webhookPort: number;
  metricsPort: number;
  codecPort: number;
  zendeskPort: number;
  powerofficePort: number;
  crmofficePort: number;
  sampleSize: number;
  tenants: number;
  grace: number;
}

/**
 * The extra tenants' files (`<data-dir>/tenants/<name>.env`), so every command from this folder
 * reaches them with `--tenant`; those of a bigger run before are removed.
 */
function writeDevTenantFiles(stack: DevStack, dataDir: string): void {
  const dir = join(dataDir, 'tenants');
  const kept = new Set(stack.tenants.map((t) => `${t.name}.env`));
  if (existsSync(dir))
    for (const f of readdirSync(dir)) if (/^customer-\d+\.env$/.test(f) && !kept.has(f)) rmSync(join(dir, f));
  for (const t of stack.tenants)
    writeTenantFile(
      dir,
      t.name,
      settingsOf({
        ...t.sims.configs,
        webhook: { secret: t.sims.webhookSecret },
        polling: { ...DEV_DEFAULTS.intervals },
      }).concat([['TANDEM_ENCRYPTION_KEY_FILE', t.keyFile]]),
    );
}

/** Everything a command needs to reach this stack, as the environment names it. */
function devSettings(stack: DevStack, flags: DevFlags, dataDir: string) {
  return settingsOf({
    // So the links `tandem why` prints open this stack's Web UI (none when headless).
    temporal: { address: stack.temporal.address, namespace: 'default', uiUrl: stack.temporal.uiUrl },
    store: { url: join(dataDir, 'tandem.db') },
    ...stack.sims.configs,
    webhook: { port: flags.webhookPort, secret: stack.sims.webhookSecret },
    metrics: { port: flags.metricsPort },
    // So `tandem schedules apply --reset-intervals` against the dev stack keeps its short demo intervals.
    polling: { ...DEV_DEFAULTS.intervals },
    // The key by its file (it stays there), so every command from this folder reads the histories.
    encryption: { mode: 'on' },
    codec: { port: Number(new URL(stack.codec.url).port), token: stack.codec.token },
  }).concat([['TANDEM_ENCRYPTION_KEY_FILE', stack.encryption.keyFile]]);
}

export function devCommand(): Command {
  const sims = DEV_DEFAULTS.simulatorPorts;
  return withGraceOption(new Command('dev'))
    .description(
      'run everything on this machine: Temporal with its Web UI, the simulators, the worker, the webhook receiver and the schedules; writes the settings to <data-dir>/env',
    )
    .option(
      '--data-dir <dir>',
      'where Temporal, the link store, the simulators and the settings file keep their state',
      DEV_DEFAULTS.dataDir,
    )
    .option('--port <port>', 'Temporal frontend port', portArg, DEV_DEFAULTS.temporalPort)
    .option('--ui-port <port>', 'Temporal Web UI port', portArg, DEV_DEFAULTS.uiPort)
    .option('--headless', 'no Web UI')
    .option('--webhook-port <port>', 'webhook receiver port', portArg, DEV_DEFAULTS.webhookPort)
    .option('--metrics-port <port>', 'Prometheus metrics port', portArg, DEV_DEFAULTS.metricsPort)
    .option(
      '--codec-port <port>',
      'codec endpoint port (the Web UI decodes the encrypted payloads with it)',
      portArg,
      DEV_DEFAULTS.codecPort,
    )
    .option('--zendesk-port <port>', 'Zendesk simulator port', portArg, sims.zendesk)
    .option('--poweroffice-port <port>', 'PowerOffice Go simulator port', portArg, sims.poweroffice)
    .option('--crmoffice-port <port>', 'Crmoffice simulator port', portArg, sims.crmoffice)
    .option('--sample-size <n>', 'Zendesk sample users on a fresh data folder', positiveIntArg, DEV_DEFAULTS.sampleSize)
    .option(
      '--tenants <n>',
      'simulated customers, each with its own accounts, sample data, store and key: the default tenant and customer-2 … customer-<n>',
      positiveIntArg,
      1,
    )
    .addHelpText(
      'after',
      '\nExample:\n  tandem dev --data-dir /tmp/tandem --ui-port 9233\n  tandem dev --tenants 3\n  tandem dev --zendesk-port 7401 --poweroffice-port 7402 --crmoffice-port 7403 --webhook-port 8090',
    )
    .action(async (flags: DevFlags, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const cwd = rt.cwd ?? process.cwd();
      const dataDir = resolve(cwd, flags.dataDir);
      // Quiet by default: warnings and errors only, one line each; the demo's own lines are what matter.
      const logger = commandLogger(cmd, 'dev', { format: 'pretty', level: rt.env.TANDEM_LOG_LEVEL ?? 'warn' });
      installSdkRuntime(logger);
      const log = printer(cmd);
      // Listening from the start: Ctrl-C while Temporal is still starting stops the stack once it is up.
      const stopping = watchForStop(cmd, 'the dev stack', flags.grace);
      const ports: Record<number, string> = {
        [flags.port]: '--port',
        [flags.uiPort]: '--ui-port (or --headless)',
        [flags.webhookPort]: '--webhook-port',
        [flags.metricsPort]: '--metrics-port',
        [flags.codecPort]: '--codec-port',
        [flags.zendeskPort]: '--zendesk-port',
        [flags.powerofficePort]: '--poweroffice-port',
        [flags.crmofficePort]: '--crmoffice-port',
      };
      const stack = await startingStack(stopping, async () => {
        if (!flags.headless) await assertPortsFree(ports);
        else
          await assertPortsFree(Object.fromEntries(Object.entries(ports).filter(([p]) => Number(p) !== flags.uiPort)));
        return explainingPorts(ports, () =>
          startDevStack({
            ...DEV_DEFAULTS,
            dataDir,
            temporalPort: flags.port,
            uiPort: flags.uiPort,
            headless: flags.headless === true,
            webhookPort: flags.webhookPort,
            metricsPort: flags.metricsPort,
            codecPort: flags.codecPort,
            simulatorPorts: {
              zendesk: flags.zendeskPort,
              poweroffice: flags.powerofficePort,
              crmoffice: flags.crmofficePort,
            },
            sampleSize: flags.sampleSize,
            tenants: flags.tenants,
            log,
            logger: logger.child({ name: 'webhook-receiver' }),
            shutdownGraceMs: Math.floor(flags.grace * 800),
          }),
        );
      });
      try {
        log('');
        log('Tandem is running.');
        if (stack.temporal.uiUrl) log(`  Temporal Web UI   ${stack.temporal.uiUrl}`);
        log(`  Temporal          ${stack.temporal.address}`);
        log(`  Zendesk sim       ${stack.sims.configs.zendesk.baseUrl}`);
        log(`  PowerOffice sim   ${stack.sims.configs.poweroffice.baseUrl}`);
        log(`  Crmoffice sim     ${stack.sims.configs.crmoffice.baseUrl}`);
        log(`  Webhooks          ${stack.receiver.url}/webhooks/zendesk`);
        log(`  Metrics           ${stack.metrics.url}/metrics`);
        log(
          `  Codec endpoint    ${stack.codec.url} (payloads encrypted, key in ${stack.encryption.keyFile}; the Web UI decodes them here)`,
        );
        writeDevTenantFiles(stack, dataDir);
        for (const t of stack.tenants) {
          log('');
          log(`  Tenant ${t.name} (its own accounts, store and key; tandem … --tenant ${t.name}):`);
          log(`    Zendesk sim     ${t.sims.configs.zendesk.baseUrl}`);
          log(`    PowerOffice sim ${t.sims.configs.poweroffice.baseUrl}`);
          log(`    Crmoffice sim   ${t.sims.configs.crmoffice.baseUrl}`);
          log(`    Webhooks        ${stack.receiver.url}${tenantWebhookPath(t.name)}`);
          log(`    Web UI query    TandemTenant = "${t.name}"`);
        }
        log('');
        const path = join(dataDir, 'env');
        writeAndShowSettings(log, devSettings(stack, flags, dataDir), path, {
          cwd,
          header: 'Written by `tandem dev`: the settings of the local stack.',
        });
        log('');
        const source = path === join(cwd, '.tandem', 'env') ? '.tandem/env' : path;
        log(
          'Try an edit: rename a Zendesk organisation and watch its PowerOffice department follow (via the webhook):',
        );
        log(`  set -a; . ${source}; set +a`);
        log(`  curl -s -u "$ZENDESK_EMAIL/token:$ZENDESK_API_TOKEN" -X PUT -H 'content-type: application/json' \\`);
        log(`    -d '{"organization":{"name":"Renamed AS"}}' "$ZENDESK_BASE_URL/organizations/<id>.json"`);
        log(`  (ids: curl -s -u "$ZENDESK_EMAIL/token:$ZENDESK_API_TOKEN" "$ZENDESK_BASE_URL/organizations.json")`);
        log(
          'Other commands (tandem status, links, plan, sync, schedules) reach this stack from this folder with nothing to set.',
        );
        log('Stop with Ctrl-C.');
        await stopping.requested;
        log('Stopping...');
      } finally {
        await stack.stop();
        stopping.done();
      }
      log('Stopped.');
    });
}

/** The stack once started; a start that fails ends the stop watch too (nothing is left to drain). */
async function startingStack(stopping: Stopping, start: () => Promise<DevStack>): Promise<DevStack> {
  try {
    return await start();
  } catch (err) {
    stopping.done();
    throw err;
  }
}
