/** The link store's pairs of the chaos flows, read in full and indexed both ways. */
import type { FlowId } from '../../flows';
import type { Link, LinkStore } from '../../store';
import { CHAOS_FLOWS } from './flows';

export interface LinkIndex {
  all: Map<FlowId, Link[]>;
  /** Linked pairs only: Zendesk id → target id, and back. */
  target(flow: FlowId, zendeskId: string): string | undefined;
  zendesk(flow: FlowId, targetId: string): string | undefined;
  linkedZendeskIds(flow: FlowId): string[];
}

export async function readLinks(store: LinkStore, flows: readonly FlowId[] = CHAOS_FLOWS): Promise<LinkIndex> {
  const all = new Map<FlowId, Link[]>();
  const forward = new Map<FlowId, Map<string, string>>();
  const back = new Map<FlowId, Map<string, string>>();
  for (const flow of flows) {
    const links: Link[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await store.listLinks(flow, { limit: 1000, offset });
      links.push(...page);
      if (page.length < 1000) break;
    }
    all.set(flow, links);
    const linked = links.filter((l) => l.state === 'linked' && l.targetId !== null);
    forward.set(flow, new Map(linked.map((l) => [l.zendeskId, l.targetId!])));
    back.set(flow, new Map(linked.map((l) => [l.targetId!, l.zendeskId])));
  }
  return {
    all,
    target: (flow, id) => forward.get(flow)?.get(id),
    zendesk: (flow, id) => back.get(flow)?.get(id),
    linkedZendeskIds: (flow) => [...(forward.get(flow)?.keys() ?? [])],
  };
}
