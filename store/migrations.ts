/**
 * Numbered schema migrations, applied in order and recorded in `schema_migrations`.
 * Standard SQL (TEXT, INTEGER, partial unique index) that SQLite and PostgreSQL both take as is,
 * so the two schemas cannot drift. Never edit a released migration: add the next number.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'links, checkpoints, intents',
    sql: `
      CREATE TABLE links (
        flow_id        TEXT    NOT NULL,
        zendesk_id     TEXT    NOT NULL,
        target_id      TEXT,
        state          TEXT    NOT NULL CHECK (state IN ('linked', 'pending', 'failed', 'orphaned', 'conflict')),
        base           TEXT,
        version        INTEGER NOT NULL,
        last_error     TEXT,
        last_synced_at TEXT,
        updated_at     TEXT    NOT NULL,
        PRIMARY KEY (flow_id, zendesk_id)
      );
      CREATE UNIQUE INDEX links_flow_target ON links (flow_id, target_id) WHERE target_id IS NOT NULL;
      CREATE INDEX links_flow_state ON links (flow_id, state, updated_at);

      CREATE TABLE checkpoints (
        flow_id    TEXT NOT NULL,
        side       TEXT NOT NULL CHECK (side IN ('zendesk', 'target')),
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (flow_id, side)
      );

      CREATE TABLE intents (
        flow_id    TEXT NOT NULL,
        zendesk_id TEXT NOT NULL,
        intent_key TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (flow_id, zendesk_id)
      );
    `,
  },
  {
    version: 2,
    name: 'checkpoints per change feed, retrying pairs',
    sql: `
      DROP TABLE checkpoints;
      CREATE TABLE feed_checkpoints (
        feed       TEXT NOT NULL PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      -- A pair whose sync meets transient failures and is being retried: beside its link, not in it,
      -- so marking it never moves the link's version.
      CREATE TABLE retrying (
        flow_id    TEXT NOT NULL,
        zendesk_id TEXT NOT NULL,
        last_error TEXT NOT NULL,
        since      TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (flow_id, zendesk_id)
      );
    `,
  },
  {
    version: 3,
    name: 'tokens shared by every worker',
    sql: `
      -- A rotating refresh token (Crmoffice) or a sign-in (PowerOffice Go) shared by all workers.
      -- Secrets: never shown by any command.
      CREATE TABLE shared_tokens (
        name       TEXT NOT NULL PRIMARY KEY,
        value      TEXT NOT NULL,
        expires_at TEXT,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'target records a full pass of their feed listed',
    sql: `
      -- Change lists do not show deletions: a full pass notes what it listed, and the linked pairs
      -- whose target it did not list are read by id (twice, a pause apart) before anything is marked.
      CREATE TABLE target_seen (
        flow_id   TEXT NOT NULL,
        target_id TEXT NOT NULL,
        pass      TEXT NOT NULL,
        PRIMARY KEY (flow_id, target_id)
      );
    `,
  },
  {
    version: 5,
    name: 'Zendesk records Tandem wrote a copy into',
    sql: `
      -- A Zendesk user or organisation feeds two flows: when one flow copies a target's edit into it,
      -- the other flow must weigh that value by when the edit was made, not by when it was copied.
      CREATE TABLE zendesk_copies (
        zendesk_type TEXT NOT NULL,
        zendesk_id   TEXT NOT NULL,
        modified_at  TEXT NOT NULL,
        origin_at    TEXT NOT NULL,
        fields       TEXT NOT NULL,
        PRIMARY KEY (zendesk_type, zendesk_id)
      );
    `,
  },
  {
    version: 6,
    name: 'target records by their match value',
    sql: `
      -- A first sync matches each Zendesk record against the target's records by e-mail or name:
      -- one listing of the target kept up to date from its change list, instead of a search per record.
      CREATE TABLE target_index (
        flow_id     TEXT NOT NULL,
        target_id   TEXT NOT NULL,
        match_value TEXT NOT NULL,
        PRIMARY KEY (flow_id, target_id)
      );
      CREATE INDEX target_index_by_value ON target_index (flow_id, match_value);
    `,
  },
];

/** The migrations a store with these versions applied still needs; refuses a schema newer than this code. */
export function pendingMigrations(applied: readonly number[]): Migration[] {
  const newest = Math.max(0, ...applied);
  const known = Math.max(0, ...MIGRATIONS.map((m) => m.version));
  if (newest > known)
    throw new Error(`the store's schema is version ${newest}, newer than this Tandem knows (${known}): upgrade Tandem`);
  return MIGRATIONS.filter((m) => !applied.includes(m.version));
}
