/**
 * Workflows with mocked activities on Temporal's time-skipping test server, at their real timings:
 * timers and retry backoffs pass in test time whenever nothing runs, so a ten-minute bound or an
 * hour of backoff takes seconds. Times below are the server's (test time), read from histories or
 * from `env.currentTimeMs()` while an activity runs (time stands still then).
 *
 * What the test server (1.38) does not do as the dev server does: it knows only the search
 * attributes registered at start (startTimeSkipping registers Tandem's), lists no workflows by query,
 * runs no schedules, and suggests continue-as-new only past its fixed limits (4 MiB or 4096 events of
 * history; no setting lowers them). A child that completes after its parent closed (an abandoned
 * record workflow outliving its poll) leaves the server's clock held for good: every later wait on
 * that server then runs in real time. Each test here lets its children end before their parent, or
 * ends what it leaves running.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ApiActivities, FeedPageResult } from '../../activities/api-steps';
import type { LocalActivities } from '../../activities/local-steps';
import type { Link } from '../../store';
import { CHANGED_SIGNAL, TASK_QUEUE, type PairSynced, type RecordSynced } from '../../protocol/ids';
import type { PollTotals } from '../../workflows/poll';
import { flowsOfRecord } from '../../workflows/search-attributes';
import type { ZendeskRecordRun } from '../../workflows/zendesk-record';
import {
  Z3,
  contact,
  linkedContact,
  user,
  withWorkers as withMockedWorkers,
  type Mocks,
} from '../helpers/mocked-activities';
import { describeWithTimeSkipping, startTimeSkipping } from '../helpers/time-skipping';

jest.setTimeout(120_000);

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const USER_FLOWS = flowsOfRecord('users');
const ORG_FLOW = 'zendesk-organizations-to-crmoffice-companies';
type Event = temporal.api.history.v1.IHistoryEvent;

/** An event's time on the server's clock (test time), in ms. */
const at = (e: Event | undefined): number => {
  const t = e?.eventTime;
  if (!t) throw new Error('an event without a time');
  return Number(t.seconds ?? 0) * SECOND + Math.floor((t.nanos ?? 0) / 1e6);
};
const transient = (what: string) =>
  ApplicationFailure.retryable(`${what}: 503 Service Unavailable`, 'TransientApiError');
const unchangedMerge = {
  decisions: [],
  toTarget: null,
  toZendesk: null,
  newBase: {},
  references: [],
  copyOriginAt: null,
};
const updatingMerge = { ...unchangedMerge, toTarget: { givenName: 'Ada' } };

