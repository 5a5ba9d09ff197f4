import { Command } from 'commander';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { DEV_DEFAULTS, startDevStack } from '../../workers/dev-stack';
import { portArg, positiveIntArg } from '../usage';
import { runtimeOf } from '../context';

interface DevFlags {
  dataDir: string;
  port: number;
  uiPort: number;
  headless?: boolean;
  webhookPort: number;
  metricsPort: number;
  sampleSize: number;
}

export function devCommand(): Command {
  return new Command('dev')
    .description('run everything on this machine: Temporal with its Web UI, the simulators, the worker, the webhook receiver and the schedules')
    .option('--data-dir <dir>', 'where Temporal, the link store and the simulators keep their state', DEV_DEFAULTS.dataDir)
    .option('--port <port>', 'Temporal frontend port', portArg, DEV_DEFAULTS.temporalPort)
    .option('--ui-port <port>', 'Temporal Web UI port', portArg, DEV_DEFAULTS.uiPort)
    .option('--headless', 'no Web UI')
    .option('--webhook-port <port>', 'webhook receiver port', portArg, DEV_DEFAULTS.webhookPort)
    .option('--metrics-port <port>', 'Prometheus metrics port', portArg, DEV_DEFAULTS.metricsPort)
    .option('--sample-size <n>', 'Zendesk sample users on a fresh data folder', positiveIntArg, DEV_DEFAULTS.sampleSize)
    .addHelpText('after', '\nExample:\n  tandem dev --data-dir /tmp/tandem --ui-port 9233')
    .action(async (flags: DevFlags, cmd: Command) => {
      const rt = runtimeOf(cmd);
      // The SDK logs each worker state change at INFO; the demo's own lines are what matter here.
      Runtime.install({ logger: new DefaultLogger('WARN') });
      const log = (line: string) => rt.stdout.write(`${line}\n`);
      const stack = await startDevStack({
        ...DEV_DEFAULTS,
        dataDir: flags.dataDir,
        temporalPort: flags.port,
        uiPort: flags.uiPort,
        headless: flags.headless === true,
        webhookPort: flags.webhookPort,
        metricsPort: flags.metricsPort,
        sampleSize: flags.sampleSize,
        log,
      });
      const { zendesk, poweroffice, crmoffice } = stack.sims.configs;
      log('');
      log('Tandem is running.');
      if (stack.temporal.uiUrl) log(`  Temporal Web UI   ${stack.temporal.uiUrl}`);
      log(`  Temporal          ${stack.temporal.address}`);
      // Local simulator credentials, fixed for `tandem dev`: printed on purpose so an operator can use the APIs.
      log(`  Zendesk sim       ${zendesk.baseUrl}  email ${zendesk.email}, API token ${zendesk.apiToken}`);
      log(`  PowerOffice sim   ${poweroffice.baseUrl}  application key ${poweroffice.applicationKey}, client key ${poweroffice.clientKey}, subscription key ${poweroffice.subscriptionKey}`);
      log(`  Crmoffice sim     ${crmoffice.baseUrl}/api/v1  client ${crmoffice.clientId} / ${crmoffice.clientSecret}, refresh token ${crmoffice.refreshToken}`);
      log(`  Webhooks          ${stack.receiver.url}/webhooks/zendesk`);
      log(`  Metrics           ${stack.metrics.url}/metrics`);
      log('');
      log('Try an edit: rename a Zendesk organisation and watch its PowerOffice department follow (via the webhook):');
      log(`  curl -s -u '${zendesk.email}/token:${zendesk.apiToken}' -X PUT -H 'content-type: application/json' \\`);
      log(`    -d '{"organization":{"name":"Renamed AS"}}' ${zendesk.baseUrl}/organizations/<id>.json`);
      log(`  (ids: curl -s -u '${zendesk.email}/token:${zendesk.apiToken}' ${zendesk.baseUrl}/organizations.json)`);
      log('Stop with Ctrl-C.');

      await rt.waitForStop();
      log('Stopping...');
      await stack.stop();
      log('Stopped.');
    });
}
