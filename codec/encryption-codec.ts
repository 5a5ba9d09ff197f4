/**
 * The payload codec that keeps personal data out of Temporal: every payload (workflow and activity
 * inputs and results, signals, memos, failure messages) is encrypted with AES-256-GCM before it
 * leaves the process and decrypted when it comes back. Shaped after Temporal's TypeScript
 * `encryption` sample: the whole payload (its metadata too, e.g. `json/plain`) is encrypted, and the
 * new payload's metadata says `binary/encrypted` and which key opens it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { KeyRing } from './keys';

export const ENCODING = 'binary/encrypted';
export const METADATA_KEY_ID = 'encryption-key-id';
const METADATA_CIPHER = 'encryption-cipher';
const CIPHER = 'AES-256-GCM';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);
const bytes = (s: string) => Buffer.from(s, 'utf8');

export class EncryptionCodec implements PayloadCodec {
  constructor(readonly keys: KeyRing) {}

  /** The id new payloads are encrypted under; undefined when this process writes plain payloads. */
  get currentKeyId(): string | undefined {
    return this.keys.current?.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const current = this.keys.current;
    // A client given no key (TANDEM_ENCRYPTION=off, or a read-only command) writes plain payloads;
    // the worker, which writes the personal data, never runs without one unless told to.
    if (!current) return payloads;
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      // The key id is authenticated too: a payload relabelled with another id fails to open.
      cipher.setAAD(bytes(current.id));
      const plain = temporal.api.common.v1.Payload.encode(payload).finish();
      const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: bytes(ENCODING),
          [METADATA_KEY_ID]: bytes(current.id),
          [METADATA_CIPHER]: bytes(CIPHER),
        },
        data,
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCODING) return payload;
      const keyId = text(payload.metadata?.[METADATA_KEY_ID]);
      if (!keyId)
        throw new ValueError(
          `an encrypted payload (${ENCODING}) carries no ${METADATA_KEY_ID}: it was not written by Tandem's codec`,
        );
      const key = this.keys.byId.get(keyId);
      if (!key) throw new ValueError(unknownKeyMessage(keyId, this.keys));
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES)
        throw new ValueError(
          `an encrypted payload with key id "${keyId}" is too short (${data.length} bytes) to be one`,
        );
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(bytes(keyId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      let plain: Buffer;
      try {
        plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      } catch {
        throw new ValueError(
          `cannot decrypt a payload with key id "${keyId}": the configured key of that id does not open it (a different key under the same id, or the payload was altered)`,
        );
      }
      return temporal.api.common.v1.Payload.decode(plain);
    });
  }
}

function unknownKeyMessage(keyId: string, keys: KeyRing): string {
  const known = [...keys.byId.keys()];
  const have = known.length ? `known key ids: ${known.join(', ')}` : 'no key is configured here';
  return (
    `cannot decrypt a payload encrypted with key id "${keyId}" (${have}): ` +
    (known.length
      ? 'add that key to TANDEM_ENCRYPTION_KEYS_OLD (or make it TANDEM_ENCRYPTION_KEY)'
      : 'set TANDEM_ENCRYPTION_KEY (or TANDEM_ENCRYPTION_KEY_FILE) to the key the worker uses')
  );
}
