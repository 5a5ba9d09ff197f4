/**
 * Exactly-once creation with a real crash: the worker runs as its own process (`tandem worker`), and
 * is killed with SIGKILL the moment PowerOffice has created the employee, before the answer reaches
 * it and so before the link is saved. A new worker process takes over the retried activity.
 */
import type { ChildProcess } from 'node:child_process';
import { TestStack, startTestStack } from '../helpers/stack';
import { buildCli, startWorkerProcess, stopProcess } from '../helpers/worker-process';
import { pairWorkflowId } from '../../protocol/ids';
import { DEFAULT_TENANT } from '../../protocol/tenants';

jest.setTimeout(180_000);

const P2 = 'zendesk-users-to-powerofficego-employees';
let stack: TestStack;
let worker: ChildProcess | undefined;
let armed = false;
let killed = 0;

beforeAll(async () => {
  buildCli();
  stack = await startTestStack({
    sampleSize: 0,
    beforeAnswer: {
      poweroffice(method, route, status) {
        if (armed && method === 'POST' && route === '/v2/Employees' && status === 201) {
          armed = false;
          killed += 1;
          worker?.kill('SIGKILL');
        }
      },
    },
  });
  await stack.stopWorker();
  worker = await startWorkerProcess(stack);
});
afterAll(async () => {
  if (worker) await stopProcess(worker);
  await stack?.stop();
});

test('a worker killed between the create and the link save leaves exactly one employee once a new worker takes over', async () => {
  const { zendesk, poweroffice } = stack.connectors;
  const user = await zendesk.createUser({ name: 'Killed Midway', email: 'killed@example.no', role: 'agent' });
  armed = true;
  const exited = new Promise((resolve) => worker!.once('exit', resolve));
  await stack.env.client.workflow.start('pollFeed', {
    taskQueue: 'tandem',
    workflowId: 'kill-poll',
    args: [{ feed: 'zendesk/users', full: true }],
  });
  await exited;
  expect(killed).toBe(1);
  // The create happened; the link was never saved.
  expect(await poweroffice.findEmployeesByEmail('killed@example.no')).toHaveLength(1);
  expect((await stack.store.getByZendeskId(P2, String(user.id)))?.state).not.toBe('linked');

  worker = await startWorkerProcess(stack);
  // The create step is retried on the new worker once its start-to-close timeout gives the dead one up; it finds the employee.
  await stack.env.client.workflow
    .getHandle(pairWorkflowId({ flowId: P2, zendeskId: String(user.id) }, DEFAULT_TENANT))
    .result();
  const link = await stack.store.getByZendeskId(P2, String(user.id));
  expect(link?.state).toBe('linked');
  const employees = await poweroffice.findEmployeesByEmail('killed@example.no');
  expect(employees).toHaveLength(1);
  expect(String(employees[0].Id)).toBe(link?.targetId);
});
