/**
 * The change feeds, one page at a time: Zendesk's incremental exports on the Zendesk side, the
 * "changed since" lists on the target side. A checkpoint is an opaque string the poll saves once
 * the page's records are handed to their pairs.
 */
import type { ApiRecord, FlowDefinition, ZendeskType } from '../flows';
import type { ZendeskFeedType } from '../flows';
import { modifiedAt, targetMatchKey } from '../flows';
import type { ZendeskClient } from '../connectors/zendesk';
import type { TargetAccess } from './record-access';

export interface FeedPage {
  /** The changed records with their id on the feed's side. */
  items: { id: string; record: ApiRecord }[];
  checkpoint: string;
  done: boolean;
  /** A target feed read from its start: the pass's id, so what it did not list can be found. */
  pass?: string;
  /** Zendesk records the page side-loaded, by type and id: what its records refer to. */
  sideloaded?: Sideloaded;
}

export type Sideloaded = Partial<Record<ZendeskType, Map<string, ApiRecord>>>;

const TARGET_PAGE_SIZE = 100;
/** How often a target feed is read from its start: its change list never shows a deletion. */
const FULL_PASS_EVERY_MS = 24 * 60 * 60 * 1000;

/** Reads one page of a Zendesk change feed from `checkpoint` (null: from the start). */
export type ZendeskFeedReader = (zendesk: ZendeskClient, checkpoint: string | null) => Promise<FeedPage>;

/** Each Zendesk export (an extension adds its own: activities/extend.ts). */
const ZENDESK_FEEDS: Record<ZendeskFeedType, ZendeskFeedReader> = {
  async users(zendesk, checkpoint) {
    const page = await zendesk.incrementalUsers(checkpoint ? { cursor: checkpoint } : { startTime: 0 });
    const organizations = new Map(page.organizations.map((o) => [String(o.id), o as ApiRecord]));
    return {
      items: page.items.map((u) => ({ id: String(u.id), record: u as ApiRecord })),
      checkpoint: page.cursor,
      done: page.endOfStream,
      sideloaded: { organizations },
    };
  },
  async organizations(zendesk, checkpoint) {
    const page = await zendesk.incrementalOrganizations(checkpoint ? Number(checkpoint) : 0);
    return {
      items: page.items.map((o) => ({ id: String(o.id), record: o as ApiRecord })),
      checkpoint: String(page.nextStartTime),
      done: page.endOfStream,
    };
  },
  async tickets(zendesk, checkpoint) {
    const page = await zendesk.incrementalTickets(checkpoint ? { cursor: checkpoint } : { startTime: 0 });
    return {
      items: page.items.map((t) => ({ id: String(t.id), record: t as ApiRecord })),
      checkpoint: page.cursor,
      done: page.endOfStream,
    };
  },
};

export function readZendeskFeed(
  zendesk: ZendeskClient,
  type: ZendeskFeedType,
  checkpoint: string | null,
): Promise<FeedPage> {
  const read = ZENDESK_FEEDS[type];
  if (!read) throw new Error(`no change feed is registered for Zendesk ${type}`);
  return read(zendesk, checkpoint);
}

export function addZendeskFeed(type: ZendeskFeedType, read: ZendeskFeedReader): void {
  ZENDESK_FEEDS[type] = read;
}

/**
 * Target-side checkpoint: the instant already seen, plus the page reached in the current pass; during
 * a pass from the start, its id and where it resumes after; and when the last such pass began.
 */
interface TargetCheckpoint {
  since: string | null;
  page: number;
  maxSeen: string | null;
  pass?: { id: string; resume: string | null } | null;
  fullAt?: string | null;
}

/**
 * The filter's value for "changed since `since`": a millisecond before it. The filters are strictly
 * greater than, and a target's clock may hand one time to two changes (PowerOffice Go and Crmoffice
 * at whole seconds, say): one made after the list was read, in the second of its newest change, would
 * be skipped by `> since`. So each read takes that instant again; its records are echoes, dropped.
 */
export function sinceFilter(since: string | null): string | null {
  if (since === null) return null;
  const at = Date.parse(since);
  return Number.isNaN(at) ? since : new Date(at - 1).toISOString();
}

/** One page of the target's change list from `at`, and the newest change it has seen so far. */
async function listFrom(
  target: TargetAccess,
  flow: FlowDefinition,
  at: TargetCheckpoint,
): Promise<{ items: ApiRecord[]; hasMore: boolean; maxSeen: string | null }> {
  const page = await target.listChanged(sinceFilter(at.since), at.page, TARGET_PAGE_SIZE);
  let maxSeen = at.maxSeen;
  for (const record of page.items) {
    const m = modifiedAt(flow, 'target', record);
    if (m && (!maxSeen || m > maxSeen)) maxSeen = m;
  }
  return { items: page.items, hasMore: page.hasMore, maxSeen };
}

const START: TargetCheckpoint = { since: null, page: 1, maxSeen: null };

