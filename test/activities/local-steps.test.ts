/** Local steps run again when the workflow task that ran them failed: they must tell their own earlier effect from another's. */
import { createLocalActivities } from '../../activities/local-steps';
import { DEFAULT_FLOWS_CONFIG } from '../../flows';
import { openSqliteStore } from '../../store';

const P2 = 'zendesk-users-to-powerofficego-employees';
const pair = { flowId: P2, zendeskId: '42' };
const ORG_ROW = 'organization_id->DepartmentId';

test('saveLink run again finds the link as it saved it: saved; a link another sync moved on: not saved (read again)', async () => {
  const store = openSqliteStore(':memory:');
  const steps = createLocalActivities({ store, flows: DEFAULT_FLOWS_CONFIG });
  const save = { targetId: '10', base: { [ORG_ROW]: '7' }, expectedVersion: 0 };
  expect(await steps.saveLink(pair, save)).toBe(true);
  // The same step again (its workflow task failed after it ran): nothing to do, and no "moved" that reads both sides.
  expect(await steps.saveLink(pair, save)).toBe(true);
  expect((await store.getByZendeskId(P2, '42'))?.version).toBe(1);
  // Another sync's save from the same version, with another base, did not happen here: moved.
  expect(await steps.saveLink(pair, { ...save, base: { [ORG_ROW]: '8' } })).toBe(false);
  expect(await steps.saveLink(pair, { ...save, targetId: '11' })).toBe(false);
  // One version further on, the same content is another sync's: moved.
  expect(await steps.saveLink(pair, { ...save, expectedVersion: 1 })).toBe(true);
  expect(await steps.saveLink(pair, { ...save, expectedVersion: 0 })).toBe(false);
});
