/**
 * The link store backends the contract runs on: each gives fresh, empty places (a SQLite file, a
 * PostgreSQL database) where any number of stores (workers) can be opened, plus raw SQL to inspect them.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { openPostgresStore, openSqliteStore, type LinkStore } from '../../store';
import { findPostgresBin, startPostgres, type PostgresServer } from '../../bench/postgres-server';

export interface StoreSite {
  /** A store on this place, as one more worker would open it. */
  open(options?: { now?: () => Date }): LinkStore;
  /** Raw SQL on the place (to check or tamper with the schema). */
  query(sql: string): Promise<Record<string, unknown>[]>;
  destroy(): Promise<void>;
}

export interface StoreBackend {
  name: string;
  /** Before the first fresh(): e.g. start the server. */
  setup(): Promise<void>;
  teardown(): Promise<void>;
  fresh(): Promise<StoreSite>;
}

export function sqliteBackend(): StoreBackend {
  return {
    name: 'SQLite',
    async setup() {},
    async teardown() {},
    async fresh() {
      const dir = mkdtempSync(join(tmpdir(), 'tandem-store-'));
      const file = join(dir, 'links.db');
      return {
        open: (options = {}) => openSqliteStore(file, options),
        async query(sql) {
          const db = new Database(file);
          try {
            const statement = db.prepare(sql);
            if (statement.reader) return statement.all() as Record<string, unknown>[];
            statement.run();
            return [];
          } finally {
            db.close();
          }
        },
        async destroy() {
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

/** undefined when PostgreSQL is not installed. */
export function postgresBackend(): StoreBackend | undefined {
  const bin = findPostgresBin();
  if (!bin) return undefined;
  let server: PostgresServer | undefined;
  return {
    name: 'PostgreSQL',
    async setup() {
      server = await startPostgres(bin);
    },
    async teardown() {
      await server?.stop();
    },
    async fresh() {
      if (!server) throw new Error('postgresBackend: setup() first');
      const url = await server.createDatabase();
      return {
        open: (options = {}) => openPostgresStore(url, options),
        async query(sql) {
          const client = new Client({ connectionString: url });
          await client.connect();
          try {
            return (await client.query(sql)).rows as Record<string, unknown>[];
          } finally {
            await client.end();
          }
        },
        async destroy() {},
      };
    },
  };
}

export const NO_POSTGRES_MESSAGE = 'PostgreSQL is not installed (no initdb/pg_ctl found): skipping the PostgreSQL half of this suite. Install it (apt-get install postgresql) to run it.';

/** Runs `suite` on SQLite and on PostgreSQL, or says why the PostgreSQL half is skipped. */
export function forEachBackend(what: string, suite: (backend: StoreBackend) => void): void {
  describe(`${what} (SQLite)`, () => suite(sqliteBackend()));
  const postgres = postgresBackend();
  if (postgres) {
    describe(`${what} (PostgreSQL)`, () => suite(postgres));
  } else {
    console.warn(NO_POSTGRES_MESSAGE);
    describe.skip(`${what} (PostgreSQL, not installed)`, () => it('runs the suite', () => undefined));
  }
}
