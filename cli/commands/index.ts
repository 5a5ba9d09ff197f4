import { Command } from 'commander';
import { codecCommand } from './codec';
import { connectCommand } from './connect';
import { devCommand } from './dev';
import { explainCommand } from './explain';
import { linksCommand } from './links';
import { planCommand } from './plan';
import { schedulesCommand } from './schedules';
import { setupCommand } from './setup';
import { simulatorsCommand } from './simulators';
import { statusCommand } from './status';
import { syncCommand } from './sync';
import { tenantsCommand } from './tenants';
import { webhooksCommand } from './webhooks';
import { whyCommand } from './why';
import { workerCommand } from './worker';

export function registerCommands(program: Command): void {
  for (const command of [
    devCommand(),
    explainCommand(),
    workerCommand(),
    webhooksCommand(),
    codecCommand(),
    simulatorsCommand(),
    setupCommand(),
    schedulesCommand(),
    tenantsCommand(),
    syncCommand(),
    statusCommand(),
    linksCommand(),
    planCommand(),
    whyCommand(),
    connectCommand(),
  ]) {
    // addCommand() does not pass these down; usage errors must exit 2 everywhere.
    program.addCommand(command.exitOverride().showHelpAfterError('(run with --help for usage)'));
  }
}
