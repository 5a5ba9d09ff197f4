#!/usr/bin/env node
/** `tandem`: one command to run, watch and steer Tandem. Each subcommand lives in cli/commands/. */
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands';

export function buildProgram(): Command {
  const program = new Command('tandem')
    .description('Two-way sync of Zendesk, Crmoffice and PowerOffice Go records, on Temporal')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCommands(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors with 2.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`tandem: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) void main(process.argv);
