/**
 * Paces one process's calls to a system: `burst` calls may go at once, then one every 1/rate s, so
 * any one second sees at most rate + burst of them, whatever came before. Temporal's task-queue
 * rate, which holds the limit across processes, hands out a whole second's worth at once after a
 * pause; this bounds it, while a short exchange (a read and its write) still goes without a wait.
 * Calls waiting for their turn go by rank (lower first), then in arrival order: an urgent call
 * passes the bulk ones this process already holds.
 */
export interface Pacer {
  /** Resolves when the next call may go. */
  wait(): Promise<void>;
}

export interface Pace {
  perSecond: number;
  burst: number;
}

export interface PacerOptions {
  now?: () => number;
  /** The calling work's rank, read when it asks to go (lower goes first; default 0). */
  rank?: () => number;
}

export function pacer(pace: () => Pace, opts: PacerOptions = {}): Pacer {
  const now = opts.now ?? Date.now;
  const rank = opts.rank ?? (() => 0);
  // Virtual scheduling: `next` is when the next call would go were calls evenly spaced; a call may
  // go up to burst − 1 intervals before it.
  let next = 0;
  let arrivals = 0;
  const waiting: { rank: number; arrival: number; go: () => void }[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  function release(): void {
    timer = undefined;
    while (waiting.length > 0) {
      const { perSecond, burst } = pace();
      if (perSecond > 0 && Number.isFinite(perSecond)) {
        const interval = 1000 / perSecond;
        const t = now();
        // Timers keep whole milliseconds: one that fires a little late keeps to the schedule (no
        // drift), and a call less than half a millisecond early goes.
        const due = next >= t - 1 ? next : t;
        const delay = due - (burst - 1) * interval - t;
        if (delay >= 0.5) {
          timer = setTimeout(release, Math.round(delay));
          return;
        }
        next = due + interval;
      }
      let first = 0;
      for (let i = 1; i < waiting.length; i++) {
        const w = waiting[i];
        if (w.rank < waiting[first].rank || (w.rank === waiting[first].rank && w.arrival < waiting[first].arrival))
          first = i;
      }
      waiting.splice(first, 1)[0].go();
    }
  }

  return {
    wait() {
      return new Promise<void>((go) => {
        waiting.push({ rank: rank(), arrival: arrivals++, go });
        if (!timer) release();
      });
    },
  };
}
