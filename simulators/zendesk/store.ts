/**
 * In-memory state of the Zendesk simulator: one table per record type, kept in id order for lists and
 * in (updated, id) order for the incremental exports, plus comments per ticket and webhooks.
 */
import { z } from 'zod';
import { CommentRec, OrgRec, TicketRec, UserRec } from './records';
import { ID_BASE, SampleData } from './sample';

interface Timed {
  id: number;
  updated: number;
}

/**
 * A change feed entry: the record's id and `updated` at the change, and the change's sequence number.
 * Times are whole seconds, so many changes share one; the sequence orders them, which is what makes
 * a cursor exact: a record changed again within the second the cursor points into is not lost.
 */
export interface FeedEntry {
  seq: number;
  id: number;
  updated: number;
}

/**
 * Records by id, with an id-ordered list and a change feed in sequence order. The simulator's clock
 * never goes back, so the feed is also in `updated` order. A change appends an entry; the entry a
 * record leaves behind becomes stale and is skipped (and compacted away once stale entries dominate).
 */
export class Table<T extends Timed> {
  readonly byId = new Map<number, T>();
  private ids: number[] = [];
  private feed: FeedEntry[] = [];
  /** Record id → sequence number of its live feed entry. */
  private live = new Map<number, number>();
  private lastSeq = 0;
  private stale = 0;
  /** Changes on every (re)load: cursors of an earlier run cannot name a sequence of this one. */
  epoch = newEpoch();

  get size(): number {
    return this.byId.size;
  }

  /** Bulk load (sample data, snapshots): sorts once, sequence in (updated, id) order. */
  loadAll(records: T[]): void {
    this.byId.clear();
    for (const r of records) this.byId.set(r.id, r);
    this.ids = [...this.byId.keys()].sort((a, b) => a - b);
    const ordered = [...this.byId.values()].sort((a, b) => a.updated - b.updated || a.id - b.id);
    this.feed = ordered.map((r, i) => ({ seq: i + 1, id: r.id, updated: r.updated }));
    this.live = new Map(this.feed.map((e) => [e.id, e.seq]));
    this.lastSeq = this.feed.length;
    this.stale = 0;
    this.epoch = newEpoch();
  }

  insert(record: T): void {
    this.byId.set(record.id, record);
    if (this.ids.length === 0 || record.id > this.ids[this.ids.length - 1]) this.ids.push(record.id);
    else
      this.ids.splice(
        lowerBound(this.ids, record.id, (x, v) => x < v),
        0,
        record.id,
      );
    this.append(record);
  }

  /** Call after a change to `record` (its `updated` set, possibly to the same second as before). */
  touched(record: T): void {
    this.stale += 1;
    this.append(record);
    if (this.stale > 1000 && this.stale > this.feed.length / 2) {
      this.feed = this.feed.filter((e) => this.live.get(e.id) === e.seq);
      this.stale = 0;
    }
  }

  private append(record: T): void {
    this.lastSeq += 1;
    this.feed.push({ seq: this.lastSeq, id: record.id, updated: record.updated });
    this.live.set(record.id, this.lastSeq);
  }

  /** The newest sequence number (0 when nothing changed yet). */
  get head(): number {
    return this.lastSeq;
  }

  /** The sequence number just before the first change at or after `updated` (ms): "from this time on". */
  seqBefore(updated: number): number {
    const i = lowerBound(this.feed, updated, (e, v) => e.updated < v);
    return i === 0 ? 0 : this.feed[i - 1].seq;
  }

  /** Records with id > `afterId`, in id order, `limit` of them, and whether more exist. */
  pageById(afterId: number, limit: number, keep: (r: T) => boolean = () => true): { items: T[]; hasMore: boolean } {
    const items: T[] = [];
    for (let i = upperBound(this.ids, afterId); i < this.ids.length; i++) {
      const r = this.byId.get(this.ids[i]);
      if (!r || !keep(r)) continue;
      if (items.length === limit) return { items, hasMore: true };
      items.push(r);
    }
    return { items, hasMore: false };
  }

  /** All records for which `keep` holds, in id order (for offset pagination and search). */
  filter(keep: (r: T) => boolean): T[] {
    const out: T[] = [];
    for (const id of this.ids) {
      const r = this.byId.get(id);
      if (r && keep(r)) out.push(r);
    }
    return out;
  }

