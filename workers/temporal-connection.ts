/**
 * How to reach Temporal, for the client and the worker alike: address, and TLS (a private CA,
 * mTLS client certificates, a server name) or a Temporal Cloud API key. Certificates are read here,
 * so a missing file is reported by the variable that names it.
 */
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from './config';

export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

/** A PEM from its `…Data` key or the file its path key names; the problem names the setting. */
function pem(t: Config['temporal'], key: 'tlsCa' | 'tlsCert' | 'tlsKey', origin: string): Buffer | undefined {
  const data = t[`${key}Data`];
  const path = t[key];
  if (data !== undefined && path !== undefined)
    throw new Error(`${origin}: both a file and its content are set; set only one`);
  if (data !== undefined) return Buffer.from(data);
  if (path === undefined) return undefined;
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${origin}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export function temporalConnectionOptions(t: Config['temporal']): TemporalConnectionOptions {
  const opts: TemporalConnectionOptions = { address: t.address };
  // A profile's paths were checked where the profile was read, so these name the variables.
  const ca = pem(t, 'tlsCa', 'TEMPORAL_TLS_CA (or TEMPORAL_TLS_SERVER_CA_CERT_PATH)');
  const crt = pem(t, 'tlsCert', 'TEMPORAL_TLS_CERT (or TEMPORAL_TLS_CLIENT_CERT_PATH)');
  const key = pem(t, 'tlsKey', 'TEMPORAL_TLS_KEY (or TEMPORAL_TLS_CLIENT_KEY_PATH)');
  if ((crt === undefined) !== (key === undefined))
    throw new Error('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together: set both for mTLS, or neither');
  if (t.tls === false) {
    if (ca || crt || t.apiKey)
      throw new Error('TEMPORAL_TLS is false, but a certificate or an API key is set, which needs TLS');
  } else if (ca || crt || t.tlsServerName) {
    opts.tls = {
      ...(ca ? { serverRootCACertificate: ca } : {}),
      ...(crt && key ? { clientCertPair: { crt, key } } : {}),
      ...(t.tlsServerName ? { serverNameOverride: t.tlsServerName } : {}),
    };
  } else if (t.apiKey || t.tls) {
    // System roots; an API key travels only over TLS (Temporal Cloud requires it).
    opts.tls = true;
  }
  if (t.apiKey) opts.apiKey = t.apiKey;
  return opts;
}
