/** The link store behind one URL: a SQLite path (default) or a PostgreSQL URL. */
import { redactUrlPasswords } from '../protocol/redact';
import { openPostgresStore, type PostgresStoreOptions } from './postgres';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite';
import type { LinkStore } from './types';

export * from './types';
export { targetIndexCheckpoint } from './rows';
export { openSqliteStore } from './sqlite';
export { openPostgresStore, PostgresLinkStore, dropSearchPathSchema } from './postgres';

export type StoreOptions = SqliteStoreOptions & PostgresStoreOptions;

/**
 * `sqlite:<path>`, `sqlite::memory:`, a bare path, or `postgres://user:password@host:port/database`.
 * A PostgreSQL store connects and migrates on first use; await `ready()` to find out early.
 */
export function openStore(url: string, options: StoreOptions = {}): LinkStore {
  if (typeof url !== 'string' || url.trim() === '')
    throw new Error('store URL is empty: give a SQLite path, sqlite:<path> or postgres://…');
  if (/^postgres(ql)?:\/\//i.test(url)) return openPostgresStore(url, options);
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path))
    throw new Error(
      `store URL "${redactUrlPasswords(url)}": unknown scheme; use a SQLite path, sqlite:<path> or postgres://…`,
    );
  if (path === '') throw new Error(`store URL "${url}" names no file`);
  return openSqliteStore(path, options);
}
