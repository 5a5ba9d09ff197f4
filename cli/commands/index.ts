import { Command } from 'commander';
import { devCommand } from './dev';
import { explainCommand } from './explain';

export function registerCommands(program: Command): void {
  for (const command of [devCommand(), explainCommand()]) {
    // addCommand() does not pass these down; usage errors must exit 2 everywhere.
    program.addCommand(command.exitOverride().showHelpAfterError('(run with --help for usage)'));
  }
}
