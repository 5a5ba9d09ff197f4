/** The codec alone: round trip, nothing in clear, key ids, rotation, and the errors an operator sees. */
import { defaultPayloadConverter } from '@temporalio/common';
import { EncryptionCodec, ENCODING, METADATA_KEY_ID } from '../../codec/encryption-codec';
import { encryptionOf, keyRingOf, NO_KEY_FOR_WORKER } from '../../codec/data-converter';
import { keyIdOf, keyRing, newKey, parseKey, parseOldKeys } from '../../codec/keys';
import { loadConfig } from '../../workers/config';

const OLD = newKey();
const NEW = newKey();
const record = { name: 'Kari Nordmann', email: 'kari.nordmann@example.no' };
const plain = () => [defaultPayloadConverter.toPayload(record)];
const ring = (text: string, id?: string) =>
  keyRing({ id: id ?? keyIdOf(parseKey(text, 't')), key: parseKey(text, 't') });
const text = (b?: Uint8Array | null) => Buffer.from(b ?? []).toString('utf8');

describe('EncryptionCodec', () => {
  it('encrypts the whole payload under binary/encrypted with the key id, and decodes it back', async () => {
    const codec = new EncryptionCodec(ring(NEW));
    const [encoded] = await codec.encode(plain());
    expect(text(encoded.metadata!.encoding)).toBe(ENCODING);
    expect(text(encoded.metadata![METADATA_KEY_ID])).toBe(keyIdOf(parseKey(NEW, 't')));
    // Neither the data nor the original metadata (json/plain) is readable.
    const raw = Buffer.from(encoded.data!).toString('latin1');
    expect(raw).not.toContain('Kari');
    expect(raw).not.toContain('json/plain');
    const [decoded] = await codec.decode([encoded]);
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(record);
  });

  it('uses a fresh IV each time: the same value never encrypts the same twice', async () => {
    const codec = new EncryptionCodec(ring(NEW));
    const [a] = await codec.encode(plain());
    const [b] = await codec.encode(plain());
    expect(Buffer.from(a.data!).equals(Buffer.from(b.data!))).toBe(false);
  });

  it('leaves plain payloads alone on decode (histories from before encryption stay readable)', async () => {
    const codec = new EncryptionCodec(ring(NEW));
    const [p] = plain();
    expect(await codec.decode([p])).toEqual([p]);
  });

  it('after rotation, payloads of the old key still decrypt and new ones use the new key', async () => {
    const before = encryptionOf({ mode: 'on', key: OLD }, { requireKey: true }).codec;
    const [old] = await before.encode(plain());
    const after = encryptionOf({ mode: 'on', key: NEW, oldKeys: OLD }, { requireKey: true }).codec;
    expect(defaultPayloadConverter.fromPayload((await after.decode([old]))[0])).toEqual(record);
    const [fresh] = await after.encode(plain());
    expect(text(fresh.metadata![METADATA_KEY_ID])).toBe(after.currentKeyId);
    expect(after.currentKeyId).not.toBe(before.currentKeyId);
  });

  it('names the unknown key id (and what to set) when a payload was encrypted with a key it does not have', async () => {
    const [old] = await encryptionOf({ mode: 'on', key: OLD }, { requireKey: true }).codec.encode(plain());
    const oldId = keyIdOf(parseKey(OLD, 't'));
    const after = encryptionOf({ mode: 'on', key: NEW }, { requireKey: true }).codec;
    await expect(after.decode([old])).rejects.toThrow(new RegExp(`key id "${oldId}".*TANDEM_ENCRYPTION_KEYS_OLD`));
    const keyless = encryptionOf({ mode: 'on' }, { requireKey: false }).codec;
    await expect(keyless.decode([old])).rejects.toThrow(
      new RegExp(`key id "${oldId}" \\(no key is configured here\\): set TANDEM_ENCRYPTION_KEY`),
    );
  });

  it('refuses a payload relabelled with another key id, or altered', async () => {
    const codec = encryptionOf(
      { mode: 'on', key: NEW, keyId: 'current', oldKeys: `previous:${NEW}` },
      { requireKey: true },
    ).codec;
    const [p] = await codec.encode(plain());
    const relabelled = { ...p, metadata: { ...p.metadata, [METADATA_KEY_ID]: Buffer.from('previous') } };
    await expect(codec.decode([relabelled])).rejects.toThrow(
      /key id "previous": the configured key of that id does not open it/,
    );
    // Flip a bit rather than set a value: a byte that already held the value would alter nothing.
    const data = Buffer.from(p.data!);
    data[20] ^= 0x01;
    const altered = { ...p, data };
    expect(data.equals(Buffer.from(p.data!))).toBe(false);
    await expect(codec.decode([altered])).rejects.toThrow(/key id "current"/);
  });
});

