/**
 * A Zendesk record's workflow, its order and failure handling, with mocked activities on a real dev
 * server: no simulators, no store; each step answers what the test says. The user's Z3 pair is the
 * one named; its P2 pair is left out unless a test names every flow.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { CHANGED_SIGNAL, TASK_QUEUE, type ChangeNotice } from '../../protocol/ids';
import { signalPair } from '../../workers/signal-pair';
import type { ZendeskRecordRun } from '../../workflows/zendesk-record';
import {
  Z3,
  contact,
  linkedContact,
  user,
  withWorkers as withMockedWorkers,
  type Mocks,
} from '../helpers/mocked-activities';
import { sharedTemporal } from '../helpers/temporal';

jest.setTimeout(120_000);

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await sharedTemporal();
});
afterAll(async () => {
  await env?.teardown();
});

/** The happy path of an existing link; each test overrides what it is about. */
function mocks(calls: string[], overrides: Partial<Mocks> = {}): Mocks {
  const log =
    <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A) => {
      calls.push(name);
      return fn(...args);
    };
  return {
    api: {
      readZendesk: log('readZendesk', async () => user),
      readTarget: log('readTarget', async () => contact),
      updateTarget: log('updateTarget', async () => undefined),
      updateZendesk: log('updateZendesk', async () => undefined),
      ...overrides.api,
    },
    local: {
      readLink: log('readLink', async () => linkedContact('42')),
      decideMerge: log('decideMerge', async () => ({
        decisions: [],
        toTarget: { givenName: 'Ada' },
        toZendesk: null,
        newBase: {},
        references: [],
        copyOriginAt: null,
      })),
      saveLink: log('saveLink', async () => true),
      markFailed: log('markFailed', async () => undefined),
      clearRetrying: log('clearRetrying', async () => undefined),
      ...overrides.local,
    },
  };
}

const withWorkers = <T>(m: Mocks, fn: () => Promise<T>): Promise<T> => withMockedWorkers(env, m, fn);

let n = 0;
const Z3_PAIR = { flowId: Z3, zendeskId: '42' };
const start = (options: { given?: object; retry?: object } = {}) =>
  env.client.workflow.start('syncZendeskRecord', {
    taskQueue: TASK_QUEUE,
    workflowId: `record-test-${++n}`,
    args: [
      { type: 'users', zendeskId: '42' },
      {
        work: [{ ...Z3_PAIR, ...(options.given && { given: options.given }) }],
        lingerMs: 500,
        retry: { initialIntervalMs: 50, maximumIntervalMs: 200, ...options.retry },
      },
    ],
  });
/** A change of the user's Z3 pair, as a signal names it. */
const changed = (notice: object) => ({ ...notice, pairs: [Z3_PAIR] });
/** The Z3 pair's sync in the run's last round. */
const lastOf = (run: unknown) => (run as ZendeskRecordRun).last.find((r) => r.flowId === Z3);

test('a linked pair: read both sides (at once), decide, write what differs, save the link, in that order', async () => {
  const calls: string[] = [];
  const result = await withWorkers(mocks(calls), async () => (await start()).result());
  expect(calls[0]).toBe('readLink');
  expect(calls.slice(1, 3).sort()).toEqual(['readTarget', 'readZendesk']);
  expect(calls.slice(3)).toEqual(['decideMerge', 'updateTarget', 'saveLink']);
  expect(lastOf(result)?.outcome).toBe('updated');
});

test("the feed's copy of the Zendesk record saves a read, unless the pair synced since the feed was read", async () => {
  // readLink answers version 1: a copy taken at version 1 is current, one taken at version 0 predates a sync.
  for (const [linkVersion, reads] of [
    [1, 0],
    [0, 1],
  ] as const) {
    const calls: string[] = [];
    const result = await withWorkers(mocks(calls), async () =>
      (await start({ given: { record: user, linkVersion } })).result(),
    );
    expect(calls.filter((c) => c === 'readZendesk')).toHaveLength(reads);
    expect(lastOf(result)?.decisions.some((d) => d.outcome === 'read-again')).toBe(reads === 1);
  }
});

