/**
 * The link store in a SQLite file (better-sqlite3). WAL and a busy timeout let several worker
 * processes share the file; within a process calls are serialised by the synchronous driver, and
 * the link version (compare-and-set in one UPDATE) guards concurrent syncs of one pair.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FlowId, ZendeskType } from '../flows/types';
import { pendingMigrations } from './migrations';
import {
  checkFeed,
  checkFlow,
  checkId,
  checkLimit,
  checkListOptions,
  checkSharedToken,
  checkZendeskType,
  copyRow,
  emptyCounts,
  linkRowFor,
  toIntent,
  toLink,
  toRetrying,
  toSharedToken,
  toZendeskCopy,
  type IntentRow,
  type LinkRow,
  type RetryingRow,
  type SharedTokenRow,
  type ZendeskCopyRow,
} from './rows';
import {
  DuplicateTargetError,
  VersionConflictError,
  type Checkpoint,
  type Intent,
  type Link,
  type LinkCounts,
  type LinkState,
  type LinkStore,
  type LinkWrite,
  type ListOptions,
  type Retrying,
  type SharedToken,
  type ZendeskCopy,
} from './types';

export interface SqliteStoreOptions {
  /** Clock for updatedAt and friends (tests pin it). */
  now?: () => Date;
  /** How long to wait for another process's write lock, in ms. */
  busyTimeoutMs?: number;
}

/** Applies the migrations not yet recorded, in one write transaction so two processes cannot race. */
function migrate(db: Database.Database, now: () => Date): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const apply = db.transaction(() => {
    const applied = (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map(
      (r) => r.version,
    );
    for (const m of pendingMigrations(applied)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        now().toISOString(),
      );
    }
  });
  apply.immediate();
}

export class SqliteLinkStore implements LinkStore {
  private readonly now: () => Date;

  constructor(
    readonly db: Database.Database,
    options: SqliteStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** Opening the file migrated it already. */
  async ready(): Promise<void> {}

  private stamp(): string {
    return this.now().toISOString();
  }

  private getRow(flow: FlowId, zendeskId: string): LinkRow | undefined {
    return this.db.prepare('SELECT * FROM links WHERE flow_id = ? AND zendesk_id = ?').get(flow, zendeskId) as
      LinkRow | undefined;
  }

  async getByZendeskId(flow: FlowId, zendeskId: string): Promise<Link | undefined> {
    const row = this.getRow(checkFlow(flow), checkId('zendeskId', zendeskId));
    return row ? toLink(row) : undefined;
  }

  async getByTargetId(flow: FlowId, targetId: string): Promise<Link | undefined> {
    const row = this.db
      .prepare('SELECT * FROM links WHERE flow_id = ? AND target_id = ?')
      .get(checkFlow(flow), checkId('targetId', targetId)) as LinkRow | undefined;
    return row ? toLink(row) : undefined;
  }

  async saveLink(link: LinkWrite, expectedVersion: number): Promise<Link> {
    const values = { ...linkRowFor(link, expectedVersion, this.stamp()), expected: expectedVersion };
    const flow = values.flow_id as FlowId;
    const zendeskId = values.zendesk_id;
    let row: LinkRow | undefined;
    try {
      if (expectedVersion === 0) {
        row = this.db
          .prepare(
            `INSERT INTO links (flow_id, zendesk_id, target_id, state, base, version, last_error, last_synced_at, updated_at)
             VALUES (@flow_id, @zendesk_id, @target_id, @state, @base, @version, @last_error, @last_synced_at, @updated_at)
             ON CONFLICT (flow_id, zendesk_id) DO NOTHING
             RETURNING *`,
          )
          .get(values) as LinkRow | undefined;
      } else {
        row = this.db
          .prepare(
            `UPDATE links SET target_id = @target_id, state = @state, base = @base, version = @version,
               last_error = @last_error, last_synced_at = @last_synced_at, updated_at = @updated_at
             WHERE flow_id = @flow_id AND zendesk_id = @zendesk_id AND version = @expected
             RETURNING *`,
          )
          .get(values) as LinkRow | undefined;
      }
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && link.targetId !== null) {
        const other = this.db
          .prepare('SELECT zendesk_id FROM links WHERE flow_id = ? AND target_id = ?')
          .get(flow, link.targetId) as { zendesk_id: string } | undefined;
        throw new DuplicateTargetError(flow, link.targetId, zendeskId, other?.zendesk_id ?? null);
      }
      throw e;
    }
    if (!row)
      throw new VersionConflictError(flow, zendeskId, expectedVersion, this.getRow(flow, zendeskId)?.version ?? null);
    return toLink(row);
  }