describeWithTimeSkipping('the time-skipping workflow suite')(
  'workflows at their real timings (time-skipping test server)',
  () => {
    let env: TestWorkflowEnvironment;
    beforeAll(async () => {
      env = await startTimeSkipping();
    });
    afterAll(async () => {
      await env?.teardown();
    });

    const withWorkers = <T>(m: Mocks, fn: () => Promise<T>, workflowInterceptors: string[] = []): Promise<T> =>
      withMockedWorkers(env, m, fn, {
        workflowsPath: require.resolve('../fixtures/asker-workflows'),
        workflowInterceptors,
      });
    /** Ends what a test leaves running (a failed pair waits for its fix), so no timer of it fires in the next test. */
    const leftRunning: string[] = [];
    afterEach(async () => {
      for (const id of leftRunning.splice(0))
        await env.client.workflow
          .getHandle(id)
          .terminate('test over')
          .catch(() => undefined);
    });

    /** Waits (real time, briefly) for something a workflow does once its timer has fired. */
    async function eventually(done: () => boolean, what: string): Promise<void> {
      for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 25));
      if (!done()) throw new Error(`${what} did not happen`);
    }

    test("a start that races its record workflow's end five times in a row is handed over before the checkpoint moves, which does not wait for the sync", async () => {
      // The target is down for 45 seconds: the record's sync retries with the default backoff (its
      // attempt at 63 s succeeds), within the poll's default wait for its children (two minutes). A
      // child that outlived the poll would stop this server's clock for good (see the file's header).
      const outage = 45 * SECOND;
      let outageEnds = 0;
      const saved: string[] = [];
      const api: Partial<ApiActivities> = {
        readFeedPage: async (): Promise<FeedPageResult> => ({
          read: 1,
          items: [{ kind: 'pair', flowId: Z3, zendeskId: '1', given: { record: { ...user, id: 1 }, linkVersion: 1 } }],
          checkpoint: 'after-page-1',
          done: true,
        }),
        readZendesk: async () => user,
        readTarget: async () => {
          if ((await env.currentTimeMs()) < outageEnds) throw transient('crmoffice GET /contacts/c-1');
          return contact;
        },
      };
      const local: Partial<LocalActivities> = {
        getCheckpoint: async () => null,
        saveCheckpoint: async (_feed, value) => void saved.push(value),
        readLink: async (pair) => linkedContact(pair.zendeskId),
        decideMerge: async () => unchangedMerge,
        saveLink: async () => true,
        clearRetrying: async () => undefined,
      };
      const { totals, pollEvents, recordEvents, run } = await withWorkers(
        { api, local },
        async () => {
          outageEnds = (await env.currentTimeMs()) + outage;
          // Five times: "already started", then the signal finds it ended (test/fixtures/racing-hand-over.ts).
          const poll = await env.client.workflow.start('pollFeed', {
            taskQueue: TASK_QUEUE,
            workflowId: 'ts-poll-race',
            args: [{ feed: 'zendesk/users' }],
          });
          const totals = (await poll.result()) as PollTotals;
          const record = env.client.workflow.getHandle('zendesk/users/1');
          const run = (await record.result()) as ZendeskRecordRun;
          return {
            totals,
            run,
            pollEvents: (await poll.fetchHistory()).events ?? [],
            recordEvents: (await record.fetchHistory()).events ?? [],
          };
        },
        [require.resolve('../fixtures/racing-hand-over')],
      );
      expect(totals.started).toBe(1);
      expect(saved).toEqual(['after-page-1']);
      // The poll's local steps are getCheckpoint and saveCheckpoint: the save comes after the child's start was confirmed...
      const localSteps = pollEvents.filter(
        (e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
      );
      const childStarted = pollEvents.find((e) => e.childWorkflowExecutionStartedEventAttributes);
      expect(localSteps).toHaveLength(2);
      expect(childStarted).toBeDefined();
      expect(pollEvents.indexOf(localSteps[1])).toBeGreaterThan(pollEvents.indexOf(childStarted!));
      // ...and right after it, not after the sync, which ended once the outage was over; the poll,
      // waiting for its children meanwhile, counted it then.
      const pollStart = at(pollEvents[0]);
      expect(at(localSteps[1]) - pollStart).toBeLessThan(10 * SECOND);
      expect(at(recordEvents.at(-1)) - pollStart).toBeGreaterThanOrEqual(outage);
      expect(at(pollEvents.at(-1))).toBeGreaterThanOrEqual(at(recordEvents.at(-1)));
      expect(totals.outcomes.unchanged).toBe(1);
      expect(run.pairs).toEqual([expect.objectContaining({ flowId: Z3, zendeskId: '1', outcome: 'unchanged' })]);
    });

    test('a record that continues as new (its history past 4 MiB) answers the askers that waited across it', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let reads = 0;
      const m: Mocks = {
        api: {
          readZendesk: async () => (++reads === 1 && (await gate), user),
          readTarget: async () => contact,
          updateTarget: async () => undefined,
        },
        local: {
          readLink: async (pair) => ({ ...linkedContact(pair.zendeskId), flowId: pair.flowId as Link['flowId'] }),
          decideMerge: async () => updatingMerge,
          saveLink: async () => true,
          markFailed: async () => undefined,
          clearRetrying: async () => undefined,
        },
      };
      const pair = (flowId: string, record?: object) => ({
        flowId,
        zendeskId: '42',
        ...(record && { given: { record } }),
      });
      const { run, firstRun, pairAnswer, roundAnswer } = await withWorkers(m, async () => {
        // Each waits at most an hour of workflow time: unanswered, it ends (the server skips there) with nothing.
        const pairAsker = await env.client.workflow.start('awaitPairSynced', {
          taskQueue: TASK_QUEUE,
          workflowId: 'ts-asker-pair',
          args: [60 * MINUTE],
        });
        const roundAsker = await env.client.workflow.start('awaitRecordSynced', {
          taskQueue: TASK_QUEUE,
          workflowId: 'ts-asker-round',
          args: [60 * MINUTE],
        });
        const record = await env.client.workflow.start('syncZendeskRecord', {
          taskQueue: TASK_QUEUE,
          workflowId: 'ts-record-can',
          args: [
            { type: 'users', zendeskId: '42' },
            { work: [pair(USER_FLOWS[0])], lingerMs: 0 },
          ],
        });
        while (reads === 0) await new Promise((r) => setTimeout(r, 20));
        // During the first round: changes whose copies take the history past the server's 4 MiB
        // suggestion, a poll's change asking for the round's report, a reference asking for the other flow.
        const padding = 'x'.repeat(900_000);
        for (let i = 0; i < 5; i++)
          await record.signal(CHANGED_SIGNAL, {
            side: 'zendesk',
            via: 'webhook',
            pairs: [pair(USER_FLOWS[0], { ...user, notes: `${i}${padding}` })],
          });
        await record.signal(CHANGED_SIGNAL, {
          side: 'zendesk',
          via: 'poll',
          replyTo: roundAsker.workflowId,
          pairs: [pair(USER_FLOWS[0])],
        });
        await record.signal(CHANGED_SIGNAL, {
          side: 'zendesk',
          via: 'reference',
          demanded: true,
          replyTo: pairAsker.workflowId,
          pairs: [pair(USER_FLOWS[1])],
        });
        release();
        const run = (await record.result()) as ZendeskRecordRun;
        const firstRun = await env.client.workflow.getHandle(record.workflowId, record.firstExecutionRunId).describe();
        return {
          run,
          firstRun,
          pairAnswer: (await pairAsker.result()) as PairSynced | undefined,
          roundAnswer: (await roundAsker.result()) as RecordSynced | undefined,
        };
      });
      expect(firstRun.status.name).toBe('CONTINUED_AS_NEW');
      expect(run.rounds).toBe(1);
      expect(pairAnswer).toMatchObject({ flowId: USER_FLOWS[1], zendeskId: '42', outcome: 'updated' });
      expect(roundAnswer?.workflowId).toBe('ts-record-can');
      expect(roundAnswer?.pairs.map((p) => [p.flowId, p.outcome]).sort()).toEqual(
        USER_FLOWS.map((f) => [f, 'updated']).sort(),
      );
    });

    test("a pair waits ten minutes (the default bound) for a referenced record's workflow, then fails naming it", async () => {
      const failed: { reason: string; at: number }[] = [];
      let decided = 0;
      const m: Mocks = {
        api: {
          // Zendesk answers 503 for the organisation: its workflow retries (default backoff) and never answers.
          readZendesk: async (pair) => {
            if (pair.flowId === ORG_FLOW) throw transient('zendesk GET /organizations/7');
            return user;
          },
          readTarget: async () => contact,
        },
        local: {
          readLink: async (pair) => (pair.flowId === ORG_FLOW ? null : linkedContact(pair.zendeskId)),
          // The user's organisation must be linked first.
          decideMerge: async () =>
            ++decided === 1
              ? { ...unchangedMerge, references: [{ flowId: ORG_FLOW, zendeskId: '7', field: 'organization_id' }] }
              : unchangedMerge,
          markFailed: async (_pair, reason) => void failed.push({ reason, at: await env.currentTimeMs() }),
          saveLink: async () => true,
          clearRetrying: async () => undefined,
        },
      };
      const started = await withWorkers(m, async () => {
        const startedAt = await env.currentTimeMs();
        const record = await env.client.workflow.start('syncZendeskRecord', {
          taskQueue: TASK_QUEUE,
          workflowId: 'ts-record-reference',
          args: [
            { type: 'users', zendeskId: '43' },
            { work: [{ flowId: Z3, zendeskId: '43' }], lingerMs: 0 },
          ],
        });
        leftRunning.push(record.workflowId, 'zendesk/organizations/7');
        await env.sleep(9 * MINUTE);
        expect(failed).toEqual([]);
        await env.sleep(2 * MINUTE);
        await eventually(() => failed.length > 0, 'the pair failing');
        expect(String((await record.describe()).memo?.summary)).toMatch(
          /^failed: .*zendesk\/organizations\/7 did not answer/,
        );
        return startedAt;
      });
      expect(failed).toHaveLength(1);
      expect(failed[0].reason).toMatch(
        /^field `organization_id`: the referenced record's workflow zendesk\/organizations\/7 did not answer for zendesk-organizations-to-crmoffice-companies within 600 s/,
      );
      expect(failed[0].at - started).toBeGreaterThanOrEqual(10 * MINUTE);
      expect(failed[0].at - started).toBeLessThan(10 * MINUTE + 30 * SECOND);
    });

    test('an outage of ten minutes: the default backoff doubles from a second to its one-minute cap, and the change lands within a minute of the end', async () => {
      // Each attempt's test time; a failing attempt fails right after reading it, so the next one
      // comes one backoff later (plus the real milliseconds of the failure's report).
      const attempts: number[] = [];
      let outageEnds = 0;
      const m: Mocks = {
        api: {
          readZendesk: async () => user,
          readTarget: async () => {
            const now = await env.currentTimeMs();
            attempts.push(now);
            if (now < outageEnds) throw transient('crmoffice GET /contacts/c-1');
            return contact;
          },
          updateTarget: async () => undefined,
        },
        local: {
          readLink: async () => linkedContact('44'),
          decideMerge: async () => updatingMerge,
          saveLink: async () => true,
          clearRetrying: async () => undefined,
        },
      };
      const run = (await withWorkers(m, async () => {
        outageEnds = (await env.currentTimeMs()) + 10 * MINUTE;
        const record = await env.client.workflow.start('syncZendeskRecord', {
          taskQueue: TASK_QUEUE,
          workflowId: 'ts-record-backoff',
          args: [
            { type: 'users', zendeskId: '44' },
            { work: [{ flowId: Z3, zendeskId: '44' }], lingerMs: 0 },
          ],
        });
        return record.result();
      })) as ZendeskRecordRun;
      const backoffs = attempts.slice(1).map((t, i) => Math.floor((t - attempts[i]) / SECOND));
      expect(backoffs.slice(0, 7)).toEqual([1, 2, 4, 8, 16, 32, 60]);
      expect(new Set(backoffs.slice(7))).toEqual(new Set([60]));
      expect(attempts.at(-1)!).toBeGreaterThanOrEqual(outageEnds);
      expect(attempts.at(-1)! - outageEnds).toBeLessThanOrEqual(MINUTE);
      expect(run.last[0]).toMatchObject({ flowId: Z3, outcome: 'updated' });
    });

    test('a record answering "not found" is read again after the default pause of a minute, and nothing is orphaned', async () => {
      const reads: number[] = [];
      const orphaned: string[] = [];
      const m: Mocks = {
        api: {
          readZendesk: async () => user,
          readTarget: async () => (reads.push(await env.currentTimeMs()), reads.length === 1 ? null : contact),
          updateTarget: async () => undefined,
        },
        local: {
          readLink: async () => linkedContact('45'),
          decideMerge: async () => updatingMerge,
          saveLink: async () => true,
          markOrphaned: async (_pair, why) => void orphaned.push(why),
          clearRetrying: async () => undefined,
        },
      };
      const run = (await withWorkers(m, async () =>
        (
          await env.client.workflow.start('syncZendeskRecord', {
            taskQueue: TASK_QUEUE,
            workflowId: 'ts-record-gone',
            args: [
              { type: 'users', zendeskId: '45' },
              { work: [{ flowId: Z3, zendeskId: '45' }], lingerMs: 0 },
            ],
          })
        ).result(),
      )) as ZendeskRecordRun;
      expect(reads).toHaveLength(2);
      expect(reads[1] - reads[0]).toBeGreaterThanOrEqual(MINUTE);
      expect(reads[1] - reads[0]).toBeLessThan(MINUTE + 10 * SECOND);
      expect(orphaned).toEqual([]);
      expect(run.last[0]).toMatchObject({ flowId: Z3, outcome: 'updated' });
    });
  },
);
