import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { msToTs } from '@temporalio/common/lib/time';
import { ensureTemporalCli } from '../../workers/temporal-cli';
import { TANDEM_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { MATCHING_CONFIG } from '../../workers/temporal-dev-server';
import { ensureSearchAttributes } from '../../workers/search-attributes-setup';
import { encryptionOf, type Encryption } from '../../codec/data-converter';
import { runTemporalAddress } from './test-run';

/** The tests' key (not secret: tests only), so their histories are encrypted as production's are. */
export const TEST_ENCRYPTION_KEY = 'dGVzdC1rZXktdGFuZGVtLXRlc3Qta2V5LXRhbmRlbSE=';
/** What a `tandem` process needs in its environment to read and write the tests' payloads. */
export const TEST_ENCRYPTION_ENV = { TANDEM_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };

export function testEncryption(): Encryption {
  return encryptionOf({ mode: 'on', key: TEST_ENCRYPTION_KEY }, { requireKey: true });
}

/**
 * A real Temporal dev server (the CLI's) of its own, with Tandem's search attributes registered.
 * Given an encryption (the test stack's), its client encrypts; without one it is plain, for tests
 * whose workers are made by hand. For a suite that needs the server's own flags (dynamic config, a
 * server it stops); others take `sharedTemporal`, which costs no server start.
 */
export async function startTemporal(
  encryption?: Encryption,
  extraArgs: string[] = [],
): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: ensureTemporalCli() },
      ip: '127.0.0.1',
      searchAttributes: TANDEM_SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'error' },
      extraArgs: [...MATCHING_CONFIG, ...extraArgs],
    },
    client: encryption ? { dataConverter: encryption.dataConverter } : undefined,
  });
}

/**
 * A namespace of its own, with Tandem's search attributes (unless `searchAttributes: false`), on the
 * run's dev server (started by test/global-setup.ts): workflow ids, task queues and visibility
 * queries of other suites are not seen. `env.namespace` must reach every worker (`namespace:`) and
 * process (`temporalEnvOf`) the suite makes, or they poll the server's default namespace and nothing
 * runs. Without the run's server (a suite run outside jest's global setup), a server of its own.
 */
export async function sharedTemporal(
  encryption?: Encryption,
  { searchAttributes = true }: { searchAttributes?: boolean } = {},
): Promise<TestWorkflowEnvironment> {
  const address = runTemporalAddress();
  if (!address) return searchAttributes ? startTemporal(encryption) : bareTemporal();
  const namespace = namespaceForThisSuite();
  const env = await TestWorkflowEnvironment.createFromExistingServer({
    address,
    namespace,
    client: encryption ? { dataConverter: encryption.dataConverter } : undefined,
  });
  try {
    await env.connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    if (searchAttributes) await ensureSearchAttributes(env.client, { namespace, register: true });
  } catch (err) {
    await env.teardown();
    throw err;
  }
  return env;
}

/** A dev server of its own as `temporal server start-dev` runs it: no custom search attributes. */
function bareTemporal(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: ensureTemporalCli() },
      ip: '127.0.0.1',
      log: { format: 'pretty', level: 'error' },
    },
  });
}

/** What a `tandem` process (or in-process CLI) needs in its environment to reach the suite's namespace. */
export function temporalEnvOf(env: TestWorkflowEnvironment): { TEMPORAL_ADDRESS: string; TEMPORAL_NAMESPACE: string } {
  return { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace ?? 'default' };
}

/** Named after the suite's file, so a server-side look (`temporal workflow list -n …`) finds its work. */
function namespaceForThisSuite(): string {
  const testPath = typeof expect === 'undefined' ? undefined : expect.getState().testPath;
  const suite = testPath
    ? basename(testPath)
        .replace(/\.test\.ts$/, '')
        .replace(/[^a-zA-Z0-9-]+/g, '-')
    : 'suite';
  return `test-${suite}-${randomUUID().slice(0, 8)}`;
}
