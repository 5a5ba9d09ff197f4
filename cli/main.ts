#!/usr/bin/env node
/** `tandem`: one command to run, watch and steer Tandem. Each subcommand lives in cli/commands/. */
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands';
import { redactText } from '../protocol/redact';
import { CONFIG_KEYS } from '../workers/config';
import { tandemVersion } from './version';

export function buildProgram(): Command {
  const program = new Command('tandem')
    .description('Two-way sync of Zendesk, Crmoffice and PowerOffice Go records, on Temporal')
    .version(tandemVersion(), '-V, --version', 'print the version')
    .option(
      '--config <file>',
      'config file (YAML or JSON); default: $TANDEM_CONFIG, else the settings file .tandem/env when present',
    )
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

/**
 * The one line an error ends a command with. Whatever a library put in its message, a URL's
 * password and the values of secret variables in the environment never reach the terminal.
 */
export function errorLine(err: unknown, env: NodeJS.ProcessEnv): string {
  const secrets = CONFIG_KEYS.filter((k) => k.secret && k.env)
    .map((k) => env[k.env!] ?? '')
    .filter(Boolean);
  return `tandem: ${redactText(err instanceof Error ? err.message : String(err), secrets)}\n`;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    const code = exitCodeFor(err);
    if (err instanceof CommanderError) {
      process.exitCode = code;
      return;
    }
    process.stderr.write(errorLine(err, process.env));
    // A command that failed is over, whatever it left open (a runtime, a server half started): a
    // supervisor must see the exit now, not a process that lingers with the error printed.
    process.exit(code);
  }
}

if (require.main === module) void main(process.argv);