  async markFailed(flow: FlowId, zendeskId: string, error: string): Promise<Link> {
    return this.markWithReason(flow, zendeskId, 'failed', error);
  }

  async markOrphaned(flow: FlowId, zendeskId: string, reason: string): Promise<Link | undefined> {
    const row = this.db
      .prepare(
        `UPDATE links SET state = 'orphaned', last_error = ?, version = version + 1, updated_at = ?
         WHERE flow_id = ? AND zendesk_id = ? RETURNING *`,
      )
      .get(checkId('reason', reason), this.stamp(), checkFlow(flow), checkId('zendeskId', zendeskId)) as
      LinkRow | undefined;
    return row ? toLink(row) : undefined;
  }

  async markConflict(flow: FlowId, zendeskId: string, message: string): Promise<Link> {
    return this.markWithReason(flow, zendeskId, 'conflict', message);
  }

  /** A state that waits for a fix, with its reason (creating the row if absent); target and base are kept. */
  private markWithReason(flow: FlowId, zendeskId: string, state: 'failed' | 'conflict', reason: string): Link {
    const row = this.db
      .prepare(
        `INSERT INTO links (flow_id, zendesk_id, target_id, state, base, version, last_error, last_synced_at, updated_at)
         VALUES (@flow, @zendeskId, NULL, @state, NULL, 1, @reason, NULL, @now)
         ON CONFLICT (flow_id, zendesk_id) DO UPDATE SET
           state = excluded.state, last_error = excluded.last_error, version = links.version + 1, updated_at = excluded.updated_at
         RETURNING *`,
      )
      .get({
        flow: checkFlow(flow),
        zendeskId: checkId('zendeskId', zendeskId),
        state,
        reason: String(reason),
        now: this.stamp(),
      }) as LinkRow;
    return toLink(row);
  }

  async markRetrying(flow: FlowId, zendeskId: string, error: string): Promise<void> {
    const now = this.stamp();
    this.db
      .prepare(
        `INSERT INTO retrying (flow_id, zendesk_id, last_error, since, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (flow_id, zendesk_id) DO UPDATE SET last_error = excluded.last_error, updated_at = excluded.updated_at`,
      )
      .run(checkFlow(flow), checkId('zendeskId', zendeskId), String(error), now, now);
  }

  async clearRetrying(flow: FlowId, zendeskId: string): Promise<void> {
    this.db
      .prepare('DELETE FROM retrying WHERE flow_id = ? AND zendesk_id = ?')
      .run(checkFlow(flow), checkId('zendeskId', zendeskId));
  }

  async listRetrying(flow: FlowId | undefined, limit: number): Promise<Retrying[]> {
    checkLimit(limit);
    const rows = this.db
      .prepare('SELECT * FROM retrying WHERE (? IS NULL OR flow_id = ?) ORDER BY since, flow_id, zendesk_id LIMIT ?')
      .all(flow === undefined ? null : checkFlow(flow), flow ?? null, limit) as RetryingRow[];
    return rows.map(toRetrying);
  }

  async countRetrying(flow: FlowId): Promise<number> {
    return (
      this.db.prepare('SELECT COUNT(*) AS n FROM retrying WHERE flow_id = ?').get(checkFlow(flow)) as { n: number }
    ).n;
  }

  async listLinks(flow: FlowId, options: ListOptions): Promise<Link[]> {
    const { state, limit, offset } = checkListOptions(options);
    const rows = this.db
      .prepare(
        `SELECT * FROM links WHERE flow_id = ? AND (? IS NULL OR state = ?)
         ORDER BY zendesk_id LIMIT ? OFFSET ?`,
      )
      .all(checkFlow(flow), state, state, limit, offset) as LinkRow[];
    return rows.map(toLink);
  }

