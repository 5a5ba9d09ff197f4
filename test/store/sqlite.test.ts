import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuplicateTargetError, openSqliteStore, openStore, VersionConflictError, type LinkStore, type LinkWrite } from '../../store';
import { MIGRATIONS } from '../../store/migrations';

const P2 = 'zendesk-users-to-powerofficego-employees' as const;
const Z3 = 'zendesk-users-to-crmoffice-contacts' as const;

function link(zendeskId: string, targetId: string | null, extra: Partial<LinkWrite> = {}): LinkWrite {
  return { flowId: P2, zendeskId, targetId, state: 'linked', base: null, lastError: null, lastSyncedAt: null, ...extra };
}

describe('SQLite link store', () => {
  let dir: string;
  let store: LinkStore;
  let clock: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tandem-store-'));
    clock = Date.parse('2024-05-01T00:00:00Z');
    store = openSqliteStore(join(dir, 'links.db'), { now: () => new Date((clock += 1000)) });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('saves and reads a link both ways, with its base', async () => {
    const saved = await store.saveLink(link('381', '55', { base: { 'organization_id->DepartmentId': '9001', x: null } }), 0);
    expect(saved.version).toBe(1);
    expect(await store.getByZendeskId(P2, '381')).toEqual(saved);
    expect(await store.getByTargetId(P2, '55')).toEqual(saved);
    expect(await store.getByZendeskId(Z3, '381')).toBeUndefined();
    expect(saved.base).toEqual({ 'organization_id->DepartmentId': '9001', x: null });
  });

  it('detects version conflicts: a second create, and an update from a stale read', async () => {
    const v1 = await store.saveLink(link('1', null, { state: 'pending' }), 0);
    await expect(store.saveLink(link('1', null), 0)).rejects.toThrow(VersionConflictError);
    const v2 = await store.saveLink({ ...v1, targetId: '10', state: 'linked' }, v1.version);
    expect(v2.version).toBe(2);
    const stale = store.saveLink({ ...v1, targetId: '11' }, v1.version);
    await expect(stale).rejects.toThrow(/expected version 1, found 2/);
    await expect(store.saveLink(link('nope', null), 3)).rejects.toThrow(/does not exist/);
    expect((await store.getByZendeskId(P2, '1'))?.targetId).toBe('10');
  });

  it('enforces one link per target record in a flow, but not across flows', async () => {
    await store.saveLink(link('1', '55'), 0);
    const dup = store.saveLink(link('2', '55'), 0);
    await expect(dup).rejects.toThrow(DuplicateTargetError);
    await expect(store.saveLink(link('2', '55'), 0)).rejects.toThrow(/already linked to Zendesk record 1/);
    await store.saveLink({ ...link('2', '55'), flowId: Z3 }, 0);
    // Many pending links without a target are fine.
    await store.saveLink(link('3', null, { state: 'pending' }), 0);
    await store.saveLink(link('4', null, { state: 'pending' }), 0);
  });

  it('marks failed (creating the row, keeping target and base) and orphaned, bumping the version', async () => {
    const fresh = await store.markFailed(P2, '7', 'zendesk user 7: `name` is empty');
    expect(fresh).toMatchObject({ state: 'failed', version: 1, targetId: null, lastError: 'zendesk user 7: `name` is empty' });
    const linked = await store.saveLink(link('8', '80', { base: { a: '1' } }), 0);
    const failed = await store.markFailed(P2, '8', 'boom');
    expect(failed).toMatchObject({ state: 'failed', version: linked.version + 1, targetId: '80', base: { a: '1' }, lastError: 'boom' });
    // A sync that read before the failure was recorded must read again.
    await expect(store.saveLink({ ...linked }, linked.version)).rejects.toThrow(VersionConflictError);
    expect(await store.markOrphaned(P2, '8')).toMatchObject({ state: 'orphaned', version: failed.version + 1 });
    expect(await store.markOrphaned(P2, 'missing')).toBeUndefined();
  });

  it('counts, lists and reports the latest failures', async () => {
    await store.saveLink(link('1', '10'), 0);
    await store.saveLink(link('2', '20'), 0);
    await store.saveLink(link('3', null, { state: 'pending' }), 0);
    await store.markFailed(P2, '4', 'first');
    await store.markFailed(P2, '5', 'second');
    await store.markFailed(Z3, '6', 'other flow');
    expect(await store.counts(P2)).toEqual({ linked: 2, pending: 1, failed: 2, orphaned: 0, conflict: 0 });
    expect((await store.listLinks(P2, { state: 'linked', limit: 10 })).map((l) => l.zendeskId)).toEqual(['1', '2']);
    expect((await store.listLinks(P2, { limit: 2, offset: 2 })).map((l) => l.zendeskId)).toEqual(['3', '4']);
    expect((await store.latestFailures(P2, 10)).map((l) => l.lastError)).toEqual(['second', 'first']);
    expect((await store.latestFailures(undefined, 2)).map((l) => l.zendeskId)).toEqual(['6', '5']);
    await expect(store.listLinks(P2, { limit: 0 })).rejects.toThrow(/limit must be/);
  });

  it('round-trips checkpoints per change feed', async () => {
    expect(await store.getCheckpoint('zendesk/users')).toBeUndefined();
    await store.setCheckpoint('zendesk/users', 'cursor-1');
    await store.setCheckpoint('zendesk/users', 'cursor-2');
    await store.setCheckpoint('poweroffice/employees', '2024-05-01T00:00:00.000Z');
    expect((await store.getCheckpoint('zendesk/users'))?.value).toBe('cursor-2');
    expect((await store.getCheckpoint('poweroffice/employees'))?.value).toBe('2024-05-01T00:00:00.000Z');
    expect(await store.getCheckpoint('zendesk/organizations')).toBeUndefined();
    await expect(store.setCheckpoint('zendesk/left', 'x')).rejects.toThrow(/unknown change feed "zendesk\/left"/);
  });

  it('notes retrying pairs beside their links, since the first failure, without moving the link', async () => {
    const saved = await store.saveLink({ flowId: Z3, zendeskId: '7001', targetId: 'c-7001', state: 'linked', base: { name: 'A' }, lastError: null, lastSyncedAt: null }, 0);
    await store.markRetrying(Z3, '7001', 'crmoffice PATCH /contacts/{id}: 503');
    await store.markRetrying(Z3, '7001', 'crmoffice PATCH /contacts/{id}: request failed: ECONNRESET');
    const [r] = await store.listRetrying(Z3, 10);
    expect(r).toMatchObject({ flowId: Z3, zendeskId: '7001', lastError: expect.stringContaining('ECONNRESET') });
    expect(Date.parse(r.since)).toBeLessThanOrEqual(Date.parse(r.updatedAt));
    expect(await store.countRetrying(Z3)).toBe(1);
    expect((await store.getByZendeskId(Z3, '7001'))?.version).toBe(saved.version);
    await store.clearRetrying(Z3, '7001');
    expect(await store.countRetrying(Z3)).toBe(0);
  });

  it('records a creation intent once, returns the existing one, and clears it', async () => {
    const first = await store.recordIntent(P2, '381', 'zendesk-user-381');
    expect(first).toMatchObject({ intentKey: 'zendesk-user-381', isNew: true });
    const again = await store.recordIntent(P2, '381', 'something-else');
    expect(again).toMatchObject({ intentKey: 'zendesk-user-381', isNew: false, createdAt: first.createdAt });
    expect((await store.getIntent(P2, '381'))?.intentKey).toBe('zendesk-user-381');
    await store.clearIntent(P2, '381');
    expect(await store.getIntent(P2, '381')).toBeUndefined();
  });

  it('rejects bad input naming what was wrong', async () => {
    await expect(store.getByZendeskId('zendesk-users-to-hubspot' as never, '1')).rejects.toThrow(/unknown flow "zendesk-users-to-hubspot"/);
    await expect(store.saveLink(link('', null), 0)).rejects.toThrow(/zendeskId must be a non-empty string/);
    await expect(store.saveLink(link('1', null, { state: 'done' as never }), 0)).rejects.toThrow(/state must be one of/);
    await expect(store.saveLink(link('1', null, { base: { a: 1 as never } }), 0)).rejects.toThrow(/base row "a" must be a string or null/);
  });

  it('keeps the data and applies migrations once when the file is reopened', async () => {
    await store.saveLink(link('1', '10'), 0);
    await store.close();
    store = openSqliteStore(join(dir, 'links.db'));
    const again = openSqliteStore(join(dir, 'links.db'));
    expect((await store.getByZendeskId(P2, '1'))?.targetId).toBe('10');
    await again.close();
    const db = new Database(join(dir, 'links.db'), { readonly: true });
    const rows = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version })));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('two connections to one file (two workers) cannot both win the same version', async () => {
    const other = openSqliteStore(join(dir, 'links.db'));
    try {
      const v1 = await store.saveLink(link('1', null, { state: 'pending' }), 0);
      const results = await Promise.allSettled([
        store.saveLink({ ...v1, targetId: '10', state: 'linked' }, v1.version),
        other.saveLink({ ...v1, targetId: '11', state: 'linked' }, v1.version),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const winner = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ targetId: string }>;
      expect((await other.getByZendeskId(P2, '1'))?.targetId).toBe(winner.value.targetId);
    } finally {
      await other.close();
    }
  });

  it('refuses a file whose schema is newer than this code', async () => {
    await store.close();
    const db = new Database(join(dir, 'links.db'));
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'now')").run();
    db.close();
    expect(() => openSqliteStore(join(dir, 'links.db'))).toThrow(/schema is version 999, newer than this Tandem knows/);
    store = openSqliteStore(':memory:');
  });
});

describe('openStore', () => {
  it('opens sqlite URLs and bare paths; refuses PostgreSQL without leaking the password', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-store-'));
    try {
      const a = openStore(`sqlite:${join(dir, 'nested', 'a.db')}`);
      await a.setCheckpoint('zendesk/users', 'x');
      await a.close();
      const b = openStore(join(dir, 'nested', 'a.db'));
      expect((await b.getCheckpoint('zendesk/users'))?.value).toBe('x');
      await b.close();
      const mem = openStore('sqlite::memory:');
      expect(await mem.counts(P2)).toEqual({ linked: 0, pending: 0, failed: 0, orphaned: 0, conflict: 0 });
      await mem.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => openStore('postgres://tandem:s3cret@db/tandem')).toThrow(/PostgreSQL is not supported yet/);
    expect(() => openStore('postgres://tandem:s3cret@db/tandem')).not.toThrow(/s3cret/);
    expect(() => openStore('mysql://db/x')).toThrow(/unknown scheme/);
    expect(() => openStore('')).toThrow(/store URL is empty/);
  });
});
