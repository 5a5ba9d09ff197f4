/**
 * Workflow code bundled once a run (test/helpers/test-run.ts) rather than by every worker a suite
 * makes: webpack takes seconds of CPU a bundle, and the same code was bundled dozens of times.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { oncePerRun, runDir } from './test-run';

/** Tandem's workflows, as production workers run them. */
export const PRODUCTION_WORKFLOWS = require.resolve('../../workflows');

const quiet = () => undefined;
const logger = {
  log: quiet,
  trace: quiet,
  debug: quiet,
  info: quiet,
  warn: quiet,
  error: (message: string) => console.error(message),
};

/** The bundle of `workflowsPath` with these interceptor modules, for a worker's `workflowBundle`. */
export async function workflowBundle(
  workflowsPath = PRODUCTION_WORKFLOWS,
  workflowInterceptorModules: string[] = [],
): Promise<{ codePath: string }> {
  const key = createHash('sha256')
    .update(JSON.stringify([workflowsPath, workflowInterceptorModules]))
    .digest('hex')
    .slice(0, 16);
  const codePath = join(runDir(), `workflows-${key}.js`);
  await oncePerRun(`bundle-${key}`, async () => {
    const { code } = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger });
    writeFileSync(codePath, code);
  });
  return { codePath };
}
