/**
 * The poll workflow's hand-over with mocked activities on a real dev server: a page of pairs goes
 * out to its record workflows in one workflow task (not a round trip to the server each), never
 * more than the window at once, and the checkpoint moves only once every one of them has started.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { temporal } from '@temporalio/proto';
import type { ApiActivities, FeedPageResult } from '../../activities/api-steps';
import type { LocalActivities } from '../../activities/local-steps';
import type { WorkItem } from '../../activities/feed-routing';
import { TASK_QUEUE } from '../../protocol/ids';
import type { PollTotals } from '../../workflows/poll';
import { Z3, contact, linkedContact, user, withWorkers } from '../helpers/mocked-activities';
import { sharedTemporal } from '../helpers/temporal';

jest.setTimeout(120_000);

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await sharedTemporal();
});
afterAll(async () => {
  await env?.teardown();
});

/** A page of `n` linked pairs whose sync finds nothing to write; the checkpoint saves are noted. */
function activities(n: number, saved: string[]) {
  const items: WorkItem[] = Array.from({ length: n }, (_, i) => ({
    kind: 'pair',
    flowId: Z3,
    zendeskId: String(i + 1),
    given: { record: { ...user, id: i + 1 }, linkVersion: 1 },
  }));
  const api: Partial<ApiActivities> = {
    readFeedPage: async (): Promise<FeedPageResult> => ({ read: n, items, checkpoint: 'after-page-1', done: true }),
    readZendesk: async () => user,
    readTarget: async () => contact,
  };
  const local: Partial<LocalActivities> = {
    getCheckpoint: async () => null,
    saveCheckpoint: async (_feed: string, value: string) => void saved.push(value),
    readLink: async (pair) => linkedContact(pair.zendeskId),
    decideMerge: async () => ({
      decisions: [],
      toTarget: null,
      toZendesk: null,
      newBase: {},
      references: [],
      copyOriginAt: null,
    }),
    saveLink: async () => true,
    clearRetrying: async () => undefined,
  };
  return { api, local };
}

async function poll(
  n: number,
  window: number,
  saved: string[],
  overrides: Partial<ApiActivities> = {},
  workflowInterceptors: string[] = [],
): Promise<{ totals: PollTotals; events: temporal.api.history.v1.IHistoryEvent[]; runs: number }> {
  const { api: mocked, local } = activities(n, saved);
  const api = { ...mocked, ...overrides };
  return withWorkers(
    env,
    { api, local },
    async () => {
      const handle = await env.client.workflow.start('pollFeed', {
        taskQueue: TASK_QUEUE,
        workflowId: `poll-test-${n}-${window}`,
        args: [{ feed: 'zendesk/users', window }],
      });
      const totals = (await handle.result()) as PollTotals;
      let runs = 0;
      for await (const _run of env.client.workflow.list({ query: `WorkflowId = "${handle.workflowId}"` })) runs += 1;
      return { totals, events: (await handle.fetchHistory()).events ?? [], runs };
    },
    { workflowInterceptors },
  );
}

/** The indexes of the poll's local steps (getCheckpoint, saveCheckpoint) and of the last child started. */
function checkpointAfterStarts(events: temporal.api.history.v1.IHistoryEvent[]) {
  const localSteps = events.flatMap((e, i) =>
    e.markerRecordedEventAttributes?.markerName === 'core_local_activity' ? [i] : [],
  );
  const lastStarted = events.map((e) => !!e.childWorkflowExecutionStartedEventAttributes).lastIndexOf(true);
  return { localSteps: localSteps.length, saveAfterLastStart: localSteps[1] > lastStarted && lastStarted >= 0 };
}

/** How many children each workflow task started, in order (tasks that started none left out). */
function startsPerTask(events: temporal.api.history.v1.IHistoryEvent[]): number[] {
  const per: number[] = [];
  let n = 0;
  for (const e of events) {
    if (e.startChildWorkflowExecutionInitiatedEventAttributes) n += 1;
    if (e.workflowTaskCompletedEventAttributes && n > 0) {
      per.push(n);
      n = 0;
    }
  }
  if (n > 0) per.push(n);
  return per;
}

test("a page's pairs start together, in one workflow task, and the checkpoint moves after they have all started", async () => {
  const saved: string[] = [];
  const { totals, events } = await poll(12, 50, saved);
  expect(totals.started).toBe(12);
  expect(totals.outcomes.unchanged).toBe(12);
  expect(startsPerTask(events)).toEqual([12]);
  expect(saved).toEqual(['after-page-1']);
  // The poll's local steps are getCheckpoint and saveCheckpoint: the save comes after every child's start was confirmed.
  expect(checkpointAfterStarts(events)).toEqual({ localSteps: 2, saveAfterLastStart: true });
});

test("a start that races its record workflow's end five times in a row is still handed over before the checkpoint moves", async () => {
  const saved: string[] = [];
  // Five times: "already started", then the signal finds it ended (test/fixtures/racing-hand-over.ts).
  const { totals, events } = await poll(1, 50, saved, {}, [require.resolve('../fixtures/racing-hand-over')]);
  expect(totals.started).toBe(1);
  expect(totals.outcomes.unchanged).toBe(1);
  expect(saved).toEqual(['after-page-1']);
  expect(checkpointAfterStarts(events)).toEqual({ localSteps: 2, saveAfterLastStart: true });
});

test('a window smaller than the page: never more than the window in flight, the rest started as slots free', async () => {
  const saved: string[] = [];
  const { totals, events } = await poll(12, 5, saved);
  expect(totals.started).toBe(12);
  const per = startsPerTask(events);
  expect(per[0]).toBe(5);
  expect(per.reduce((a, b) => a + b, 0)).toBe(12);
  // In flight: started less ended, after every event.
  let inFlight = 0;
  let most = 0;
  for (const e of events) {
    if (e.startChildWorkflowExecutionInitiatedEventAttributes) inFlight += 1;
    if (e.childWorkflowExecutionCompletedEventAttributes) inFlight -= 1;
    most = Math.max(most, inFlight);
  }
  expect(most).toBe(5);
  expect(saved).toEqual(['after-page-1']);
});

test('quiet pages (a full pass finding nothing new) are read in one run, not a run each that Temporal spaces a second apart', async () => {
  const saved: string[] = [];
  const pages = 6;
  const readFeedPage = async (_feed: string, checkpoint: string | null): Promise<FeedPageResult> => {
    const at = checkpoint === null ? 1 : Number(checkpoint) + 1;
    return { read: 100, items: [], checkpoint: String(at), done: at === pages };
  };
  const { totals, runs } = await poll(0, 50, saved, { readFeedPage });
  expect(totals.pages).toBe(pages);
  expect(saved).toEqual(['1', '2', '3', '4', '5', '6']);
  expect(runs).toBe(1);
});
