/** `tandem worker` as a process of its own (the compiled CLI), pointed at a test stack. */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../workers/free-port';
import type { TestStack } from './stack';
import { TEST_ENCRYPTION_ENV } from './temporal';

const ROOT = join(__dirname, '..', '..');

/** The worker process runs the compiled code: build it as `npm ci` does. */
export function buildCli(): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT });
}

export async function startWorkerProcess(stack: TestStack, extraEnv: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
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
      ...TEST_ENCRYPTION_ENV,
      ...extraEnv,
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
