#!/usr/bin/env node
/** `tandem`: one command to run, watch and steer Tandem. Each subcommand lives in cli/commands/. */
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands';

export function buildProgram(): Command {
  const program = new Command('tandem')
    .description('Two-way sync of Zendesk, Crmoffice and PowerOffice Go records, on Temporal')
    .option('--config <file>', 'config file (YAML or JSON); default: $TANDEM_CONFIG')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCommands(program);
  return program;
}

/** --help and --version end in a CommanderError with code 0; usage errors exit 2, anything else 1. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
  return 1;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
    if (!(err instanceof CommanderError)) process.stderr.write(`tandem: ${err instanceof Error ? err.message : String(err)}\n`);
  }
}

if (require.main === module) void main(process.argv);