  async counts(flow: FlowId): Promise<LinkCounts> {
    const out: LinkCounts = emptyCounts();
    const rows = this.db
      .prepare('SELECT state, COUNT(*) AS n FROM links WHERE flow_id = ? GROUP BY state')
      .all(checkFlow(flow)) as { state: LinkState; n: number }[];
    for (const r of rows) out[r.state] = r.n;
    return out;
  }

  async needingReview(flow: FlowId | undefined, limit: number): Promise<Link[]> {
    checkLimit(limit);
    const rows = this.db
      .prepare(
        `SELECT * FROM links WHERE state IN ('failed', 'conflict', 'orphaned') AND (? IS NULL OR flow_id = ?)
         ORDER BY updated_at DESC, flow_id, zendesk_id LIMIT ?`,
      )
      .all(flow === undefined ? null : checkFlow(flow), flow ?? null, limit) as LinkRow[];
    return rows.map(toLink);
  }

  async getCheckpoint(feed: string): Promise<Checkpoint | undefined> {
    const row = this.db
      .prepare('SELECT value, updated_at FROM feed_checkpoints WHERE feed = ?')
      .get(checkFeed(feed)) as { value: string; updated_at: string } | undefined;
    return row ? { value: row.value, updatedAt: row.updated_at } : undefined;
  }

  async markTargetsSeen(flow: FlowId, targetIds: readonly string[], pass: string): Promise<void> {
    const f = checkFlow(flow);
    const p = checkId('pass', pass);
    const upsert = this.db.prepare(
      'INSERT INTO target_seen (flow_id, target_id, pass) VALUES (?, ?, ?) ON CONFLICT (flow_id, target_id) DO UPDATE SET pass = excluded.pass',
    );
    this.db.transaction(() => {
      for (const id of targetIds) upsert.run(f, checkId('targetId', id), p);
    })();
  }

  async linksNotSeen(flow: FlowId, pass: string, after: string | null, limit: number): Promise<Link[]> {
    const rows = this.db
      .prepare(
        `SELECT l.* FROM links l LEFT JOIN target_seen s ON s.flow_id = l.flow_id AND s.target_id = l.target_id AND s.pass = ?
         WHERE l.flow_id = ? AND l.state = 'linked' AND l.target_id IS NOT NULL AND s.target_id IS NULL AND (? IS NULL OR l.zendesk_id > ?)
         ORDER BY l.zendesk_id LIMIT ?`,
      )
      .all(checkId('pass', pass), checkFlow(flow), after, after, checkLimit(limit)) as LinkRow[];
    return rows.map(toLink);
  }

  async indexTargets(flow: FlowId, entries: readonly { targetId: string; matchValue: string }[]): Promise<void> {
    const f = checkFlow(flow);
    const upsert = this.db.prepare(
      'INSERT INTO target_index (flow_id, target_id, match_value) VALUES (?, ?, ?) ON CONFLICT (flow_id, target_id) DO UPDATE SET match_value = excluded.match_value',
    );
    this.db.transaction(() => {
      for (const e of entries) upsert.run(f, checkId('targetId', e.targetId), e.matchValue);
    })();
  }

  async indexedTargets(flow: FlowId, matchValue: string): Promise<string[]> {
    const rows = this.db
      .prepare('SELECT target_id FROM target_index WHERE flow_id = ? AND match_value = ? ORDER BY target_id')
      .all(checkFlow(flow), matchValue) as { target_id: string }[];
    return rows.map((r) => r.target_id);
  }

  async noteZendeskCopy(type: ZendeskType, zendeskId: string, copy: ZendeskCopy): Promise<void> {
    const row = copyRow(copy);
    this.db
      .prepare(
        `INSERT INTO zendesk_copies (zendesk_type, zendesk_id, modified_at, origin_at, fields) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (zendesk_type, zendesk_id) DO UPDATE SET modified_at = excluded.modified_at, origin_at = excluded.origin_at, fields = excluded.fields`,
      )
      .run(checkZendeskType(type), checkId('zendeskId', zendeskId), row.modified_at, row.origin_at, row.fields);
  }

