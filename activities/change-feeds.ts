/**
 * The change feeds, one page at a time: Zendesk's incremental exports on the Zendesk side, the
 * "changed since" lists on the target side. A checkpoint is an opaque string the poll saves once
 * the page's records are handed to their pairs.
 */
import type { ApiRecord, FlowDefinition, ZendeskType } from '../flows';
import { modifiedAt } from '../flows';
import type { ZendeskClient } from '../connectors/zendesk';
import type { TargetAccess } from './record-access';

export interface FeedPage {
  /** The changed records with their id on the feed's side. */
  items: { id: string; record: ApiRecord }[];
  checkpoint: string;
  done: boolean;
}

const TARGET_PAGE_SIZE = 100;

export async function readZendeskFeed(zendesk: ZendeskClient, type: Exclude<ZendeskType, 'ticketComments'>, checkpoint: string | null): Promise<FeedPage> {
  switch (type) {
    case 'users': {
      const page = await zendesk.incrementalUsers(checkpoint ? { cursor: checkpoint } : { startTime: 0 });
      return { items: page.items.map((u) => ({ id: String(u.id), record: u as ApiRecord })), checkpoint: page.cursor, done: page.endOfStream };
    }
    case 'organizations': {
      const page = await zendesk.incrementalOrganizations(checkpoint ? Number(checkpoint) : 0);
      return { items: page.items.map((o) => ({ id: String(o.id), record: o as ApiRecord })), checkpoint: String(page.nextStartTime), done: page.endOfStream };
    }
    case 'tickets': {
      const page = await zendesk.incrementalTickets(checkpoint ? { cursor: checkpoint } : { startTime: 0 });
      return { items: page.items.map((t) => ({ id: String(t.id), record: t as ApiRecord })), checkpoint: page.cursor, done: page.endOfStream };
    }
  }
}

/** Target-side checkpoint: the instant already seen, plus the page reached in the current pass. */
interface TargetCheckpoint {
  since: string | null;
  page: number;
  maxSeen: string | null;
}

export async function readTargetFeed(target: TargetAccess, flow: FlowDefinition, checkpoint: string | null): Promise<FeedPage> {
  const at: TargetCheckpoint = checkpoint ? (JSON.parse(checkpoint) as TargetCheckpoint) : { since: null, page: 1, maxSeen: null };
  const page = await target.listChanged(at.since, at.page, TARGET_PAGE_SIZE);
  let maxSeen = at.maxSeen;
  for (const record of page.items) {
    const m = modifiedAt(flow, 'target', record);
    if (m && (!maxSeen || m > maxSeen)) maxSeen = m;
  }
  // Filter is "strictly greater than `since`", so a pass ends by moving `since` to the newest change seen.
  const next: TargetCheckpoint = page.hasMore ? { since: at.since, page: at.page + 1, maxSeen } : { since: maxSeen ?? at.since, page: 1, maxSeen: null };
  return { items: page.items.map((record) => ({ id: target.idOf(record), record })), checkpoint: JSON.stringify(next), done: !page.hasMore };
}
