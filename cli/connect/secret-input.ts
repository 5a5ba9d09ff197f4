/**
 * A secret for `tandem connect`: from the environment (`NAME`, or the file `NAME_FILE` names), else
 * typed at the terminal without echo. Never from a flag: a command line is visible to every user of
 * the machine and stays in the shell's history.
 */
import { readFileSync } from 'node:fs';
import type { CliRuntime } from '../context';

export async function readSecret(rt: CliRuntime, name: string, label: string): Promise<string> {
  const given = rt.env[name];
  const file = rt.env[`${name}_FILE`];
  if (given && file) throw new Error(`${name} and ${name}_FILE are both set; set only one`);
  if (given) return given.trim();
  if (file) {
    try {
      return readFileSync(file, 'utf8')
        .replace(/\r?\n$/, '')
        .trim();
    } catch (err) {
      throw new Error(`${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  }
  if (!rt.ask)
    throw new Error(
      `the ${label} is needed: set ${name} (or ${name}_FILE, a file holding it) in the environment, or run in a terminal to type it`,
    );
  const typed = await rt.ask(`${label} (not shown): `, { secret: true });
  if (!typed) throw new Error(`no ${label} was typed`);
  return typed;
}

/** A plain value: the flag, else the environment variable, else an error naming both. */
export function required(flag: string | undefined, rt: CliRuntime, name: string, option: string): string {
  const value = flag ?? rt.env[name];
  if (!value) throw new Error(`${option} is required (or set ${name})`);
  return value;
}