test("a target feed's copy of the linked record saves its read too; a copy older than a few seconds is read again", async () => {
  // [copy, its age in ms, Zendesk reads, target reads]
  const cases = [
    [{ target: contact }, 0, 1, 0],
    [{ target: contact }, 60_000, 1, 1],
    [{ record: user }, 60_000, 1, 1],
  ] as const;
  for (const [copy, age, zendeskReads, targetReads] of cases) {
    const calls: string[] = [];
    const result = await withWorkers(mocks(calls), async () =>
      (await start({ given: { ...copy, linkVersion: 1, readAt: Date.now() - age } })).result(),
    );
    expect({
      copy: Object.keys(copy),
      age,
      zendesk: calls.filter((c) => c === 'readZendesk').length,
      target: calls.filter((c) => c === 'readTarget').length,
    }).toEqual({ copy: Object.keys(copy), age, zendesk: zendeskReads, target: targetReads });
    expect(lastOf(result)?.decisions.some((d) => d.outcome === 'read-again')).toBe(age > 0);
  }
});

test('a retried write that finds its record edited since the read sends the sync back to read both sides', async () => {
  const calls: string[] = [];
  let movedOn = true;
  const m = mocks(calls, {
    api: {
      updateTarget: async () => {
        calls.push('updateTarget');
        if (!movedOn) return;
        movedOn = false;
        throw ApplicationFailure.nonRetryable('crmoffice contacts c-1 changed after it was read', 'RecordMovedOn');
      },
    },
  });
  const result = await withWorkers(m, async () => (await start()).result());
  expect(calls.filter((c) => c === 'readTarget')).toHaveLength(2);
  expect(calls.filter((c) => c === 'updateTarget')).toHaveLength(2);
  expect(lastOf(result)?.outcome).toBe('updated');
  expect(lastOf(result)?.decisions.find((d) => d.outcome === 'read-again')?.why).toContain('changed after it was read');
});

test('transient failures are retried by the engine until the step succeeds', async () => {
  const calls: string[] = [];
  let failures = 0;
  const m = mocks(calls, {
    api: {
      readTarget: async () => {
        if (++failures <= 5)
          throw ApplicationFailure.retryable('crmoffice GET /contacts/{id}: 503', 'TransientApiError');
        return contact;
      },
    },
  });
  const result = await withWorkers(m, async () => (await start()).result());
  expect(failures).toBe(6);
  expect(lastOf(result)?.outcome).toBe('updated');
});

test('changes arriving during a sync are coalesced into one more sync', async () => {
  const calls: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const m = mocks(calls, { api: { readZendesk: async () => (calls.push('readZendesk'), await gate, user) } });
  const result = await withWorkers(m, async () => {
    const handle = await start();
    while (!calls.includes('readZendesk')) await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 5; i++) await handle.signal(CHANGED_SIGNAL, changed({ side: 'zendesk', via: 'webhook' }));
    release();
    return handle.result();
  });
  expect((result as ZendeskRecordRun).rounds).toBe(2);
});

