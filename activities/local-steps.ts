/**
 * The steps that touch no API: the link store and the decisions (mapping, matching, three-way
 * merge). Workflows run them as local activities: a decision is recorded in history as a result,
 * so a changed flow table never breaks the replay of a running workflow.
 */
import { ApplicationFailure } from '@temporalio/activity';
import {
  ApiRecord,
  Canonical,
  CreateContext,
  CreateDecision,
  FirstDecision,
  FlowsConfig,
  MatchDecision,
  MergePlan,
  createBody,
  decideCreate,
  decideFirst,
  decideMatch,
  decideMerge,
  getFeed,
  getFlow,
  matchKeyOf,
  rowKey,
  toCanonical,
} from '../flows';
import { DuplicateTargetError, Link, LinkStore, VersionConflictError, type Intent } from '../store';
import type { PairRef } from '../protocol/ids';
import { describeFailure } from './failures';
import { translatorFor, type PlannedLinks } from './link-translations';

export interface LocalStepDeps {
  store: LinkStore;
  flows: FlowsConfig;
  /** In a dry run: the links it would have made, so later decisions can name them. */
  planned?: PlannedLinks;
}

/** A decision that cannot be made is the record's fault (bad data) or a bug: retrying cannot help. */
function decision<T>(make: () => T | Promise<T>): Promise<T> {
  return Promise.resolve()
    .then(make)
    .catch((err: unknown) => {
      throw ApplicationFailure.create({
        message: describeFailure(err),
        type: err instanceof Error ? err.name : 'Error',
        nonRetryable: true,
      });
    });
}

/**
 * This very save, applied already: a local activity runs again when the workflow task that ran it
 * failed (a signal arrived as the workflow completed), and finds the link one version on, as it wrote it.
 */
function savedAlready(
  link: Link | null | undefined,
  input: { targetId: string; base: Canonical; expectedVersion: number },
): boolean {
  const sameBase = (a: Canonical | null) =>
    a !== null &&
    Object.keys(a).length === Object.keys(input.base).length &&
    Object.entries(input.base).every(([k, v]) => (a[k] ?? null) === v);
  return (
    link?.version === input.expectedVersion + 1 &&
    link.state === 'linked' &&
    link.targetId === input.targetId &&
    sameBase(link.base)
  );
}

