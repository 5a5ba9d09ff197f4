/**
 * A burst on the production store: 200 agents created at once in Zendesk, each told to Tandem as its
 * webhook would (one signal to the user's workflow), with the link store on PostgreSQL and the worker
 * its own process, SIGKILLed once the 60th employee exists. A new worker takes over: 200 employees,
 * none twice, within two minutes of the restart.
 */
import type { ChildProcess } from 'node:child_process';
import { TestStack, startTestStack } from '../helpers/stack';
import { buildCli, startWorkerProcess, stopProcess } from '../helpers/worker-process';
import { findPostgresBin, startPostgres, type PostgresServer } from '../../bench/postgres-server';
import { requireDependency } from '../helpers/dependencies';
import { signalRecord } from '../../workers/signal-pair';

jest.setTimeout(400_000);

const AGENTS = 200;
const pgBin = findPostgresBin();
const describeWithPostgres = requireDependency(
  'postgres',
  pgBin !== undefined,
  'postgres-burst (200 agents on a PostgreSQL store)',
)
  ? describe
  : describe.skip;

describeWithPostgres('200 agents at once on a PostgreSQL store, through a killed worker', () => {
  let pg: PostgresServer;
  let stack: TestStack;
  let worker: ChildProcess | undefined;

  beforeAll(async () => {
    buildCli();
    pg = await startPostgres(pgBin);
    stack = await startTestStack({ sampleSize: 0, realRateLimits: true, store: await pg.createDatabase() });
    await stack.stopWorker();
    worker = await startWorkerProcess(stack);
  });
  afterAll(async () => {
    if (worker) await stopProcess(worker, 'SIGKILL');
    await stack?.stop();
    await pg?.stop();
  });

  test('every agent gets exactly one employee within two minutes of the restart', async () => {
    const { zendesk } = stack.connectors;
    const org = await zendesk.createOrganization({ name: 'Burst AS' });
    const agents = [];
    for (let i = 0; i < AGENTS; i++)
      agents.push(
        await zendesk.createUser({
          name: `Burst Agent ${i}`,
          email: `burst.agent.${i}@example.no`,
          role: 'agent',
          organization_id: org.id,
        }),
      );
    await Promise.all(
      agents.map((a) =>
        signalRecord(stack.env.client, { type: 'users', zendeskId: String(a.id) }, { side: 'zendesk', via: 'webhook' }),
      ),
    );

    // Counted in the simulator's state: the API's own 10 requests a second are Tandem's to use.
    const employees = async () =>
      [...stack.sims.poweroffice.state.employees.values()].filter((e) => e.EmailAddress?.startsWith('burst.agent.'));
    while ((await employees()).length < 60) await new Promise((r) => setTimeout(r, 100));
    const exited = new Promise((r) => worker!.once('exit', r));
    worker!.kill('SIGKILL');
    await exited;

    worker = await startWorkerProcess(stack);
    const restarted = Date.now();
    while ((await employees()).length < AGENTS && Date.now() - restarted < 120_000)
      await new Promise((r) => setTimeout(r, 1000));
    const made = await employees();
    const emails = made.map((e) => e.EmailAddress!.toLowerCase());
    expect({ employees: made.length, distinct: new Set(emails).size }).toEqual({ employees: AGENTS, distinct: AGENTS });
    // And each linked to its agent, within the same two minutes.
    const linked = async () => (await stack.store.counts('zendesk-users-to-powerofficego-employees')).linked;
    while ((await linked()) < AGENTS && Date.now() - restarted < 120_000) await new Promise((r) => setTimeout(r, 1000));
    if ((await linked()) < AGENTS) {
      // Say which records are still at work, and on what.
      for await (const w of stack.env.client.workflow.list({
        query: 'TandemKind = "record" AND ExecutionStatus = "Running"',
      })) {
        const d = await stack.env.client.workflow.getHandle(w.workflowId).describe();
        console.log(
          `still at work: ${w.workflowId} ${JSON.stringify(d.raw.pendingActivities?.map((a) => [a.activityType?.name, a.attempt, a.lastFailure?.message]))} ${JSON.stringify(d.searchAttributes.TandemFlowOutcomes)}`,
        );
      }
    }
    expect(await linked()).toBe(AGENTS);
  });
});