  async getZendeskCopy(type: ZendeskType, zendeskId: string): Promise<ZendeskCopy | undefined> {
    const row = this.db
      .prepare('SELECT modified_at, origin_at, fields FROM zendesk_copies WHERE zendesk_type = ? AND zendesk_id = ?')
      .get(checkZendeskType(type), checkId('zendeskId', zendeskId)) as ZendeskCopyRow | undefined;
    return row ? toZendeskCopy(row) : undefined;
  }

  async setCheckpoint(feed: string, value: string): Promise<void> {
    if (typeof value !== 'string') throw new Error(`checkpoint value must be a string, got ${typeof value}`);
    this.db
      .prepare(
        `INSERT INTO feed_checkpoints (feed, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (feed) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(checkFeed(feed), value, this.stamp());
  }

  async recordIntent(flow: FlowId, zendeskId: string, intentKey: string): Promise<Intent> {
    const f = checkFlow(flow);
    const z = checkId('zendeskId', zendeskId);
    const inserted = this.db
      .prepare(
        `INSERT INTO intents (flow_id, zendesk_id, intent_key, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (flow_id, zendesk_id) DO NOTHING RETURNING *`,
      )
      .get(f, z, checkId('intentKey', intentKey), this.stamp()) as IntentRow | undefined;
    if (inserted) return toIntent(inserted, true);
    return toIntent(
      this.db.prepare('SELECT * FROM intents WHERE flow_id = ? AND zendesk_id = ?').get(f, z) as IntentRow,
      false,
    );
  }

  async getIntent(flow: FlowId, zendeskId: string): Promise<Intent | undefined> {
    const row = this.db
      .prepare('SELECT * FROM intents WHERE flow_id = ? AND zendesk_id = ?')
      .get(checkFlow(flow), checkId('zendeskId', zendeskId)) as IntentRow | undefined;
    return row ? toIntent(row, false) : undefined;
  }

  async clearIntent(flow: FlowId, zendeskId: string): Promise<void> {
    this.db
      .prepare('DELETE FROM intents WHERE flow_id = ? AND zendesk_id = ?')
      .run(checkFlow(flow), checkId('zendeskId', zendeskId));
  }

  async getSharedToken(name: string): Promise<SharedToken | undefined> {
    checkSharedToken(name);
    const row = this.db.prepare('SELECT * FROM shared_tokens WHERE name = ?').get(name) as SharedTokenRow | undefined;
    return row ? toSharedToken(row) : undefined;
  }

  async putSharedToken(
    name: string,
    value: string,
    expiresAt: string | null,
    expectedPrevious?: string | null,
  ): Promise<boolean> {
    checkSharedToken(name, value, expiresAt);
    const values = { name, value, expiresAt, now: this.stamp(), previous: expectedPrevious ?? null };
    // One statement each, so the compare and the set cannot be split by another writer.
    let changes: number;
    if (expectedPrevious === undefined) {
      changes = this.db
        .prepare(
          `INSERT INTO shared_tokens (name, value, expires_at, updated_at) VALUES (@name, @value, @expiresAt, @now)
           ON CONFLICT (name) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
        )
        .run(values).changes;
    } else if (expectedPrevious === null) {
      changes = this.db
        .prepare(
          'INSERT INTO shared_tokens (name, value, expires_at, updated_at) VALUES (@name, @value, @expiresAt, @now) ON CONFLICT (name) DO NOTHING',
        )
        .run(values).changes;
    } else {
      changes = this.db
        .prepare(
          'UPDATE shared_tokens SET value = @value, expires_at = @expiresAt, updated_at = @now WHERE name = @name AND value = @previous',
        )
        .run(values).changes;
    }
    return changes === 1;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** Opens (creating if needed) a SQLite link store at `path` (':memory:' for a private one). */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): SqliteLinkStore {
  if (typeof path !== 'string' || path.trim() === '') throw new Error('SQLite store path must be a non-empty string');
  const memory = path === ':memory:';
  if (!memory) mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    if (!memory) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    migrate(db, options.now ?? (() => new Date()));
  } catch (e) {
    db.close();
    throw new Error(`cannot open the link store at ${path}: ${(e as Error).message}`);
  }
  return new SqliteLinkStore(db, options);
}
