/** A record naming a reference waits for the record in flight that carries the reference's copy, and only for it. */
import type { Duration } from '@temporalio/common';
import type { GivenReference } from '../../protocol/ids';
import { CARRIER_WAIT, ReferenceCarriers } from '../../workflows/reference-carriers';

const org = (id: string, record?: Record<string, unknown>): GivenReference => ({
  flowId: 'zendesk-organizations-to-powerofficego-departments',
  zendeskId: id,
  ...(record && { record }),
});

function carriersWithWaits() {
  const inFlight = new Set<string>();
  const waits: { carried: boolean; timeout: Duration }[] = [];
  const carriers = new ReferenceCarriers(inFlight, async (done, timeout) => {
    waits.push({ carried: !done(), timeout });
  });
  return { inFlight, waits, carriers };
}

test('a record naming a reference whose copy a record in flight carries waits for it, at most CARRIER_WAIT', async () => {
  const { inFlight, waits, carriers } = carriersWithWaits();
  inFlight.add('zendesk/users/1');
  await carriers.before('zendesk/users/1', [org('7', { id: 7 })]);
  expect(waits).toEqual([]);
  await carriers.before('zendesk/users/2', [org('7')]);
  expect(waits).toEqual([{ carried: true, timeout: CARRIER_WAIT }]);
});

test('no wait once the carrier is done, for a reference no one carries, or for one with its own copy', async () => {
  const { inFlight, waits, carriers } = carriersWithWaits();
  inFlight.add('zendesk/users/1');
  await carriers.before('zendesk/users/1', [org('7', { id: 7 })]);
  await carriers.before('zendesk/users/2', [org('8')]);
  await carriers.before('zendesk/users/3', [org('7', { id: 7 })]);
  expect(waits).toEqual([]);
  // users/3 carries 7's copy now; users/1 is done.
  inFlight.delete('zendesk/users/1');
  await carriers.before('zendesk/users/4', [org('7')]);
  expect(waits).toEqual([]);
  inFlight.add('zendesk/users/3');
  await carriers.before('zendesk/users/5', [org('7')]);
  expect(waits).toHaveLength(1);
});
