/**
 * Where `tandem connect` leaves a checked credential: each secret in a file of its own (mode 600, in
 * a folder of mode 700), named in the settings file by the configuration's `<NAME>_FILE` variable,
 * beside the system's other settings; what was there for that system before is replaced.
 */
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CONFIG_KEYS, Section } from '../../workers/config';
import { readSettingsFile, Settings, writeSettingsFile } from '../../workers/settings-file';

export interface CredentialToSave {
  section: Section;
  /** Plain settings, by their environment names (`ZENDESK_BASE_URL`). */
  settings: [name: string, value: string][];
  /** Secrets, by their environment names (`ZENDESK_API_TOKEN`): each goes into `<secretsDir>/<file>`. */
  secrets: { name: string; file: string; value: string }[];
}

export interface SavedCredential {
  settingsFile: string;
  /** The lines written for this system, secrets as the `_FILE` variables naming their files. */
  lines: [name: string, value: string][];
  secretFiles: string[];
}

/** Writes `value` so that no moment exists where the file is readable by others or half written. */
export function writeSecretFile(path: string, value: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${value}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, path);
}

/** Every variable of a section, with the `_FILE` form of each secret: what a new credential replaces. */
function namesOf(section: Section): Set<string> {
  const names = new Set<string>();
  for (const spec of CONFIG_KEYS) {
    if (spec.section !== section || !spec.env) continue;
    names.add(spec.env);
    if (spec.secret) names.add(`${spec.env}_FILE`);
  }
  return names;
}

export function saveCredential(
  c: CredentialToSave,
  where: { settingsFile: string; secretsDir: string },
): SavedCredential {
  const secretFiles: string[] = [];
  const lines: [string, string][] = [...c.settings];
  for (const secret of c.secrets) {
    const path = resolve(where.secretsDir, secret.file);
    writeSecretFile(path, secret.value);
    secretFiles.push(path);
    lines.push([`${secret.name}_FILE`, path]);
  }
  const replaced = namesOf(c.section);
  const kept: Settings = Object.entries(readSettingsFile(where.settingsFile) ?? {}).filter(
    ([name]) => !replaced.has(name),
  );
  writeSettingsFile(
    where.settingsFile,
    [...kept, ...lines],
    'Tandem settings (tandem connect, tandem dev and tandem simulators write here)',
  );
  return { settingsFile: where.settingsFile, lines, secretFiles };
}

/** The default folder of the secret files: `secrets/` beside the settings file. */
export function defaultSecretsDir(settingsFile: string): string {
  return join(dirname(settingsFile), 'secrets');
}