export async function readTargetFeed(
  target: TargetAccess,
  flow: FlowDefinition,
  checkpoint: string | null,
  now = new Date(),
): Promise<FeedPage> {
  let at: TargetCheckpoint = checkpoint ? (JSON.parse(checkpoint) as TargetCheckpoint) : START;
  const due = !at.fullAt || now.getTime() - Date.parse(at.fullAt) >= FULL_PASS_EVERY_MS;
  if (at.page === 1 && !at.pass && (at.since === null || due)) {
    at = {
      ...at,
      pass: { id: `${flow.id}@${now.toISOString()}`, resume: at.since },
      since: null,
      fullAt: now.toISOString(),
    };
  }
  const { items, hasMore, maxSeen } = await listFrom(target, flow, at);
  // Filter is "strictly greater than `since`", so a pass ends by moving `since` to the newest change seen.
  // A pass from the start that saw nothing resumes where the feed stood before it.
  const next: TargetCheckpoint = hasMore
    ? { ...at, page: at.page + 1, maxSeen }
    : { since: maxSeen ?? at.pass?.resume ?? at.since, page: 1, maxSeen: null, pass: null, fullAt: at.fullAt ?? null };
  return {
    items: items.map((record) => ({ id: target.idOf(record), record })),
    checkpoint: JSON.stringify(next),
    done: !hasMore,
    pass: at.pass?.id,
  };
}

/**
 * One page of a target index brought up to date: the target records changed since it last read the
 * change list (all of them, the first time), each with its match value. Its position is a target
 * feed's without the passes: a deleted record left in the index costs a read by id, nothing more.
 *
 * Given `asksToSync` (does this record ask its pair to sync, as the target feed would route it), a
 * refresh in which no record did also says which stretch of the change list it read: the target
 * feed has nothing to do there (see feedCheckpointAfterIndex).
 */
export async function readTargetIndexPage(
  target: TargetAccess,
  flow: FlowDefinition,
  checkpoint: string | null,
  asksToSync?: (id: string, record: ApiRecord) => Promise<boolean>,
): Promise<{
  entries: { targetId: string; matchValue: string }[];
  checkpoint: string;
  done: boolean;
  quiet?: IndexedStretch;
}> {
  const at: IndexCursor = checkpoint ? (JSON.parse(checkpoint) as IndexCursor) : START;
  const { items, hasMore, maxSeen } = await listFrom(target, flow, at);
  let busy = at.busy === true || !asksToSync;
  for (const record of items) if (!busy && (await asksToSync!(target.idOf(record), record))) busy = true;
  const entries = items.flatMap((record) => {
    const matchValue = targetMatchKey(flow, record);
    return matchValue === null ? [] : [{ targetId: target.idOf(record), matchValue }];
  });
  if (hasMore)
    return {
      entries,
      checkpoint: JSON.stringify({ ...at, page: at.page + 1, maxSeen, ...(busy ? { busy } : {}) }),
      done: false,
    };
  const next: TargetCheckpoint = { since: maxSeen ?? at.since, page: 1, maxSeen: null };
  return {
    entries,
    checkpoint: JSON.stringify(next),
    done: true,
    ...(busy ? {} : { quiet: { from: at.since, to: next.since } }),
  };
}

/** A refresh in flight: whether a record it read so far asked its pair to sync. */
interface IndexCursor extends TargetCheckpoint {
  busy?: boolean;
}

/** A stretch of a target's change list (after `from`, up to `to`; null: its start) with nothing in it for the target feed. */
export interface IndexedStretch {
  from: string | null;
  to: string | null;
}

/**
 * The target feed's checkpoint moved on past a stretch its index read with nothing in it for the
 * feed, or null to leave it. So the feed does not read again what the index just read: a first sync
 * leaves the feed at the index's last refresh (the target as it was, read once), not at its start.
 * Only a feed between passes moves, and only when it has read up to the stretch: it never skips
 * what the index did not read. Should the feed save a page meanwhile, either value is safe.
 */
export function feedCheckpointAfterIndex(
  feedCheckpoint: string | null,
  stretch: IndexedStretch,
  now = new Date(),
): string | null {
  if (feedCheckpoint === null) {
    // Never polled: the index read the whole target, so the feed's first pass (from its start) is done.
    return stretch.from === null
      ? JSON.stringify({
          since: stretch.to,
          page: 1,
          maxSeen: null,
          pass: null,
          fullAt: now.toISOString(),
        } satisfies TargetCheckpoint)
      : null;
  }
  const feed = JSON.parse(feedCheckpoint) as TargetCheckpoint;
  if (feed.page !== 1 || feed.pass || stretch.to === null) return null;
  const readUpTo = stretch.from === null || (feed.since !== null && feed.since >= stretch.from);
  if (!readUpTo || (feed.since !== null && feed.since >= stretch.to)) return null;
  return JSON.stringify({ ...feed, since: stretch.to });
}
