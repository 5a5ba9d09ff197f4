/** What `tandem connect` tests share: a working folder of their own, and what it holds afterwards. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSettings } from '../../workers/settings-file';

export function freshFolder(): string {
  return mkdtempSync(join(tmpdir(), 'tandem-connect-'));
}

export function settingsIn(cwd: string): Record<string, string> | undefined {
  const path = join(cwd, '.tandem', 'env');
  return existsSync(path) ? parseSettings(readFileSync(path, 'utf8'), path) : undefined;
}

/** The file's permission bits, e.g. 0o600. */
export function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

export function secretFilesIn(cwd: string): string[] {
  const dir = join(cwd, '.tandem', 'secrets');
  return existsSync(dir) ? readdirSync(dir) : [];
}

/** The secret a `_FILE` setting names, as the configuration reads it. */
export function secretNamedBy(settings: Record<string, string>, name: string): string {
  return readFileSync(settings[`${name}_FILE`], 'utf8').replace(/\r?\n$/, '');
}
