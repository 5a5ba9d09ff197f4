/** The codec endpoint as the Temporal Web UI calls it: token, CORS preflight, encode/decode round trip. */
import { defaultPayloadConverter } from '@temporalio/common';
import { buildCodecServer, sameToken, startCodecServer, type RunningCodecServer } from '../../codec/codec-server';
import { encryptionOf } from '../../codec/data-converter';
import { newKey } from '../../codec/keys';

const TOKEN = 'codec-token-SECRET-0123456789';
const UI = 'http://127.0.0.1:8233';
const encryption = encryptionOf({ mode: 'on', key: newKey() }, { requireKey: true });
let server: RunningCodecServer;

// Over real HTTP, as the browser calls it (fastify's inject does not load under jest).
beforeAll(async () => {
  server = await startCodecServer({
    port: 0,
    codec: encryption.payloadCodec,
    token: TOKEN,
    corsOrigins: [UI, 'http://localhost:8233/'],
  });
});
afterAll(() => server?.close());

interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json(): { payloads: { metadata: Record<string, string>; data: string }[]; error?: string } & Record<string, never>;
}
async function call(method: string, url: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
  const r = await fetch(`${server.url}${url}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return {
    statusCode: r.status,
    headers: Object.fromEntries(r.headers.entries()),
    body: text,
    json: () => JSON.parse(text),
  };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');
const plainJson = { metadata: { encoding: b64('json/plain') }, data: b64(JSON.stringify({ email: 'ola@example.no' })) };
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  call('POST', url, { 'content-type': 'application/json', origin: UI, ...headers }, body);

describe('codec endpoint', () => {
  it('refuses a call without the token, or with a wrong one (401, with CORS headers so the UI can say why)', async () => {
    const none = await post('/decode', { payloads: [] });
    expect(none.statusCode).toBe(401);
    expect(none.headers['access-control-allow-origin']).toBe(UI);
    expect(none.json().error).toMatch(/needs a token/);
    const wrong = await post('/decode', { payloads: [] }, { authorization: 'Bearer nope' });
    expect(wrong.statusCode).toBe(401);
    expect((await post('/t/nope/decode', { payloads: [] })).statusCode).toBe(401);
    expect(wrong.body).not.toContain(TOKEN);
  });

  it('answers the preflight of the configured UI origins, and of no other', async () => {
    const pre = await call('OPTIONS', '/decode', {
      origin: 'http://localhost:8233',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type,x-namespace',
    });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('http://localhost:8233');
    expect(String(pre.headers['access-control-allow-headers'])).toMatch(/authorization.*content-type.*x-namespace/);
    expect(String(pre.headers['access-control-allow-methods'])).toContain('POST');
    const other = await call('OPTIONS', '/decode', {
      origin: 'http://evil.example',
      'access-control-request-method': 'POST',
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('encodes and decodes with the bearer token or the token in the path (what the dev UI is given)', async () => {
    const enc = await post(
      '/encode',
      { payloads: [plainJson] },
      { authorization: `Bearer ${TOKEN}`, 'x-namespace': 'default' },
    );
    expect(enc.statusCode).toBe(200);
    const [encrypted] = enc.json().payloads;
    expect(Buffer.from(encrypted.metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(encrypted.data, 'base64').toString('latin1')).not.toContain('ola@example.no');
    const dec = await post(`/t/${TOKEN}/decode`, { payloads: [encrypted] });
    expect(dec.statusCode).toBe(200);
    expect(dec.json().payloads).toEqual([plainJson]);
    // The SDK's own converter reads what came back.
    const [p] = dec.json().payloads;
    expect(
      defaultPayloadConverter.fromPayload({
        metadata: { encoding: Buffer.from(p.metadata.encoding, 'base64') },
        data: Buffer.from(p.data, 'base64'),
      }),
    ).toEqual({ email: 'ola@example.no' });
  });

  it('a payload of an unknown key is a 422 naming the key id; a malformed body a 400', async () => {
    const other = encryptionOf({ mode: 'on', key: newKey(), keyId: 'retired-2024' }, { requireKey: true }).codec;
    const [foreign] = await other.encode([defaultPayloadConverter.toPayload('x')]);
    const json = {
      metadata: Object.fromEntries(
        Object.entries(foreign.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
      ),
      data: Buffer.from(foreign.data!).toString('base64'),
    };
    const r = await post('/decode', { payloads: [json] }, { authorization: `Bearer ${TOKEN}` });
    expect(r.statusCode).toBe(422);
    expect(r.json().error).toMatch(/key id "retired-2024"/);
    expect((await post('/decode', { nope: 1 }, { authorization: `Bearer ${TOKEN}` })).statusCode).toBe(400);
  });

  it('compares tokens in constant time whatever their lengths, and refuses a short token at start', () => {
    expect(sameToken(TOKEN, TOKEN)).toBe(true);
    expect(sameToken('x', TOKEN)).toBe(false);
    expect(() => buildCodecServer({ codec: encryption.payloadCodec, token: 'short', corsOrigins: [] })).toThrow(
      /at least 16 characters/,
    );
  });
});
