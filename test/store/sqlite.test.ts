// The behaviour every store shares is in contract.ts (run by link-store.test.ts); here only what is SQLite's own.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore, openStore, PostgresLinkStore } from '../../store';

const P2 = 'zendesk-users-to-powerofficego-employees' as const;

describe('SQLite link store', () => {
  it('shares the file between processes in WAL mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-store-'));
    try {
      await openSqliteStore(join(dir, 'links.db')).close();
      const db = new Database(join(dir, 'links.db'), { readonly: true });
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a newer schema when opened, synchronously', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-store-'));
    try {
      await openSqliteStore(join(dir, 'links.db')).close();
      const db = new Database(join(dir, 'links.db'));
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'now')").run();
      db.close();
      expect(() => openSqliteStore(join(dir, 'links.db'))).toThrow(
        /cannot open the link store at .*schema is version 999/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('openStore', () => {
  it('opens sqlite URLs and bare paths', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-store-'));
    try {
      const a = openStore(`sqlite:${join(dir, 'nested', 'a.db')}`);
      await a.setCheckpoint('zendesk/users', 'x');
      await a.close();
      const b = openStore(join(dir, 'nested', 'a.db'));
      expect((await b.getCheckpoint('zendesk/users'))?.value).toBe('x');
      await b.close();
      const mem = openStore('sqlite::memory:');
      await mem.ready();
      expect(await mem.counts(P2)).toEqual({ linked: 0, pending: 0, failed: 0, orphaned: 0, conflict: 0 });
      await mem.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes postgres:// and postgresql:// URLs without connecting yet; refuses other schemes without leaking a password', async () => {
    for (const url of ['postgres://tandem:s3cret@db.invalid/tandem', 'postgresql://tandem:s3cret@db.invalid/tandem']) {
      const store = openStore(url);
      expect(store).toBeInstanceOf(PostgresLinkStore);
      await store.close();
    }
    expect(() => openStore('mysql://tandem:s3cret@db/x')).toThrow(/unknown scheme/);
    expect(() => openStore('mysql://tandem:s3cret@db/x')).not.toThrow(/s3cret/);
    expect(() => openStore('')).toThrow(/store URL is empty/);
  });
});
