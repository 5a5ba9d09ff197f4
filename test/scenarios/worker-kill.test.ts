/**
 * Exactly-once creation with a real crash: the worker runs as its own process (`tandem worker`), and
 * is killed with SIGKILL the moment PowerOffice has created the employee, before the answer reaches
 * it and so before the link is saved. A new worker process takes over the retried activity.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { TestStack, startTestStack } from '../helpers/stack';
import { freePort } from '../../workers/free-port';
import { recordWorkflowId } from '../../workflows/ids';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');
const P2 = 'zendesk-users-to-powerofficego-employees';
let stack: TestStack;
let worker: ChildProcess | undefined;
let armed = false;
let killed = 0;

async function startWorkerProcess(): Promise<ChildProcess> {
  const z = stack.sims.configs.zendesk;
  const p = stack.sims.configs.poweroffice;
  const c = stack.sims.configs.crmoffice;
  const child = spawn(process.execPath, [join(ROOT, 'dist/cli/main.js'), 'worker'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      TEMPORAL_ADDRESS: stack.env.address,
      TANDEM_STORE: stack.storePath,
      TANDEM_METRICS_PORT: String(await freePort()),
      ZENDESK_BASE_URL: z.baseUrl,
      ZENDESK_EMAIL: z.email,
      ZENDESK_API_TOKEN: z.apiToken,
      POWEROFFICE_BASE_URL: p.baseUrl,
      POWEROFFICE_TOKEN_URL: p.tokenUrl,
      POWEROFFICE_APPLICATION_KEY: p.applicationKey,
      POWEROFFICE_CLIENT_KEY: p.clientKey,
      POWEROFFICE_SUBSCRIPTION_KEY: p.subscriptionKey,
      CRMOFFICE_BASE_URL: c.baseUrl,
      CRMOFFICE_LOGIN_BASE_URL: c.loginBaseUrl,
      CRMOFFICE_CLIENT_ID: c.clientId,
      CRMOFFICE_CLIENT_SECRET: c.clientSecret,
      CRMOFFICE_REFRESH_TOKEN: c.refreshToken,
    },
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker running')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`tandem worker exited with ${code}:\n${output}`)));
  });
  return child;
}

beforeAll(async () => {
  // The worker process runs the compiled code: build it as `npm ci` does.
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT });
  stack = await startTestStack({
    sampleSize: 0,
    beforeAnswer: {
      poweroffice(method, route, status) {
        if (armed && method === 'POST' && route === '/v2/Employees' && status === 201) {
          armed = false;
          killed += 1;
          worker?.kill('SIGKILL');
        }
      },
    },
  });
  await stack.stopWorker();
  worker = await startWorkerProcess();
});
afterAll(async () => {
  worker?.kill('SIGTERM');
  await stack?.stop();
});

test('a worker killed between the create and the link save leaves exactly one employee once a new worker takes over', async () => {
  const { zendesk, poweroffice } = stack.connectors;
  const user = await zendesk.createUser({ name: 'Killed Midway', email: 'killed@example.no', role: 'agent' });
  armed = true;
  const exited = new Promise((resolve) => worker!.once('exit', resolve));
  const polled = stack.env.client.workflow.start('pollFeed', { taskQueue: 'tandem', workflowId: 'kill-poll', args: [{ feed: 'zendesk/users', full: true }] });
  await (await polled).result().catch(() => undefined);
  await exited;
  expect(killed).toBe(1);
  // The create happened; the link was never saved.
  expect(await poweroffice.findEmployeesByEmail('killed@example.no')).toHaveLength(1);
  expect((await stack.store.getByZendeskId(P2, String(user.id)))?.state).not.toBe('linked');

  worker = await startWorkerProcess();
  // The record workflow's activity is retried once its heartbeat times out, on the new worker.
  await stack.env.client.workflow.getHandle(recordWorkflowId({ flowId: P2, zendeskId: String(user.id) })).result();
  const link = await stack.store.getByZendeskId(P2, String(user.id));
  expect(link?.state).toBe('linked');
  const employees = await poweroffice.findEmployeesByEmail('killed@example.no');
  expect(employees).toHaveLength(1);
  expect(String(employees[0].Id)).toBe(link?.targetId);
});
