import { createLogger } from '../../workers/logger';

/** Collects every line the logger writes. */
function capture(): { lines: string[]; stream: { write(s: string): void } } {
  const lines: string[] = [];
  return { lines, stream: { write: (s: string) => void lines.push(s) } };
}

describe('createLogger', () => {
  it('writes structured JSON with the component name', () => {
    const { lines, stream } = capture();
    createLogger('receiver', 'info', stream).info({ pairs: 2 }, 'accepted');
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({ name: 'receiver', msg: 'accepted', pairs: 2, level: 30 });
  });

  it('honours the level', () => {
    const { lines, stream } = capture();
    const log = createLogger('x', 'warn', stream);
    log.info('hidden');
    log.warn('shown');
    expect(lines).toHaveLength(1);
  });

  it('never writes a secret given in a logged object, at any usual depth', () => {
    const { lines, stream } = capture();
    const log = createLogger('worker', 'info', stream);
    const secrets = {
      apiToken: 'S1-api-token',
      token: 'S2-token',
      secret: 'S3-secret',
      clientSecret: 'S4-client-secret',
      clientKey: 'S5-client-key',
      applicationKey: 'S6-app-key',
      subscriptionKey: 'S7-sub-key',
      refreshToken: 'S8-refresh',
      password: 'S9-password',
      oauthToken: 'S10-oauth',
    };
    log.info({ apiToken: 'S0-top-level' }, 'top');
    log.info({ config: secrets }, 'one deep');
    log.info({ config: { zendesk: secrets } }, 'two deep');
    log.info(
      { req: { headers: { authorization: 'Bearer S11-bearer', 'ocp-apim-subscription-key': 'S12-hdr' } } },
      'hdr',
    );
    log.info({ err: { config: { headers: { Authorization: 'Basic S13-basic' } } } }, 'axios error');
    const out = lines.join('');
    for (const s of [
      'S0-',
      'S1-',
      'S2-',
      'S3-',
      'S4-',
      'S5-',
      'S6-',
      'S7-',
      'S8-',
      'S9-',
      'S10-',
      'S11-',
      'S12-',
      'S13-',
    ]) {
      expect(out).not.toContain(s);
    }
    // Redacted, not dropped: the reader still sees the key was there.
    expect(JSON.parse(lines[1]).config.apiToken).toBe('***');
    expect(JSON.parse(lines[3]).req.headers.authorization).toBe('***');
  });

  it('keeps non-secret fields next to redacted ones', () => {
    const { lines, stream } = capture();
    createLogger('x', 'info', stream).info({ zendesk: { baseUrl: 'https://a.zendesk.com', apiToken: 'zz-secret' } });
    expect(JSON.parse(lines[0]).zendesk).toEqual({ baseUrl: 'https://a.zendesk.com', apiToken: '***' });
  });
});
