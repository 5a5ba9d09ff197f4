/**
 * The activities of the worker, made from their dependencies. Workflows import this module as a
 * type only (`ReturnType<typeof createActivities>`), so none of it enters the workflow bundle.
 */
import { Context } from '@temporalio/activity';
import { targetAccess, zendeskAccess, type Connectors } from './record-access';
import { pollOnePage, PollDeps } from './poll-page';
import { syncOnePair, SyncHooks } from './sync-pair';
import { describeFailure, isPermanent, toActivityFailure } from './failures';
import type { LinkStore } from '../store';
import { getFlow, type FlowsConfig } from '../flows';
import type { ChangeNotice, PairRef } from '../workflows/ids';
import type { PollPageInput, PollPageResult, SyncOutcome, SyncPairResult } from './types';
import type { TandemMetrics } from '../workers/metrics';

export interface ActivityDeps {
  connectors: Connectors;
  store: LinkStore;
  flows: FlowsConfig;
  signal?: (pair: PairRef, notice: ChangeNotice) => Promise<void>;
  hooks?: SyncHooks;
  signalThreshold?: number;
  concurrency?: number;
  /** Where sync outcomes and poll lag are counted (workers/metrics.ts); none when absent. */
  metrics?: Pick<TandemMetrics, 'recordSync' | 'recordSyncFailure' | 'setPollLag'>;
}

export function pollDeps(deps: ActivityDeps): PollDeps {
  return {
    zendesk: zendeskAccess(deps.connectors.zendesk),
    target: (flow) => targetAccess(deps.connectors, flow.target.type),
    store: deps.store,
    flows: deps.flows,
    hooks: deps.hooks,
    zendeskClient: deps.connectors.zendesk,
    signal: deps.signal,
    signalThreshold: deps.signalThreshold,
    concurrency: deps.concurrency,
  };
}

export function createActivities(deps: ActivityDeps) {
  const sync: PollDeps = { ...pollDeps(deps), heartbeat: () => Context.current().heartbeat() };
  return {
    /** Syncs one pair; a permanent failure marks the pair failed and is not retried. */
    async syncPair(pair: PairRef): Promise<SyncPairResult> {
      try {
        const result = await syncOnePair(sync, pair);
        deps.metrics?.recordSync(pair.flowId, result.outcome);
        return result;
      } catch (err) {
        deps.metrics?.recordSyncFailure(pair.flowId);
        if (isPermanent(err)) {
          await deps.store.markFailed(getFlow(pair.flowId).id, pair.zendeskId, describeFailure(err));
          deps.metrics?.recordSync(pair.flowId, 'failed');
        }
        throw toActivityFailure(err);
      }
    },
    async pollPage(input: PollPageInput): Promise<PollPageResult> {
      try {
        const previous = await deps.store.getCheckpoint(getFlow(input.flowId).id, input.side);
        const result = await pollOnePage(sync, input);
        // How stale this side was before the page was read: the replication lag this poll closed.
        if (previous) deps.metrics?.setPollLag(input.flowId, input.side, (Date.now() - Date.parse(previous.updatedAt)) / 1000);
        for (const [outcome, n] of Object.entries(result.outcomes)) if (n > 0) deps.metrics?.recordSync(input.flowId, outcome as SyncOutcome, n);
        return result;
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}