describe("webhooks for a pair's own Zendesk write (echoes)", () => {
  const ORG_ROW = 'organization_id->company.id';
  /** The sync writes the user's organization 7 to Zendesk; its webhooks arrive during that sync. */
  async function webhooksDuringSync(notices: object[]): Promise<{ calls: string[]; result: ZendeskRecordRun }> {
    const calls: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let saved = false;
    const m = mocks(calls, {
      api: { readZendesk: async () => (calls.push('readZendesk'), await gate, user) },
      local: {
        readLink: async () => (
          calls.push('readLink'),
          { ...linkedContact('42'), base: { [ORG_ROW]: saved ? '7' : '6' } }
        ),
        saveLink: async () => (calls.push('saveLink'), (saved = true)),
      },
    });
    const result = await withWorkers(m, async () => {
      const handle = await start();
      while (!calls.includes('readZendesk')) await new Promise((r) => setTimeout(r, 20));
      for (const notice of notices) await handle.signal(CHANGED_SIGNAL, changed(notice));
      release();
      return handle.result();
    });
    return { calls, result };
  }
  const webhook = (value: string | null) => ({
    side: 'zendesk',
    via: 'webhook',
    reported: { field: 'organization_id', value },
  });

  test('an echo of its own write (the value its base holds now) ends the next sync after reading the link', async () => {
    const { calls, result } = await webhooksDuringSync([webhook('7'), webhook('7')]);
    expect((result as ZendeskRecordRun).rounds).toBe(2);
    expect(calls.slice(calls.indexOf('saveLink') + 1)).toEqual(['readLink']);
    expect(lastOf(result)).toMatchObject({ outcome: 'unchanged', decisions: [{ outcome: 'echo' }] });
    expect(lastOf(result)?.summary).toContain('`organization_id` 7');
  });

  test("a webhook's signal-with-start, when no run is open, is the change: an echo there reads nothing either", async () => {
    const calls: string[] = [];
    const m = mocks(calls, {
      local: { readLink: async () => (calls.push('readLink'), { ...linkedContact('43'), base: { [ORG_ROW]: '7' } }) },
    });
    const result = await withWorkers(m, async () => {
      await signalPair(env.client, { flowId: Z3, zendeskId: '43' }, webhook('7') as ChangeNotice, { lingerMs: 0 });
      return env.client.workflow.getHandle('zendesk/users/43').result();
    });
    expect(calls).toEqual(['readLink']);
    expect(lastOf(result)?.outcome).toBe('unchanged');
  });

  test('a value the base does not hold, or a notice that names no value, reads both sides', async () => {
    for (const notices of [
      [webhook('7'), webhook('8')],
      [webhook('7'), { side: 'zendesk', via: 'webhook' }],
      [{ side: 'target', via: 'poll' }, webhook('7')],
    ]) {
      const { calls, result } = await webhooksDuringSync(notices);
      expect({ notices, read: calls.slice(calls.indexOf('saveLink') + 1).includes('readZendesk') }).toEqual({
        notices,
        read: true,
      });
      expect((result as ZendeskRecordRun).rounds).toBe(2);
    }
  });
});

test('a permanent failure marks the pair failed and the run waits, open, for the change that heals it', async () => {
  const calls: string[] = [];
  let refuse = true;
  const m = mocks(calls, {
    api: {
      updateTarget: async () => {
        calls.push('updateTarget');
        if (refuse)
          throw ApplicationFailure.nonRetryable(
            'crmoffice PATCH /contacts/{id}: 400 email is invalid',
            'PermanentApiError',
          );
      },
    },
  });
  await withWorkers(m, async () => {
    const handle = await start();
    while (!calls.includes('markFailed')) await new Promise((r) => setTimeout(r, 20));
    expect(calls).not.toContain('saveLink');
    await new Promise((r) => setTimeout(r, 1000)); // past the linger: still open
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(String((await handle.describe()).memo?.summary)).toMatch(/^failed: crmoffice PATCH .*400/);
    refuse = false;
    await handle.signal(CHANGED_SIGNAL, changed({ side: 'zendesk', via: 'webhook' }));
    const result = await handle.result();
    expect(lastOf(result)?.outcome).toBe('updated');
  });
});

test('a record that answers "not found" once, in an outage, is read again after a pause and nothing is orphaned', async () => {
  const calls: string[] = [];
  let reads = 0;
  const m = mocks(calls, {
    api: { readTarget: async () => (calls.push('readTarget'), ++reads === 1 ? null : contact) },
    local: { markOrphaned: async () => void calls.push('markOrphaned') },
  });
  const result = await withWorkers(m, async () => (await start({ retry: { goneConfirmMs: 200 } })).result());
  expect(reads).toBe(2);
  expect(calls).not.toContain('markOrphaned');
  expect(lastOf(result)?.outcome).toBe('updated');
});

test('a record still gone on the second read marks the pair orphaned, and nothing is written or deleted', async () => {
  const calls: string[] = [];
  const m = mocks(calls, {
    api: { readTarget: async () => (calls.push('readTarget'), null) },
    local: { markOrphaned: async () => void calls.push('markOrphaned') },
  });
  const result = await withWorkers(m, async () => (await start({ retry: { goneConfirmMs: 200 } })).result());
  expect(calls.filter((c) => c === 'readTarget')).toHaveLength(2);
  expect(calls).toContain('markOrphaned');
  expect(calls).not.toContain('updateTarget');
  expect(calls).not.toContain('updateZendesk');
  expect(lastOf(result)?.outcome).toBe('orphaned');
});
