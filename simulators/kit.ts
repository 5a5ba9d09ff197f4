/**
 * What the three simulators share: a Fastify app on 127.0.0.1 with rate limiting, latency and fault
 * injection in front of the imitated API, request counters, and an inspection API under `/_sim/`
 * that is clearly not part of any real service.
 */
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

export const SimulatorOptions = z.object({
  port: z.number().int().min(0).max(65535).default(0),
  host: z.literal('127.0.0.1').default('127.0.0.1'),
  /**
   * Requests allowed in any interval of `windowMs` (a sliding window: no burst of twice the limit
   * across a window's edge); 0 turns the limit off. A request refused with 429 does not count.
   */
  rateLimit: z.object({ limit: z.number().int().min(0), windowMs: z.number().int().positive() }).optional(),
  /** Send `X-Rate-Limit` and `X-Rate-Limit-Remaining` with every answer under the limit (Zendesk does). */
  rateLimitHeaders: z.boolean().default(false),
  latencyMs: z.number().min(0).default(0),
  faults: z
    .object({
      /** Share (0..1) of requests answered 500 or 503. */
      errorRate: z.number().min(0).max(1).default(0),
      /** Share of requests whose connection is destroyed without an answer. */
      dropRate: z.number().min(0).max(1).default(0),
      /** Share of requests answered 429 with `Retry-After: 1` although under the limit (counted in `injected429`, not `rateLimited`). */
      tooManyRate: z.number().min(0).max(1).default(0),
      /** Share of requests answered only after `slowMs`. */
      slowRate: z.number().min(0).max(1).default(0),
      slowMs: z.number().min(0).default(5000),
      /**
       * Share of successful writes (POST, PUT, PATCH) that are applied and kept, and whose answer is
       * then lost: the connection is destroyed or 502 is answered. The client cannot tell it from a
       * write that never happened; the faults above all strike before the API sees the request.
       */
      appliedThenLostRate: z.number().min(0).max(1).default(0),
      /** Only these writes (`METHOD route`, e.g. `POST /v2/Employees`) may be lost; empty: any write. */
      appliedThenLostRoutes: z.array(z.string()).default([]),
      /**
       * Share of writes (POST, PUT, PATCH, DELETE) held `appliedLateMs` before the API sees them, then
       * applied: a client that gave up on its timeout has retried by then, and the held write lands
       * after its retry (a queue in front of a busy server).
       */
      appliedLateRate: z.number().min(0).max(1).default(0),
      /** How long a late write is held: past Tandem's 30 s connector timeout by default. */
      appliedLateMs: z.number().min(0).default(35_000),
      /** Only these writes (`METHOD route`) may be late; empty: any write. */
      appliedLateRoutes: z.array(z.string()).default([]),
      /**
       * Share of list pages after the first (a page number above 1, a cursor) answered 503: a listing
       * that fails halfway. The simulators that page lists ask `listFault` for it.
       */
      listFailRate: z.number().min(0).max(1).default(0),
      /**
       * Share of list pages with more to follow that come back short: some of the page's items left
       * out, the paging metadata unchanged (as a server that filters a page after cutting it does).
       */
      shortPageRate: z.number().min(0).max(1).default(0),
      /**
       * Modification times at whole seconds, so two changes within one second share one (PowerOffice
       * Go and Crmoffice; Zendesk's are whole seconds always). Counted in `sameSecond`.
       */
      sameSecondTimes: z.boolean().default(false),
    })
    .default({
      errorRate: 0,
      dropRate: 0,
      tooManyRate: 0,
      slowRate: 0,
      slowMs: 5000,
      appliedThenLostRate: 0,
      appliedThenLostRoutes: [],
      appliedLateRate: 0,
      appliedLateMs: 35_000,
      appliedLateRoutes: [],
      listFailRate: 0,
      shortPageRate: 0,
      sameSecondTimes: false,
    }),
  seed: z.number().int().default(1),
  /** Snapshot file: loaded at start when it exists, written at stop and by `POST /_sim/snapshot`. */
  snapshotPath: z.string().optional(),
  /**
   * Called after a request was handled and before its answer leaves: fault tests use it to kill a
   * client at exactly that point (e.g. after a create, before the creator hears of it).
   */
  beforeAnswer: z
    .custom<(method: string, route: string, status: number, url: string) => void>((v) => typeof v === 'function')
    .optional(),
  /**
   * A request this names a status for is answered with it (a record whose every call fails: 500, or
   * refused for its data: 400), before the imitated API sees it.
   */
  failWhen: z
    .custom<(method: string, url: string, body: unknown) => number | undefined>((v) => typeof v === 'function')
    .optional(),
});
export type SimulatorOptions = z.input<typeof SimulatorOptions>;
type ResolvedOptions = z.output<typeof SimulatorOptions>;

