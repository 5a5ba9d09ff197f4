/**
 * The APIs' published request budgets that polling alone can spend, checked against the configured
 * intervals before `tandem schedules apply` sets them. Each poll of a feed makes at least one request
 * to its list (more when a page is full), so feeds × polls per window is the least a config asks for.
 */
import { FEEDS } from '../flows';
import type { PollIntervals } from './schedules';

export interface PollBudget {
  /** What the budget covers, in the words of the API's documentation. */
  covers: string;
  requests: number;
  windowSeconds: number;
  /** The setting that holds this system's interval. */
  setting: string;
}

/**
 * Zendesk's incremental exports: 10 requests a minute per account, whatever the plan (30 with the
 * High Volume add-on, which Tandem does not assume). PowerOffice Go: 10 requests a second per
 * subscription key. Crmoffice publishes none, so it has no entry.
 */
export const POLL_BUDGETS: Partial<Record<keyof PollIntervals, PollBudget>> = {
  zendesk: {
    covers: "Zendesk's incremental exports",
    requests: 10,
    windowSeconds: 60,
    setting: 'TANDEM_POLL_ZENDESK_SECONDS (polling.zendesk)',
  },
  poweroffice: {
    covers: 'a PowerOffice Go subscription key',
    requests: 10,
    windowSeconds: 1,
    setting: 'TANDEM_POLL_POWEROFFICE_SECONDS (polling.poweroffice)',
  },
};

export interface BudgetExcess {
  system: keyof PollIntervals;
  feeds: string[];
  everySeconds: number;
  /** Requests per window these intervals need, at least. */
  needed: number;
  budget: PollBudget;
  /** The shortest whole-second interval that fits the budget. */
  fitsSeconds: number;
}

/** Each system whose feeds, polled at the configured interval, need more than its budget allows. */
export function pollBudgetExcesses(intervals: PollIntervals): BudgetExcess[] {
  const out: BudgetExcess[] = [];
  for (const system of Object.keys(POLL_BUDGETS) as (keyof PollIntervals)[]) {
    const budget = POLL_BUDGETS[system]!;
    // Derived from the flow definitions: a new Zendesk feed changes the sum without an edit here.
    const feeds = FEEDS.filter((f) => f.system === system).map((f) => f.id);
    const everySeconds = intervals[system];
    const needed = (feeds.length * budget.windowSeconds) / everySeconds;
    if (needed <= budget.requests) continue;
    out.push({
      system,
      feeds,
      everySeconds,
      needed,
      budget,
      fitsSeconds: Math.ceil((feeds.length * budget.windowSeconds) / budget.requests),
    });
  }
  return out;
}

/** One line per excess, naming the feeds, the arithmetic and the interval that fits. */
export function describeExcess(e: BudgetExcess): string {
  const window =
    e.budget.windowSeconds === 60
      ? 'a minute'
      : e.budget.windowSeconds === 1
        ? 'a second'
        : `per ${e.budget.windowSeconds} s`;
  const needed = Number.isInteger(e.needed) ? String(e.needed) : e.needed.toFixed(1);
  return (
    `${e.feeds.length} ${e.system} feeds (${e.feeds.join(', ')}) polled every ${e.everySeconds} s need ${needed} requests ${window}, ` +
    `but the budget of ${e.budget.covers} is ${e.budget.requests} ${window}; set ${e.budget.setting} to ${e.fitsSeconds} or more`
  );
}
