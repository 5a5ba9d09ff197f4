/**
 * `tandem plan`: the next sync of a flow run dry. The real sync code runs against the real APIs
 * for reads, while every write (target, Zendesk, link store) lands in memory instead, so the plan
 * is what the sync would do, not a second opinion of it.
 */
import { FlowDefinition, FlowId, getFlow } from '../flows';
import type { Link, LinkStore, LinkWrite } from '../store';
import { readZendeskFeed } from './change-feeds';
import type { TargetAccess, ZendeskAccess } from './record-access';
import type { PollDeps } from './poll-page';
import { describeFailure } from './failures';
import { syncOnePair } from './sync-pair';
import type { SyncDecision } from './types';

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

const ACTIONS: Record<string, PlanAction> = { created: 'create', linked: 'link', updated: 'update', unchanged: 'unchanged', skipped: 'skip', conflict: 'conflict', orphaned: 'skip', failed: 'fail' };

export async function planFlow(deps: PollDeps, flowId: FlowId, opts: { limit?: number } = {}): Promise<PlanEntry[]> {
  const flow = getFlow(flowId);
  const dry = dryRunDeps(deps);
  const entries: PlanEntry[] = [];
  const limit = opts.limit ?? Infinity;
  let checkpoint = (await deps.store.getCheckpoint(flow.id, 'zendesk'))?.value ?? null;
  for (;;) {
    const page = await readZendeskFeed(deps.zendeskClient, flow, checkpoint);
    for (const item of page.items) {
      if (entries.length >= limit) return entries;
      try {
        const r = await syncOnePair(dry, { flowId: flow.id, zendeskId: item.id });
        entries.push({ flowId: flow.id, zendeskId: item.id, action: ACTIONS[r.outcome], targetId: r.targetId, reason: r.summary, changes: r.written, decisions: r.decisions });
      } catch (err) {
        entries.push({ flowId: flow.id, zendeskId: item.id, action: 'fail', targetId: null, reason: describeFailure(err), changes: { target: null, zendesk: null }, decisions: [] });
      }
    }
    if (page.done) return entries;
    checkpoint = page.checkpoint;
  }
}

/** The same dependencies with every write kept in memory. */
export function dryRunDeps<T extends PollDeps>(deps: T): T {
  const targets = new Map<string, TargetAccess>();
  const zendesk: ZendeskAccess = {
    get: (type, id) => deps.zendesk.get(type, id),
    update: async (type, id, body) => ({ ...((await deps.zendesk.get(type, id)) ?? {}), ...body }),
  };
  return {
    ...deps,
    zendesk,
    store: dryRunStore(deps.store),
    signal: undefined,
    hooks: undefined,
    target(flow: FlowDefinition) {
      let access = targets.get(flow.target.type);
      if (!access) {
        access = dryRunTarget(deps.target(flow), flow);
        targets.set(flow.target.type, access);
      }
      return access;
    },
  };
}

function dryRunTarget(real: TargetAccess, flow: FlowDefinition): TargetAccess {
  const created = new Map<string, Record<string, unknown>>();
  const idKey = flow.target.system === 'poweroffice' ? 'Id' : 'id';
  return {
    ...real,
    get: async (id) => created.get(id) ?? real.get(id),
    async create(body) {
      const id = `new-${flow.target.type}-${created.size + 1}`;
      const record = { ...body, [idKey]: id };
      created.set(id, record);
      return record;
    },
    update: async (id, body) => ({ ...((await real.get(id)) ?? created.get(id) ?? {}), ...body }),
  };
}

function dryRunStore(real: LinkStore): LinkStore {
  const links = new Map<string, Link>();
  const byZendesk = (flow: string, id: string) => `${flow}|z|${id}`;
  const byTarget = (flow: string, id: string) => `${flow}|t|${id}`;
  const save = (write: LinkWrite, version: number): Link => {
    const link: Link = { ...write, version: version + 1, updatedAt: new Date().toISOString() };
    links.set(byZendesk(link.flowId, link.zendeskId), link);
    if (link.targetId) links.set(byTarget(link.flowId, link.targetId), link);
    return link;
  };
  // Delegated one by one: the real store is a class instance, whose methods a spread would drop.
  return {
    listLinks: (flow, options) => real.listLinks(flow, options),
    counts: (flow) => real.counts(flow),
    latestFailures: (flow, limit) => real.latestFailures(flow, limit),
    getCheckpoint: (flow, side) => real.getCheckpoint(flow, side),
    getIntent: (flow, zendeskId) => real.getIntent(flow, zendeskId),
    getByZendeskId: async (flow, id) => links.get(byZendesk(flow, id)) ?? real.getByZendeskId(flow, id),
    getByTargetId: async (flow, id) => links.get(byTarget(flow, id)) ?? real.getByTargetId(flow, id),
    saveLink: async (link, expectedVersion) => save(link, expectedVersion),
    markFailed: async (flow, zendeskId, error) => save({ flowId: flow, zendeskId, targetId: null, state: 'failed', base: null, lastError: error, lastSyncedAt: null }, 0),
    markOrphaned: async () => undefined,
    setCheckpoint: async () => undefined,
    recordIntent: async (flow, zendeskId, intentKey) => ({ flowId: flow, zendeskId, intentKey, createdAt: new Date().toISOString(), isNew: true }),
    clearIntent: async () => undefined,
    close: async () => undefined,
  };
}

/** Builds the dependencies `planFlow` takes from connectors and a store (the same as the worker's). */
export { pollDeps } from './index';
