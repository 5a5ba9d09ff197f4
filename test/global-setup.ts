import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../workers/free-port';
import { ensureTemporalCli } from '../workers/temporal-cli';
import { startTemporalDevServer } from '../workers/temporal-dev-server';
import { RUN_DIR_ENV, RUN_TEMPORAL_ENV } from './helpers/test-run';
import { ensureTestServer, findTestServer, testServerRunnable } from './helpers/time-skipping';
import { RUN_STATE, type RunState } from './run-state';

/**
 * Before any suite: the Temporal CLI and the time-skipping test server (built and fetched once, so
 * no test pays the first Go build or the download inside its timeout; a missing Java or Maven fails
 * or skips only the suites that need them), the run's folder, and the run's dev server (in memory),
 * which every suite that needs no server flags of its own shares, each in a namespace of its own
 * (helpers/temporal.ts). Jest passes the environment on to its workers; global-teardown.ts stops
 * the server.
 */
export default async function globalSetup(): Promise<void> {
  process.env.TEMPORAL_CLI = ensureTemporalCli();
  if (!findTestServer() && testServerRunnable()) await ensureTestServer();
  const dir = mkdtempSync(join(tmpdir(), 'tandem-test-run-'));
  process.env[RUN_DIR_ENV] = dir;
  const server = await startTemporalDevServer({ port: await freePort(), headless: true });
  process.env[RUN_TEMPORAL_ENV] = server.address;
  const state: RunState = { dir, server };
  (globalThis as Record<symbol, unknown>)[RUN_STATE] = state;
}
