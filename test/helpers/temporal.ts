import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureTemporalCli } from '../../workers/temporal-cli';
import { TANDEM_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { SINGLE_PARTITION } from '../../workers/temporal-dev-server';

/** A real Temporal dev server (the CLI's), with Tandem's search attributes registered. */
export async function startTemporal(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: ensureTemporalCli() },
      ip: '127.0.0.1',
      searchAttributes: TANDEM_SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'error' },
      extraArgs: SINGLE_PARTITION,
    },
  });
}
