/**
 * The link store in PostgreSQL (node-postgres pool), for several workers on several machines.
 * Same schema and semantics as the SQLite store: the link version is compared and set in one
 * UPDATE (READ COMMITTED re-checks the WHERE after waiting on a concurrent writer), so two workers
 * cannot both win one version. The pool connects and migrates on first use (or `ready()`), which
 * keeps `openStore` synchronous for every caller.
 */
import { Pool, type PoolClient, type QueryResultRow } from 'pg';
import type { FlowId, ZendeskType } from '../flows/types';
import { redactText } from '../protocol/redact';
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

export interface PostgresStoreOptions {
  /** Clock for updatedAt and friends (tests pin it). */
  now?: () => Date;
  /** Connections per process (default 10). */
  poolSize?: number;
  /** How long to wait for a connection, in ms (default 10 s). */
  connectTimeoutMs?: number;
}

/** Any fixed number: every Tandem process takes this advisory lock to migrate, one at a time. */
const MIGRATION_LOCK_KEY = 7_466_646_173;

/**
 * The schema a URL's `options=-c search_path=<schema>` names (libpq's own parameter), created at the
 * first start: each tenant's store is a schema of one database (workers/tenants.ts).
 */
function searchPathSchema(url: string): string | undefined {
  try {
    const options = new URL(url).searchParams.get('options') ?? '';
    return /(?:^|\s)-c\s*search_path=([a-z_][a-z0-9_]*)/i.exec(options)?.[1];
  } catch {
    return undefined;
  }
}

/** The URL's password, so it can be cut out of any driver message that might echo it. */
function passwordOf(url: string): string[] {
  try {
    const password = decodeURIComponent(new URL(url).password);
    return password ? [password] : [];
  } catch {
    return [];
  }
}

export class PostgresLinkStore implements LinkStore {
  private readonly pool: Pool;
  private readonly now: () => Date;
  private readonly secrets: string[];
  private readonly schema?: string;
  private migrated?: Promise<void>;
  private closed = false;

