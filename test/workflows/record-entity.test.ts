/**
 * A Zendesk record's workflow running all the flows of the record, with mocked activities on a real
 * dev server whose continue-as-new suggestion comes after a few events (so a run continues as new
 * within a test): one Zendesk read a round, one writer, askers carried across continue-as-new.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { CHANGED_SIGNAL, TASK_QUEUE, type PairSynced } from '../../protocol/ids';
import { flowsOfRecord } from '../../workflows/search-attributes';
import type { ZendeskRecordRun } from '../../workflows/zendesk-record';
import {
  contact,
  linkedContact,
  user,
  withWorkers as withMockedWorkers,
  type Mocks,
} from '../helpers/mocked-activities';
import { startTemporal } from '../helpers/temporal';
import type { Link } from '../../store';

jest.setTimeout(120_000);

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await startTemporal(undefined, ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40']);
});
afterAll(async () => {
  await env?.teardown();
});

const USER_FLOWS = flowsOfRecord('users');
const RETRY = { initialIntervalMs: 50, maximumIntervalMs: 200 };
const withWorkers = <T>(m: Mocks, fn: () => Promise<T>): Promise<T> =>
  withMockedWorkers(env, m, fn, { workflowsPath: require.resolve('../fixtures/asker-workflows') });

/** Each pair linked; `toZendesk` says which flows' merges write the Zendesk record. */
function mocks(
  calls: string[],
  opts: { toZendesk?: (flowId: string, decisions: number) => boolean; gate?: Promise<void> } = {},
): Mocks {
  const decided = new Map<string, number>();
  return {
    api: {
      readZendesk: async () => (calls.push('readZendesk'), await opts.gate, user),
      readTarget: async (pair) => (calls.push(`readTarget ${pair.flowId}`), contact),
      updateTarget: async (pair) => void calls.push(`updateTarget ${pair.flowId}`),
      updateZendesk: async (pair) => void calls.push(`updateZendesk ${pair.flowId}`),
    },
    local: {
      readLink: async (pair) => ({ ...linkedContact(pair.zendeskId), flowId: pair.flowId as Link['flowId'] }),
      decideMerge: async (pair) => {
        const n = (decided.get(pair.flowId) ?? 0) + 1;
        decided.set(pair.flowId, n);
        calls.push(`decideMerge ${pair.flowId}`);
        return {
          decisions: [],
          toTarget: { givenName: 'Ada' },
          toZendesk: opts.toZendesk?.(pair.flowId, n) ? { name: 'Ada L.' } : null,
          newBase: {},
          references: [],
          copyOriginAt: null,
        };
      },
      saveLink: async () => true,
      markFailed: async () => undefined,
      clearRetrying: async () => undefined,
    },
  };
}

let n = 0;
const start = (work?: object[]) =>
  env.client.workflow.start('syncZendeskRecord', {
    taskQueue: TASK_QUEUE,
    workflowId: `entity-test-${++n}`,
    args: [
      { type: 'users', zendeskId: '42' },
      { work, lingerMs: 0, retry: RETRY },
    ],
  });

test('a change of the record syncs every flow of it in one round, reading the Zendesk record once', async () => {
  const calls: string[] = [];
  const run = (await withWorkers(mocks(calls), async () => (await start()).result())) as ZendeskRecordRun;
  expect(USER_FLOWS.length).toBe(2);
  expect(run.rounds).toBe(1);
  expect(calls.filter((c) => c === 'readZendesk')).toHaveLength(1);
  expect(calls.filter((c) => c.startsWith('updateTarget')).sort()).toEqual(
    USER_FLOWS.map((f) => `updateTarget ${f}`).sort(),
  );
  expect(run.pairs.map((p) => [p.flowId, p.outcome]).sort()).toEqual(USER_FLOWS.map((f) => [f, 'updated']).sort());
});

test('a flow that writes the Zendesk record makes the flows before it sync once more, reading it again', async () => {
  const [first, second] = USER_FLOWS;
  const calls: string[] = [];
  const run = (await withWorkers(mocks(calls, { toZendesk: (flowId) => flowId === second }), async () =>
    (await start()).result(),
  )) as ZendeskRecordRun;
  // Round 1: both flows (one read), the second writes Zendesk. Round 2 (maybe after continuing as new,
  // as this server suggests early): the first alone, reading again.
  expect(run.pairs.map((p) => p.flowId)).toContain(first);
  expect(calls.filter((c) => c === 'readZendesk')).toHaveLength(2);
  expect(calls.filter((c) => c === `updateTarget ${first}`)).toHaveLength(2);
  expect(calls.filter((c) => c === `updateTarget ${second}`)).toHaveLength(1);
  expect(calls.filter((c) => c.startsWith('updateZendesk'))).toEqual([`updateZendesk ${second}`]);
});

test('two flows that both write the Zendesk record: the second reads it again after the first wrote, and the first then syncs once more', async () => {
  const [first, second] = USER_FLOWS;
  const calls: string[] = [];
  // Each flow's first decision writes Zendesk; a decision made again does not.
  await withWorkers(mocks(calls, { toZendesk: (_flow, n) => n === 1 }), async () => (await start()).result());
  expect(calls.filter((c) => c.startsWith('updateZendesk'))).toEqual([
    `updateZendesk ${first}`,
    `updateZendesk ${second}`,
  ]);
  // Round 1: one read for the first flow, one more for the second after the first wrote; round 2: the first's.
  expect(calls.filter((c) => c === 'readZendesk')).toHaveLength(3);
  expect(calls.filter((c) => c.endsWith(first))).toEqual([
    `readTarget ${first}`,
    `decideMerge ${first}`,
    `updateTarget ${first}`,
    `updateZendesk ${first}`,
    `readTarget ${first}`,
    `decideMerge ${first}`,
    `updateTarget ${first}`,
  ]);
  expect(calls.filter((c) => c.endsWith(second))).toEqual([
    `readTarget ${second}`,
    `decideMerge ${second}`,
    `updateTarget ${second}`,
    `updateZendesk ${second}`,
  ]);
});

test('a reference waiting for its answer is answered after the workflow continued as new', async () => {
  const calls: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const answer = (await withWorkers(mocks(calls, { gate }), async () => {
    const asker = await env.client.workflow.start('awaitPairSynced', {
      taskQueue: TASK_QUEUE,
      workflowId: `asker-${++n}`,
    });
    const record = await start([{ flowId: USER_FLOWS[0], zendeskId: '42' }]);
    while (!calls.includes('readZendesk')) await new Promise((r) => setTimeout(r, 20));
    // During the first round: changes enough to pass the suggestion, and a reference's ask for the other flow.
    for (let i = 0; i < 30; i++)
      await record.signal(CHANGED_SIGNAL, {
        side: 'zendesk',
        via: 'webhook',
        pairs: [{ flowId: USER_FLOWS[0], zendeskId: '42' }],
      });
    await record.signal(CHANGED_SIGNAL, {
      side: 'zendesk',
      via: 'reference',
      demanded: true,
      replyTo: asker.workflowId,
      pairs: [{ flowId: USER_FLOWS[1], zendeskId: '42' }],
    });
    release();
    await record.result();
    const first = await env.client.workflow.getHandle(record.workflowId, record.firstExecutionRunId).describe();
    expect(first.status.name).toBe('CONTINUED_AS_NEW');
    return asker.result();
  })) as PairSynced;
  expect(answer).toMatchObject({ flowId: USER_FLOWS[1], zendeskId: '42', outcome: 'updated' });
});
