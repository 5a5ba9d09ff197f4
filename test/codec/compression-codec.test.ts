/** Large payloads compressed before they are encrypted; small ones, and plain-payload setups, left as they are. */
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { CompressionCodec, ZLIB_ENCODING } from '../../codec/compression-codec';
import { ENCODING } from '../../codec/encryption-codec';
import { encryptionOf } from '../../codec/data-converter';
import { newKey } from '../../codec/keys';

const text = (b?: Uint8Array | null) => Buffer.from(b ?? []).toString('utf8');
const encodingOf = (p: Payload) => text(p.metadata?.encoding);
/** A feed page's worth of users: the payload that drew Temporal's size warning. */
const page = Array.from({ length: 1000 }, (_, i) => ({
  kind: 'pair',
  zendeskId: String(9_000_000_000 + i),
  given: {
    record: {
      id: 9_000_000_000 + i,
      name: `Kari Nordmann ${i}`,
      email: `kari${i}@example.no`,
      role: 'end-user',
      time_zone: 'Copenhagen',
    },
  },
}));
const small = { flowId: 'zendesk-users-to-crmoffice-contacts', zendeskId: '9000000001' };

describe('CompressionCodec', () => {
  it('deflates a large payload (metadata too) under binary/zlib and inflates it back', async () => {
    const codec = new CompressionCodec(true);
    const payload = defaultPayloadConverter.toPayload(page);
    const [encoded] = await codec.encode([payload]);
    expect(encodingOf(encoded)).toBe(ZLIB_ENCODING);
    expect(encoded.data!.length).toBeLessThan(payload.data!.length / 5);
    expect(text(encoded.data)).not.toContain('json/plain');
    const [decoded] = await codec.decode([encoded]);
    expect(defaultPayloadConverter.fromPayload(decoded)).toEqual(page);
  });

  it('leaves small payloads, and everything when told not to compress, as they are; reads compressed ones either way', async () => {
    const on = new CompressionCodec(true);
    const off = new CompressionCodec(false);
    const tiny = defaultPayloadConverter.toPayload(small);
    expect(await on.encode([tiny])).toEqual([tiny]);
    const large = defaultPayloadConverter.toPayload(page);
    expect(await off.encode([large])).toEqual([large]);
    const [compressed] = await on.encode([large]);
    expect(defaultPayloadConverter.fromPayload((await off.decode([compressed]))[0])).toEqual(page);
  });

  it('names what is wrong with a payload that claims binary/zlib but does not inflate', async () => {
    const bad: Payload = { metadata: { encoding: Buffer.from(ZLIB_ENCODING) }, data: Buffer.from('not deflated') };
    await expect(new CompressionCodec(true).decode([bad])).rejects.toThrow(
      /compressed payload \(binary\/zlib\) does not inflate/,
    );
  });
});

describe("Tandem's codecs together", () => {
  it('compresses, then encrypts, a large payload; the endpoint codec reads it back; a plain setup compresses nothing', async () => {
    const encryption = encryptionOf({ mode: 'on', key: newKey() }, { requireKey: true });
    const payload = defaultPayloadConverter.toPayload(page);
    const [stored] = await encryption.payloadCodec.encode([payload]);
    expect(encodingOf(stored)).toBe(ENCODING);
    // Encrypted data does not compress: the size shows the compression came first.
    expect(stored.data!.length).toBeLessThan(payload.data!.length / 5);
    const [inner] = await encryption.codec.decode([stored]);
    expect(encodingOf(inner)).toBe(ZLIB_ENCODING);
    expect(defaultPayloadConverter.fromPayload((await encryption.payloadCodec.decode([stored]))[0])).toEqual(page);

    const plain = encryptionOf({ mode: 'off' }, { requireKey: true });
    expect(await plain.payloadCodec.encode([payload])).toEqual([payload]);
  });
});
