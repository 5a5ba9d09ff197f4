/**
 * The dev stack's key, made on first start and kept beside its Temporal database (mode 600): the
 * demo's histories are encrypted like production's, and stay readable across restarts.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { newKey, parseKey } from './keys';

function devKeyFile(dataDir: string): string {
  return join(dataDir, 'encryption-key');
}

/** The key text in `<dataDir>/encryption-key`, created when there is none. */
export function loadOrCreateDevKey(dataDir: string): { file: string; key: string } {
  const file = devKeyFile(dataDir);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${newKey()}\n`, { mode: 0o600 });
  }
  chmodSync(file, 0o600);
  const key = readFileSync(file, 'utf8').trim();
  parseKey(key, file);
  return { file, key };
}
