/**
 * The kit's fault injection as the chaos run relies on it: injected 429s are counted apart from 429s
 * for exceeding the real limit, and a person's request is neither counted, limited nor failed.
 */
import { createSimulator, PERSON_HEADER, type Simulator } from '../../simulators/kit';

let sim: Simulator;

beforeEach(async () => {
  sim = createSimulator(
    'kit',
    { rateLimit: { limit: 5, windowMs: 60_000 } },
    { dump: () => ({}), load: () => undefined },
  );
  sim.app.get('/ping', async () => ({ ok: true }));
  await sim.start();
});
afterEach(async () => {
  await sim.stop();
});

const get = (headers: Record<string, string> = {}) => fetch(`${sim.url()}/ping`, { headers }).then((r) => r.status);

test('an injected 429 is counted in injected429, one past the limit in rateLimited', async () => {
  await fetch(`${sim.url()}/_sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tooManyRate: 1 }),
  });
  expect(await get()).toBe(429);
  expect(sim.stats).toMatchObject({ injected429: 1, rateLimited: 0, faults: 1 });

  await fetch(`${sim.url()}/_sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  const statuses = [];
  for (let i = 0; i < 5; i++) statuses.push(await get());
  // Five requests were allowed in the window and one was spent on the injected 429.
  expect(statuses).toEqual([200, 200, 200, 200, 429]);
  expect(sim.stats).toMatchObject({ injected429: 1, rateLimited: 1 });
});

test("a person's request is not counted, limited or failed", async () => {
  await fetch(`${sim.url()}/_sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ errorRate: 1 }),
  });
  const statuses = [];
  for (let i = 0; i < 8; i++) statuses.push(await get({ [PERSON_HEADER]: 'person' }));
  expect(statuses).toEqual(Array(8).fill(200));
  expect(sim.stats).toMatchObject({ requests: {}, rateLimited: 0, faults: 0 });
  expect([500, 503]).toContain(await get());
});

describe('a write applied, then its answer lost', () => {
  let lossy: Simulator | undefined;
  let kept: string[];
  const start = async (faults: object, seed = 1): Promise<Simulator> => {
    await lossy?.stop();
    kept = [];
    lossy = createSimulator('kit', { seed, faults }, { dump: () => ({}), load: () => undefined });
    lossy.app.post('/things', async (req, reply) => {
      const { name } = req.body as { name: string };
      if (!name) return reply.code(400).send({ error: 'name is required' });
      kept.push(name);
      return reply.code(201).send({ name });
    });
    lossy.app.patch('/things/:name', async () => ({ ok: true }));
    lossy.app.get('/things', async () => kept);
    await lossy.start();
    return lossy;
  };
  afterEach(async () => {
    await lossy?.stop();
    lossy = undefined;
  });

  /** The status the client heard, or 'dropped' for a connection closed without an answer. */
  const send = (method: string, path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${lossy!.url()}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    }).then(
      (r) => r.status,
      () => 'dropped' as const,
    );

  test('is off by default', async () => {
    const sim = await start({});
    expect(sim.options.faults).toMatchObject({ appliedThenLostRate: 0, appliedThenLostRoutes: [] });
    expect(await send('POST', '/things', { name: 'a' })).toBe(201);
    expect(sim.stats).toMatchObject({ appliedThenLost: 0, faults: 0 });
  });

  test('every write is applied and kept; the client hears a dropped connection or a 502, both counted', async () => {
    const sim = await start({ appliedThenLostRate: 1 });
    const heard = [];
    for (let i = 0; i < 12; i++) heard.push(await send('POST', '/things', { name: `t${i}` }));
    expect(kept).toEqual(Array.from({ length: 12 }, (_, i) => `t${i}`));
    expect(heard.every((h) => h === 'dropped' || h === 502)).toBe(true);
    // Both ways of losing it occur (the seed fixes which).
    expect(new Set(heard)).toEqual(new Set(['dropped', 502]));
    expect(sim.stats).toMatchObject({ appliedThenLost: 12, faults: 12, writes: 12, injected429: 0 });
    expect(sim.stats.requests['POST /things']).toBe(12);
  });

  test("reads, refused writes and a person's writes are never lost", async () => {
    const sim = await start({ appliedThenLostRate: 1 });
    expect((await fetch(`${sim.url()}/things`)).status).toBe(200);
    expect(await send('POST', '/things', {})).toBe(400);
    expect(await send('POST', '/things', { name: 'by hand' }, { [PERSON_HEADER]: 'person' })).toBe(201);
    expect(kept).toEqual(['by hand']);
    expect(sim.stats).toMatchObject({ appliedThenLost: 0, faults: 0 });
  });

  test('appliedThenLostRoutes limits it to the routes named; set through /_sim/faults like the others', async () => {
    const sim = await start({});
    const set = await fetch(`${sim.url()}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ appliedThenLostRate: 1, appliedThenLostRoutes: ['PATCH /things/:name'] }),
    });
    expect(await set.json()).toMatchObject({ appliedThenLostRate: 1, appliedThenLostRoutes: ['PATCH /things/:name'] });
    expect(await send('POST', '/things', { name: 'kept and heard' })).toBe(201);
    expect(['dropped', 502]).toContain(await send('PATCH', '/things/x', {}));
    expect(sim.stats).toMatchObject({ appliedThenLost: 1, faults: 1 });
  });

  test('is seeded: the same seed loses the same writes the same way; the other faults keep their sequence', async () => {
    const run = async (seed: number, faults: object) => {
      await start(faults, seed);
      const heard = [];
      for (let i = 0; i < 20; i++) heard.push(await send('POST', '/things', { name: `t${i}` }));
      return heard;
    };
    const a = await run(5, { appliedThenLostRate: 0.5 });
    const b = await run(5, { appliedThenLostRate: 0.5 });
    expect(b).toEqual(a);
    expect(a.filter((h) => h !== 201).length).toBeGreaterThan(0);
    expect(a.filter((h) => h === 201).length).toBeGreaterThan(0);
    // Turning it on leaves which requests the errors before the handler strike unchanged.
    const errorsOnly = await run(5, { errorRate: 0.3 });
    const both = await run(5, { errorRate: 0.3, appliedThenLostRate: 0.5 });
    expect(both.map((h, i) => (errorsOnly[i] === 500 || errorsOnly[i] === 503 ? h : 'other'))).toEqual(
      errorsOnly.map((h) => (h === 500 || h === 503 ? h : 'other')),
    );
  });
});
