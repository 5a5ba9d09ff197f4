/**
 * The steps that call an API, one call each where the API allows: they run on their system's task
 * queue (`zendesk`, `poweroffice`, `crmoffice`), whose activity rate holds the system's limit
 * across every worker. Transient failures are retried by the engine without limit; while they
 * last, the pair is marked retrying in the store.
 */
import { ApplicationFailure, Context } from '@temporalio/activity';
import {
  ApiRecord,
  FEEDS,
  FlowsConfig,
  MatchRule,
  feedOf,
  getFeed,
  getFlow,
  holdsFields,
  isDeletedInZendesk,
  modifiedAt,
  pickMatch,
  targetIdOf,
  zendeskFeedTypeOf,
} from '../flows';
import { targetIndexCheckpoint, type LinkStore } from '../store';
import type { PairRef } from '../protocol/ids';
import { CHECKED_FIRST, LOOKED_FIRST, RECORD_MOVED_ON, commentPairId } from '../protocol/ids';
import { feedCheckpointAfterIndex, readTargetFeed, readTargetIndexPage, readZendeskFeed } from './change-feeds';
import {
  fitPayload,
  referencedOnce,
  routeTargetRecord,
  zendeskGiven,
  routeZendeskRecord,
  type WorkItem,
} from './feed-routing';
import { targetAccess, zendeskAccess, type Connectors } from './record-access';
import { asActivityFailure } from './failures';
import type { ZendeskType } from '../flows';

/** Points where tests inject a crash, to prove that creation stays exactly-once. */
export interface SyncHooks {
  afterTargetCreate?(pair: PairRef, targetId: string): Promise<void> | void;
  /** Before a write's first attempt looks or writes: a test holds it here, as a busy queue would. */
  beforeWrite?(pair: PairRef, side: 'zendesk' | 'target', body: ApiRecord): Promise<void> | void;
}

/** Failures that are steps of their own, not trouble: they do not mark a pair retrying. */
const OWN_STEPS = [LOOKED_FIRST, CHECKED_FIRST];
/** A write starting this long after the read its decision rests on reads the record again first. */
export const LOOK_AGAIN_AFTER_MS = 500;
/** Past this attempt a create looks and creates in one attempt (should heartbeat notes keep getting lost). */
const LOOK_ALONE_ATTEMPTS = 6;

export interface ApiStepDeps {
  connectors: Connectors;
  store: LinkStore;
  flows: FlowsConfig;
  hooks?: SyncHooks;
  /** Off in a dry run, which writes nothing, not even that a pair is retrying. */
  recordRetries?: boolean;
}

export interface FeedPageResult {
  read: number;
  items: WorkItem[];
  checkpoint: string;
  done: boolean;
  /** Set while a target feed is read from its start (see readTargetFeed). */
  pass?: string;
}

