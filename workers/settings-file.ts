/**
 * The settings file: `KEY=value` lines, the same names as the environment, that `tandem dev` and
 * `tandem simulators` write and every command reads when present, so the CLI reaches the local
 * stack with nothing exported. It holds credentials, so it is written with mode 600 and what is
 * printed shows a secret only as `<set>`.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { CONFIG_KEYS } from './config';

/** Relative to the working folder, the dev stack's default data folder. */
export const SETTINGS_FILE = join('.tandem', 'env');

const EnvName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/);
export type Settings = [name: string, value: string][];

const SECRET_NAMES = new Set(CONFIG_KEYS.filter((k) => k.secret && k.env).map((k) => k.env!));

function isSecretSetting(name: string): boolean {
  return SECRET_NAMES.has(name.replace(/_FILE$/, ''));
}

/** Parses the file; a bad line is named by its number (its text might hold a secret). */
export function parseSettings(text: string, file = SETTINGS_FILE): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([^=\s]+)\s*=(.*)$/.exec(line);
    if (!m || !EnvName.safeParse(m[1]).success) throw new Error(`${file}:${i + 1}: expected NAME=value`);
    out[m[1]] = m[2].trim().replace(/^'(.*)'$|^"(.*)"$/, '$1$2');
  });
  return out;
}

/** The file's settings, or undefined when there is none. */
export function readSettingsFile(path: string): Record<string, string> | undefined {
  if (!existsSync(path)) return undefined;
  return parseSettings(readFileSync(path, 'utf8'), path);
}

export function writeSettingsFile(path: string, settings: Settings, header: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const text = [
    `# ${header}`,
    '# Read by every tandem command run from this folder; explicit environment variables and --config win.',
    ...settings.map(([k, v]) => `${k}=${v}`),
    '',
  ].join('\n');
  writeFileSync(path, text, { mode: 0o600 });
  // `mode` applies only when the file is created; an older file keeps its mode otherwise.
  chmodSync(path, 0o600);
}

/** Settings from config-shaped values, named as CONFIG_KEYS names them (so they cannot drift). */
export function settingsOf(values: Record<string, Record<string, unknown> | undefined>): Settings {
  const out: Settings = [];
  const named = new Set<string>();
  for (const spec of CONFIG_KEYS) {
    const value = values[spec.section]?.[spec.key];
    const path = `${spec.section}.${spec.key}`;
    // A key with a second name (Temporal's) is written once, under its first.
    if (!spec.env || value === undefined || value === null || named.has(path)) continue;
    named.add(path);
    out.push([spec.env, Array.isArray(value) ? value.join(',') : String(value)]);
  }
  return out;
}

/** The lines to print: the same form as the file, every secret shown as `<set>`. */
export function printableSettings(settings: Settings): string[] {
  return settings.map(([k, v]) => `${k}=${isSecretSetting(k) ? '<set>' : v}`);
}
