/**
 * The change feeds Tandem polls, derived from the flow definitions: each is read once and routed to
 * every flow it feeds (the Zendesk users export feeds P2 and Z3, the tickets export Z2 and Z1, …).
 * Pure, so workflow code may use it.
 */
import { FLOWS, FLOW_IDS } from './registry';
import { type FlowDefinition, type FlowId, type Side, type TargetSystem } from './types';
import { zendeskFeedTypeOf } from './zendesk-types';

export interface Feed {
  /** `zendesk/users`, `poweroffice/employees`, …: the schedule is `poll/<id>`. */
  id: string;
  system: 'zendesk' | TargetSystem;
  side: Side;
  /** The flows whose changes this feed reports. */
  flows: readonly FlowId[];
}

export function feedOf(flow: FlowDefinition, side: Side): string {
  return side === 'zendesk'
    ? `zendesk/${zendeskFeedTypeOf(flow.source.type)}`
    : `${flow.target.system}/${flow.target.type}`;
}

function deriveFeeds(): readonly Feed[] {
  const feeds = new Map<string, Feed>();
  const add = (flow: FlowDefinition, side: Side) => {
    const id = feedOf(flow, side);
    const feed = feeds.get(id) ?? { id, system: side === 'zendesk' ? 'zendesk' : flow.target.system, side, flows: [] };
    feeds.set(id, { ...feed, flows: [...feed.flows, flow.id] });
  };
  for (const id of FLOW_IDS) {
    const flow = FLOWS[id];
    add(flow, 'zendesk');
    // A one-way flow writes nothing to Zendesk: its target side needs no poll.
    if (flow.direction.mode === 'two-way') add(flow, 'target');
  }
  return [...feeds.values()].sort((a, b) => a.id.localeCompare(b.id));
}

export const FEEDS: readonly Feed[] = deriveFeeds();

/** Derives the feeds again after an extension added flows (flows/extend.ts): in place, as they are shared. */
export function refreshFeeds(): void {
  (FEEDS as Feed[]).splice(0, FEEDS.length, ...deriveFeeds());
}

/** The comments flow: derived, since comments have no feed of their own but their ticket's. */
export const COMMENTS_FLOW: FlowId = FLOW_IDS.find((id) => FLOWS[id].source.type === 'ticketComments')!;

export function getFeed(id: string): Feed {
  const feed = FEEDS.find((f) => f.id === id);
  if (!feed) throw new Error(`unknown change feed "${id}"; feeds: ${FEEDS.map((f) => f.id).join(', ')}`);
  return feed;
}

/** The feeds a flow reads: its Zendesk side, and its target side when two-way. */
export function feedsOfFlow(flowId: FlowId): Feed[] {
  return FEEDS.filter((f) => f.flows.includes(flowId));
}
