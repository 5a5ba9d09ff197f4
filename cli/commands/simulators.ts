import { Command } from 'commander';
import { resolve } from 'node:path';
import { startAllSimulators, AllSimulators } from '../../simulators/all';
import { CONFIG_KEYS } from '../../workers/config';
import { DEV_DEFAULTS } from '../../workers/dev-stack';
import { printer, runtimeOf } from '../context';
import { httpUrlArg, portArg, positiveIntArg } from '../usage';

interface SimulatorFlags {
  zendeskPort: number;
  powerofficePort: number;
  crmofficePort: number;
  sampleSize: number;
  seed: number;
  dataDir?: string;
  webhookUrl?: string;
}

/**
 * The simulators' settings as the env lines Tandem's config reads (names from CONFIG_KEYS, so they
 * cannot drift). These are local simulator credentials: printing them is the point of the command.
 */
export function simulatorEnvLines(sims: Pick<AllSimulators, 'configs' | 'webhookSecret'>): string[] {
  const values: Record<string, Record<string, unknown>> = { ...sims.configs };
  const lines: string[] = [];
  for (const spec of CONFIG_KEYS) {
    const value = values[spec.section]?.[spec.key];
    if (spec.env && value !== undefined) lines.push(`${spec.env}=${String(value)}`);
  }
  if (sims.webhookSecret) lines.push(`ZENDESK_WEBHOOK_SECRET=${sims.webhookSecret}`);
  return lines;
}

export function simulatorsCommand(): Command {
  const ports = DEV_DEFAULTS.simulatorPorts;
  return new Command('simulators')
    .description('run local stand-ins of the Zendesk, PowerOffice Go and Crmoffice APIs with sample data, and print the settings to use them; stops on Ctrl-C')
    .option('--zendesk-port <port>', 'Zendesk simulator port (0: any free port)', portArg, ports.zendesk)
    .option('--poweroffice-port <port>', 'PowerOffice Go simulator port', portArg, ports.poweroffice)
    .option('--crmoffice-port <port>', 'Crmoffice simulator port', portArg, ports.crmoffice)
    .option('--sample-size <n>', 'Zendesk sample users (organisations, tickets and comments in proportion)', positiveIntArg, DEV_DEFAULTS.sampleSize)
    .option('--seed <n>', 'seed of the sample data', positiveIntArg, 1)
    .option('--data-dir <dir>', 'keep the records across restarts: loaded from here at start, saved here at stop')
    .option('--webhook-url <url>', 'send signed Zendesk webhooks here, e.g. http://127.0.0.1:8080/webhooks/zendesk', httpUrlArg)
    .addHelpText('after', '\nExample:\n  tandem simulators --data-dir .tandem/simulators --webhook-url http://127.0.0.1:8080/webhooks/zendesk')
    .action(async (flags: SimulatorFlags, cmd: Command) => {
      const out = printer(cmd);
      const sims = await startAllSimulators({
        sampleSize: flags.sampleSize,
        seed: flags.seed,
        ports: { zendesk: flags.zendeskPort, poweroffice: flags.powerofficePort, crmoffice: flags.crmofficePort },
        webhookUrl: flags.webhookUrl,
        // Fixed, so a restart (with --data-dir) keeps the settings printed last time valid.
        fixedCredentials: true,
        snapshotDir: flags.dataDir ? resolve(flags.dataDir) : undefined,
      });
      try {
        out(`Zendesk simulator       ${sims.zendesk.url}`);
        out(`PowerOffice simulator   ${sims.poweroffice.url}`);
        out(`Crmoffice simulator     ${sims.crmoffice.url}`);
        if (flags.dataDir) out(`Records kept in ${resolve(flags.dataDir)}`);
        out('');
        out('# Settings for Tandem (local simulator credentials):');
        for (const line of simulatorEnvLines(sims)) out(line);
        out('');
        out('Stop with Ctrl-C.');
        await runtimeOf(cmd).waitForStop();
        out('Stopping...');
      } finally {
        await sims.stop();
      }
    });
}
