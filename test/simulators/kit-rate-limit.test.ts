/**
 * The simulators' rate limit is a sliding window: the limit holds in every interval of the window's
 * length, so a client cannot get twice the limit through across a window's edge. The stats record
 * the peak requests in any one second (and in any window of the limit) as the clients sent them,
 * refused ones included, for the chaos run to check against the limit.
 */
import {
  createSimulator,
  prng,
  SlidingCount,
  slidingWindowLimiter,
  type Simulator,
  type SimulatorStats,
} from '../../simulators/kit';

describe('slidingWindowLimiter', () => {
  it('lets no second burst through at a window edge', () => {
    const limiter = slidingWindowLimiter({ limit: 10, windowMs: 1000 });
    // Ten at the end of one second pass; ten just after them would pass a fixed window that reset at 1000.
    const first = Array.from({ length: 10 }, (_, i) => limiter(990 + i).retryAfterMs);
    const second = Array.from({ length: 10 }, (_, i) => limiter(1000 + i).retryAfterMs);
    expect(first).toEqual(Array(10).fill(0));
    expect(second.every((ms) => ms > 0)).toBe(true);
    // The refused ones are told to wait until the first one let through leaves the window.
    expect(second[0]).toBe(990 + 1000 - 1000);
    // At 1990 the request of 990 has left: one more may go, the next must wait for 991's.
    expect(limiter(1990)).toEqual({ retryAfterMs: 0, remaining: 0 });
    expect(limiter(1990).retryAfterMs).toBe(1);
    expect(limiter(1991).retryAfterMs).toBe(0);
  });

  it('holds the limit in every interval of the window, and refuses only when the window is full', () => {
    const limit = 7;
    const windowMs = 500;
    const limiter = slidingWindowLimiter({ limit, windowMs });
    const random = prng(27);
    const passed: number[] = [];
    let now = 0;
    for (let i = 0; i < 5000; i++) {
      now += Math.floor(random() * 60);
      const inWindow = passed.filter((t) => t > now - windowMs).length;
      const { retryAfterMs, remaining } = limiter(now);
      // Refused exactly when `limit` requests already went through in the window ending now.
      const full = inWindow >= limit;
      expect({ i, refused: retryAfterMs > 0, remaining }).toEqual({
        i,
        refused: full,
        remaining: full ? 0 : limit - inWindow - 1,
      });
      if (!full) passed.push(now);
    }
    // Every interval of the window's length, wherever it starts, holds at most `limit`.
    let most = 0;
    for (const start of passed) most = Math.max(most, passed.filter((t) => t >= start && t < start + windowMs).length);
    expect(most).toBe(limit);
  });

  it('a limit of 0 is off', () => {
    const limiter = slidingWindowLimiter({ limit: 0, windowMs: 1000 });
    expect(Array.from({ length: 100 }, () => limiter(5).retryAfterMs)).toEqual(Array(100).fill(0));
  });
});

describe('SlidingCount', () => {
  it('counts the times of the last window, the one that left at its boundary excluded', () => {
    const c = new SlidingCount(1000);
    expect([c.add(0), c.add(500), c.add(999), c.add(1000), c.add(1500), c.add(2600)]).toEqual([1, 2, 3, 3, 3, 1]);
    expect(c.oldest(2600)).toBe(2600);
    c.clear();
    expect(c.count(2600)).toBe(0);
  });

  it('keeps counting right after it drops the passed part', () => {
    const c = new SlidingCount(10);
    const counts: number[] = [];
    for (let t = 0; t < 5000; t++) counts.push(c.add(t));
    expect(counts.slice(20)).toEqual(Array(4980).fill(10));
  });
});

describe('a simulator under its limit', () => {
  let sim: Simulator;
  afterEach(() => sim?.stop());

  const start = async (rateLimit: { limit: number; windowMs: number }) => {
    sim = createSimulator('kit', { rateLimit, rateLimitHeaders: true }, { dump: () => ({}), load: () => undefined });
    sim.app.get('/ping', async () => ({ ok: true }));
    await sim.start();
  };
  const stats = async () => (await (await fetch(`${sim.url()}/_sim/stats`)).json()) as SimulatorStats;

  it('records the peak requests in one second and in the window, refused ones included, and the limit', async () => {
    await start({ limit: 5, windowMs: 60_000 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => fetch(`${sim.url()}/ping`)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    const refused = answers.find((a) => a.status === 429)!;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(58);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(await stats()).toMatchObject({
      rateLimited: 3,
      peakPerSecond: 8,
      peakPerWindow: 8,
      rateLimit: { limit: 5, windowMs: 60_000 },
    });

    // A reset clears the peaks, not the limit.
    await fetch(`${sim.url()}/_sim/stats/reset`, { method: 'POST' });
    expect(await stats()).toMatchObject({
      rateLimited: 0,
      peakPerSecond: 0,
      peakPerWindow: 0,
      rateLimit: { limit: 5, windowMs: 60_000 },
    });
    // The window still holds the five that went through: the limiter's memory is not the stats'.
    expect((await fetch(`${sim.url()}/ping`)).status).toBe(429);
  });

  it("the peak in one second forgets requests more than a second old; the window's does not", async () => {
    await start({ limit: 100, windowMs: 60_000 });
    for (let i = 0; i < 3; i++) await fetch(`${sim.url()}/ping`);
    await new Promise((r) => setTimeout(r, 1100));
    await fetch(`${sim.url()}/ping`);
    expect(await stats()).toMatchObject({ peakPerSecond: 3, peakPerWindow: 4, rateLimited: 0 });
  });

  it('no limit is recorded as null', async () => {
    await start({ limit: 0, windowMs: 1000 });
    expect((await fetch(`${sim.url()}/ping`)).status).toBe(200);
    expect(await stats()).toMatchObject({ rateLimit: null, peakPerSecond: 1 });
  });
});
