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
import { requireDependency } from '../helpers/dependencies';

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

function sqliteBackend(): StoreBackend {
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
function postgresBackend(): StoreBackend | undefined {
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

/**
 * Runs `suite` on SQLite and on PostgreSQL. Without PostgreSQL the suite fails, saying what to
 * install, unless TANDEM_TEST_SKIP names postgres (test/helpers/dependencies.ts).
 */
export function forEachBackend(what: string, suite: (backend: StoreBackend) => void): void {
  const postgres = postgresBackend();
  const runPostgres = requireDependency('postgres', postgres !== undefined, `${what} (PostgreSQL)`);
  describe(`${what} (SQLite)`, () => suite(sqliteBackend()));
  if (runPostgres && postgres) describe(`${what} (PostgreSQL)`, () => suite(postgres));
  // eslint-disable-next-line jest/no-disabled-tests, jest/expect-expect -- a local opt-out (TANDEM_TEST_SKIP), refused in CI.
  else describe.skip(`${what} (PostgreSQL, skipped by TANDEM_TEST_SKIP)`, () => it('runs the suite', () => undefined));
}
