/**
 * The steps that call an API, one call each where the API allows: they run on their system's task
 * queue (`zendesk`, `poweroffice`, `crmoffice`), whose activity rate holds the system's limit
 * across every worker. Transient failures are retried by the engine without limit; while they
 * last, the pair is marked retrying in the store.
 */
import { Context } from '@temporalio/activity';
import { ApiRecord, FlowsConfig, MatchRule, getFeed, getFlow, isDeletedInZendesk, pickMatch, targetIdOf } from '../flows';
import type { LinkStore } from '../store';
import type { PairRef } from '../workflows/ids';
import { commentPairId } from '../workflows/ids';
import { readTargetFeed, readZendeskFeed } from './change-feeds';
import { fitPayload, routeComment, routeTargetRecord, routeZendeskRecord, type WorkItem } from './feed-routing';
import { targetAccess, zendeskAccess, type Connectors } from './record-access';
import { asActivityFailure } from './failures';
import type { ZendeskType } from '../flows';

/** Points where tests inject a crash, to prove that creation stays exactly-once. */
export interface SyncHooks {
  afterTargetCreate?(pair: PairRef, targetId: string): Promise<void> | void;
}

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
      if (pair && !failure.nonRetryable && deps.recordRetries !== false) await deps.store.markRetrying(getFlow(pair.flowId).id, pair.zendeskId, failure.message).catch(() => undefined);
      throw failure;
    }
  }

  return {
    /** The Zendesk record of a pair; null when it is gone (or deleted). */
    async readZendesk(pair: PairRef, type: ZendeskType, id: string): Promise<ApiRecord | null> {
      return step(pair, () => zendesk.get(type, id));
    },
    async updateZendesk(pair: PairRef, body: ApiRecord): Promise<void> {
      await step(pair, () => zendesk.update(getFlow(pair.flowId).source.type, pair.zendeskId, body));
    },
    async readTarget(pair: PairRef, targetId: string): Promise<ApiRecord | null> {
      return step(pair, () => target(pair.flowId).get(targetId));
    },
    async findTargets(pair: PairRef, by: MatchRule['by'], value: string): Promise<ApiRecord[]> {
      return step(pair, () => target(pair.flowId).find(by, value));
    },
    async updateTarget(pair: PairRef, targetId: string, body: ApiRecord): Promise<void> {
      await step(pair, () => target(pair.flowId).update(targetId, body));
    },
    /**
     * Creates the target record exactly once: when an earlier attempt may have created it (the intent
     * was found, or this is a retry), it looks for that record first, by external key or match key.
     */
    async createTarget(pair: PairRef, input: { body: ApiRecord; zendesk: ApiRecord; externalKey: string | null; matchValue: string | null; lookFirst: boolean }): Promise<{ record: ApiRecord; found: boolean }> {
      return step(pair, async () => {
        const flow = getFlow(pair.flowId);
        const access = target(pair.flowId);
        if (input.lookFirst || Context.current().info.attempt > 1) {
          const earlier = input.externalKey ? (await access.find('externalKey', input.externalKey))[0] : undefined;
          if (earlier) return { record: earlier, found: true };
          if (!input.externalKey && input.matchValue !== null) {
            const match = pickMatch(flow, input.zendesk, await access.find(flow.match.by, input.matchValue));
            if (match.kind === 'one') return { record: match.record, found: true };
          }
        }
        const created = await access.create(input.body);
        await deps.hooks?.afterTargetCreate?.(pair, targetIdOf(flow, created));
        return { record: created, found: false };
      });
    },
    /** One page of a change feed, routed: the pairs (and tickets' comments) it asks to sync. */
    async readFeedPage(feedId: string, checkpoint: string | null): Promise<FeedPageResult> {
      return step(undefined, async () => {
        const feed = getFeed(feedId);
        const items: WorkItem[] = [];
        if (feed.side === 'zendesk') {
          const type = getFlow(feed.flows[0]).source.type;
          const page = await readZendeskFeed(deps.connectors.zendesk, type === 'ticketComments' ? 'tickets' : type, checkpoint);
          for (const item of page.items) items.push(...(await routeZendeskRecord(deps.store, deps.flows, feed, item.id, item.record)));
          return { read: page.items.length, items: fitPayload(items), checkpoint: page.checkpoint, done: page.done };
        }
        const flow = getFlow(feed.flows[0]);
        const page = await readTargetFeed(targetAccess(deps.connectors, flow.target.type), flow, checkpoint);
        for (const item of page.items) items.push(...(await routeTargetRecord(deps.store, deps.flows, feed, item.id, item.record)));
        return { read: page.items.length, items, checkpoint: page.checkpoint, done: page.done };
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
          if (await routeComment(deps.store, deps.flows, flowId, pairId, comment)) items.push({ kind: 'pair', flowId, zendeskId: pairId, given: { record: comment, ticket } });
        }
        return fitPayload(items);
      });
    },
  };
}

export type ApiActivities = ReturnType<typeof createApiActivities>;
