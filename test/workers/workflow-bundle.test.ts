import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workflowCode } from '../../workers/workflow-bundle';

describe('the workflow code a worker runs', () => {
  const dist = mkdtempSync(join(tmpdir(), 'tandem-dist-'));
  const bundle = join(dist, 'workflow-bundle.js');
  const buildInfo = join(dist, '.tsbuildinfo');
  const at = (file: string, seconds: number) => utimesSync(file, seconds, seconds);

  it('runs the bundle the build made after its last compile', () => {
    writeFileSync(buildInfo, '{}');
    writeFileSync(bundle, '// bundle');
    at(buildInfo, 1000);
    at(bundle, 1001);
    expect(workflowCode(dist)).toEqual({ workflowBundle: { codePath: bundle } });
  });

  it('bundles at start when the bundle is older than the compile (a stale bundle is never run), missing, or the sources run', () => {
    at(bundle, 999);
    expect(workflowCode(dist)).toEqual({ workflowsPath: expect.stringMatching(/workflows/) });
    expect(workflowCode(mkdtempSync(join(tmpdir(), 'tandem-dist-')))).toEqual({
      workflowsPath: expect.stringMatching(/workflows/),
    });
    expect(workflowCode(undefined)).toEqual({ workflowsPath: expect.stringMatching(/workflows/) });
  });
});
