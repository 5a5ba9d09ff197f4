import { continueAsNew, proxyActivities, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { OutcomeCounts, PollPageResult, PollSide } from '../activities/types';
import { emptyOutcomes } from './counts';
import { FLOW, OUTCOME } from './search-attributes';

type Activities = ReturnType<typeof createActivities>;

const { pollPage } = proxyActivities<Activities>({
  // A large page is synced inside the activity; it heartbeats per record.
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
});

const PAGES_PER_RUN = 100;

export interface PollInput {
  flowId: string;
  side: PollSide;
  /** From the beginning of the feed rather than the saved checkpoint. */
  full?: boolean;
  /** Totals carried across continue-as-new. */
  totals?: PollTotals;
}

export interface PollTotals {
  pages: number;
  read: number;
  signalled: number;
  unchangedSkipped: number;
  outcomes: OutcomeCounts;
  failures: string[];
}

/**
 * Reads one flow's change feed on one side, page by page, until it is caught up. Each page is one
 * activity that saves its checkpoint, so a crash resumes at the page it was on.
 */
export async function pollFlow(input: PollInput): Promise<PollTotals> {
  upsertSearchAttributes([{ key: FLOW, value: input.flowId }]);
  const totals: PollTotals = input.totals ?? { pages: 0, read: 0, signalled: 0, unchangedSkipped: 0, outcomes: emptyOutcomes(), failures: [] };
  let fromStart = input.full === true && !input.totals;
  for (let page = 0; ; page++) {
    const result: PollPageResult = await pollPage({ flowId: input.flowId, side: input.side, fromStart });
    fromStart = false;
    add(totals, result);
    upsertMemo({ summary: describe(input, totals), progress: totals });
    if (result.done) break;
    if (page + 1 >= PAGES_PER_RUN) await continueAsNew<typeof pollFlow>({ ...input, totals });
  }
  upsertSearchAttributes([{ key: OUTCOME, value: totals.outcomes.failed > 0 ? 'failed' : 'ok' }]);
  return totals;
}

function add(totals: PollTotals, page: PollPageResult): void {
  totals.pages += 1;
  totals.read += page.read;
  totals.signalled += page.signalled;
  totals.unchangedSkipped += page.unchangedSkipped;
  for (const [k, v] of Object.entries(page.outcomes) as [keyof OutcomeCounts, number][]) totals.outcomes[k] += v;
  totals.failures = [...page.failures, ...totals.failures].slice(0, 20);
}

function describe(input: PollInput, t: PollTotals): string {
  const o = t.outcomes;
  return (
    `${input.flowId} (${input.side} side): ${t.pages} page(s), ${t.read} read, ${t.signalled} sent to their record workflow, ` +
    `${t.unchangedSkipped} unchanged; synced here: ${o.created} created, ${o.linked} linked, ${o.updated} updated, ` +
    `${o.unchanged} unchanged, ${o.skipped} skipped, ${o.failed} failed`
  );
}
