/**
 * The activities of the worker, made from their dependencies. Workflows import this module as a
 * type only (`ReturnType<typeof createActivities>`), so none of it enters the workflow bundle.
 */
import { flowAccess, targetAccess, zendeskAccess, type Connectors } from './record-access';
import { pollOnePage, PollDeps } from './poll-page';
import { syncOnePair, SyncHooks } from './sync-pair';
import { describeFailure, isPermanent, toActivityFailure } from './failures';
import type { LinkStore } from '../store';
import { getFlow, type FlowsConfig } from '../flows';
import type { ChangeNotice, PairRef } from '../workflows/ids';
import type { PollPageInput, PollPageResult, SyncPairResult } from './types';

export interface ActivityDeps {
  connectors: Connectors;
  store: LinkStore;
  flows: FlowsConfig;
  signal?: (pair: PairRef, notice: ChangeNotice) => Promise<void>;
  hooks?: SyncHooks;
  signalThreshold?: number;
  concurrency?: number;
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
  const sync = pollDeps(deps);
  return {
    /** Syncs one pair; a permanent failure marks the pair failed and is not retried. */
    async syncPair(pair: PairRef): Promise<SyncPairResult> {
      try {
        return await syncOnePair(sync, pair);
      } catch (err) {
        if (isPermanent(err)) await deps.store.markFailed(getFlow(pair.flowId).id, pair.zendeskId, describeFailure(err));
        throw toActivityFailure(err);
      }
    },
    async pollPage(input: PollPageInput): Promise<PollPageResult> {
      try {
        return await pollOnePage(sync, input);
      } catch (err) {
        throw toActivityFailure(err);
      }
    },
  };
}

export { flowAccess };
