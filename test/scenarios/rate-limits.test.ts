/**
 * Rate limits held by the engine, not by each process: two `tandem worker` processes share one
 * PowerOffice Go subscription (10 requests a second) and one Crmoffice account during a first sync,
 * and the simulators, enforcing the real limits, never answer 429.
 */
import type { ChildProcess } from 'node:child_process';
import { TestStack, startTestStack } from '../helpers/stack';
import { buildCli, startWorkerProcess, stopProcess } from '../helpers/worker-process';

jest.setTimeout(300_000);

let stack: TestStack;
const workers: ChildProcess[] = [];

beforeAll(async () => {
  buildCli();
  stack = await startTestStack({ sampleSize: 100, realRateLimits: true });
  await stack.stopWorker();
  // Every user an employee, so PowerOffice Go gets hundreds of calls, not a handful.
  const env = { TANDEM_EMPLOYEE_ROLES: 'end-user,agent,admin' };
  workers.push(await startWorkerProcess(stack, env), await startWorkerProcess(stack, env));
});
afterAll(async () => {
  await Promise.all(workers.map((w) => stopProcess(w)));
  await stack?.stop();
});

test("two workers in a first sync stay under PowerOffice Go's and Crmoffice's limits together", async () => {
  const { poweroffice, crmoffice } = stack.sims;
  await stack.env.client.workflow.execute('pollFeed', {
    taskQueue: 'tandem',
    workflowId: 'rates-users',
    args: [{ feed: 'zendesk/users', full: true }],
  });
  await stack.settle(240_000);

  const employees = await stack.connectors.poweroffice.listAllEmployees({});
  expect(employees.length).toBe(100);
  expect(poweroffice.stats.rateLimited).toBe(0);
  expect(poweroffice.stats.peakPerSecond).toBeLessThanOrEqual(10);
  expect(crmoffice.stats.rateLimited).toBe(0);
  expect(crmoffice.stats.peakPerSecond).toBeLessThanOrEqual(20);

  // Both processes took work: the limit is shared, not doubled.
  const identities = new Set<string>();
  let n = 0;
  for await (const wf of stack.env.client.workflow.list({ query: 'TandemKind = "record"' })) {
    const history = await stack.env.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    for (const e of history.events ?? [])
      if (e.activityTaskStartedEventAttributes?.identity) identities.add(e.activityTaskStartedEventAttributes.identity);
    if (++n >= 40) break;
  }
  expect(identities.size).toBe(2);
});