export function createLocalActivities(deps: LocalStepDeps) {
  const { store } = deps;
  const flowOf = (pair: PairRef) => getFlow(pair.flowId);
  return {
    async readLink(pair: PairRef): Promise<Link | null> {
      return (await store.getByZendeskId(flowOf(pair).id, pair.zendeskId)) ?? null;
    },
    /** Saves the pair linked with its new base; `false` when the link moved meanwhile (read again). */
    async saveLink(
      pair: PairRef,
      input: { targetId: string; base: Canonical; expectedVersion: number },
    ): Promise<boolean> {
      const flowId = flowOf(pair).id;
      try {
        await store.saveLink(
          {
            flowId,
            zendeskId: pair.zendeskId,
            targetId: input.targetId,
            state: 'linked',
            base: input.base,
            lastError: null,
            lastSyncedAt: new Date().toISOString(),
          },
          input.expectedVersion,
        );
      } catch (err) {
        if (err instanceof VersionConflictError) {
          if (!savedAlready(await store.getByZendeskId(flowId, pair.zendeskId), input)) return false;
        } else if (err instanceof DuplicateTargetError) {
          throw ApplicationFailure.create({ message: err.message, type: err.name, nonRetryable: true });
        } else throw err;
      }
      await store.clearIntent(flowId, pair.zendeskId);
      await store.clearRetrying(flowId, pair.zendeskId);
      return true;
    },
    async markFailed(pair: PairRef, reason: string): Promise<void> {
      await store.markFailed(flowOf(pair).id, pair.zendeskId, reason);
      await store.clearRetrying(flowOf(pair).id, pair.zendeskId);
    },
    async markConflict(pair: PairRef, reason: string): Promise<void> {
      await store.markConflict(flowOf(pair).id, pair.zendeskId, reason);
      await store.clearRetrying(flowOf(pair).id, pair.zendeskId);
    },
    async markOrphaned(pair: PairRef, reason: string): Promise<void> {
      await store.markOrphaned(flowOf(pair).id, pair.zendeskId, reason);
      await store.clearRetrying(flowOf(pair).id, pair.zendeskId);
    },
    async clearRetrying(pair: PairRef): Promise<void> {
      await store.clearRetrying(flowOf(pair).id, pair.zendeskId);
    },
    /** Recorded before the create: a retry after a crash then looks before it creates again. */
    async recordIntent(pair: PairRef, intentKey: string): Promise<Pick<Intent, 'isNew'>> {
      const { isNew } = await store.recordIntent(flowOf(pair).id, pair.zendeskId, intentKey);
      return { isNew };
    },
    /** The target records the flow's index holds under this match value (the poll brought it up to date). */
    async indexedTargets(pair: PairRef, value: string): Promise<string[]> {
      const flow = flowOf(pair);
      return store.indexedTargets(flow.id, matchKeyOf(flow, value));
    },
    async saveCheckpoint(feed: string, value: string): Promise<void> {
      await store.setCheckpoint(feed, value);
    },
    async getCheckpoint(feed: string): Promise<string | null> {
      return (await store.getCheckpoint(feed))?.value ?? null;
    },
    /**
     * After a full pass of a target feed: the linked pairs whose target it did not list, a batch at a
     * time (`cursor` null when done). Each is read by id, so a short or failed listing marks nothing.
     */
    async unseenPairs(
      feedId: string,
      pass: string,
      cursor: string | null,
      limit: number,
    ): Promise<{ pairs: PairRef[]; cursor: string | null }> {
      const flows = getFeed(feedId).flows;
      let at = cursor ? (JSON.parse(cursor) as { flow: number; after: string | null }) : { flow: 0, after: null };
      const pairs: PairRef[] = [];
      while (at.flow < flows.length && pairs.length < limit) {
        const want = limit - pairs.length;
        const links = await store.linksNotSeen(flows[at.flow], pass, at.after, want);
        pairs.push(...links.map((l) => ({ flowId: l.flowId, zendeskId: l.zendeskId })));
        // A short batch ends this flow's list; a full one may have more after its last id.
        at =
          links.length < want
            ? { flow: at.flow + 1, after: null }
            : { flow: at.flow, after: links[links.length - 1].zendeskId };
      }
      return { pairs, cursor: at.flow < flows.length ? JSON.stringify(at) : null };
    },

    async decideFirst(
      pair: PairRef,
      zendesk: ApiRecord,
      demanded: boolean,
      context: CreateContext,
    ): Promise<FirstDecision> {
      return decision(async () => {
        const flow = flowOf(pair);
        const translate = await translatorFor(store, [(t) => createBody(flow, zendesk, t, context)], deps.planned);
        return decideFirst(flow, zendesk, { config: deps.flows, demanded, translate, context });
      });
    },
    async decideMatch(
      pair: PairRef,
      zendesk: ApiRecord,
      found: { byExternalKey: ApiRecord[]; byMatch: ApiRecord[] },
    ): Promise<MatchDecision> {
      return decision(() => decideMatch(flowOf(pair), zendesk, pair.zendeskId, found));
    },
    async decideCreate(pair: PairRef, zendesk: ApiRecord, context: CreateContext): Promise<CreateDecision> {
      return decision(async () => {
        const flow = flowOf(pair);
        const translate = await translatorFor(store, [(t) => createBody(flow, zendesk, t, context)], deps.planned);
        return decideCreate(flow, zendesk, translate, context);
      });
    },
    async decideMerge(
      pair: PairRef,
      zendesk: ApiRecord,
      target: ApiRecord,
      base: Canonical | null,
    ): Promise<MergePlan & { zendeskId?: string }> {
      return decision(async () => {
        const flow = flowOf(pair);
        // The links both sides' references name: target ids back to Zendesk, Zendesk ids on to the target.
        const values = { zendesk: toCanonical(flow, 'zendesk', zendesk), target: toCanonical(flow, 'target', target) };
        const translate = await translatorFor(
          store,
          [
            (t) => {
              for (const row of flow.properties) {
                const key = rowKey(row);
                if (!row.reference) continue;
                if (values.target[key]) t(row.reference.flow, 'target', values.target[key]);
                if (values.zendesk[key]) t(row.reference.flow, 'zendesk', values.zendesk[key]);
              }
            },
          ],
          deps.planned,
        );
        const copy = await store.getZendeskCopy(flow.source.type, pair.zendeskId);
        // The pair named in the result: a local activity's input is not kept in the history, its result is.
        return { ...decideMerge(flow, zendesk, target, base, translate, copy), zendeskId: pair.zendeskId };
      });
    },
  };
}

export type LocalActivities = ReturnType<typeof createLocalActivities>;
