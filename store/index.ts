/** The link store behind one URL: a SQLite path (default) now, PostgreSQL later. */
import { openSqliteStore, type SqliteStoreOptions } from './sqlite';
import type { LinkStore } from './types';

export * from './types';
export { openSqliteStore, SqliteLinkStore, type SqliteStoreOptions } from './sqlite';

/** `sqlite:<path>`, `sqlite::memory:`, or a bare path. `postgres://…` is not supported yet. */
export function openStore(url: string, options: SqliteStoreOptions = {}): LinkStore {
  if (typeof url !== 'string' || url.trim() === '') throw new Error('store URL is empty: give a SQLite path or sqlite:<path>');
  if (/^postgres(ql)?:\/\//i.test(url)) {
    throw new Error(`store URL "${url.replace(/\/\/[^@/]*@/, '//***@')}": PostgreSQL is not supported yet; use a SQLite path or sqlite:<path>`);
  }
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) throw new Error(`store URL "${url}": unknown scheme; use a SQLite path or sqlite:<path>`);
  if (path === '') throw new Error(`store URL "${url}" names no file`);
  return openSqliteStore(path, options);
}