  /**
   * Live changes after sequence `afterSeq`, `limit` of them, each with its sequence number, and
   * whether more exist; changes at or after `before` (ms) are left for later.
   */
  changesAfter(
    afterSeq: number,
    limit: number,
    before = Number.POSITIVE_INFINITY,
  ): { items: Array<{ record: T; seq: number }>; hasMore: boolean } {
    const items: Array<{ record: T; seq: number }> = [];
    for (let i = lowerBound(this.feed, afterSeq, (e, v) => e.seq <= v); i < this.feed.length; i++) {
      const e = this.feed[i];
      // The feed is in `updated` order: from here on every change is too recent to hand out.
      if (e.updated >= before) break;
      const r = this.byId.get(e.id);
      if (!r || this.live.get(e.id) !== e.seq) continue;
      if (items.length === limit) return { items, hasMore: true };
      items.push({ record: r, seq: e.seq });
    }
    return { items, hasMore: false };
  }

  all(): T[] {
    return this.filter(() => true);
  }
}

function newEpoch(): string {
  return Math.floor(Math.random() * 36 ** 6).toString(36);
}

/** First index whose element is not `before` the value. */
function lowerBound<E, V>(arr: E[], value: V, before: (x: E, v: V) => boolean): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(arr[mid], value)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(arr: number[], value: number): number {
  return lowerBound(arr, value, (x, v) => x <= v);
}

export interface WebhookRec {
  id: string;
  name: string;
  endpoint: string;
  status: 'active' | 'inactive';
  subscriptions: string[];
  secret: string;
  created: number;
  updated: number;
}

const Snapshot = z.object({
  version: z.literal(1),
  users: z.array(z.custom<UserRec>()),
  organizations: z.array(z.custom<OrgRec>()),
  tickets: z.array(z.custom<TicketRec>()),
  comments: z.array(z.custom<CommentRec>()),
  webhooks: z.array(z.custom<WebhookRec>()).default([]),
});

type IdKind = keyof typeof ID_BASE;

export class ZendeskStore {
  readonly users = new Table<UserRec>();
  readonly organizations = new Table<OrgRec>();
  readonly tickets = new Table<TicketRec>();
  readonly comments = new Map<number, CommentRec[]>();
  readonly webhooks = new Map<string, WebhookRec>();
  /** Lower-cased e-mail → user id (e-mails are unique among users). */
  readonly emails = new Map<string, number>();
  /** Lower-cased name → organization id (names are unique among organizations). */
  readonly orgNames = new Map<string, number>();
  private next: Record<IdKind, number> = { ...ID_BASE };

  nextId(kind: IdKind): number {
    this.next[kind] += 1;
    return this.next[kind];
  }

  load(data: SampleData & { webhooks?: WebhookRec[] }): void {
    this.users.loadAll(data.users);
    this.organizations.loadAll(data.organizations);
    this.tickets.loadAll(data.tickets);
    this.comments.clear();
    for (const c of [...data.comments].sort((a, b) => a.created - b.created || a.id - b.id)) {
      const list = this.comments.get(c.ticket_id);
      if (list) list.push(c);
      else this.comments.set(c.ticket_id, [c]);
    }
    this.webhooks.clear();
    for (const w of data.webhooks ?? []) this.webhooks.set(w.id, w);
    this.emails.clear();
    for (const u of data.users) if (u.email) this.emails.set(u.email.toLowerCase(), u.id);
    this.orgNames.clear();
    for (const o of data.organizations) if (o.deleted === null) this.orgNames.set(o.name.toLowerCase(), o.id);
    const maxOf = (ids: number[], base: number) => ids.reduce((m, v) => (v > m ? v : m), base);
    this.next = {
      user: maxOf(
        data.users.map((u) => u.id),
        ID_BASE.user,
      ),
      organization: maxOf(
        data.organizations.map((o) => o.id),
        ID_BASE.organization,
      ),
      ticket: maxOf(
        data.tickets.map((t) => t.id),
        ID_BASE.ticket,
      ),
      comment: maxOf(
        data.comments.map((c) => c.id),
        ID_BASE.comment,
      ),
      audit: maxOf(
        data.comments.map((c) => c.audit_id),
        ID_BASE.audit,
      ),
    };
  }

  dump(): unknown {
    return {
      version: 1,
      users: this.users.all(),
      organizations: this.organizations.all(),
      tickets: this.tickets.all(),
      comments: [...this.comments.values()].flat(),
      webhooks: [...this.webhooks.values()],
    };
  }

  loadSnapshot(data: unknown): void {
    this.load(Snapshot.parse(data));
  }
}
