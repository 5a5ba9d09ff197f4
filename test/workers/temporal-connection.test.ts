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
    expect(temporalConnectionOptions(temporal({ TEMPORAL_ADDRESS: 'temporal:7233' }))).toEqual({
      address: 'temporal:7233',
    });
  });

  it('mTLS from the PEM files the variables name', () => {
    const o = temporalConnectionOptions(
      temporal({ TEMPORAL_TLS_CA: pem('CA'), TEMPORAL_TLS_CERT: pem('CERT'), TEMPORAL_TLS_KEY: pem('KEY') }),
    );
    expect(o.tls).toEqual({
      serverRootCACertificate: Buffer.from('-----BEGIN CA-----\n'),
      clientCertPair: { crt: Buffer.from('-----BEGIN CERT-----\n'), key: Buffer.from('-----BEGIN KEY-----\n') },
    });
  });

  it('an API key turns TLS on', () => {
    expect(temporalConnectionOptions(temporal({ TEMPORAL_API_KEY: 'k-123456' }))).toEqual({
      address: '127.0.0.1:7233',
      tls: true,
      apiKey: 'k-123456',
    });
  });

  it('names the variable of a missing file, and a certificate without its key', () => {
    expect(() => temporalConnectionOptions(temporal({ TEMPORAL_TLS_CA: join(dir, 'nope.pem') }))).toThrow(
      /^TEMPORAL_TLS_CA \(or TEMPORAL_TLS_SERVER_CA_CERT_PATH\): cannot read .*nope\.pem \(ENOENT\)$/,
    );
    expect(() => temporalConnectionOptions(temporal({ TEMPORAL_TLS_CERT: pem('CERT') }))).toThrow(
      /TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/,
    );
  });
});

describe("Temporal's own variable names", () => {
  it('TEMPORAL_TLS_*_PATH and *_DATA, a server name, TEMPORAL_TLS on or off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-tls-'));
    writeFileSync(join(dir, 'ca.pem'), 'CA');
    const o = temporalConnectionOptions(
      temporal({
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: join(dir, 'ca.pem'),
        TEMPORAL_TLS_CLIENT_CERT_DATA: 'CRT',
        TEMPORAL_TLS_CLIENT_KEY_DATA: 'KEY',
        TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      }),
    );
    expect(o.tls).toEqual({
      serverRootCACertificate: Buffer.from('CA'),
      clientCertPair: { crt: Buffer.from('CRT'), key: Buffer.from('KEY') },
      serverNameOverride: 'temporal.internal',
    });
    expect(temporalConnectionOptions(temporal({ TEMPORAL_TLS: 'true' })).tls).toBe(true);
    expect(() => temporalConnectionOptions(temporal({ TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k-1' }))).toThrow(
      /TEMPORAL_TLS is false, but .* an API key/,
    );
  });

  it('refuses two names for one setting, and a value that is not a boolean', () => {
    expect(() => temporal({ TEMPORAL_TLS_CA: '/a.pem', TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/b.pem' })).toThrow(
      /TEMPORAL_TLS_CA and TEMPORAL_TLS_SERVER_CA_CERT_PATH are both set/,
    );
    expect(() => temporal({ TEMPORAL_TLS: 'yes please' })).toThrow(
      /TEMPORAL_TLS: expected true or false, got "yes please"/,
    );
  });
});

describe('a Temporal CLI profile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-profile-'));
  writeFileSync(join(dir, 'ca.pem'), 'CA');
  const file = join(dir, 'temporal.toml');
  writeFileSync(
    file,
    [
      '[profile.default]',
      'address = "localhost:7233"',
      '[profile.cloud]',
      'address = "ns.acct.tmprl.cloud:7233"',
      'namespace = "ns.acct"',
      'api_key = "cloud-key-123"',
      '[profile.mtls]',
      'address = "temporal.internal:7233"',
      '[profile.mtls.tls]',
      `server_ca_cert_path = "${join(dir, 'ca.pem')}"`,
      'client_cert_data = "CRT"',
      'client_key_data = "KEY"',
      '[profile.broken.tls]',
      `client_cert_path = "${join(dir, 'missing.pem')}"`,
      'client_key_data = "KEY"',
      '',
    ].join('\n'),
  );
  const fromProfile = (profile: string | undefined, env: NodeJS.ProcessEnv = {}) =>
    temporal({ TEMPORAL_CONFIG_FILE: file, ...(profile ? { TEMPORAL_PROFILE: profile } : {}), ...env });

  it('is read only when named: a default CLI profile does not redirect Tandem', () => {
    expect(temporal({ HOME: dir, XDG_CONFIG_HOME: dir }).address).toBe('127.0.0.1:7233');
    expect(fromProfile(undefined).address).toBe('localhost:7233');
  });

  it("gives address, namespace and API key (TLS on with it); the environment and Tandem's config file win over it", () => {
    const cloud = fromProfile('cloud');
    expect(temporalConnectionOptions(cloud)).toEqual({
      address: 'ns.acct.tmprl.cloud:7233',
      tls: true,
      apiKey: 'cloud-key-123',
    });
    expect(cloud.namespace).toBe('ns.acct');
    expect(fromProfile('cloud', { TEMPORAL_NAMESPACE: 'other' }).namespace).toBe('other');
    const tandemFile = join(dir, 'tandem.yaml');
    writeFileSync(tandemFile, 'temporal:\n  address: from-tandem-file:7233\n');
    expect(fromProfile('cloud', { TANDEM_CONFIG: tandemFile }).address).toBe('from-tandem-file:7233');
  });

  it('gives TLS files and inline PEMs', () => {
    expect(temporalConnectionOptions(fromProfile('mtls')).tls).toEqual({
      serverRootCACertificate: Buffer.from('CA'),
      clientCertPair: { crt: Buffer.from('CRT'), key: Buffer.from('KEY') },
    });
  });

  it('names what is wrong: the file, the profile, a certificate path in it; never quoting the file', () => {
    expect(() => temporal({ TEMPORAL_CONFIG_FILE: join(dir, 'none.toml') })).toThrow(
      /TEMPORAL_CONFIG_FILE: cannot read .*none\.toml \(ENOENT\)/,
    );
    expect(() => fromProfile('nope')).toThrow(/TEMPORAL_PROFILE: no profile "nope" in the Temporal CLI config file/);
    expect(() => fromProfile('broken')).toThrow(
      /\[profile\.broken\] tls\.client_cert_path: cannot read .*missing\.pem \(ENOENT\)/,
    );
    const bad = join(dir, 'bad.toml');
    writeFileSync(bad, '[profile.default]\napi_key = "secret-in-file-999\n');
    let message = '';
    try {
      temporal({ TEMPORAL_CONFIG_FILE: bad });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/TEMPORAL_CONFIG_FILE: not a valid Temporal CLI config file/);
    expect(message).not.toContain('secret-in-file-999');
  });
});
