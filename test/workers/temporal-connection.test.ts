import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFor } from '../../workers/config';
import { temporalConnectionOptions } from '../../workers/temporal-connection';

const temporal = (env: NodeJS.ProcessEnv) => loadConfigFor(['temporal'], { env }).temporal;

describe('temporalConnectionOptions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-tls-'));
  const pem = (name: string) => {
    writeFileSync(join(dir, name), `-----BEGIN ${name}-----\n`);
    return join(dir, name);
  };

  it('plain by default', () => {
    expect(temporalConnectionOptions(temporal({ TEMPORAL_ADDRESS: 'temporal:7233' }))).toEqual({ address: 'temporal:7233' });
  });

  it('mTLS from the PEM files the variables name', () => {
    const o = temporalConnectionOptions(temporal({ TEMPORAL_TLS_CA: pem('CA'), TEMPORAL_TLS_CERT: pem('CERT'), TEMPORAL_TLS_KEY: pem('KEY') }));
    expect(o.tls).toEqual({ serverRootCACertificate: Buffer.from('-----BEGIN CA-----\n'), clientCertPair: { crt: Buffer.from('-----BEGIN CERT-----\n'), key: Buffer.from('-----BEGIN KEY-----\n') } });
  });

  it('an API key turns TLS on', () => {
    expect(temporalConnectionOptions(temporal({ TEMPORAL_API_KEY: 'k-123456' }))).toEqual({ address: '127.0.0.1:7233', tls: true, apiKey: 'k-123456' });
  });

  it('names the variable of a missing file, and a certificate without its key', () => {
    expect(() => temporalConnectionOptions(temporal({ TEMPORAL_TLS_CA: join(dir, 'nope.pem') }))).toThrow(/^TEMPORAL_TLS_CA: cannot read .*nope\.pem \(ENOENT\)$/);
    expect(() => temporalConnectionOptions(temporal({ TEMPORAL_TLS_CERT: pem('CERT') }))).toThrow(/TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/);
  });
});
