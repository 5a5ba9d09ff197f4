/**
 * Paces one process's calls to a system: `burst` calls may go at once, then one every 1/rate s, so
 * any one second sees at most rate + burst of them, whatever came before. Temporal's task-queue
 * rate, which holds the limit across processes, hands out a whole second's worth at once after a
 * pause; this bounds it, while a short exchange (a read and its write) still goes without a wait.
 */
export interface Pacer {
  /** Resolves when the next call may go. */
  wait(): Promise<void>;
}

export interface Pace {
  perSecond: number;
  burst: number;
}

export function pacer(pace: () => Pace, now: () => number = Date.now): Pacer {
  // Virtual scheduling: `next` is when the next call would go were calls evenly spaced; a call may
  // go up to burst − 1 intervals before it.
  let next = 0;
  return {
    async wait() {
      const { perSecond, burst } = pace();
      if (!(perSecond > 0) || !Number.isFinite(perSecond)) return;
      const interval = 1000 / perSecond;
      const t = now();
      const due = Math.max(next, t);
      next = due + interval;
      const delay = due - (burst - 1) * interval - t;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    },
  };
}
