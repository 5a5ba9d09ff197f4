import { Command } from 'commander';
import { resolve } from 'node:path';
import { startAllSimulators, AllSimulators } from '../../simulators/all';
import { DEV_DEFAULTS } from '../../workers/dev-stack';
import { settingsOf, SETTINGS_FILE } from '../../workers/settings-file';
import { printer, runtimeOf } from '../context';
import { explainingPorts } from '../errors';
import { writeAndShowSettings } from '../settings-output';
import { httpUrlArg, portArg, positiveIntArg } from '../usage';

interface SimulatorFlags {
  zendeskPort: number;
  powerofficePort: number;
  crmofficePort: number;
  sampleSize: number;
  seed: number;
  dataDir?: string;
  webhookUrl?: string;
  settingsFile: string;
}

/** The simulators' settings, named as Tandem's config reads them (from CONFIG_KEYS, so they cannot drift). */
function simulatorSettings(sims: Pick<AllSimulators, 'configs' | 'webhookSecret'>) {
  return settingsOf({ ...sims.configs, webhook: sims.webhookSecret ? { secret: sims.webhookSecret } : undefined });
}

/** The same as `KEY=value` lines, with the values (for a test's environment; never printed). */
export function simulatorEnvLines(sims: Pick<AllSimulators, 'configs' | 'webhookSecret'>): string[] {
  return simulatorSettings(sims).map(([k, v]) => `${k}=${v}`);
}

export function simulatorsCommand(): Command {
  const ports = DEV_DEFAULTS.simulatorPorts;
  return new Command('simulators')
    .description(
      'run local stand-ins of the Zendesk, PowerOffice Go and Crmoffice APIs with sample data, and print the settings to use them; stops on Ctrl-C',
    )
    .option('--zendesk-port <port>', 'Zendesk simulator port (0: any free port)', portArg, ports.zendesk)
    .option('--poweroffice-port <port>', 'PowerOffice Go simulator port', portArg, ports.poweroffice)
    .option('--crmoffice-port <port>', 'Crmoffice simulator port', portArg, ports.crmoffice)
    .option(
      '--sample-size <n>',
      'Zendesk sample users (organisations, tickets and comments in proportion)',
      positiveIntArg,
      DEV_DEFAULTS.sampleSize,
    )
    .option('--seed <n>', 'seed of the sample data', positiveIntArg, 1)
    .option('--data-dir <dir>', 'keep the records across restarts: loaded from here at start, saved here at stop')
    .option(
      '--webhook-url <url>',
      'send signed Zendesk webhooks here, e.g. http://127.0.0.1:8080/webhooks/zendesk',
      httpUrlArg,
    )
    .option(
      '--settings-file <path>',
      'write the settings (with the credentials, mode 600) here; tandem commands run from this folder read .tandem/env',
      SETTINGS_FILE,
    )
    .addHelpText(
      'after',
      '\nExample:\n  tandem simulators --data-dir .tandem/simulators --webhook-url http://127.0.0.1:8080/webhooks/zendesk',
    )
    .action(async (flags: SimulatorFlags, cmd: Command) => {
      const out = printer(cmd);
      const cwd = runtimeOf(cmd).cwd ?? process.cwd();
      const ports = {
        [flags.zendeskPort]: '--zendesk-port',
        [flags.powerofficePort]: '--poweroffice-port',
        [flags.crmofficePort]: '--crmoffice-port',
      };
      const sims = await explainingPorts(ports, () =>
        startAllSimulators({
          sampleSize: flags.sampleSize,
          seed: flags.seed,
          ports: { zendesk: flags.zendeskPort, poweroffice: flags.powerofficePort, crmoffice: flags.crmofficePort },
          webhookUrl: flags.webhookUrl,
          // Fixed, so a restart (with --data-dir) keeps the settings printed last time valid.
          fixedCredentials: true,
          snapshotDir: flags.dataDir ? resolve(cwd, flags.dataDir) : undefined,
        }),
      );
      try {
        out(`Zendesk simulator       ${sims.configs.zendesk.baseUrl}`);
        out(`PowerOffice simulator   ${sims.configs.poweroffice.baseUrl}`);
        out(`Crmoffice simulator     ${sims.configs.crmoffice.baseUrl}`);
        if (flags.dataDir) out(`Records kept in ${resolve(cwd, flags.dataDir)}`);
        out('');
        writeAndShowSettings(out, simulatorSettings(sims), resolve(cwd, flags.settingsFile), {
          cwd,
          header: 'Written by `tandem simulators`: the settings of the local simulators.',
        });
        out('');
        out('Stop with Ctrl-C.');
        await runtimeOf(cmd).waitForStop();
        out('Stopping...');
      } finally {
        await sims.stop();
      }
    });
}
