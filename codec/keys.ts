/**
 * Encryption keys: how they are written (32 bytes as 64 hex digits or base64), their ids, and the
 * key ring a codec holds (the current key, which encrypts, plus older keys that still decrypt).
 * Messages name where a key came from, never its value.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

const KEY_BYTES = 32;

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export interface KeyRing {
  /** Encrypts every new payload; absent on a client that was given no key (it then writes plain payloads). */
  current?: EncryptionKey;
  /** Every key that decrypts, the current one included, by id. */
  byId: ReadonlyMap<string, Buffer>;
}

/** Goes into each payload's metadata: letters, digits, `.`, `_` and `-` only, so it reads cleanly in the UI. */
export const KeyId = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected a key id of 1-64 letters, digits, ".", "_" or "-"');

/** The key's bytes, or undefined when the text is neither 64 hex digits nor base64 of 32 bytes. */
export function keyBytes(text: string): Buffer | undefined {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(t)) {
    const b = Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64');
    if (b.length === KEY_BYTES) return b;
  }
  return undefined;
}

export const KEY_FORMAT = `${KEY_BYTES} random bytes as 64 hex digits or base64 (e.g. \`openssl rand -base64 32\` or \`tandem codec new-key\`)`;

export function parseKey(text: string, where: string): Buffer {
  const key = keyBytes(text);
  if (!key) throw new Error(`${where}: expected ${KEY_FORMAT}`);
  return key;
}

/**
 * A key's default id: a fingerprint (a hash of the key, not the key). A payload then names the key
 * that opens it without anyone having to name keys, and an old key needs no id to be found again.
 */
export function keyIdOf(key: Buffer): string {
  return `k-${createHash('sha256').update('tandem-encryption-key-id\0').update(key).digest('hex').slice(0, 16)}`;
}

/**
 * Older keys: entries separated by commas or new lines (a file with one per line), each `key` or
 * `id:key` (the id it was used under, when TANDEM_ENCRYPTION_KEY_ID named it). `#` starts a comment line.
 */
export function parseOldKeys(text: string, where?: string): EncryptionKey[] {
  const entries = text
    .split(/\r?\n/)
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((e) => e.trim())
    .filter(Boolean);
  return entries.map((entry, i) => {
    const at = `${where ? `${where} ` : ''}entry ${i + 1}`;
    const colon = entry.indexOf(':');
    if (colon < 0) {
      const key = parseKey(entry, at);
      return { id: keyIdOf(key), key };
    }
    const id = KeyId.safeParse(entry.slice(0, colon));
    if (!id.success) throw new Error(`${at}: ${id.error.issues[0].message} before the ":"`);
    return { id: id.data, key: parseKey(entry.slice(colon + 1), at) };
  });
}

export function keyRing(current: EncryptionKey | undefined, old: EncryptionKey[] = []): KeyRing {
  const byId = new Map<string, Buffer>();
  for (const k of [...(current ? [current] : []), ...old]) {
    const known = byId.get(k.id);
    if (known && !known.equals(k.key))
      throw new Error(`two different keys have the id "${k.id}"; each key needs an id of its own`);
    byId.set(k.id, k.key);
  }
  return { current, byId };
}

/** A fresh key, as base64 (what TANDEM_ENCRYPTION_KEY takes). */
export function newKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}