/** Deterministic PRNG (mulberry32) so sample data and faults repeat for a seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A clock that never goes back. By default its readings strictly increase (milliseconds), so two
 * changes never share a modification time; with `wholeSeconds` (fixed, or asked at each reading) they
 * are whole seconds and two changes within one second share one, as Zendesk's timestamps do.
 */
export class Clock {
  private last = 0;
  /** Readings equal to the one before (whole seconds only). */
  ties = 0;
  constructor(private readonly wholeSeconds: boolean | (() => boolean) = false) {}
  now(): Date {
    const whole = typeof this.wholeSeconds === 'function' ? this.wholeSeconds() : this.wholeSeconds;
    const t = whole ? Math.max(Math.floor(Date.now() / 1000) * 1000, this.last) : Math.max(Date.now(), this.last + 1);
    if (t === this.last) this.ties += 1;
    this.last = t;
    return new Date(t);
  }
}

/**
 * A request with this header is a person at the product's own screens (the chaos run's edits), not an
 * API client: it is not counted, not held to the API's rate limit and never failed on purpose.
 */
export const PERSON_HEADER = 'x-sim-actor';

export interface SimulatorStats {
  requests: Record<string, number>;
  writes: number;
  /** 429s for exceeding the real limit: what a client that paces itself never sees. */
  rateLimited: number;
  /** Every injected fault (5xx, drops, injected 429s, writes applied then lost). */
  faults: number;
  /** 429s answered on purpose under the limit (`faults.tooManyRate`). */
  injected429: number;
  /** Writes applied and kept whose answer was then lost (`faults.appliedThenLostRate`). */
  appliedThenLost: number;
  /** Writes held past the client's timeout, then applied (`faults.appliedLateRate`). */
  appliedLate: number;
  /** List pages after the first answered 503 (`faults.listFailRate`). */
  listPagesFailed: number;
  /** List pages with more to follow answered with items left out (`faults.shortPageRate`). */
  shortPages: number;
  /** Modification times handed out equal to the one before (`faults.sameSecondTimes`; the simulator's own clock). */
  sameSecond: number;
  /**
   * The most requests received in any one-second interval (sliding), refused ones included: what the
   * clients sent, checked against the limit apart from the limiter's own count.
   */
  peakPerSecond: number;
  /** The same over any interval of the rate limit's window (equal to peakPerSecond for a one-second limit). */
  peakPerWindow: number;
  /** The limit this simulator holds its clients to (kit-wide; Zendesk's export budgets are apart); null when off. */
  rateLimit: { limit: number; windowMs: number } | null;
}

/** Every request a simulator answered, all routes together. */
export function requestCount(stats: SimulatorStats): number {
  return Object.values(stats.requests).reduce((a, b) => a + b, 0);
}