export function createApiActivities(deps: ApiStepDeps) {
  const zendesk = zendeskAccess(deps.connectors.zendesk);
  const target = (flowId: string) => targetAccess(deps.connectors, getFlow(flowId).target.type);

  /** Runs one step; a transient failure marks the pair retrying and is retried, a permanent one is not. */
  async function step<T>(pair: PairRef | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const failure = asActivityFailure(err);
      if (pair && !failure.nonRetryable && !OWN_STEPS.includes(failure.type ?? '') && deps.recordRetries !== false)
        await deps.store.markRetrying(getFlow(pair.flowId).id, pair.zendeskId, failure.message).catch(() => undefined);
      throw failure;
    }
  }

  /**
   * None of the APIs offers a conditional write, so a write looks first: a retry, or a first attempt
   * that starts over LOOK_AGAIN_AFTER_MS after its decision's read (it waited in its queue, behind a
   * dead worker, behind a reference), reads the record again. Changed since (by its modification
   * time), the workflow decides anew; unchanged, the next attempt writes. A write that follows its
   * read closely writes at once. A lost heartbeat note costs one more check, never a write without one.
   * A retry that finds the record holding what it was to write (`applied`: an earlier attempt's write
   * landed, its answer lost) returns the record: the write is done.
   */
  async function checkedSince(
    readAt: string | null | undefined,
    decidedFrom: number | undefined,
    read: () => Promise<ApiRecord | null>,
    at: (r: ApiRecord) => string | null,
    what: string,
    applied?: (r: ApiRecord) => boolean,
  ): Promise<ApiRecord | undefined> {
    const { attempt, heartbeatDetails } = Context.current().info;
    const late = decidedFrom !== undefined && Date.now() - decidedFrom > LOOK_AGAIN_AFTER_MS;
    if (
      (attempt === 1 && !late) ||
      !readAt ||
      (heartbeatDetails as { checkedAt?: number } | undefined)?.checkedAt === attempt - 1
    )
      return undefined;
    const now = await read();
    if (now && attempt > 1 && at(now) !== readAt && applied?.(now)) return now;
    if (!now || at(now) !== readAt) {
      throw ApplicationFailure.create({
        type: RECORD_MOVED_ON,
        nonRetryable: true,
        message: `${what} changed after it was read (modified ${now ? at(now) : 'gone'}, read at ${readAt}): both sides are read again`,
      });
    }
    Context.current().heartbeat({ checkedAt: attempt });
    throw ApplicationFailure.create({
      type: CHECKED_FIRST,
      message: `${what} is as it was read: written on the next attempt`,
      nextRetryDelay: 50,
    });
  }

  return {
    /** The Zendesk record of a pair; null when it is gone (or deleted). */
    async readZendesk(pair: PairRef, type: ZendeskType, id: string): Promise<ApiRecord | null> {
      return step(pair, () => zendesk.get(type, id));
    },
    /**
     * Writes a target's edits into the Zendesk record; `originAt` is when they were made. The copy is
     * noted ahead of the write and confirmed with the record's new time after it, so the record's
     * other flow weighs it by when its edits were made, not by the time of this write, even when the
     * write's answer was lost and a retry finds the copy already there.
     */
    async updateZendesk(
      pair: PairRef,
      body: ApiRecord,
      originAt?: string | null,
      readAt?: string | null,
      decidedFrom?: number,
    ): Promise<void> {
      await step(pair, async () => {
        const flow = getFlow(pair.flowId);
        const at = (r: ApiRecord) => modifiedAt(flow, 'zendesk', r);
        const note = async (modified: string | null) => {
          if (originAt)
            await deps.store.noteZendeskCopy(flow.source.type, pair.zendeskId, {
              modifiedAt: modified,
              originAt,
              fields: body,
            });
        };
        if (Context.current().info.attempt === 1) await deps.hooks?.beforeWrite?.(pair, 'zendesk', body);
        const already = await checkedSince(
          readAt,
          decidedFrom,
          () => zendesk.get(flow.source.type, pair.zendeskId),
          at,
          `Zendesk ${flow.source.type} ${pair.zendeskId}`,
          (r) => holdsFields(r, body),
        );
        if (already) return note(at(already));
        await note(null);
        await note(at(await zendesk.update(flow.source.type, pair.zendeskId, body)));
      });
    },
    async readTarget(pair: PairRef, targetId: string): Promise<ApiRecord | null> {
      return step(pair, () => target(pair.flowId).get(targetId));
    },
    async findTargets(pair: PairRef, by: MatchRule['by'], value: string): Promise<ApiRecord[]> {
      return step(pair, () => target(pair.flowId).find(by, value));
    },
    /**
     * Writes the target record; `readAt` is its modification time as the decision read it,
     * `decidedFrom` when the oldest record the decision rests on was read (ms).
     */
    async updateTarget(
      pair: PairRef,
      targetId: string,
      body: ApiRecord,
      readAt?: string | null,
      decidedFrom?: number,
    ): Promise<void> {
      await step(pair, async () => {
        const flow = getFlow(pair.flowId);
        const access = target(pair.flowId);
        if (Context.current().info.attempt === 1) await deps.hooks?.beforeWrite?.(pair, 'target', body);
        await checkedSince(
          readAt,
          decidedFrom,
          () => access.get(targetId),
          (r) => modifiedAt(flow, 'target', r),
          `${flow.target.system} ${flow.target.type} ${targetId}`,
        );
        await access.update(targetId, body);
      });
    },
    /**
     * Creates the target record exactly once: when an earlier attempt may have created it (the intent
     * was found, or this is a retry), it looks for that record first, by external key or match key.
     * The look and the create are separate attempts, each one request, so the task queue's activity
     * rate stays the API's request rate even when faults make creates retry.
     */
    async createTarget(
      pair: PairRef,
      input: {
        body: ApiRecord;
        zendesk: ApiRecord;
        externalKey: string | null;
        matchValue: string | null;
        lookFirst: boolean;
      },
    ): Promise<{ record: ApiRecord; found: boolean }> {
      return step(pair, async () => {
        const flow = getFlow(pair.flowId);
        const access = target(pair.flowId);
        const { attempt, heartbeatDetails } = Context.current().info;
        const lookedAt = (heartbeatDetails as { lookedAt?: number } | undefined)?.lookedAt;
        // The previous attempt looked and found nothing: create now. A lost note means one more look,
        // never a create without one; after a few, look and create in one attempt as a last resort.
        const looked = lookedAt !== undefined && lookedAt === attempt - 1;
        if ((input.lookFirst || attempt > 1) && !looked) {
          const earlier = input.externalKey ? (await access.find('externalKey', input.externalKey))[0] : undefined;
          if (earlier) return { record: earlier, found: true };
          if (!input.externalKey && input.matchValue !== null) {
            const match = pickMatch(flow, input.zendesk, await access.find(flow.match.by, input.matchValue));
            if (match.kind === 'one') return { record: match.record, found: true };
          }
          if (attempt < LOOK_ALONE_ATTEMPTS) {
            Context.current().heartbeat({ lookedAt: attempt });
            throw ApplicationFailure.create({
              type: LOOKED_FIRST,
              message: 'no earlier create of this record found: it is created on the next attempt',
              nextRetryDelay: 50,
            });
          }
        }
        const created = await access.create(input.body);
        await deps.hooks?.afterTargetCreate?.(pair, targetIdOf(flow, created));
        return { record: created, found: false };
      });
    },
    /**
     * One page of bringing the flow's target index up to date (flows/match.ts keys); the cursor of
     * the next page, or null once the index has read the target's change list to its end.
     */
    async refreshTargetIndex(flowId: string, cursor: string | null): Promise<string | null> {
      return step(undefined, async () => {
        const flow = getFlow(flowId);
        const key = targetIndexCheckpoint(flow.id);
        // The flow's target feed (two-way flows have one): what the index reads, it need not read again.
        const feed = FEEDS.find((f) => f.id === feedOf(flow, 'target'));
        const asksToSync =
          feed &&
          (async (id: string, record: ApiRecord) =>
            (await routeTargetRecord(deps.store, deps.flows, feed, id, record)).length > 0);
        const page = await readTargetIndexPage(
          target(flowId),
          flow,
          cursor ?? (await deps.store.getCheckpoint(key))?.value ?? null,
          asksToSync,
        );
        await deps.store.indexTargets(flow.id, page.entries);
        if (!page.done) return page.checkpoint;
        await deps.store.setCheckpoint(key, page.checkpoint);
        if (feed && page.quiet) {
          const moved = feedCheckpointAfterIndex((await deps.store.getCheckpoint(feed.id))?.value ?? null, page.quiet);
          if (moved) await deps.store.setCheckpoint(feed.id, moved);
        }
        return null;
      });
    },
    /** One page of a change feed, routed: the pairs (and tickets' comments) it asks to sync. */
    async readFeedPage(feedId: string, checkpoint: string | null): Promise<FeedPageResult> {
      return step(undefined, async () => {
        const feed = getFeed(feedId);
        const items: WorkItem[] = [];
        if (feed.side === 'zendesk') {
          const type = zendeskFeedTypeOf(getFlow(feed.flows[0]).source.type);
          const page = await readZendeskFeed(deps.connectors.zendesk, type, checkpoint);
          for (const item of page.items)
            items.push(
              ...(await routeZendeskRecord(deps.store, deps.flows, feed, item.id, item.record, page.sideloaded)),
            );
          return {
            read: page.items.length,
            items: fitPayload(referencedOnce(items)),
            checkpoint: page.checkpoint,
            done: page.done,
          };
        }
        const flow = getFlow(feed.flows[0]);
        const page = await readTargetFeed(targetAccess(deps.connectors, flow.target.type), flow, checkpoint);
        // A pass from the start notes what it listed: what it did not list may have been deleted.
        if (page.pass)
          for (const f of feed.flows)
            await deps.store.markTargetsSeen(
              f,
              page.items.map((i) => i.id),
              page.pass,
            );
        for (const item of page.items)
          items.push(...(await routeTargetRecord(deps.store, deps.flows, feed, item.id, item.record)));
        return {
          read: page.items.length,
          items: fitPayload(items),
          checkpoint: page.checkpoint,
          done: page.done,
          pass: page.pass,
        };
      });
    },
    /** A ticket's comments that ask to sync, each with the ticket as context. */
    async listTicketComments(flowId: string, ticketId: string, ticket: ApiRecord | undefined): Promise<WorkItem[]> {
      return step(undefined, async () => {
        const comments = (await deps.connectors.zendesk.listTicketComments(Number(ticketId))) as ApiRecord[];
        const items: WorkItem[] = [];
        if (ticket && isDeletedInZendesk('tickets', ticket)) return items;
        for (const comment of comments) {
          const pairId = commentPairId(ticketId, String(comment.id));
          const given = await zendeskGiven(deps.store, deps.flows, getFlow(flowId), pairId, comment, ticket);
          if (given) items.push({ kind: 'pair', flowId, zendeskId: pairId, given });
        }
        return fitPayload(items);
      });
    },
  };
}

export type ApiActivities = ReturnType<typeof createApiActivities>;
