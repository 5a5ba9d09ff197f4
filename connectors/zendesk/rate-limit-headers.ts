/**
 * Pacing by Zendesk's own rate-limit headers. Every answer carries `X-Rate-Limit` (requests allowed
 * per minute) and `X-Rate-Limit-Remaining`; when Remaining reaches 0, the next request waits until
 * the window resets instead of spending a 429. A 429's `Retry-After` holds the next request the same
 * way (the 429 itself still surfaces as `TransientApiError.retryAfterMs`, see connectors/http.ts).
 *
 * The headers give no reset time, so a spent budget waits one whole window (a minute) from the answer
 * that spent it: never early, at worst a little late. A `ratelimit-reset` header (seconds), which
 * some Zendesk endpoints send, is used when present.
 */
import { z } from 'zod';
import { TransientApiError } from '../errors';
import { parseRetryAfter } from '../http';

/** Zendesk's limits are per minute. */
export const RATE_LIMIT_WINDOW_MS = 60_000;
/** Waits up to this long happen inside the call; a longer one is left to the caller's retry (an activity must not sleep for a minute). */
const MAX_INLINE_WAIT_MS = 5_000;

const count = z.coerce.number().int().min(0);
/** The headers as axios gives them (lower-cased names); anything unreadable counts as absent. */
const RateLimitHeaders = z.object({
  'x-rate-limit': count.optional().catch(undefined),
  'x-rate-limit-remaining': count.optional().catch(undefined),
  'ratelimit-reset': count.optional().catch(undefined),
  'retry-after': z.union([z.string(), z.number()]).optional().catch(undefined),
});

export interface RateLimitReading {
  limit?: number;
  remaining?: number;
  /** Milliseconds until the budget is there again, when the answer says so. */
  resetMs?: number;
}

/** What one answer's headers say about the budget. */
export function readRateLimitHeaders(headers: unknown, now = Date.now()): RateLimitReading {
  const h = RateLimitHeaders.safeParse(headers ?? {});
  if (!h.success) return {};
  const reading: RateLimitReading = { limit: h.data['x-rate-limit'], remaining: h.data['x-rate-limit-remaining'] };
  const reset = h.data['ratelimit-reset'];
  const retryAfter = parseRetryAfter(h.data['retry-after'], now);
  if (retryAfter !== undefined) reading.resetMs = retryAfter;
  else if (reset !== undefined) reading.resetMs = reset * 1000;
  return reading;
}

export interface RateLimitGateOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  maxInlineWaitMs?: number;
}

/** One account's budget as its answers report it; shared by every client of that account in the process. */
export class RateLimitGate {
  private resumeAt = 0;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxInlineWaitMs: number;

  constructor(options: RateLimitGateOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.maxInlineWaitMs = options.maxInlineWaitMs ?? MAX_INLINE_WAIT_MS;
  }

  /** Milliseconds the next request must wait (0 when it may go now). */
  get waitMs(): number {
    return Math.max(0, this.resumeAt - this.now());
  }

  /** Reads an answer: a spent budget or a 429 holds the next request until the window resets. */
  observe(status: number, headers: unknown): void {
    const reading = readRateLimitHeaders(headers, this.now());
    const spent = status === 429 || reading.remaining === 0;
    if (!spent) return;
    const until = this.now() + (reading.resetMs ?? RATE_LIMIT_WINDOW_MS);
    if (until > this.resumeAt) this.resumeAt = until;
  }

  /**
   * Before a request: waits out a short hold; a long one throws a TransientApiError whose
   * `retryAfterMs` is the wait, so the engine retries when the window has reset.
   */
  async beforeRequest(endpoint: string): Promise<void> {
    const wait = this.waitMs;
    if (wait === 0) return;
    if (wait > this.maxInlineWaitMs) {
      throw new TransientApiError(
        { system: 'zendesk', endpoint },
        `rate limit spent (X-Rate-Limit-Remaining 0): waiting ${Math.ceil(wait / 1000)} s for the window to reset`,
        wait,
      );
    }
    await this.sleep(wait);
  }
}

const gates = new Map<string, RateLimitGate>();

/**
 * The gate of one Zendesk account (by base URL) and budget (`account`, or the incremental `exports`):
 * every client of it in this process shares it.
 */
export function rateLimitGateFor(baseUrl: string, budget: 'account' | 'exports'): RateLimitGate {
  const key = `${budget} ${baseUrl.replace(/\/+$/, '').toLowerCase()}`;
  let gate = gates.get(key);
  if (!gate) {
    gate = new RateLimitGate();
    gates.set(key, gate);
  }
  return gate;
}
