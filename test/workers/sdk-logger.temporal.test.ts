/** The SDK's lines through Tandem's logger: a deliberate failure is one line with the pair and the reason; a bug keeps its stack. */
import { Runtime, Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createLogger } from '../../workers/logger';
import { PinoSdkLogger } from '../../workers/sdk-logger';
import { sharedTemporal } from '../helpers/temporal';

describe('the Temporal SDK logging through Tandem', () => {
  let env: TestWorkflowEnvironment;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    const log = createLogger('test', 'info', {
      write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>),
    });
    // test/setup.ts installed the runtime already (once per process); swap its logger for this suite, as `tandem worker` installs it.
    Object.defineProperty(Runtime.instance(), 'logger', { value: new PinoSdkLogger(log.child({ name: 'temporal' })) });
    env = await sharedTemporal();
  }, 120_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('logs a business failure as one line with the pair and the reason, a bug with its stack', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace,
      taskQueue: 'log-test',
      workflowsPath: require.resolve('../fixtures/failing-workflows'),
    });
    await worker.runUntil(async () => {
      await env.client.workflow
        .execute('endsInConflict', { taskQueue: 'log-test', workflowId: 'P1-flow/42' })
        .catch(() => undefined);
      await env.client.workflow.start('hasABug', {
        taskQueue: 'log-test',
        workflowId: 'bug/1',
        workflowTaskTimeout: '2s',
      });
      for (let i = 0; i < 100 && !lines.some((l) => l.workflowId === 'bug/1' && l.err); i++)
        await new Promise((r) => setTimeout(r, 100));
    });
    const conflict = lines.find((l) => l.pair === 'P1-flow/42');
    expect(conflict).toMatchObject({
      level: 30,
      msg: 'not synced (an expected outcome, not an error)',
      reason: expect.stringContaining('2 departments match'),
    });
    expect(JSON.stringify(conflict)).not.toMatch(/\n\s+at /);
    // The worker has no activities: a statement of its set-up, not a warning.
    expect(lines.some((l) => String(l.msg).startsWith('No activities registered'))).toBe(false);
    const bug = lines.find((l) => l.workflowId === 'bug/1' && l.err) as { err: { stack?: string } } | undefined;
    expect(bug?.err.stack).toMatch(/TypeError/);
  });
});
