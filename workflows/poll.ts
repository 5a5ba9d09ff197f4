import { continueAsNew, patched, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { getFeed } from '../flows/feeds';
import { getFlow } from '../flows/registry';
import { KIND, OUTCOME } from './search-attributes';
import { BULK, apiSteps, indexSteps, localSteps, type RetryTuning } from './steps';
import { matchFromIndex } from './target-index';
import { SlidingWindow, byRecord, emptyCounts, type HandOverCounts } from './hand-over';
import type { WorkItem } from '../activities/feed-routing';

interface PollInput {
  /** The change feed, e.g. `zendesk/users` (flows/feeds.ts). */
  feed: string;
  /** From the beginning of the feed rather than the saved checkpoint. */
  full?: boolean;
  /** Children in flight at most. */
  window?: number;
  /** How long a page waits for its children before the next (a child that keeps retrying must not hold the feed). */
  drainSeconds?: number;
  retry?: RetryTuning;
  /** Carried across continue-as-new: where the next page starts, and the totals so far. */
  checkpoint?: string | null;
  totals?: PollTotals;
  /** A full pass of a target feed: its id, and where handing over the pairs it did not see stands. */
  pass?: { id: string; unseen?: string | null };
  /** Reading from the feed's start (a first sync, a full pass): its work goes after everything else. */
  bulk?: boolean;
}

export interface PollTotals extends HandOverCounts {
  pages: number;
  read: number;
  /** Records whose content equals the link's base (echoes, unsynced fields): dropped, no workflow. */
  unchanged: number;
}

const DEFAULT_WINDOW = 50;
/** Pairs a run hands over after a full pass before it continues as new (a short history per run). */
const UNSEEN_PER_RUN = 1000;
/** A run reading pages continues as new after handing over this many pairs, or reading this many pages. */
const PAIRS_PER_RUN = 1000;
const PAGES_PER_RUN = 100;

/**
 * Reads one change feed page by page, routes each changed record to every flow it feeds, and hands
 * the pairs to their record workflows as children in a sliding window. The checkpoint moves once a
 * page is handed over; a run continues as new once it has handed over a thousand pairs (or read a
 * hundred pages), so a first sync of ten thousand records keeps a short history here and ten
 * thousand histories of their own.
 */
export async function pollFeed(input: PollInput): Promise<PollTotals> {
  const feed = getFeed(input.feed);
  upsertSearchAttributes([{ key: KIND, value: 'poll' }]);
  const local = localSteps(input.retry);
  const totals: PollTotals = input.totals ?? { pages: 0, read: 0, unchanged: 0, ...emptyCounts() };
  const drainMs = (input.drainSeconds ?? 120) * 1000;
  let pass = input.pass;
  let bulk = input.bulk ?? false;
  // A task's priority is no part of replay's checks: histories from before it replay as they ran.
  const priority = () => (bulk ? BULK : undefined);
  const window = new SlidingWindow(input.window ?? DEFAULT_WINDOW, totals, input.retry, feed.side);
  window.priority = priority();
  // Each Zendesk record's workflow syncs all its flows; histories from before hand each pair to its own.
  const entity = patched('record-entity');
  const handOver = async (items: WorkItem[]) => {
    if (entity) for (const record of byRecord(items)) await window.addRecord(record);
    else for (const item of items) await window.add(item);
  };
  if (pass?.unseen === undefined) {
    let checkpoint =
      input.checkpoint !== undefined ? input.checkpoint : input.full ? null : await local.getCheckpoint(feed.id);
    bulk ||= checkpoint === null;
    for (let pages = 1, handed = 0; ; pages++) {
      const page = await apiSteps(feed.system, input.retry, priority()).readFeedPage(feed.id, checkpoint);
      // A target feed read from its start (the first time, then daily) noted what it listed; histories
      // from before this step replay without it.
      if (!pass && page.pass && patched('target-pass')) pass = { id: page.pass };
      bulk ||= pass !== undefined;
      window.priority = priority();
      // Histories from before the comments' index replay without its refresh.
      const comments = page.items.some((item) => item.kind === 'comments') && patched('comments-index');
      if (patched('target-index'))
        await matchFromIndex(
          page.items,
          (flowId, cursor) =>
            indexSteps(getFlow(flowId).target.system, input.retry, window.priority).refreshTargetIndex(flowId, cursor),
          { comments },
        );
      await handOver(page.items);
      await window.started();
      await local.saveCheckpoint(feed.id, page.checkpoint);
      totals.pages += 1;
      totals.read += page.read;
      totals.unchanged += Math.max(0, page.read - page.items.length);
      handed += page.items.length;
      upsertMemo({ summary: describe(feed.id, totals, window.running), progress: totals });
      // The children started here carry on by themselves; waiting (a while) keeps the window honest across pages.
      await window.drain(drainMs);
      if (page.done) break;
      checkpoint = page.checkpoint;
      // A run per page kept histories short, but Temporal spaces a workflow's runs a second apart, a
      // second a quiet page. A run ends once it has handed over a first sync's page or read many
      // pages (histories from before end after each page, as they ran).
      if (!patched('pages-per-run') || handed >= PAIRS_PER_RUN || pages >= PAGES_PER_RUN) {
        await continueAsNew<typeof pollFeed>({ ...input, checkpoint, totals, pass, bulk });
      }
    }
  }
  if (pass) {
    // The linked pairs whose target the pass did not list: each reads its target by id, twice a pause
    // apart, before it is marked orphaned, so a short or failed listing marks nothing.
    let cursor = pass.unseen ?? null;
    for (let handed = 0; ;) {
      const batch = await local.unseenPairs(feed.id, pass.id, cursor, 200);
      await handOver(batch.pairs.map((pair) => ({ kind: 'pair', ...pair })));
      handed += batch.pairs.length;
      cursor = batch.cursor;
      if (cursor === null) break;
      if (handed >= UNSEEN_PER_RUN) {
        await window.drain(drainMs);
        await continueAsNew<typeof pollFeed>({ ...input, totals, pass: { id: pass.id, unseen: cursor } });
      }
    }
    await window.drain(drainMs);
  }
  upsertSearchAttributes([{ key: OUTCOME, value: totals.outcomes.failed > 0 ? 'failed' : 'ok' }]);
  upsertMemo({ summary: describe(feed.id, totals, window.running), progress: totals });
  return totals;
}

function describe(feed: string, t: PollTotals, running: number): string {
  const o = t.outcomes;
  return (
    `${feed}: ${t.pages} page(s), ${t.read} read, ${t.unchanged} unchanged, ${t.started} handed to their workflows, ${t.signalled} to running ones` +
    `${running ? `, ${running} still running` : ''}; ${o.created} created, ${o.linked} linked, ${o.updated} updated, ${o.unchanged} unchanged, ` +
    `${o.skipped} skipped, ${o.conflict} conflict, ${o.orphaned} orphaned, ${o.failed} failed`
  );
}
