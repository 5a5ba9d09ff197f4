/**
 * The workflow code a worker runs. `npm run build` bundles it once (dist/workflow-bundle.js), as
 * Temporal advises for production: a worker that bundles at start keeps the memory webpack took
 * (docs/benchmarks.md). Run from the sources (tests), or
 * without a current bundle, the worker bundles at start as before.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';

const WORKFLOWS = require.resolve('../workflows');
/** The compiled tree (dist/) when this runs compiled; none under ts-jest, which runs the sources. */
const DIST = __filename.endsWith('.js') ? join(__dirname, '..') : undefined;
const bundleIn = (dist: string) => join(dist, 'workflow-bundle.js');
/** Rewritten by `tsc -b` only when something was compiled again. */
const buildInfoIn = (dist: string) => join(dist, '.tsbuildinfo');

/** The bundle when it is as new as the last compile (a stale one is never run); else bundled at start. */
export function workflowCode(dist = DIST): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath'> {
  return dist && bundleIsCurrent(dist)
    ? { workflowBundle: { codePath: bundleIn(dist) } }
    : { workflowsPath: WORKFLOWS };
}

function bundleIsCurrent(dist: string): boolean {
  const [bundle, buildInfo] = [bundleIn(dist), buildInfoIn(dist)];
  return existsSync(bundle) && existsSync(buildInfo) && statSync(bundle).mtimeMs >= statSync(buildInfo).mtimeMs;
}

/** Bundles the compiled workflows, unless the bundle is newer than the last compile (`npm run tandem` builds first, every time). */
async function writeBundle(dist: string): Promise<void> {
  if (bundleIsCurrent(dist)) return;
  // Quiet: the build runs before every `npm run tandem`, whose output may be JSON for a script.
  const quiet = () => undefined;
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS,
    logger: {
      log: quiet,
      trace: quiet,
      debug: quiet,
      info: quiet,
      warn: quiet,
      error: (message) => console.error(message),
    },
  });
  writeFileSync(bundleIn(dist), code);
}

if (require.main === module) {
  writeBundle(DIST!).catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