export interface Simulator {
  app: FastifyInstance;
  options: ResolvedOptions;
  stats: SimulatorStats;
  clock: Clock;
  random: () => number;
  /**
   * Whether this list page fails (503) or comes back short (`keep` says which items stay), by the
   * `listFailRate` and `shortPageRate` faults; counted. `later`: a page after the first; `more`: more
   * pages follow it. A person's request is never faulted.
   */
  listFault(req: FastifyRequest, page: { later: boolean; more: boolean }): ListFault | undefined;
  /** Counts the clock's ties in `stats.sameSecond` (the simulator's record clock, when it has its own). */
  countTies(clock: Clock): void;
  /** Where the simulator listens, once started. */
  url(): string;
  start(): Promise<string>;
  stop(): Promise<void>;
}

type ListFault =
  { kind: 'fail'; status: 503; description: string } | { kind: 'short'; keep: (index: number) => boolean };

export interface SimulatorState {
  /** Plain JSON of the whole state, for snapshots and `/_sim/records`. */
  dump(): unknown;
  load(data: unknown): void;
}

/**
 * Builds the app. The caller registers its API routes on `sim.app` before `start()`; `state` gives
 * the inspection endpoint and snapshots access to the records.
 */
export function createSimulator(name: string, input: SimulatorOptions, state: SimulatorState): Simulator {
  const options = SimulatorOptions.parse(input);
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });
  const limit = options.rateLimit && options.rateLimit.limit > 0 ? options.rateLimit : null;
  const stats: SimulatorStats = {
    requests: {},
    writes: 0,
    rateLimited: 0,
    faults: 0,
    injected429: 0,
    appliedThenLost: 0,
    appliedLate: 0,
    listPagesFailed: 0,
    shortPages: 0,
    sameSecond: 0,
    peakPerSecond: 0,
    peakPerWindow: 0,
    rateLimit: limit && { ...limit },
  };
  // Read from the clocks whenever asked, so `sim.stats` in-process is as current as `/_sim/stats`.
  Object.defineProperty(stats, 'sameSecond', { get: () => tiesCounted() - tiesAtReset, enumerable: true });
  const lastSecond = new SlidingCount(1000);
  const lastWindow = new SlidingCount(limit?.windowMs ?? 1000);
  const limiter = limit ? slidingWindowLimiter(limit) : undefined;
  const random = prng(options.seed);
  const faultRandom = prng(options.seed ^ 0x5eed);
  // Its own sequence, so turning it on leaves the other faults' sequence for a seed as it was.
  const lostRandom = prng(options.seed ^ 0x1057);
  // Each later fault kind has its own sequence too, for the same reason.
  const lateRandom = prng(options.seed ^ 0x1a7e);
  const listRandom = prng(options.seed ^ 0x9a6e);
  const clocks: Clock[] = [];
  const tiesCounted = () => clocks.reduce((n, c) => n + c.ties, 0);
  let tiesAtReset = 0;
  let address = '';
  const routeOf = (req: FastifyRequest) => `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`;

  if (options.snapshotPath) {
    try {
      state.load(JSON.parse(readFileSync(options.snapshotPath, 'utf8')));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.url.startsWith('/_sim/') || req.headers[PERSON_HEADER] === 'person') return;
    const key = `${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`;
    stats.requests[key] = (stats.requests[key] ?? 0) + 1;
    if (req.method !== 'GET' && req.method !== 'HEAD') stats.writes += 1;
    const arrived = Date.now();
    stats.peakPerSecond = Math.max(stats.peakPerSecond, lastSecond.add(arrived));
    stats.peakPerWindow = Math.max(stats.peakPerWindow, lastWindow.add(arrived));

    if (limit && limiter) {
      const { retryAfterMs, remaining } = limiter(arrived);
      if (options.rateLimitHeaders) {
        reply.header('X-Rate-Limit', String(limit.limit));
        reply.header('X-Rate-Limit-Remaining', String(remaining));
      }
      if (retryAfterMs > 0) {
        stats.rateLimited += 1;
        const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
        return reply
          .code(429)
          .header('Retry-After', String(retryAfter))
          .send({
            error: 'TooManyRequests',
            description: `Rate limited: ${limit.limit} requests per ${limit.windowMs} ms`,
          });
      }
    }
    if (options.latencyMs > 0) await sleep(options.latencyMs);
    const f = options.faults;
    const roll = faultRandom();
    if (roll < f.dropRate) {
      stats.faults += 1;
      req.raw.socket.destroy();
      return reply.hijack();
    }
    if (roll < f.dropRate + f.errorRate) {
      stats.faults += 1;
      const code = faultRandom() < 0.5 ? 500 : 503;
      return reply
        .code(code)
        .send({ error: 'InjectedFault', description: `Injected ${code} by the ${name} simulator` });
    }
    if (roll < f.dropRate + f.errorRate + f.tooManyRate) {
      stats.faults += 1;
      stats.injected429 += 1;
      return reply
        .code(429)
        .header('Retry-After', '1')
        .send({ error: 'TooManyRequests', description: `Injected 429 by the ${name} simulator` });
    }
    if (roll < f.dropRate + f.errorRate + f.tooManyRate + f.slowRate) await sleep(f.slowMs);
  });

  // After the body is read (a client that gave up closes its connection, and a body not yet read would
  // be lost with it), before the API sees the write.
  app.addHook('preHandler', async (req) => {
    const f = options.faults;
    const write = req.method !== 'GET' && req.method !== 'HEAD';
    if (!write || f.appliedLateRate === 0 || req.url.startsWith('/_sim/') || req.headers[PERSON_HEADER] === 'person')
      return;
    if (f.appliedLateRoutes.length > 0 && !f.appliedLateRoutes.includes(routeOf(req))) return;
    if (lateRandom() >= f.appliedLateRate) return;
    stats.faults += 1;
    stats.appliedLate += 1;
    // Held, then handled as usual: the client's timeout has passed, the write is applied all the same.
    await sleep(f.appliedLateMs);
  });

  app.addHook('preHandler', async (req, reply) => {
    const status = req.url.startsWith('/_sim/') ? undefined : options.failWhen?.(req.method, req.url, req.body);
    if (status === undefined) return;
    stats.faults += 1;
    return reply.code(status).send({
      error: 'InjectedFault',
      description: `this record is refused with ${status} on every call (${name} simulator)`,
    });
  });

  app.addHook('onSend', async (req, reply, payload) => {
    if (req.url.startsWith('/_sim/')) return payload;
    options.beforeAnswer?.(req.method, req.routeOptions.url ?? req.url, reply.statusCode, req.url);
    const f = options.faults;
    const write = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH';
    const applied = reply.statusCode >= 200 && reply.statusCode < 300;
    if (!write || !applied || f.appliedThenLostRate === 0 || req.headers[PERSON_HEADER] === 'person') return payload;
    if (
      f.appliedThenLostRoutes.length > 0 &&
      !f.appliedThenLostRoutes.includes(`${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`)
    )
      return payload;
    if (lostRandom() >= f.appliedThenLostRate) return payload;
    stats.faults += 1;
    stats.appliedThenLost += 1;
    if (lostRandom() < 0.5) {
      // Closed before the answer is written: what Fastify writes after this goes nowhere.
      req.raw.socket.destroy();
      return payload;
    }
    // A gateway's answer: the write behind it was applied, the client hears only that it failed.
    reply.code(502).header('content-type', 'application/json; charset=utf-8');
    return JSON.stringify({
      error: 'InjectedFault',
      description: `Injected 502 after the write was applied, by the ${name} simulator`,
    });
  });

  app.get('/_sim/stats', async () => stats);
  app.post('/_sim/stats/reset', async () => {
    stats.requests = {};
    stats.writes = 0;
    stats.rateLimited = 0;
    stats.faults = 0;
    stats.injected429 = 0;
    stats.appliedThenLost = 0;
    stats.appliedLate = 0;
    stats.listPagesFailed = 0;
    stats.shortPages = 0;
    tiesAtReset = tiesCounted();
    stats.peakPerSecond = 0;
    stats.peakPerWindow = 0;
    lastSecond.clear();
    lastWindow.clear();
    return stats;
  });
  app.get('/_sim/records', async () => state.dump());
  app.post('/_sim/faults', async (req) => {
    options.faults = SimulatorOptions.shape.faults.unwrap().parse(req.body ?? {});
    return options.faults;
  });
  const saveSnapshot = (path: string) => writeFileSync(path, JSON.stringify(state.dump()));
  app.post('/_sim/snapshot', async (_req, reply) => {
    if (!options.snapshotPath) return reply.code(400).send({ error: 'no snapshotPath configured' });
    saveSnapshot(options.snapshotPath);
    return { saved: options.snapshotPath };
  });

  return {
    app,
    options,
    stats,
    clock: new Clock(),
    random,
    listFault(req, page) {
      const f = options.faults;
      if (req.headers[PERSON_HEADER] === 'person' || (f.listFailRate === 0 && f.shortPageRate === 0)) return undefined;
      if (page.later && f.listFailRate > 0 && listRandom() < f.listFailRate) {
        stats.faults += 1;
        stats.listPagesFailed += 1;
        return {
          kind: 'fail',
          status: 503,
          description: `Injected 503 on a later page of a listing, by the ${name} simulator`,
        };
      }
      if (page.more && f.shortPageRate > 0 && listRandom() < f.shortPageRate) {
        stats.faults += 1;
        stats.shortPages += 1;
        // About half the page's items stay, which ones drawn from the seed; at least one goes.
        const draws: boolean[] = [];
        return { kind: 'short', keep: (i) => (draws[i] ??= i > 0 && listRandom() < 0.5) };
      }
      return undefined;
    },
    countTies(clock) {
      clocks.push(clock);
    },
    url: () => address,
    async start() {
      await app.listen({ port: options.port, host: options.host });
      const info = app.server.address();
      if (!info || typeof info === 'string') throw new Error(`${name} simulator has no TCP address`);
      address = `http://127.0.0.1:${info.port}`;
      return address;
    },
    async stop() {
      await app.close();
      // What a restart loads: the records as they were when the simulator stopped.
      if (options.snapshotPath) saveSnapshot(options.snapshotPath);
    },
  };
}

