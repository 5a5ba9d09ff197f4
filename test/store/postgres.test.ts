// The behaviour every store shares is in contract.ts (run by link-store.test.ts); here only what is PostgreSQL's own.
import { dropSearchPathSchema, openStore } from '../../store';
import { tenantStoreUrl } from '../../workers/tenants';
import { freePort } from '../../workers/free-port';
import { openConfigStore } from '../../cli/context';
import { requireDependency } from '../helpers/dependencies';
import { findPostgresBin, startPostgres, type PostgresServer } from '../../bench/postgres-server';

const P2 = 'zendesk-users-to-powerofficego-employees' as const;
const bin = findPostgresBin();

(requireDependency('postgres', bin !== undefined, 'the PostgreSQL link store suite') ? describe : describe.skip)(
  'PostgreSQL link store',
  () => {
    let server: PostgresServer;
    beforeAll(async () => {
      server = await startPostgres(bin);
    });
    afterAll(() => server?.stop());

    it('is chosen by TANDEM_STORE=postgres://…, connects and migrates on first use', async () => {
      const url = await server.createDatabase();
      const store = openConfigStore({ store: { url } });
      try {
        await store.saveLink(
          {
            flowId: P2,
            zendeskId: '1',
            targetId: '10',
            state: 'linked',
            base: null,
            lastError: null,
            lastSyncedAt: null,
          },
          0,
        );
        expect((await store.getByTargetId(P2, '10'))?.zendeskId).toBe('1');
      } finally {
        await store.close();
      }
      await expect(store.counts(P2)).rejects.toThrow(/closed/);
    });

    it("keeps each tenant's links in a schema of its own in the installation's database, and drops it whole", async () => {
      const url = await server.createDatabase();
      const link = (targetId: string) => ({
        flowId: P2,
        zendeskId: '1',
        targetId,
        state: 'linked' as const,
        base: null,
        lastError: null,
        lastSyncedAt: null,
      });
      const own = openStore(url);
      const acme = openStore(tenantStoreUrl(url, 'acme-as'));
      try {
        await own.saveLink(link('10'), 0);
        await acme.saveLink(link('20'), 0);
        expect((await own.getByZendeskId(P2, '1'))?.targetId).toBe('10');
        expect((await acme.getByZendeskId(P2, '1'))?.targetId).toBe('20');
      } finally {
        await Promise.all([own.close(), acme.close()]);
      }
      const schemas = async () => {
        const check = openStore(url);
        await check.ready();
        await check.close();
        const { Client } = await import('pg');
        const pg = new Client({ connectionString: url });
        await pg.connect();
        try {
          return (
            await pg.query<{ s: string }>("SELECT nspname AS s FROM pg_namespace WHERE nspname LIKE 'tandem_%'")
          ).rows.map((r) => r.s);
        } finally {
          await pg.end();
        }
      };
      expect(await schemas()).toEqual(['tandem_acme_as']);
      await dropSearchPathSchema(tenantStoreUrl(url, 'acme-as'));
      expect(await schemas()).toEqual([]);
      const again = openStore(url);
      try {
        expect((await again.getByZendeskId(P2, '1'))?.targetId).toBe('10');
      } finally {
        await again.close();
      }
    });

    it('never shows the password: a wrong one, an unreachable server, a missing database', async () => {
      const wrong = 'not-the-Passw0rd';
      const port = await freePort();
      const cases = [
        {
          url: server.url('postgres').replace(server.password, wrong),
          secret: wrong,
          reason: /password authentication failed/,
        },
        {
          url: `postgres://tandem:${server.password}@127.0.0.1:${port}/tandem`,
          secret: server.password,
          reason: /ECONNREFUSED/,
        },
        { url: server.url('no_such_db'), secret: server.password, reason: /does not exist/ },
      ];
      for (const c of cases) {
        const store = openStore(c.url, { connectTimeoutMs: 5000 });
        try {
          const err = (await store.ready().then(
            () => undefined,
            (e: Error) => e,
          )) as Error;
          expect(err?.message).toMatch(c.reason);
          expect(`${err.message}\n${err.stack}`).not.toContain(c.secret);
          // A later call tries again (the server may come up), and fails the same way.
          await expect(store.counts(P2)).rejects.toThrow(c.reason);
        } finally {
          await store.close();
        }
        // What `tandem worker` and friends print.
        const shown = openConfigStore({ store: { url: c.url } });
        const err = (await shown.ready().then(
          () => undefined,
          (e: Error) => e,
        )) as Error;
        expect(err.message).not.toContain(c.secret);
        await shown.close();
      }
    });
  },
);
