/**
 * `tandem plan`: the next sync of a flow run dry. The same read and decide steps as the record
 * workflow, called directly, with every write left out: the plan is what the sync would do, not a
 * second opinion of it.
 */
import { ApiRecord, FlowId, feedOf, getFlow, zendeskFeedTypeOf, type Reference } from '../flows';
import { syncPair, businessFailure, PairFailed, type PairSteps } from '../workflows/sync-pair';
import type { GivenRecord, PairRef, PairSynced } from '../protocol/ids';
import { commentPairId } from '../protocol/ids';
import { createApiActivities, type ApiStepDeps } from '../activities/api-steps';
import { createLocalActivities } from '../activities/local-steps';
import { readZendeskFeed } from '../activities/change-feeds';
import { describeFailure } from '../activities/failures';
import { plannedKey, type PlannedLinks } from '../activities/link-translations';
import type { SyncDecision, SyncOutcome } from '../protocol/outcomes';

export type PlanAction = 'create' | 'link' | 'update' | 'unchanged' | 'skip' | 'conflict' | 'fail';

export interface PlanEntry {
  flowId: FlowId;
  zendeskId: string;
  action: PlanAction;
  targetId: string | null;
  reason: string;
  changes: { target: Record<string, unknown> | null; zendesk: Record<string, unknown> | null };
  decisions: SyncDecision[];
}

const ACTIONS: Record<string, PlanAction> = {
  created: 'create',
  linked: 'link',
  updated: 'update',
  unchanged: 'unchanged',
  skipped: 'skip',
  conflict: 'conflict',
  orphaned: 'skip',
  failed: 'fail',
};

export interface PlanOptions {
  limit?: number;
  /** Preview a full re-read (from the feed's start) rather than the changes since the checkpoint. */
  all?: boolean;
}

export async function planFlow(deps: ApiStepDeps, flowId: FlowId, opts: PlanOptions = {}): Promise<PlanEntry[]> {
  const flow = getFlow(flowId);
  const planner = new Planner(deps);
  const entries: PlanEntry[] = [];
  const limit = opts.limit ?? Infinity;
  const type = zendeskFeedTypeOf(flow.source.type);
  let checkpoint = opts.all ? null : ((await deps.store.getCheckpoint(feedOf(flow, 'zendesk')))?.value ?? null);
  for (;;) {
    const page = await readZendeskFeed(deps.connectors.zendesk, type, checkpoint);
    for (const item of page.items) {
      const pairs: { zendeskId: string; given: GivenRecord }[] =
        flow.source.type === 'ticketComments'
          ? ((await deps.connectors.zendesk.listTicketComments(Number(item.id))) as ApiRecord[]).map((c) => ({
              zendeskId: commentPairId(item.id, String(c.id)),
              given: { record: c, ticket: item.record },
            }))
          : [{ zendeskId: item.id, given: { record: item.record } }];
      for (const p of pairs) {
        if (entries.length >= limit) return entries;
        entries.push(await planner.plan({ flowId: flow.id, zendeskId: p.zendeskId }, p.given));
      }
    }
    if (page.done) return entries;
    checkpoint = page.checkpoint;
  }
}

class Planner {
  private readonly planned: PlannedLinks = new Map();
  private readonly steps: PairSteps;

  constructor(deps: ApiStepDeps) {
    const api = createApiActivities({ ...deps, recordRetries: false });
    const local = createLocalActivities({ ...deps, planned: this.planned });
    let created = 0;
    const nothing = async () => undefined;
    this.steps = {
      zendesk: { readZendesk: api.readZendesk, updateZendesk: nothing },
      target: {
        readTarget: api.readTarget,
        findTargets: api.findTargets,
        updateTarget: nothing,
        async createTarget(pair, input) {
          const idKey = getFlow(pair.flowId).target.system === 'poweroffice' ? 'Id' : 'id';
          return {
            record: { ...input.body, [idKey]: `new-${getFlow(pair.flowId).target.type}-${++created}` },
            found: false,
          };
        },
      },
      local: {
        ...local,
        saveLink: async () => true,
        markFailed: nothing,
        markConflict: nothing,
        markOrphaned: nothing,
        clearRetrying: nothing,
        recordIntent: async () => ({ isNew: true }),
      },
    };
  }

  async plan(pair: PairRef, given?: GivenRecord, demanded = false): Promise<PlanEntry> {
    const flowId = getFlow(pair.flowId).id;
    try {
      const r = await syncPair({ pair, demanded, given, linkReference: (ref) => this.reference(ref) }, this.steps);
      if (r.targetId && (r.outcome === 'created' || r.outcome === 'linked'))
        this.planned.set(plannedKey(flowId, pair.zendeskId), r.targetId);
      return {
        flowId,
        zendeskId: pair.zendeskId,
        action: ACTIONS[r.outcome],
        targetId: r.targetId,
        reason: r.summary,
        changes: r.written,
        decisions: r.decisions,
      };
    } catch (err) {
      const reason = businessFailure(err) ?? describeFailure(err);
      return {
        flowId,
        zendeskId: pair.zendeskId,
        action: 'fail',
        targetId: null,
        reason,
        changes: { target: null, zendesk: null },
        decisions: [],
      };
    }
  }

  private async reference(ref: Reference): Promise<PairSynced> {
    const entry = await this.plan({ flowId: ref.flowId, zendeskId: ref.zendeskId }, undefined, true);
    if (entry.action === 'fail') throw new PairFailed(entry.reason);
    const outcome = (Object.entries(ACTIONS).find(([, a]) => a === entry.action)?.[0] ?? 'skipped') as SyncOutcome;
    return { flowId: ref.flowId, zendeskId: ref.zendeskId, targetId: entry.targetId, outcome, summary: entry.reason };
  }
}
