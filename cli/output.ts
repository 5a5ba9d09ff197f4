/**
 * `--output text|json`, as `gh` and `kubectl` spell it: JSON is one document on stdout, for
 * scripts; text is for people and may change.
 */
import { Command, Option } from 'commander';
import { runtimeOf } from './context';

export type OutputFormat = 'text' | 'json';

export function withOutputOption(cmd: Command): Command {
  return cmd.addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'));
}

export function outputFormat(cmd: Command): OutputFormat {
  return (cmd.opts() as { output?: OutputFormat }).output ?? 'text';
}

export function printJson(cmd: Command, value: unknown): void {
  runtimeOf(cmd).stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
