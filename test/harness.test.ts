import { Worker } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { sharedTemporal } from './helpers/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await sharedTemporal();
});
afterAll(async () => {
  await env?.teardown();
});

test('a real worker runs a real workflow on the dev server, and its history tells what happened', async () => {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace,
    taskQueue: 'harness',
    workflowsPath: require.resolve('./fixtures/harness-workflows'),
    activities: { shout: async (text: string) => text.toUpperCase() },
  });
  const result = await worker.runUntil(
    env.client.workflow.execute('greet', { taskQueue: 'harness', workflowId: 'harness-greet', args: ['tandem'] }),
  );
  expect(result).toBe('TANDEM!');

  const handle = env.client.workflow.getHandle('harness-greet');
  const history = await handle.fetchHistory();
  const types = (history.events ?? []).map((e) => e.eventType);
  expect(types).toContain(10 /* ACTIVITY_TASK_SCHEDULED */);
  expect((await handle.describe()).searchAttributes.TandemFlow).toEqual(['harness']);
});
