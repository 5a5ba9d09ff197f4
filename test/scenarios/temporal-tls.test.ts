/**
 * Temporal over mTLS, set up the way an operator of a cluster would: a Temporal CLI profile (TOML)
 * with the address, a server name, the server's CA and a client certificate. `tandem worker` reads
 * it through TEMPORAL_CONFIG_FILE + TEMPORAL_PROFILE and syncs a record through the proxy; a client
 * without a certificate is turned away.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { TestStack, startTestStack } from '../helpers/stack';
import { buildCli, startWorkerProcess, stopProcess } from '../helpers/worker-process';
import { makeCertificates, startMtlsProxy, type MtlsProxy, type TestCertificates } from '../helpers/tls-proxy';
import { requireDependency } from '../helpers/dependencies';
import { loadConfigFor } from '../../workers/config';
import { temporalConnectionOptions } from '../../workers/temporal-connection';
import { pairWorkflowId } from '../../protocol/ids';
import { DEFAULT_TENANT } from '../../protocol/tenants';

jest.setTimeout(180_000);

const P2 = 'zendesk-users-to-powerofficego-employees';
const hasOpenssl = requireDependency(
  'openssl',
  spawnSync('openssl', ['version']).status === 0,
  'temporal-tls (its test certificates)',
);
const testWithOpenssl = hasOpenssl ? test : test.skip;

let stack: TestStack;
let certs: TestCertificates;
let proxy: MtlsProxy;
let worker: ChildProcess | undefined;
let profileEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  if (!hasOpenssl) return;
  buildCli();
  certs = makeCertificates();
  stack = await startTestStack({ sampleSize: 0 });
  await stack.stopWorker();
  proxy = await startMtlsProxy(stack.env.address, certs);
  const file = join(certs.dir, 'temporal.toml');
  writeFileSync(
    file,
    [
      '[profile.cluster]',
      `address = "${proxy.address}"`,
      `namespace = "${stack.env.namespace}"`,
      '[profile.cluster.tls]',
      'server_name = "localhost"',
      `server_ca_cert_path = "${certs.ca}"`,
      `client_cert_path = "${certs.clientCert}"`,
      `client_key_path = "${certs.clientKey}"`,
      '',
    ].join('\n'),
  );
  profileEnv = { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cluster' };
  // No TEMPORAL_ADDRESS nor TEMPORAL_NAMESPACE: the environment would win over the profile's.
  worker = await startWorkerProcess(stack, { ...profileEnv, TEMPORAL_ADDRESS: '', TEMPORAL_NAMESPACE: '' });
});
afterAll(async () => {
  if (worker) await stopProcess(worker);
  await proxy?.stop();
  await stack?.stop();
});

testWithOpenssl('a worker connected through the profile (mTLS) syncs a record', async () => {
  const { zendesk, poweroffice } = stack.connectors;
  const user = await zendesk.createUser({ name: 'Over Tls', email: 'tls@example.no', role: 'agent' });
  await stack.env.client.workflow.execute('pollFeed', {
    taskQueue: 'tandem',
    workflowId: 'tls-poll',
    args: [{ feed: 'zendesk/users', full: true }],
  });
  await stack.env.client.workflow
    .getHandle(pairWorkflowId({ flowId: P2, zendeskId: String(user.id) }, DEFAULT_TENANT))
    .result();
  expect(await poweroffice.findEmployeesByEmail('tls@example.no')).toHaveLength(1);
  // The worker's connections all went through the proxy with its client certificate.
  expect(proxy.clients.length).toBeGreaterThan(0);
  expect(new Set(proxy.clients)).toEqual(new Set(['tandem-worker']));
});

testWithOpenssl(
  'the CLI settings from the same profile connect a client; without the client certificate the server refuses',
  async () => {
    const temporal = loadConfigFor(['temporal'], { env: profileEnv }).temporal;
    const options = temporalConnectionOptions(temporal);
    expect(options.address).toBe(proxy.address);
    const connection = await Connection.connect(options);
    await connection.workflowService.getSystemInfo({});
    await connection.close();

    const refusedBefore = proxy.refused;
    const withoutCert = temporalConnectionOptions({ ...temporal, tlsCert: undefined, tlsKey: undefined });
    await expect(Connection.connect({ ...withoutCert, connectTimeout: '5s' })).rejects.toThrow();
    expect(proxy.refused).toBeGreaterThan(refusedBefore);
  },
);
