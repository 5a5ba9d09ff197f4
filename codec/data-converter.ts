/**
 * From the config to the data converter every Temporal client and worker of Tandem is given, and the
 * rule for a process with no key: the worker (which writes the personal data) refuses to start
 * unless TANDEM_ENCRYPTION=off says plain payloads are wanted; a client without a key writes plain
 * payloads (only ids and feed names) and fails clearly when it meets an encrypted one.
 */
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import { CompressionCodec } from './compression-codec';
import { EncryptionCodec } from './encryption-codec';
import type { EncryptionConfig } from './settings';
import { keyIdOf, keyRing, parseKey, parseOldKeys, type EncryptionKey, type KeyRing } from './keys';

/** Tandem's codecs in the order they encode: a large payload compressed, then every payload encrypted. */
function payloadCodecsFor(codec: EncryptionCodec): PayloadCodec[] {
  // Compressed only when encrypted: a plain payload stays readable in the Web UI with no codec endpoint.
  return [new CompressionCodec(codec.currentKeyId !== undefined), codec];
}

/** Codecs as one, as Temporal applies them: encoding in order, decoding in reverse (the codec endpoint's). */
function chained(codecs: PayloadCodec[]): PayloadCodec {
  return {
    async encode(payloads: Payload[]) {
      for (const codec of codecs) payloads = await codec.encode(payloads);
      return payloads;
    },
    async decode(payloads: Payload[]) {
      for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
      return payloads;
    },
  };
}

/** The keys the config names; `current` is absent when no key is set. */
export function keyRingOf(e: EncryptionConfig): KeyRing {
  let current: EncryptionKey | undefined;
  if (e.key) {
    const key = parseKey(e.key, 'TANDEM_ENCRYPTION_KEY');
    current = { id: e.keyId ?? keyIdOf(key), key };
  } else if (e.keyId) {
    throw new Error(
      'TANDEM_ENCRYPTION_KEY_ID is set but TANDEM_ENCRYPTION_KEY is not: set the key too (or TANDEM_ENCRYPTION_KEY_FILE)',
    );
  }
  return keyRing(current, e.oldKeys ? parseOldKeys(e.oldKeys, 'TANDEM_ENCRYPTION_KEYS_OLD') : []);
}

export interface Encryption {
  /** `off` only when TANDEM_ENCRYPTION=off was set. */
  mode: 'on' | 'off';
  /** The encryption codec: its keys. */
  codec: EncryptionCodec;
  /** Every codec a payload goes through, as one: what the codec endpoint runs. */
  payloadCodec: PayloadCodec;
  dataConverter: DataConverter;
}

export const NO_KEY_FOR_WORKER =
  'payload encryption is on but no key is set: the worker would store every name, e-mail and record it syncs in Temporal in clear. ' +
  'Set TANDEM_ENCRYPTION_KEY (or TANDEM_ENCRYPTION_KEY_FILE; make one with `tandem codec new-key`), ' +
  'or set TANDEM_ENCRYPTION=off to run with plain payloads on purpose';

/**
 * The encryption of a process. `requireKey` (the worker, the codec endpoint) refuses to go on
 * without a key unless encryption is off; with it off, no key may be set (a contradiction to fix).
 */
export function encryptionOf(e: EncryptionConfig | undefined, opts: { requireKey: boolean }): Encryption {
  const config = e ?? { mode: 'on' as const };
  if (config.mode === 'off' && (config.key || config.oldKeys)) {
    throw new Error(
      'TANDEM_ENCRYPTION=off but an encryption key is set (TANDEM_ENCRYPTION_KEY or TANDEM_ENCRYPTION_KEYS_OLD): unset one of them',
    );
  }
  const keys = keyRingOf(config);
  if (opts.requireKey && config.mode === 'on' && !keys.current) throw new Error(NO_KEY_FOR_WORKER);
  return encryptionWith(config.mode, keys);
}

/**
 * The codec endpoint's for several tenants (each encrypted under its own key): it decrypts with any
 * of their keys and encrypts with the first's.
 */
export function encryptionOfAll(configs: readonly (EncryptionConfig | undefined)[]): Encryption {
  const rings = configs.map((c) => encryptionOf(c, { requireKey: true }).codec.keys);
  const byId = new Map(rings.flatMap((r) => [...r.byId]));
  return encryptionWith(rings.some((r) => r.current) ? 'on' : 'off', { current: rings[0]?.current, byId });
}

function encryptionWith(mode: 'on' | 'off', keys: KeyRing): Encryption {
  const codec = new EncryptionCodec(keys);
  const codecs = payloadCodecsFor(codec);
  // Failure messages are encoded too: they go through the codecs.
  const dataConverter: DataConverter = {
    payloadCodecs: codecs,
    failureConverterPath: require.resolve('./failure-converter'),
  };
  return { mode, codec, payloadCodec: chained(codecs), dataConverter };
}
