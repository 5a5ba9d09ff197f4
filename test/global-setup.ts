import { ensureTemporalCli } from '../workers/temporal-cli';

// Built once before any suite, so no single test pays the first Go build inside its timeout.
export default function globalSetup(): void {
  process.env.TEMPORAL_CLI = ensureTemporalCli();
}