  constructor(url: string, options: PostgresStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.secrets = passwordOf(url);
    this.schema = searchPathSchema(url);
    this.pool = new Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    });
    // An idle connection dropped by the server emits here; unheard, it would end the process. The pool
    // replaces it, and the next query reports a lasting outage itself.
    this.pool.on('error', () => undefined);
  }

  /** Connects and applies pending migrations once; after a failure the next call tries again. */
  ready(): Promise<void> {
    this.migrated ??= this.migrate().catch((err: unknown) => {
      this.migrated = undefined;
      throw this.scrub(err);
    });
    return this.migrated;
  }

  /** One transaction under an advisory lock: workers starting together apply each migration once. */
  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      if (this.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        applied_at TEXT NOT NULL
      )`);
      const applied = (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
        (r) => r.version,
      );
      for (const m of pendingMigrations(applied)) {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          this.stamp(),
        ]);
      }
      await client.query('COMMIT');
    } catch (err) {
      await rollback(client);
      throw err;
    } finally {
      client.release();
    }
  }

  /** The driver's error with the URL's password cut out of its text; its code and fields stay for callers. */
  private scrub(err: unknown): unknown {
    if (err instanceof Error) {
      err.message = redactText(err.message, this.secrets);
      if (err.stack) err.stack = redactText(err.stack, this.secrets);
    }
    return err;
  }

  private async query<R extends QueryResultRow>(
    sql: string,
    params: unknown[] = [],
  ): Promise<{ rows: R[]; rowCount: number }> {
    if (this.closed) throw new Error('the link store is closed');
    await this.ready();
    try {
      const result = await this.pool.query<R>(sql, params);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } catch (err) {
      throw this.scrub(err);
    }
  }

  private async one<R extends QueryResultRow>(sql: string, params: unknown[]): Promise<R | undefined> {
    return (await this.query<R>(sql, params)).rows[0];
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  private getRow(flow: FlowId, zendeskId: string): Promise<LinkRow | undefined> {
    return this.one<LinkRow>('SELECT * FROM links WHERE flow_id = $1 AND zendesk_id = $2', [flow, zendeskId]);
  }

  async getByZendeskId(flow: FlowId, zendeskId: string): Promise<Link | undefined> {
    const row = await this.getRow(checkFlow(flow), checkId('zendeskId', zendeskId));
    return row ? toLink(row) : undefined;
  }

  async getByTargetId(flow: FlowId, targetId: string): Promise<Link | undefined> {
    const row = await this.one<LinkRow>('SELECT * FROM links WHERE flow_id = $1 AND target_id = $2', [
      checkFlow(flow),
      checkId('targetId', targetId),
    ]);
    return row ? toLink(row) : undefined;
  }

  async saveLink(link: LinkWrite, expectedVersion: number): Promise<Link> {
    const v = linkRowFor(link, expectedVersion, this.stamp());
    const flow = v.flow_id as FlowId;
    const params = [
      v.flow_id,
      v.zendesk_id,
      v.target_id,
      v.state,
      v.base,
      v.version,
      v.last_error,
      v.last_synced_at,
      v.updated_at,
    ];
    let row: LinkRow | undefined;
    try {
      if (expectedVersion === 0) {
        row = await this.one<LinkRow>(
          `INSERT INTO links (flow_id, zendesk_id, target_id, state, base, version, last_error, last_synced_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (flow_id, zendesk_id) DO NOTHING
           RETURNING *`,
          params,
        );
      } else {
        row = await this.one<LinkRow>(
          `UPDATE links SET target_id = $3, state = $4, base = $5, version = $6, last_error = $7, last_synced_at = $8, updated_at = $9
           WHERE flow_id = $1 AND zendesk_id = $2 AND version = $10
           RETURNING *`,
          [...params, expectedVersion],
        );
      }
    } catch (e) {
      const err = e as { code?: string; constraint?: string };
      if (err.code === '23505' && err.constraint === 'links_flow_target' && v.target_id !== null) {
        const other = await this.one<{ zendesk_id: string }>(
          'SELECT zendesk_id FROM links WHERE flow_id = $1 AND target_id = $2',
          [flow, v.target_id],
        );
        throw new DuplicateTargetError(flow, v.target_id, v.zendesk_id, other?.zendesk_id ?? null);
      }
      throw e;
    }
    if (!row)
      throw new VersionConflictError(
        flow,
        v.zendesk_id,
        expectedVersion,
        (await this.getRow(flow, v.zendesk_id))?.version ?? null,
      );
    return toLink(row);
  }

  async markFailed(flow: FlowId, zendeskId: string, error: string): Promise<Link> {
    return this.markWithReason(flow, zendeskId, 'failed', error);
  }

  async markOrphaned(flow: FlowId, zendeskId: string, reason: string): Promise<Link | undefined> {
    const row = await this.one<LinkRow>(
      `UPDATE links SET state = 'orphaned', last_error = $4, version = version + 1, updated_at = $1
       WHERE flow_id = $2 AND zendesk_id = $3 RETURNING *`,
      [this.stamp(), checkFlow(flow), checkId('zendeskId', zendeskId), checkId('reason', reason)],
    );
    return row ? toLink(row) : undefined;
  }

  async markConflict(flow: FlowId, zendeskId: string, message: string): Promise<Link> {
    return this.markWithReason(flow, zendeskId, 'conflict', message);
  }

  /** A state that waits for a fix, with its reason (creating the row if absent); target and base are kept. */
  private async markWithReason(
    flow: FlowId,
    zendeskId: string,
    state: 'failed' | 'conflict',
    reason: string,
  ): Promise<Link> {
    const row = await this.one<LinkRow>(
      `INSERT INTO links (flow_id, zendesk_id, target_id, state, base, version, last_error, last_synced_at, updated_at)
       VALUES ($1, $2, NULL, $3, NULL, 1, $4, NULL, $5)
       ON CONFLICT (flow_id, zendesk_id) DO UPDATE SET
         state = excluded.state, last_error = excluded.last_error, version = links.version + 1, updated_at = excluded.updated_at
       RETURNING *`,
      [checkFlow(flow), checkId('zendeskId', zendeskId), state, String(reason), this.stamp()],
    );
    return toLink(row as LinkRow);
  }

  async markRetrying(flow: FlowId, zendeskId: string, error: string): Promise<void> {
    const now = this.stamp();
    await this.query(
      `INSERT INTO retrying (flow_id, zendesk_id, last_error, since, updated_at) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (flow_id, zendesk_id) DO UPDATE SET last_error = excluded.last_error, updated_at = excluded.updated_at`,
      [checkFlow(flow), checkId('zendeskId', zendeskId), String(error), now],
    );
  }

  async clearRetrying(flow: FlowId, zendeskId: string): Promise<void> {
    await this.query('DELETE FROM retrying WHERE flow_id = $1 AND zendesk_id = $2', [
      checkFlow(flow),
      checkId('zendeskId', zendeskId),
    ]);
  }

  async listRetrying(flow: FlowId | undefined, limit: number): Promise<Retrying[]> {
    checkLimit(limit);
    const { rows } = await this.query<RetryingRow>(
      'SELECT * FROM retrying WHERE ($1::text IS NULL OR flow_id = $1) ORDER BY since, flow_id, zendesk_id LIMIT $2',
      [flow === undefined ? null : checkFlow(flow), limit],
    );
    return rows.map(toRetrying);
  }

  async countRetrying(flow: FlowId): Promise<number> {
    return (
      (await this.one<{ n: number }>('SELECT COUNT(*)::int AS n FROM retrying WHERE flow_id = $1', [checkFlow(flow)]))
        ?.n ?? 0
    );
  }

  async listLinks(flow: FlowId, options: ListOptions): Promise<Link[]> {
    const { state, limit, offset } = checkListOptions(options);
    const { rows } = await this.query<LinkRow>(
      // COLLATE "C": byte order, as SQLite sorts, whatever the database's locale.
      `SELECT * FROM links WHERE flow_id = $1 AND ($2::text IS NULL OR state = $2)
       ORDER BY zendesk_id COLLATE "C" LIMIT $3 OFFSET $4`,
      [checkFlow(flow), state, limit, offset],
    );
    return rows.map(toLink);
  }

  async counts(flow: FlowId): Promise<LinkCounts> {
    const out: LinkCounts = emptyCounts();
    const { rows } = await this.query<{ state: LinkState; n: number }>(
      'SELECT state, COUNT(*)::int AS n FROM links WHERE flow_id = $1 GROUP BY state',
      [checkFlow(flow)],
    );
    for (const r of rows) out[r.state] = r.n;
    return out;
  }

  async needingReview(flow: FlowId | undefined, limit: number): Promise<Link[]> {
    checkLimit(limit);
    const { rows } = await this.query<LinkRow>(
      `SELECT * FROM links WHERE state IN ('failed', 'conflict', 'orphaned') AND ($1::text IS NULL OR flow_id = $1)
       ORDER BY updated_at DESC, flow_id COLLATE "C", zendesk_id COLLATE "C" LIMIT $2`,
      [flow === undefined ? null : checkFlow(flow), limit],
    );
    return rows.map(toLink);
  }

  async getCheckpoint(feed: string): Promise<Checkpoint | undefined> {
    const row = await this.one<{ value: string; updated_at: string }>(
      'SELECT value, updated_at FROM feed_checkpoints WHERE feed = $1',
      [checkFeed(feed)],
    );
    return row ? { value: row.value, updatedAt: row.updated_at } : undefined;
  }

  async markTargetsSeen(flow: FlowId, targetIds: readonly string[], pass: string): Promise<void> {
    if (targetIds.length === 0) return;
    const ids = targetIds.map((id) => checkId('targetId', id));
    await this.query(
      `INSERT INTO target_seen (flow_id, target_id, pass) SELECT $1, unnest($2::text[]), $3
       ON CONFLICT (flow_id, target_id) DO UPDATE SET pass = excluded.pass`,
      [checkFlow(flow), ids, checkId('pass', pass)],
    );
  }

  async linksNotSeen(flow: FlowId, pass: string, after: string | null, limit: number): Promise<Link[]> {
    const { rows } = await this.query<LinkRow>(
      `SELECT l.* FROM links l LEFT JOIN target_seen s ON s.flow_id = l.flow_id AND s.target_id = l.target_id AND s.pass = $1
       WHERE l.flow_id = $2 AND l.state = 'linked' AND l.target_id IS NOT NULL AND s.target_id IS NULL
         AND ($3::text IS NULL OR l.zendesk_id COLLATE "C" > $3)
       ORDER BY l.zendesk_id COLLATE "C" LIMIT $4`,
      [checkId('pass', pass), checkFlow(flow), after, checkLimit(limit)],
    );
    return rows.map(toLink);
  }

  async indexTargets(flow: FlowId, entries: readonly { targetId: string; matchValue: string }[]): Promise<void> {
    if (entries.length === 0) return;
    // One row per target id: the last value given wins, as it would one by one.
    const latest = new Map(entries.map((e) => [checkId('targetId', e.targetId), e.matchValue]));
    await this.query(
      `INSERT INTO target_index (flow_id, target_id, match_value) SELECT $1, * FROM unnest($2::text[], $3::text[])
       ON CONFLICT (flow_id, target_id) DO UPDATE SET match_value = excluded.match_value`,
      [checkFlow(flow), [...latest.keys()], [...latest.values()]],
    );
  }

  async indexedTargets(flow: FlowId, matchValue: string): Promise<string[]> {
    const { rows } = await this.query<{ target_id: string }>(
      'SELECT target_id FROM target_index WHERE flow_id = $1 AND match_value = $2 ORDER BY target_id COLLATE "C"',
      [checkFlow(flow), matchValue],
    );
    return rows.map((r) => r.target_id);
  }

  async noteZendeskCopy(type: ZendeskType, zendeskId: string, copy: ZendeskCopy): Promise<void> {
    const row = copyRow(copy);
    await this.query(
      `INSERT INTO zendesk_copies (zendesk_type, zendesk_id, modified_at, origin_at, fields) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (zendesk_type, zendesk_id) DO UPDATE SET modified_at = excluded.modified_at, origin_at = excluded.origin_at, fields = excluded.fields`,
      [checkZendeskType(type), checkId('zendeskId', zendeskId), row.modified_at, row.origin_at, row.fields],
    );
  }

  async getZendeskCopy(type: ZendeskType, zendeskId: string): Promise<ZendeskCopy | undefined> {
    const row = await this.one<ZendeskCopyRow>(
      'SELECT modified_at, origin_at, fields FROM zendesk_copies WHERE zendesk_type = $1 AND zendesk_id = $2',
      [checkZendeskType(type), checkId('zendeskId', zendeskId)],
    );
    return row ? toZendeskCopy(row) : undefined;
  }

  async setCheckpoint(feed: string, value: string): Promise<void> {
    if (typeof value !== 'string') throw new Error(`checkpoint value must be a string, got ${typeof value}`);
    await this.query(
      `INSERT INTO feed_checkpoints (feed, value, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (feed) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [checkFeed(feed), value, this.stamp()],
    );
  }

  async recordIntent(flow: FlowId, zendeskId: string, intentKey: string): Promise<Intent> {
    const f = checkFlow(flow);
    const z = checkId('zendeskId', zendeskId);
    const inserted = await this.one<IntentRow>(
      `INSERT INTO intents (flow_id, zendesk_id, intent_key, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (flow_id, zendesk_id) DO NOTHING RETURNING *`,
      [f, z, checkId('intentKey', intentKey), this.stamp()],
    );
    if (inserted) return toIntent(inserted, true);
    return toIntent(
      (await this.one<IntentRow>('SELECT * FROM intents WHERE flow_id = $1 AND zendesk_id = $2', [f, z])) as IntentRow,
      false,
    );
  }

  async getIntent(flow: FlowId, zendeskId: string): Promise<Intent | undefined> {
    const row = await this.one<IntentRow>('SELECT * FROM intents WHERE flow_id = $1 AND zendesk_id = $2', [
      checkFlow(flow),
      checkId('zendeskId', zendeskId),
    ]);
    return row ? toIntent(row, false) : undefined;
  }

  async clearIntent(flow: FlowId, zendeskId: string): Promise<void> {
    await this.query('DELETE FROM intents WHERE flow_id = $1 AND zendesk_id = $2', [
      checkFlow(flow),
      checkId('zendeskId', zendeskId),
    ]);
  }

  async getSharedToken(name: string): Promise<SharedToken | undefined> {
    checkSharedToken(name);
    const row = await this.one<SharedTokenRow>('SELECT * FROM shared_tokens WHERE name = $1', [name]);
    return row ? toSharedToken(row) : undefined;
  }

  async putSharedToken(
    name: string,
    value: string,
    expiresAt: string | null,
    expectedPrevious?: string | null,
  ): Promise<boolean> {
    checkSharedToken(name, value, expiresAt);
    const params = [name, value, expiresAt, this.stamp()];
    // One statement each, so the compare and the set cannot be split by another writer.
    let result: { rowCount: number };
    if (expectedPrevious === undefined) {
      result = await this.query(
        `INSERT INTO shared_tokens (name, value, expires_at, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
        params,
      );
    } else if (expectedPrevious === null) {
      result = await this.query(
        'INSERT INTO shared_tokens (name, value, expires_at, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING',
        params,
      );
    } else {
      result = await this.query(
        'UPDATE shared_tokens SET value = $2, expires_at = $3, updated_at = $4 WHERE name = $1 AND value = $5',
        [...params, expectedPrevious],
      );
    }
    return result.rowCount === 1;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

async function rollback(client: PoolClient): Promise<void> {
  try {
    await client.query('ROLLBACK');
  } catch {
    // The connection is gone: the server rolled back for us.
  }
}

/** A PostgreSQL link store for `postgres://user:password@host:port/database`; connects on first use. */
export function openPostgresStore(url: string, options: PostgresStoreOptions = {}): PostgresLinkStore {
  return new PostgresLinkStore(url, options);
}

/** Drops the schema a URL's search path names (a removed tenant's store), with everything in it. */
export async function dropSearchPathSchema(url: string): Promise<void> {
  const schema = searchPathSchema(url);
  if (!schema) throw new Error('the store URL names no schema (options=-c search_path=<schema>): nothing to drop');
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } catch (err) {
    throw new Error(redactText((err as Error).message, passwordOf(url)));
  } finally {
    await pool.end();
  }
}