describe('keys and config', () => {
  it('reads a key as hex or base64, and never quotes a bad one', () => {
    const key = parseKey(NEW, 't');
    expect(parseKey(key.toString('hex'), 't').equals(key)).toBe(true);
    expect(() => parseKey('not-a-key-SECRET', 'TANDEM_ENCRYPTION_KEY')).toThrow(
      /^TANDEM_ENCRYPTION_KEY: expected 32 random bytes/,
    );
    expect(() => parseKey('not-a-key-SECRET', 'x')).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('SECRET') }),
    );
  });

  it('old keys: `key` or `id:key`, by commas or lines, with comments; two keys under one id are refused', () => {
    const a = newKey();
    const old = parseOldKeys(`# rotated 2025-01\n${a}\nlegacy:${NEW}, ${OLD}\n`);
    expect(old.map((k) => k.id)).toEqual([keyIdOf(parseKey(a, 't')), 'legacy', keyIdOf(parseKey(OLD, 't'))]);
    expect(() => parseOldKeys(`bad id!:${a}`, 'TANDEM_ENCRYPTION_KEYS_OLD')).toThrow(
      /^TANDEM_ENCRYPTION_KEYS_OLD entry 1: expected a key id/,
    );
    expect(() => keyRingOf({ mode: 'on', key: a, keyId: 'same', oldKeys: `same:${OLD}` })).toThrow(
      /two different keys have the id "same"/,
    );
  });

  it('the worker refuses to run without a key unless TANDEM_ENCRYPTION=off; off with a key is a contradiction', () => {
    expect(() => encryptionOf({ mode: 'on' }, { requireKey: true })).toThrow(NO_KEY_FOR_WORKER);
    expect(encryptionOf({ mode: 'off' }, { requireKey: true }).mode).toBe('off');
    expect(() => encryptionOf({ mode: 'off', key: NEW }, { requireKey: true })).toThrow(
      /TANDEM_ENCRYPTION=off but an encryption key is set/,
    );
    // A client without a key writes plain payloads.
    expect(encryptionOf(undefined, { requireKey: false }).codec.currentKeyId).toBeUndefined();
  });

  it('config: a bad key or old-keys entry is reported by its variable, without its value', () => {
    const base = { ZENDESK_BASE_URL: 'http://127.0.0.1:1/api/v2', ZENDESK_EMAIL: 'a@b.c', ZENDESK_API_TOKEN: 't' };
    let message = '';
    try {
      loadConfig({
        env: { ...base, TANDEM_ENCRYPTION_KEY: 'short-SECRET', TANDEM_ENCRYPTION_KEYS_OLD: `${OLD},x-SECRET2` },
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/TANDEM_ENCRYPTION_KEY: expected 32 random bytes/);
    expect(message).toMatch(/TANDEM_ENCRYPTION_KEYS_OLD: entry 2: expected 32 random bytes/);
    expect(message).not.toMatch(/SECRET/);
    expect(message).not.toContain(OLD);
    expect(loadConfig({ env: { ...base, TANDEM_ENCRYPTION: 'off' } }).encryption.mode).toBe('off');
  });
});
