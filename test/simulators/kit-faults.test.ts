/**
 * The kit's fault injection as the chaos run relies on it: injected 429s are counted apart from 429s
 * for exceeding the real limit, and a person's request is neither counted, limited nor failed.
 */
import { createSimulator, PERSON_HEADER, type Simulator } from '../../simulators/kit';

let sim: Simulator;

beforeEach(async () => {
  sim = createSimulator('kit', { rateLimit: { limit: 5, windowMs: 60_000 } }, { dump: () => ({}), load: () => undefined });
  sim.app.get('/ping', async () => ({ ok: true }));
  await sim.start();
});
afterEach(async () => {
  await sim.stop();
});

const get = (headers: Record<string, string> = {}) => fetch(`${sim.url()}/ping`, { headers }).then((r) => r.status);

test('an injected 429 is counted in injected429, one past the limit in rateLimited', async () => {
  await fetch(`${sim.url()}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ tooManyRate: 1 }) });
  expect(await get()).toBe(429);
  expect(sim.stats).toMatchObject({ injected429: 1, rateLimited: 0, faults: 1 });

  await fetch(`${sim.url()}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const statuses = [];
  for (let i = 0; i < 5; i++) statuses.push(await get());
  // Five requests were allowed in the window and one was spent on the injected 429.
  expect(statuses).toEqual([200, 200, 200, 200, 429]);
  expect(sim.stats).toMatchObject({ injected429: 1, rateLimited: 1 });
});

test('a person\'s request is not counted, limited or failed', async () => {
  await fetch(`${sim.url()}/_sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ errorRate: 1 }) });
  const statuses = [];
  for (let i = 0; i < 8; i++) statuses.push(await get({ [PERSON_HEADER]: 'person' }));
  expect(statuses).toEqual(Array(8).fill(200));
  expect(sim.stats).toMatchObject({ requests: {}, rateLimited: 0, faults: 0 });
  expect([500, 503]).toContain(await get());
});
