/**
 * One page of a poll: read the feed from the saved checkpoint, drop what needs nothing (unchanged
 * content, records outside the flow's condition, target records without a link), route the rest,
 * and save the checkpoint. A small page goes to the record workflows (one per pair, ordered with
 * webhook edits); a large one (a first sync, a backfill) is synced here with bounded concurrency,
 * so ten thousand records do not cost ten thousand workflows.
 */
import { ApiRecord, FlowDefinition, getFlow, rowKey, toCanonical, translateCanonical } from '../flows';
import type { PairRef, ChangeNotice } from '../workflows/ids';
import { emptyOutcomes } from '../workflows/counts';
import { readTargetFeed, readZendeskFeed, FeedPage } from './change-feeds';
import type { ZendeskClient } from '../connectors/zendesk';
import { SyncDeps, syncOnePair } from './sync-pair';
import { LinkTranslations } from './link-translations';
import { isDeletedInZendesk } from './record-access';
import type { PollPageInput, PollPageResult, SyncPairResult } from './types';
import { describeFailure, isPermanent } from './failures';
import { TransientApiError } from '../connectors/errors';

export interface PollDeps extends SyncDeps {
  zendeskClient: ZendeskClient;
  /** Hands a pair to its record workflow; absent when no Temporal client is at hand. */
  signal?: (pair: PairRef, notice: ChangeNotice) => Promise<void>;
  /** Pages with more records than this are synced in the activity. */
  signalThreshold?: number;
  concurrency?: number;
}

export async function pollOnePage(deps: PollDeps, input: PollPageInput): Promise<PollPageResult> {
  const flow = getFlow(input.flowId);
  const saved = input.fromStart ? undefined : await deps.store.getCheckpoint(flow.id, input.side);
  const page: FeedPage =
    input.side === 'zendesk' ? await readZendeskFeed(deps.zendeskClient, flow, saved?.value ?? null) : await readTargetFeed(deps.target(flow), flow, saved?.value ?? null);

  const result: PollPageResult = { flowId: flow.id, side: input.side, read: page.items.length, signalled: 0, unchangedSkipped: 0, outcomes: emptyOutcomes(), failures: [], checkpoint: page.checkpoint, done: page.done };
  const pairs: PairRef[] = [];
  // Zendesk records as the feed gave them, so the bulk sync need not read them again.
  const records = new Map<string, ApiRecord>();
  for (const item of page.items) {
    const zendeskId = await pairNeedingSync(deps, flow, input.side, item.id, item.record);
    if (zendeskId === null) result.unchangedSkipped += 1;
    else if (zendeskId !== undefined) {
      pairs.push({ flowId: flow.id, zendeskId });
      if (input.side === 'zendesk') records.set(zendeskId, item.record);
    }
  }

  if (deps.signal && pairs.length <= (deps.signalThreshold ?? 20)) {
    for (const pair of pairs) await deps.signal(pair, { side: input.side, via: 'poll' });
    result.signalled = pairs.length;
  } else {
    let transient: unknown;
    await forEachBounded(pairs, deps.concurrency ?? 4, async (pair) => {
      try {
        const r = await syncWithRetries(deps, pair, records.get(pair.zendeskId));
        result.outcomes[r.outcome] += 1;
      } catch (err) {
        if (!isPermanent(err)) {
          transient = err;
          return;
        }
        result.outcomes.failed += 1;
        const reason = describeFailure(err);
        await deps.store.markFailed(flow.id, pair.zendeskId, reason);
        result.failures.push(`${pair.zendeskId}: ${reason}`);
      }
      deps.heartbeat?.();
    });
    // The checkpoint stays where it was: Temporal retries the page, and what was synced reads as unchanged.
    if (transient) throw transient;
  }
  result.failures = result.failures.slice(0, 20);
  await deps.store.setCheckpoint(flow.id, input.side, page.checkpoint);
  return result;
}

/**
 * The Zendesk id of the pair a changed record asks to sync; null when its content equals the link's
 * base (an echo, or a change of fields the flow does not carry); undefined when it is not ours to
 * sync (outside the condition, created on demand only, or a target record without a link).
 */
async function pairNeedingSync(deps: PollDeps, flow: FlowDefinition, side: 'zendesk' | 'target', id: string, record: ApiRecord): Promise<string | null | undefined> {
  const link = side === 'zendesk' ? await deps.store.getByZendeskId(flow.id, id) : await deps.store.getByTargetId(flow.id, id);
  if (!link?.targetId || link.state !== 'linked' || !link.base) {
    if (side === 'target') return link ? link.zendeskId : undefined;
    if (link) return id; // failed or conflicting: a change may heal it
    if (flow.creation.mode === 'on-demand' || !flow.condition.predicate(record, deps.flows)) return undefined;
    return id;
  }
  // A deletion changes no synced field, yet the pair must hear of it (to be marked orphaned).
  if (side === 'zendesk' && isDeletedInZendesk(flow.source.type, record)) return link.zendeskId;
  let values;
  try {
    values = toCanonical(flow, side, record);
  } catch {
    return link.zendeskId; // unreadable: let the sync report it
  }
  if (side === 'target') {
    const links = new LinkTranslations(deps.store);
    await links.load(flow, 'target', values);
    values = translateCanonical(flow, 'target', values, links.translate).values;
  }
  const base = link.base;
  // Rows read-only on both sides are never written, so they may differ for ever: not a change.
  const changed = flow.properties.some((row) => !(row.readOnly.zendesk && row.readOnly.target) && (base[rowKey(row)] ?? null) !== (values[rowKey(row)] ?? null));
  return changed ? link.zendeskId : null;
}

/** A few quick tries for a transient failure, so one 503 does not cost the whole page a retry. */
async function syncWithRetries(deps: PollDeps, pair: PairRef, zendeskRecord?: ApiRecord): Promise<SyncPairResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await syncOnePair(deps, pair, { zendeskRecord: attempt === 1 ? zendeskRecord : undefined });
    } catch (err) {
      if (isPermanent(err) || attempt >= 3) throw err;
      const wait = err instanceof TransientApiError && err.retryAfterMs !== undefined ? err.retryAfterMs : 250 * attempt;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

async function forEachBounded<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(workers);
}
