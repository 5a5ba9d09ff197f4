/**
 * The scale part's set-up: the users feed's first sync made by Tandem's own sync steps (`syncPair`
 * with the worker's activities, every read and write real), called in this process with the rate
 * limits lifted and no Temporal in between, so 100,000 users link in minutes, not the hours a
 * workflow per pair takes on two cores. It leaves what a first sync leaves: the target records, the
 * links with their bases, the target indexes and the feeds' checkpoints.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createApiActivities, type ApiActivities, type ApiStepDeps } from '../activities/api-steps';
import { createLocalActivities } from '../activities/local-steps';
import type { WorkItem } from '../activities/feed-routing';
import { getFlow } from '../flows/registry';
import { businessFailure, syncPair, type PairSteps, type ReferenceHints } from '../workflows/sync-pair';
import { matchFromIndex } from '../workflows/target-index';
import { pairKey, type GivenRecord, type PairRef, type PairSynced } from '../protocol/ids';
import type { Reference } from '../flows/decide';

export interface Seeded {
  pages: number;
  pairs: number;
  /** Pairs that did not link, each `<pair>: <why>` (the first 20). */
  failed: string[];
  failedCount: number;
  seconds: number;
}

const FEED = 'zendesk/users';

export async function seedUsersFeed(
  deps: ApiStepDeps,
  opts: { concurrency?: number; progress?: (pairs: number) => void } = {},
): Promise<Seeded> {
  // The API steps read their attempt from an activity's context: each call runs in one (attempt 1).
  const context = new MockActivityEnvironment();
  const api = Object.fromEntries(
    Object.entries(createApiActivities({ ...deps, recordRetries: false })).map(([name, step]) => [
      name,
      (...args: unknown[]) => context.run(step as (...a: unknown[]) => Promise<unknown>, ...args),
    ]),
  ) as unknown as ApiActivities;
  const local = createLocalActivities(deps);
  const steps: PairSteps = { zendesk: api, target: api, local };
  // A department or company is made once, by the first pair that needs it; the others wait for it.
  const references = new Map<string, Promise<PairSynced>>();
  const sync = async (
    pair: PairRef,
    demanded: boolean,
    given?: GivenRecord,
    hints?: ReferenceHints,
  ): Promise<PairSynced> => {
    const r = await syncPair(
      {
        pair,
        demanded,
        given: given ?? hints?.given,
        asReference: demanded,
        matchIndexedAt: hints?.indexedAt,
        linkReference: (ref: Reference, h?: ReferenceHints) => reference(ref, h),
      },
      steps,
    );
    return {
      flowId: pair.flowId,
      zendeskId: pair.zendeskId,
      targetId: r.targetId,
      outcome: r.outcome,
      summary: r.summary,
    };
  };
  const reference = (ref: Reference, hints?: ReferenceHints): Promise<PairSynced> => {
    const key = pairKey(ref);
    if (!references.has(key))
      references.set(key, sync({ flowId: ref.flowId, zendeskId: ref.zendeskId }, true, undefined, hints));
    return references.get(key)!;
  };

  const started = Date.now();
  const failed: string[] = [];
  let [pages, pairs, failedCount] = [0, 0, 0];
  for (let checkpoint: string | null = null; ;) {
    const page = await api.readFeedPage(FEED, checkpoint);
    await matchFromIndex(page.items, api.refreshTargetIndex);
    await inPool(page.items, opts.concurrency ?? 16, async (item: WorkItem) => {
      if (item.kind !== 'pair') return;
      const pair = { flowId: getFlow(item.flowId).id, zendeskId: item.zendeskId };
      try {
        const r = await sync(pair, false, item.given);
        if (r.outcome === 'failed' || r.outcome === 'conflict') throw new Error(r.summary);
      } catch (err) {
        failedCount += 1;
        if (failed.length < 20) failed.push(`${pairKey(pair)}: ${businessFailure(err) ?? String(err)}`);
      }
      pairs += 1;
      if (pairs % 10_000 === 0) opts.progress?.(pairs);
    });
    await local.saveCheckpoint(FEED, page.checkpoint);
    pages += 1;
    if (page.done) break;
    checkpoint = page.checkpoint;
  }
  return { pages, pairs, failed, failedCount, seconds: Number(((Date.now() - started) / 1000).toFixed(1)) };
}

/** Runs `work` over `items`, at most `size` at once. */
async function inPool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}
