/**
 * What every link store must do, whatever stands behind it: run by link-store.test.ts on SQLite and
 * on a real PostgreSQL server. Call inside a describe block.
 */
import { DuplicateTargetError, VersionConflictError, type LinkStore, type LinkWrite } from '../../store';
import { MIGRATIONS } from '../../store/migrations';
import type { StoreBackend, StoreSite } from './backends';

const P2 = 'zendesk-users-to-powerofficego-employees' as const;
const Z3 = 'zendesk-users-to-crmoffice-contacts' as const;

function link(zendeskId: string, targetId: string | null, extra: Partial<LinkWrite> = {}): LinkWrite {
  return {
    flowId: P2,
    zendeskId,
    targetId,
    state: 'linked',
    base: null,
    lastError: null,
    lastSyncedAt: null,
    ...extra,
  };
}

export function linkStoreContract(backend: StoreBackend): void {
  let site: StoreSite;
  let store: LinkStore;
  let clock: number;
  const others: LinkStore[] = [];
  /** One more worker on the same store; closed after the test. */
  const another = (): LinkStore => {
    const s = site.open();
    others.push(s);
    return s;
  };

  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    site = await backend.fresh();
    clock = Date.parse('2024-05-01T00:00:00Z');
    store = site.open({ now: () => new Date((clock += 1000)) });
    await store.ready();
  });
  afterEach(async () => {
    await Promise.all(others.splice(0).map((s) => s.close()));
    await store.close();
    await site.destroy();
  });

  it('saves and reads a link both ways, with its base', async () => {
    const saved = await store.saveLink(
      link('381', '55', { base: { 'organization_id->DepartmentId': '9001', x: null } }),
      0,
    );
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
    const v1 = await store.saveLink(link('2', null, { state: 'pending' }), 0);
    await expect(store.saveLink({ ...v1, targetId: '55' }, v1.version)).rejects.toThrow(DuplicateTargetError);
    await store.saveLink({ ...link('2', '55'), flowId: Z3 }, 0);
    // Many pending links without a target are fine.
    await store.saveLink(link('3', null, { state: 'pending' }), 0);
    await store.saveLink(link('4', null, { state: 'pending' }), 0);
  });

  it('marks failed (creating the row, keeping target and base) and orphaned, bumping the version', async () => {
    const fresh = await store.markFailed(P2, '7', 'zendesk user 7: `name` is empty');
    expect(fresh).toMatchObject({
      state: 'failed',
      version: 1,
      targetId: null,
      lastError: 'zendesk user 7: `name` is empty',
    });
    const linked = await store.saveLink(link('8', '80', { base: { a: '1' } }), 0);
    const failed = await store.markFailed(P2, '8', 'boom');
    expect(failed).toMatchObject({
      state: 'failed',
      version: linked.version + 1,
      targetId: '80',
      base: { a: '1' },
      lastError: 'boom',
    });
    // A sync that read before the failure was recorded must read again.
    await expect(store.saveLink({ ...linked }, linked.version)).rejects.toThrow(VersionConflictError);
    expect(await store.markOrphaned(P2, '8', 'the employee is gone')).toMatchObject({
      state: 'orphaned',
      version: failed.version + 1,
      lastError: 'the employee is gone',
    });
    expect(await store.markOrphaned(P2, 'missing', 'gone')).toBeUndefined();
    expect(await store.markConflict(P2, '8', 'two contacts match')).toMatchObject({
      state: 'conflict',
      version: failed.version + 2,
      targetId: '80',
      lastError: 'two contacts match',
    });
  });

  it('counts, lists and reports the pairs needing review (failed, conflict, orphaned), newest first', async () => {
    await store.saveLink(link('1', '10'), 0);
    await store.saveLink(link('2', '20'), 0);
    await store.saveLink(link('3', null, { state: 'pending' }), 0);
    await store.markFailed(P2, '4', 'first');
    await store.markFailed(P2, '5', 'second');
    await store.markFailed(Z3, '6', 'other flow');
    expect(await store.counts(P2)).toEqual({ linked: 2, pending: 1, failed: 2, orphaned: 0, conflict: 0 });
    expect((await store.listLinks(P2, { state: 'linked', limit: 10 })).map((l) => l.zendeskId)).toEqual(['1', '2']);
    expect((await store.listLinks(P2, { limit: 2, offset: 2 })).map((l) => l.zendeskId)).toEqual(['3', '4']);
    expect((await store.needingReview(P2, 10)).map((l) => l.lastError)).toEqual(['second', 'first']);
    expect((await store.needingReview(undefined, 2)).map((l) => l.zendeskId)).toEqual(['6', '5']);
    await store.markConflict(P2, '3', 'two employees match');
    await store.markOrphaned(P2, '1', 'the employee is gone');
    expect((await store.needingReview(P2, 10)).map((l) => [l.state, l.lastError])).toEqual([
      ['orphaned', 'the employee is gone'],
      ['conflict', 'two employees match'],
      ['failed', 'second'],
      ['failed', 'first'],
    ]);
    await expect(store.listLinks(P2, { limit: 0 })).rejects.toThrow(/limit must be/);
  });

  it('lists links in byte order of their Zendesk ids, whatever the locale', async () => {
    for (const id of ['b', 'B', 'a', '10', '9']) await store.saveLink(link(id, null, { state: 'pending' }), 0);
    expect((await store.listLinks(P2, { limit: 10 })).map((l) => l.zendeskId)).toEqual(['10', '9', 'B', 'a', 'b']);
  });

  it('lists the linked pairs whose target a full pass did not see, in pages, per pass and flow', async () => {
    for (const [z, t] of [
      ['1', '10'],
      ['2', '20'],
      ['3', '30'],
      ['4', '40'],
    ])
      await store.saveLink(link(z, t), 0);
    await store.saveLink(link('5', null, { state: 'pending' }), 0);
    await store.saveLink({ ...link('6', '10'), flowId: Z3 }, 0);
    await store.markTargetsSeen(P2, ['10', '30'], 'pass-1');
    await store.markTargetsSeen(P2, ['20'], 'pass-0');
    const unseen = async (pass: string, after: string | null, limit: number) =>
      (await store.linksNotSeen(P2, pass, after, limit)).map((l) => l.zendeskId);
    expect(await unseen('pass-1', null, 10)).toEqual(['2', '4']);
    expect(await unseen('pass-1', null, 1)).toEqual(['2']);
    expect(await unseen('pass-1', '2', 10)).toEqual(['4']);
    // A later pass sees afresh: what pass-1 saw counts for nothing in pass-2.
    await store.markTargetsSeen(P2, ['40'], 'pass-2');
    expect(await unseen('pass-2', null, 10)).toEqual(['1', '2', '3']);
    expect((await store.linksNotSeen(Z3, 'pass-1', null, 10)).map((l) => l.zendeskId)).toEqual(['6']);
    await store.markTargetsSeen(P2, [], 'pass-3');
    await expect(store.markTargetsSeen(P2, [''], 'pass-3')).rejects.toThrow(/targetId/);
  });

  it('indexes target records by match value per flow, a newer value replacing the older', async () => {
    await store.indexTargets(Z3, [
      { targetId: 'c1', matchValue: 'ola@example.no' },
      { targetId: 'c2', matchValue: 'kari@example.no' },
      { targetId: 'c3', matchValue: 'ola@example.no' },
    ]);
    await store.indexTargets(P2, [{ targetId: '7', matchValue: 'ola@example.no' }]);
    expect(await store.indexedTargets(Z3, 'ola@example.no')).toEqual(['c1', 'c3']);
    expect(await store.indexedTargets(P2, 'ola@example.no')).toEqual(['7']);
    // c3's e-mail changed in the CRM; c2 listed twice in one batch: the last value counts.
    await store.indexTargets(Z3, [
      { targetId: 'c3', matchValue: 'per@example.no' },
      { targetId: 'c2', matchValue: 'old@example.no' },
      { targetId: 'c2', matchValue: 'kari@example.no' },
    ]);
    expect(await store.indexedTargets(Z3, 'ola@example.no')).toEqual(['c1']);
    expect(await store.indexedTargets(Z3, 'kari@example.no')).toEqual(['c2']);
    expect(await store.indexedTargets(Z3, 'nobody@example.no')).toEqual([]);
    await store.indexTargets(Z3, []);
    await expect(store.indexTargets(Z3, [{ targetId: '', matchValue: 'x' }])).rejects.toThrow(/targetId/);
  });

  it('keeps the latest copy written into each Zendesk record, by type and id', async () => {
    expect(await store.getZendeskCopy('organizations', '8')).toBeUndefined();
    await store.noteZendeskCopy('organizations', '8', {
      modifiedAt: '2024-05-01T10:00:05Z',
      originAt: '2024-05-01T10:00:01.250Z',
      fields: { name: 'Ås AS' },
    });
    const latest = {
      modifiedAt: '2024-05-01T10:00:09Z',
      originAt: '2024-05-01T10:00:07.000Z',
      fields: { name: 'Øst AS', organization_fields: { b: 1, a: null } },
    };
    await store.noteZendeskCopy('organizations', '8', latest);
    expect(await store.getZendeskCopy('organizations', '8')).toEqual(latest);
    expect(await store.getZendeskCopy('users', '8')).toBeUndefined();
    await expect(store.noteZendeskCopy('groups' as never, '8', latest)).rejects.toThrow(
      /unknown Zendesk record type "groups"/,
    );
    await expect(store.noteZendeskCopy('users', '8', { ...latest, originAt: 'soon' })).rejects.toThrow(
      /originAt must be a date-time/,
    );
    // Noted ahead of its write: under way until the write's answer gives the record's new time.
    const underWay = { ...latest, modifiedAt: null };
    await store.noteZendeskCopy('users', '9', underWay);
    expect(await store.getZendeskCopy('users', '9')).toEqual(underWay);
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
    const saved = await store.saveLink(
      {
        flowId: Z3,
        zendeskId: '7001',
        targetId: 'c-7001',
        state: 'linked',
        base: { name: 'A' },
        lastError: null,
        lastSyncedAt: null,
      },
      0,
    );
    await store.markRetrying(Z3, '7001', 'crmoffice PATCH /contacts/{id}: 503');
    await store.markRetrying(Z3, '7001', 'crmoffice PATCH /contacts/{id}: request failed: ECONNRESET');
    await store.markRetrying(P2, '1', 'poweroffice: 503');
    const [r] = await store.listRetrying(Z3, 10);
    expect(r).toMatchObject({ flowId: Z3, zendeskId: '7001', lastError: expect.stringContaining('ECONNRESET') });
    expect(Date.parse(r.since)).toBeLessThan(Date.parse(r.updatedAt));
    expect((await store.listRetrying(undefined, 10)).map((x) => x.zendeskId)).toEqual(['7001', '1']);
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
    await expect(store.getByZendeskId('zendesk-users-to-hubspot' as never, '1')).rejects.toThrow(
      /unknown flow "zendesk-users-to-hubspot"/,
    );
    await expect(store.saveLink(link('', null), 0)).rejects.toThrow(/zendeskId must be a non-empty string/);
    await expect(store.saveLink(link('1', null, { state: 'done' as never }), 0)).rejects.toThrow(
      /state must be one of/,
    );
    await expect(store.saveLink(link('1', null, { base: { a: 1 as never } }), 0)).rejects.toThrow(
      /base row "a" must be a string or null/,
    );
  });

  it('keeps the data and applies each migration once, however many workers open it at once', async () => {
    await store.saveLink(link('1', '10'), 0);
    const site2 = await backend.fresh();
    try {
      const workers = Array.from({ length: 4 }, () => site2.open());
      await Promise.all(workers.map((w) => w.ready()));
      await Promise.all(workers.map((w) => w.close()));
      const rows = await site2.query('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await site2.destroy();
    }
    await store.close();
    store = site.open();
    expect((await store.getByZendeskId(P2, '1'))?.targetId).toBe('10');
  });

  it('two connections (two workers) cannot both win the same version', async () => {
    const other = another();
    const v1 = await store.saveLink(link('1', null, { state: 'pending' }), 0);
    const results = await Promise.allSettled([
      store.saveLink({ ...v1, targetId: '10', state: 'linked' }, v1.version),
      other.saveLink({ ...v1, targetId: '11', state: 'linked' }, v1.version),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toBeInstanceOf(
      VersionConflictError,
    );
    const winner = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ targetId: string }>;
    expect((await other.getByZendeskId(P2, '1'))?.targetId).toBe(winner.value.targetId);
  });

  it('many workers saving one pair at once: every save is a fresh version, none is lost', async () => {
    const workers = [store, another(), another(), another()];
    await store.saveLink(link('1', null, { state: 'pending' }), 0);
    // Each worker reads, then saves; on a conflict it reads again (what the sync does).
    const bump = async (w: LinkStore, times: number) => {
      for (let done = 0; done < times;) {
        const current = (await w.getByZendeskId(P2, '1'))!;
        try {
          await w.saveLink({ ...current, lastError: `${Number(current.lastError ?? 0) + 1}` }, current.version);
          done++;
        } catch (e) {
          if (!(e instanceof VersionConflictError)) throw e;
        }
      }
    };
    await Promise.all(workers.map((w) => bump(w, 5)));
    expect(await store.getByZendeskId(P2, '1')).toMatchObject({ version: 21, lastError: '20' });
  });

  it('refuses a store whose schema is newer than this code', async () => {
    await site.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'now')");
    const open = async () => {
      const s = another();
      await s.ready();
    };
    await expect(open()).rejects.toThrow(/schema is version 999, newer than this Tandem knows/);
  });

  describe('shared tokens', () => {
    const NAME = 'crmoffice:abc';

    it('stores, replaces and reads a token with its expiry', async () => {
      expect(await store.getSharedToken(NAME)).toBeUndefined();
      expect(await store.putSharedToken(NAME, 'v1', '2024-05-01T01:00:00.000Z')).toBe(true);
      expect(await store.getSharedToken(NAME)).toMatchObject({
        name: NAME,
        value: 'v1',
        expiresAt: '2024-05-01T01:00:00.000Z',
      });
      expect(await store.putSharedToken(NAME, 'v2', null)).toBe(true);
      expect(await another().getSharedToken(NAME)).toMatchObject({ value: 'v2', expiresAt: null });
      expect(await store.getSharedToken('poweroffice:abc')).toBeUndefined();
    });

    it('compare-and-set: only over the expected value (null: only the first)', async () => {
      expect(await store.putSharedToken(NAME, 'seed-successor', null, null)).toBe(true);
      expect(await store.putSharedToken(NAME, 'late', null, null)).toBe(false);
      expect(await store.putSharedToken(NAME, 'v2', null, 'stale')).toBe(false);
      expect(await store.putSharedToken(NAME, 'v2', null, 'seed-successor')).toBe(true);
      expect((await store.getSharedToken(NAME))?.value).toBe('v2');
      expect(await store.putSharedToken('other', 'x', null, 'anything')).toBe(false);
      expect(await store.getSharedToken('other')).toBeUndefined();
    });

    it('two workers replacing the same token at once: exactly one wins', async () => {
      await store.putSharedToken(NAME, 'v1', null);
      const workers = [store, another(), another(), another()];
      const won = await Promise.all(workers.map((w, i) => w.putSharedToken(NAME, `from-${i}`, null, 'v1')));
      expect(won.filter(Boolean)).toHaveLength(1);
      expect((await store.getSharedToken(NAME))?.value).toBe(`from-${won.indexOf(true)}`);
    });

    it('refuses an empty value or a bad expiry without echoing the value', async () => {
      await expect(store.putSharedToken(NAME, '', null)).rejects.toThrow(/value must be a non-empty string/);
      await expect(store.putSharedToken(NAME, 'secret-value', 'tomorrow')).rejects.toThrow(
        /expiresAt must be an ISO time/,
      );
      await expect(store.putSharedToken(NAME, 'secret-value', 'tomorrow')).rejects.not.toThrow(/secret-value/);
    });
  });
}
