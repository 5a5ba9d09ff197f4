/** `tandem codec`: what it refuses to start without, and the endpoint it serves. */
import { newKey } from '../../codec/keys';
import { runCli, startCli } from './run-cli';

const KEY = newKey();

describe('tandem codec', () => {
  it('new-key prints a key TANDEM_ENCRYPTION_KEY takes, a different one each time', async () => {
    const a = await runCli(['codec', 'new-key']);
    const b = await runCli(['codec', 'new-key']);
    expect(a.code).toBe(0);
    expect(Buffer.from(a.out.trim(), 'base64')).toHaveLength(32);
    expect(a.out).not.toBe(b.out);
  });

  it('serve refuses to start without a key, or without a token', async () => {
    const noKey = await runCli(['codec', 'serve'], { env: { TANDEM_CODEC_TOKEN: 'x'.repeat(20) } });
    expect(noKey.code).toBe(1);
    expect(noKey.err).toMatch(/no key is set.*TANDEM_ENCRYPTION_KEY/);
    const noToken = await runCli(['codec', 'serve'], { env: { TANDEM_ENCRYPTION_KEY: KEY } });
    expect(noToken.code).toBe(1);
    expect(noToken.err).toMatch(/needs a token: set TANDEM_CODEC_TOKEN/);
    const shortToken = await runCli(['codec', 'serve'], {
      env: { TANDEM_ENCRYPTION_KEY: KEY, TANDEM_CODEC_TOKEN: 'short' },
    });
    expect(shortToken.err).toMatch(/TANDEM_CODEC_TOKEN: expected a token of at least 16 characters/);
  });

  it('serve answers the UI origins it was given, with the token', async () => {
    let stop!: () => void;
    const token = 't'.repeat(24);
    const serve = startCli(['codec', 'serve', '--port', '0'], {
      env: {
        TANDEM_ENCRYPTION_KEY: KEY,
        TANDEM_CODEC_TOKEN: token,
        TANDEM_CODEC_CORS_ORIGINS: 'https://ui.example.com',
      },
      stop: new Promise<void>((r) => (stop = r)),
    });
    try {
      const [, url] = await serve.waitForOut(/"url":"([^"]+)"/);
      const body = JSON.stringify({
        payloads: [
          {
            metadata: { encoding: Buffer.from('json/plain').toString('base64') },
            data: Buffer.from('"Ola"').toString('base64'),
          },
        ],
      });
      const enc = await fetch(`${url}/encode`, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          origin: 'https://ui.example.com',
        },
      });
      expect(enc.status).toBe(200);
      expect(enc.headers.get('access-control-allow-origin')).toBe('https://ui.example.com');
      const dec = await fetch(`${url}/decode`, {
        method: 'POST',
        body: await enc.text(),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      });
      expect(JSON.parse(await dec.text())).toEqual(JSON.parse(body));
      expect(
        (await fetch(`${url}/decode`, { method: 'POST', body, headers: { 'content-type': 'application/json' } }))
          .status,
      ).toBe(401);
    } finally {
      stop();
      expect((await serve.done).code).toBe(0);
    }
  });
});
