/**
 * Evidence for a 429 over a real limit: the requests a simulator saw in the second before it, so a
 * report can say who went over (which routes, how many). Fed by the simulators' beforeAnswer hooks.
 */
import type { AllSimulators } from '../../simulators/all';

interface Seen {
  at: number;
  route: string;
  status: number;
}

export interface OverLimit {
  system: string;
  at: string;
  /** Requests in the second before, by `METHOD route status`. */
  lastSecond: Record<string, number>;
}

export class LimitEvidence {
  readonly captured: OverLimit[] = [];
  private readonly recent = new Map<string, Seen[]>();
  private readonly reported = new Map<string, number>();
  sims?: AllSimulators;

  hook(system: 'zendesk' | 'poweroffice' | 'crmoffice') {
    return (method: string, route: string, status: number) => {
      const now = Date.now();
      const seen = this.recent.get(system) ?? [];
      seen.push({ at: now, route: `${method} ${route.split('?')[0]}`, status });
      while (seen.length && seen[0].at < now - 1000) seen.shift();
      this.recent.set(system, seen);
      const over = this.sims?.[system].stats.rateLimited ?? 0;
      if (over > (this.reported.get(system) ?? 0)) {
        this.reported.set(system, over);
        if (this.captured.length < 10) {
          const lastSecond: Record<string, number> = {};
          for (const s of seen) lastSecond[`${s.route} ${s.status}`] = (lastSecond[`${s.route} ${s.status}`] ?? 0) + 1;
          this.captured.push({ system, at: new Date(now).toISOString(), lastSecond });
        }
      }
    };
  }
}
