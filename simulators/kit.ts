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
    })
    .default({ errorRate: 0, dropRate: 0, tooManyRate: 0, slowRate: 0, slowMs: 5000, appliedThenLostRate: 0, appliedThenLostRoutes: [] }),
  seed: z.number().int().default(1),
  /** Snapshot file: loaded at start when it exists, written at stop and by `POST /_sim/snapshot`. */
  snapshotPath: z.string().optional(),
  /**
   * Called after a request was handled and before its answer leaves: fault tests use it to kill a
   * client at exactly that point (e.g. after a create, before the creator hears of it).
   */
  beforeAnswer: z.custom<(method: string, route: string, status: number, url: string) => void>((v) => typeof v === 'function').optional(),
  /**
   * A request this names a status for is answered with it (a record whose every call fails: 500, or
   * refused for its data: 400), before the imitated API sees it.
   */
  failWhen: z.custom<(method: string, url: string, body: unknown) => number | undefined>((v) => typeof v === 'function').optional(),
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
 * changes never share a modification time; with `wholeSeconds` they are whole seconds and two changes
 * within one second share one, as Zendesk's timestamps do.
 */
export class Clock {
  private last = 0;
  constructor(private readonly wholeSeconds = false) {}
  now(): Date {
    const t = this.wholeSeconds ? Math.max(Math.floor(Date.now() / 1000) * 1000, this.last) : Math.max(Date.now(), this.last + 1);
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
  /** Where the simulator listens, once started. */
  url(): string;
  start(): Promise<string>;
  stop(): Promise<void>;
}

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
  const stats: SimulatorStats = { requests: {}, writes: 0, rateLimited: 0, faults: 0, injected429: 0, appliedThenLost: 0, peakPerSecond: 0, peakPerWindow: 0, rateLimit: limit && { ...limit } };
  const lastSecond = new SlidingCount(1000);
  const lastWindow = new SlidingCount(limit?.windowMs ?? 1000);
  const limiter = limit ? slidingWindowLimiter(limit) : undefined;
  const random = prng(options.seed);
  const faultRandom = prng(options.seed ^ 0x5eed);
  // Its own sequence, so turning it on leaves the other faults' sequence for a seed as it was.
  const lostRandom = prng(options.seed ^ 0x1057);
  let address = '';

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
        return reply.code(429).header('Retry-After', String(retryAfter)).send({ error: 'TooManyRequests', description: `Rate limited: ${limit.limit} requests per ${limit.windowMs} ms` });
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
      return reply.code(code).send({ error: 'InjectedFault', description: `Injected ${code} by the ${name} simulator` });
    }
    if (roll < f.dropRate + f.errorRate + f.tooManyRate) {
      stats.faults += 1;
      stats.injected429 += 1;
      return reply.code(429).header('Retry-After', '1').send({ error: 'TooManyRequests', description: `Injected 429 by the ${name} simulator` });
    }
    if (roll < f.dropRate + f.errorRate + f.tooManyRate + f.slowRate) await sleep(f.slowMs);
  });

  app.addHook('preHandler', async (req, reply) => {
    const status = req.url.startsWith('/_sim/') ? undefined : options.failWhen?.(req.method, req.url, req.body);
    if (status === undefined) return;
    stats.faults += 1;
    return reply.code(status).send({ error: 'InjectedFault', description: `this record is refused with ${status} on every call (${name} simulator)` });
  });

  app.addHook('onSend', async (req, reply, payload) => {
    if (req.url.startsWith('/_sim/')) return payload;
    options.beforeAnswer?.(req.method, req.routeOptions.url ?? req.url, reply.statusCode, req.url);
    const f = options.faults;
    const write = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH';
    const applied = reply.statusCode >= 200 && reply.statusCode < 300;
    if (!write || !applied || f.appliedThenLostRate === 0 || req.headers[PERSON_HEADER] === 'person') return payload;
    if (f.appliedThenLostRoutes.length > 0 && !f.appliedThenLostRoutes.includes(`${req.method} ${req.routeOptions.url ?? req.url.split('?')[0]}`)) return payload;
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
    return JSON.stringify({ error: 'InjectedFault', description: `Injected 502 after the write was applied, by the ${name} simulator` });
  });

  app.get('/_sim/stats', async () => stats);
  app.post('/_sim/stats/reset', async () => {
    stats.requests = {};
    stats.writes = 0;
    stats.rateLimited = 0;
    stats.faults = 0;
    stats.injected429 = 0;
    stats.appliedThenLost = 0;
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
export function slidingWindowLimiter({ limit, windowMs }: { limit: number; windowMs: number }): (now: number) => { retryAfterMs: number; remaining: number } {
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
