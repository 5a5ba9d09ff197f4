/**
 * A Temporal server behind mTLS for the tests: the CLI's dev server speaks plain gRPC only, so a
 * TLS-terminating proxy (node:tls, client certificates required) stands in front of it, with a
 * test CA, a server certificate for localhost and a client certificate made by openssl.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';

export interface TestCertificates {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** A CA and the certificates it signs (files in a new temp folder); throws when openssl is missing. */
export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'tandem-certs-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=Tandem test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  const sign = (name: string, subject: string, extensions: string) => {
    writeFileSync(at(`${name}.ext`), extensions);
    openssl('req', ...ec, '-keyout', at(`${name}.key`), '-out', at(`${name}.csr`), '-subj', subject);
    openssl(
      'x509',
      '-req',
      '-in',
      at(`${name}.csr`),
      '-CA',
      at('ca.pem'),
      '-CAkey',
      at('ca.key'),
      '-CAcreateserial',
      '-days',
      '2',
      '-out',
      at(`${name}.pem`),
      '-extfile',
      at(`${name}.ext`),
    );
  };
  sign('server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  sign('client', '/CN=tandem-worker', 'extendedKeyUsage=clientAuth\n');
  return {
    dir,
    ca: at('ca.pem'),
    serverCert: at('server.pem'),
    serverKey: at('server.key'),
    clientCert: at('client.pem'),
    clientKey: at('client.key'),
  };
}

export interface MtlsProxy {
  address: string;
  /** Common names of the client certificates of the connections let through. */
  clients: string[];
  /** Handshakes refused (no certificate, or one the CA did not sign). */
  refused: number;
  stop(): Promise<void>;
}

/** Listens on 127.0.0.1 with TLS, asks every client for a certificate signed by the CA, pipes to `upstream`. */
export async function startMtlsProxy(upstream: string, certs: TestCertificates): Promise<MtlsProxy> {
  const [host, port] = [
    upstream.slice(0, upstream.lastIndexOf(':')),
    Number(upstream.slice(upstream.lastIndexOf(':') + 1)),
  ];
  const sockets = new Set<TLSSocket>();
  const proxy: MtlsProxy = { address: '', clients: [], refused: 0, stop: async () => undefined };
  const server = createServer(
    {
      key: readFileSync(certs.serverKey),
      cert: readFileSync(certs.serverCert),
      ca: readFileSync(certs.ca),
      requestCert: true,
      rejectUnauthorized: true,
      // gRPC runs on HTTP/2; the dev server takes it in clear text behind us.
      ALPNProtocols: ['h2'],
    },
    (socket) => {
      sockets.add(socket);
      proxy.clients.push(String(socket.getPeerCertificate().subject?.CN));
      const back = connect(port, host);
      socket.pipe(back).pipe(socket);
      const close = () => {
        socket.destroy();
        back.destroy();
        sockets.delete(socket);
      };
      socket.on('error', close).on('close', close);
      back.on('error', close).on('close', close);
    },
  );
  server.on('tlsClientError', () => (proxy.refused += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return proxy;
}
