/**
 * Two workers (two token providers) sharing one link store never spend each other's tokens: against
 * the Crmoffice simulator rotating its refresh token on every use (the old one is then refused), and
 * the PowerOffice Go simulator counting sign-ins. On SQLite, and on PostgreSQL when installed.
 */
import { CrmofficeClient } from '../../connectors/crmoffice';
import { TOKEN_PATH } from '../../connectors/crmoffice/api-assumptions';
import { PowerOfficeClient } from '../../connectors/poweroffice';
import { startCrmofficeSimulator, type CrmofficeSimulator } from '../../simulators/crmoffice';
import { startPowerOfficeSimulator, type PowerOfficeSimulator } from '../../simulators/poweroffice';
import type { LinkStore } from '../../store';
import { forEachBackend, type StoreBackend, type StoreSite } from '../store/backends';

function sharedTokenSuite(backend: StoreBackend): void {
  let site: StoreSite;
  const stores: LinkStore[] = [];
  /** One worker's view of the store (its own connection). */
  const worker = (): LinkStore => {
    const s = site.open();
    stores.push(s);
    return s;
  };
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  beforeEach(async () => {
    site = await backend.fresh();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await site.destroy();
  });

  describe('Crmoffice, refresh token rotated on every use', () => {
    let sim: CrmofficeSimulator;
    /** The status of every token request the simulator answered, in order. */
    let grants: number[];
    beforeEach(async () => {
      grants = [];
      const beforeAnswer = (method: string, route: string, status: number) => {
        if (method === 'POST' && route === TOKEN_PATH) grants.push(status);
      };
      sim = await startCrmofficeSimulator({
        rotateRefreshTokens: true,
        accessTokenTtlSeconds: 2,
        rateLimit: { limit: 0, windowMs: 1000 },
        beforeAnswer,
      });
    });
    afterEach(() => sim.stop());
    const client = (store?: LinkStore) =>
      new CrmofficeClient(
        { baseUrl: sim.url, loginBaseUrl: sim.loginUrl, ...sim.credentials },
        { sharedTokens: store },
      );

    it('without a shared store, the second worker is locked out (the failure this prevents)', async () => {
      const [a, b] = [client(), client()];
      await a.listUsers();
      await expect(b.listUsers()).rejects.toThrow(/invalid_grant/);
    });

    it('two workers take turns, both refresh, and neither is ever locked out', async () => {
      const [a, b] = [client(worker()), client(worker())];
      for (let round = 0; round < 4; round++) {
        await a.listUsers();
        await b.listUsers();
        // Every access token ends: each worker meets a 401 and needs a fresh one.
        sim.expireAccessTokens();
      }
      // The second worker mostly takes what the first bought: far fewer refreshes than 2 per round.
      expect(a.auth.refreshes + b.auth.refreshes).toBeLessThanOrEqual(6);
      // A third worker started later with the configured (long spent) seed picks up the chain.
      await client(worker()).listUsers();
    });

    it('two workers refreshing at the same moment: one wins, the other uses its token', async () => {
      const clients = [client(worker()), client(worker()), client(worker())];
      /** Per round, the token requests granted (200) and refused (the rest). */
      const rounds: { granted: number; refused: number }[] = [];
      const round = async () => {
        const before = grants.length;
        await Promise.all(clients.map((c) => c.listUsers()));
        const answered = grants.slice(before);
        rounds.push({
          granted: answered.filter((s) => s === 200).length,
          refused: answered.filter((s) => s !== 200).length,
        });
      };
      for (let i = 0; i < 3; i++) {
        await round();
        sim.expireAccessTokens();
      }
      // And across expiry by the clock (2 s tokens renew after 1 s).
      await new Promise((r) => setTimeout(r, 1100));
      await round();
      // One refresh wins each round; a worker that raced it (refused: the token was just spent) took the winner's.
      expect(rounds.map((r) => r.granted)).toEqual([1, 1, 1, 1]);
      expect(clients.reduce((n, c) => n + c.auth.refreshes, 0)).toBe(grants.length);
      expect(grants.filter((s) => s !== 200 && s !== 400)).toEqual([]);
    });

    it('a chain refused for good fails (after a short wait for another worker) naming no token', async () => {
      const store = worker();
      await client(store).listUsers();
      const [row] = await site.query('SELECT name, value FROM shared_tokens');
      const state = JSON.parse(String(row.value)) as { refreshToken: string; accessToken: string };
      // The stored chain points at a spent refresh token (the seed) and its access token is due.
      const spent = JSON.stringify({ ...state, refreshToken: sim.credentials.refreshToken, renewAt: 0 });
      expect(await store.putSharedToken(String(row.name), spent, null)).toBe(true);
      const b = new CrmofficeClient(
        { baseUrl: sim.url, loginBaseUrl: sim.loginUrl, ...sim.credentials },
        { sharedTokens: worker(), sharedWaitMs: 200 },
      );
      const err = (await b.listUsers().catch((e: Error) => e)) as Error;
      expect(err.message).toMatch(/invalid_grant/);
      for (const secret of [
        state.refreshToken,
        state.accessToken,
        sim.credentials.refreshToken,
        sim.credentials.clientSecret,
      ]) {
        expect(`${err.message}${err.stack}`).not.toContain(secret);
      }
    });
  });

  describe('PowerOffice Go, client credentials', () => {
    let sim: PowerOfficeSimulator;
    beforeEach(async () => {
      sim = await startPowerOfficeSimulator({ rateLimit: { limit: 0, windowMs: 1000 } });
    });
    afterEach(() => sim.stop());
    const client = (store?: LinkStore) =>
      new PowerOfficeClient({ baseUrl: sim.apiUrl, ...sim.credentials }, { sharedTokens: store });
    const signIns = () => sim.stats.requests['POST /OAuth/Token'] ?? 0;

    it('a second worker reuses the token the first signed in for; after a revocation one sign-in serves both', async () => {
      const [a, b] = [client(worker()), client(worker())];
      await a.listDepartments({ pageSize: 1 });
      await b.listDepartments({ pageSize: 1 });
      expect(signIns()).toBe(1);
      sim.revokeTokens();
      await a.listDepartments({ pageSize: 1 });
      await b.listDepartments({ pageSize: 1 });
      expect(signIns()).toBe(2);
      expect(b.auth.requests).toBe(0);
    });
  });
}

forEachBackend('tokens shared through the store', sharedTokenSuite);
