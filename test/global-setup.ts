import { ensureTemporalCli } from '../workers/temporal-cli';
import { ensureTestServer, findTestServer, testServerRunnable } from './helpers/time-skipping';

// Built and fetched once before any suite, so no single test pays the first Go build or the test
// server's download inside its timeout. A missing Java or Maven fails (or skips) only the suites
// that need them, saying what to install.
export default async function globalSetup(): Promise<void> {
  process.env.TEMPORAL_CLI = ensureTemporalCli();
  if (!findTestServer() && testServerRunnable()) await ensureTestServer();
}
