/**
 * A retried write reads its record again first: a person's edit made since the decision's read is
 * never overwritten by a retry. Driven in Temporal's mock activity context (attempt, heartbeats).
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createApiActivities } from '../../activities/api-steps';
import type { Connectors } from '../../activities/record-access';
import { CHECKED_FIRST, RECORD_MOVED_ON } from '../../protocol/ids';
import { DEFAULT_FLOWS_CONFIG } from '../../flows';
import { openSqliteStore, type LinkStore } from '../../store';

const pair = { flowId: 'zendesk-organizations-to-crmoffice-companies', zendeskId: '8' };
const READ_AT = '2024-05-01T10:00:04.193Z';

let store: LinkStore;
beforeEach(() => {
  store = openSqliteStore(':memory:');
});
afterEach(() => store.close());

/** A Crmoffice whose company 1020 is modified at `modified`; counts the calls. */
function crm(modified: string) {
  const calls: string[] = [];
  const company = () => ({ id: 1020, name: 'Nord AS', updatedAt: modified });
  const crmoffice = {
    getCompany: async () => (calls.push('get'), company()),
    updateCompany: async (_id: string, body: object) => (calls.push('update'), { ...company(), ...body }),
  };
  const activities = createApiActivities({
    connectors: { crmoffice } as unknown as Connectors,
    store,
    flows: DEFAULT_FLOWS_CONFIG,
  });
  return { calls, activities };
}

async function attempt(
  activities: ReturnType<typeof crm>['activities'],
  info: { attempt: number; heartbeatDetails?: unknown },
) {
  const env = new MockActivityEnvironment(info);
  const beats: unknown[] = [];
  env.on('heartbeat', (d: unknown) => beats.push(d));
  const outcome = await env.run(activities.updateTarget, pair, '1020', { name: 'Sør AS' }, READ_AT).then(
    () => 'written',
    (err: unknown) => (err instanceof ApplicationFailure ? err.type : String(err)),
  );
  return { outcome, beats };
}

test('a first attempt writes at once: it follows its read closely', async () => {
  const { calls, activities } = crm(READ_AT);
  expect((await attempt(activities, { attempt: 1 })).outcome).toBe('written');
  expect(calls).toEqual(['update']);
});

test('a retry checks the record first, one request per attempt, and the attempt after writes', async () => {
  const { calls, activities } = crm(READ_AT);
  const check = await attempt(activities, { attempt: 2 });
  expect(check).toEqual({ outcome: CHECKED_FIRST, beats: [{ checkedAt: 2 }] });
  expect(calls).toEqual(['get']);
  expect((await attempt(activities, { attempt: 3, heartbeatDetails: { checkedAt: 2 } })).outcome).toBe('written');
  expect(calls).toEqual(['get', 'update']);
  // A lost note (or one from an older attempt) means another check, never a write without one.
  expect((await attempt(activities, { attempt: 5, heartbeatDetails: { checkedAt: 3 } })).outcome).toBe(CHECKED_FIRST);
});

test('a retry that finds the record edited since it was read writes nothing: the workflow decides again', async () => {
  const { calls, activities } = crm('2024-05-01T10:00:05.020Z');
  expect((await attempt(activities, { attempt: 2 })).outcome).toBe(RECORD_MOVED_ON);
  expect(calls).toEqual(['get']);
  expect(await store.listRetrying(undefined, 10)).toEqual([]);
});

describe('a copy written into Zendesk', () => {
  const orgPair = { flowId: 'zendesk-organizations-to-crmoffice-companies', zendeskId: '8' };
  const ORIGIN_AT = '2024-05-01T10:00:02.000Z';
  const WRITTEN_AT = '2024-05-01T10:00:06.500Z';

  /** A Zendesk whose organisation 8 takes the write but whose answer is lost (the connection dropped). */
  function zendeskLosingTheAnswer() {
    const calls: string[] = [];
    let org: Record<string, unknown> = { id: 8, name: 'Nord AS', updated_at: READ_AT };
    const notesDuringWrite: unknown[] = [];
    const zendesk = {
      getOrganization: async () => (calls.push('get'), org),
      updateOrganization: async (_id: number, body: object) => {
        calls.push('update');
        notesDuringWrite.push(await store.getZendeskCopy('organizations', '8'));
        org = { ...org, ...body, updated_at: WRITTEN_AT };
        throw new Error('socket hang up');
      },
    };
    const activities = createApiActivities({
      connectors: { zendesk } as unknown as Connectors,
      store,
      flows: DEFAULT_FLOWS_CONFIG,
    });
    return { calls, activities, notesDuringWrite };
  }

  const run = (activities: ReturnType<typeof createApiActivities>, info: { attempt: number }) =>
    new MockActivityEnvironment(info)
      .run(activities.updateZendesk, orgPair, { name: 'Sør AS' }, ORIGIN_AT, READ_AT)
      .then(
        () => 'written',
        (err: unknown) => (err instanceof ApplicationFailure ? err.type : String(err)),
      );

  test('is noted ahead of its write, as under way', async () => {
    const { activities, notesDuringWrite } = zendeskLosingTheAnswer();
    await run(activities, { attempt: 1 });
    expect(notesDuringWrite).toEqual([{ modifiedAt: null, originAt: ORIGIN_AT, fields: { name: 'Sør AS' } }]);
  });

  test('whose answer was lost is found by the retry, which confirms the note and writes nothing more', async () => {
    const { calls, activities } = zendeskLosingTheAnswer();
    expect(await run(activities, { attempt: 1 })).not.toBe('written');
    expect(await run(activities, { attempt: 2 })).toBe('written');
    expect(calls).toEqual(['update', 'get']);
    expect(await store.getZendeskCopy('organizations', '8')).toEqual({
      modifiedAt: WRITTEN_AT,
      originAt: ORIGIN_AT,
      fields: { name: 'Sør AS' },
    });
  });
});