/** Times within the last `windowMs` (an interval open at its start): `add` answers how many, this one included. */
export class SlidingCount {
  private readonly times: number[] = [];
  private head = 0;
  constructor(private readonly windowMs: number) {}
  add(now: number): number {
    this.times.push(now);
    return this.count(now);
  }
  count(now: number): number {
    while (this.head < this.times.length && this.times[this.head] <= now - this.windowMs) this.head += 1;
    // Drop the passed part now and then, not at every request.
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times.splice(0, this.head);
      this.head = 0;
    }
    return this.times.length - this.head;
  }
  /** The earliest time still counted, if any. */
  oldest(now: number): number | undefined {
    return this.count(now) > 0 ? this.times[this.head] : undefined;
  }
  clear(): void {
    this.times.length = 0;
    this.head = 0;
  }
}

/**
 * A sliding-window limit: at most `limit` requests let through in any interval of `windowMs`. Each
 * call is a request; it is let through (retryAfterMs 0, and counted) or refused with the time until
 * the oldest request let through leaves the window (not counted).
 */
export function slidingWindowLimiter({
  limit,
  windowMs,
}: {
  limit: number;
  windowMs: number;
}): (now: number) => { retryAfterMs: number; remaining: number } {
  const passed = new SlidingCount(windowMs);
  return (now) => {
    if (limit === 0) return { retryAfterMs: 0, remaining: 0 };
    const inWindow = passed.count(now);
    if (inWindow >= limit) return { retryAfterMs: Math.max(1, passed.oldest(now)! + windowMs - now), remaining: 0 };
    passed.add(now);
    return { retryAfterMs: 0, remaining: limit - inWindow - 1 };
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
