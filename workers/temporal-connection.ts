/**
 * How to reach Temporal, for the client and the worker alike: address, and TLS (a private CA,
 * mTLS client certificates) or a Temporal Cloud API key. Certificates are read here, so a missing
 * file is reported by the variable that names it.
 */
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { Config } from './config';

export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

function pem(path: string, variable: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new Error(`${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export function temporalConnectionOptions(t: Config['temporal']): TemporalConnectionOptions {
  const opts: TemporalConnectionOptions = { address: t.address };
  if ((t.tlsCert === undefined) !== (t.tlsKey === undefined)) throw new Error('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together: set both for mTLS, or neither');
  if (t.tlsCa || t.tlsCert) {
    opts.tls = {
      ...(t.tlsCa ? { serverRootCACertificate: pem(t.tlsCa, 'TEMPORAL_TLS_CA') } : {}),
      ...(t.tlsCert && t.tlsKey ? { clientCertPair: { crt: pem(t.tlsCert, 'TEMPORAL_TLS_CERT'), key: pem(t.tlsKey, 'TEMPORAL_TLS_KEY') } } : {}),
    };
  } else if (t.apiKey) {
    // An API key travels only over TLS (Temporal Cloud requires it).
    opts.tls = true;
  }
  if (t.apiKey) opts.apiKey = t.apiKey;
  return opts;
}
