/**
 * The faults that make duplicates and lost edits, at the simulators: a write held past the client's
 * timeout and applied after it; a listing whose later page fails, or whose page comes back short
 * with more to follow; equal modification times within a second (PowerOffice Go, Crmoffice); and
 * Zendesk's exports holding back the last minute. Each is seeded apart from the others and counted.
 */
import axios from 'axios';
import { createSimulator, type Simulator } from '../../simulators/kit';
import { startPowerOfficeSimulator, type PowerOfficeSimulator } from '../../simulators/poweroffice';
import { startCrmofficeSimulator, type CrmofficeSimulator } from '../../simulators/crmoffice';
import { startZendeskSimulator, type ZendeskSimulator } from '../../simulators/zendesk';
import { PowerOfficeClient } from '../../connectors/poweroffice';
import { CrmofficeClient } from '../../connectors/crmoffice';
import { TransientApiError } from '../../connectors/errors';

const off = { rateLimit: { limit: 0, windowMs: 1000 } };
const setFaults = (url: string, faults: object) =>
  fetch(`${url}/_sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });

describe('a write applied late', () => {
  let sim: Simulator;
  let kept: { name: string; at: number }[];
  beforeEach(async () => {
    kept = [];
    sim = createSimulator('kit', { seed: 3 }, { dump: () => ({}), load: () => undefined });
    sim.app.post('/things', async (req, reply) => {
      kept.push({ name: (req.body as { name: string }).name, at: Date.now() });
      return reply.code(201).send({ ok: true });
    });
    sim.app.get('/things', async () => kept);
    await sim.start();
  });
  afterEach(async () => {
    await sim.stop();
  });

  test("is held past the client's timeout, then applied; counted; reads are never held", async () => {
    await setFaults(sim.url(), { appliedLateRate: 1, appliedLateMs: 600 });
    const http = axios.create({ baseURL: sim.url(), timeout: 200, validateStatus: () => true });
    const sent = Date.now();
    await expect(http.post('/things', { name: 'late' })).rejects.toMatchObject({ code: 'ECONNABORTED' });
    expect(kept).toEqual([]);
    await new Promise((r) => setTimeout(r, 700));
    expect(kept.map((k) => k.name)).toEqual(['late']);
    expect(kept[0].at - sent).toBeGreaterThanOrEqual(600);
    expect((await http.get('/things')).status).toBe(200);
    expect(sim.stats).toMatchObject({ appliedLate: 1, faults: 1 });
  });

  test('appliedLateRoutes limits it to the routes named; its sequence is its own', async () => {
    await setFaults(sim.url(), {
      appliedLateRate: 0.5,
      appliedLateMs: 0,
      appliedLateRoutes: ['POST /things'],
      errorRate: 0.3,
    });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++)
      statuses.push(
        (
          await fetch(`${sim.url()}/things`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"name":"x"}',
          })
        ).status,
      );
    const late = sim.stats.appliedLate;
    expect(late).toBeGreaterThan(0);
    // The same seed without the late writes fails the same requests: turning one on keeps the other's sequence.
    const again = createSimulator(
      'kit',
      { seed: 3, faults: { errorRate: 0.3 } },
      { dump: () => ({}), load: () => undefined },
    );
    again.app.post('/things', async (_req, reply) => reply.code(201).send({ ok: true }));
    await again.start();
    try {
      const plain: number[] = [];
      for (let i = 0; i < 20; i++)
        plain.push(
          (
            await fetch(`${again.url()}/things`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: '{"name":"x"}',
            })
          ).status,
        );
      expect(plain).toEqual(statuses);
      expect(again.stats.appliedLate).toBe(0);
    } finally {
      await again.stop();
    }
  });
});

describe('PowerOffice Go lists and clock', () => {
  let po: PowerOfficeSimulator;
  let client: PowerOfficeClient;
  beforeAll(async () => {
    po = await startPowerOfficeSimulator({
      ...off,
      seed: 5,
      employees: Array.from({ length: 25 }, (_, i) => ({ FirstName: `E${i}`, LastName: 'Paged' })),
    });
    client = new PowerOfficeClient({ baseUrl: po.apiUrl, tokenUrl: po.tokenUrl, ...po.credentials });
  });
  afterAll(async () => {
    await po.stop();
  });
  afterEach(async () => {
    await setFaults(po.url, {});
  });

  test('a later page fails with 503, the first never; counted', async () => {
    await setFaults(po.url, { listFailRate: 1 });
    expect((await client.listEmployees({ pageNumber: 1, pageSize: 10 })).items).toHaveLength(10);
    await expect(client.listEmployees({ pageNumber: 2, pageSize: 10 })).rejects.toMatchObject({ status: 503 });
    expect(po.stats.listPagesFailed).toBe(1);
  });

  test('a short page with more to follow is refused by the connector as transient; the last page is never cut', async () => {
    await setFaults(po.url, { shortPageRate: 1 });
    const err = await client.listEmployees({ pageNumber: 1, pageSize: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientApiError);
    expect(String((err as Error).message)).toMatch(/came back short/);
    expect((await client.listEmployees({ pageNumber: 3, pageSize: 10 })).items).toHaveLength(5);
    expect(po.stats.shortPages).toBe(1);
  });

  test('with sameSecondTimes, two changes within one second share LastChangedDateTimeOffset; counted', async () => {
    await setFaults(po.url, { sameSecondTimes: true });
    // At the start of a second, so both changes fall into it.
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
    const [a, b] = [...po.state.employees.values()];
    const ta = (await client.updateEmployee(a.Id, { JobTitle: 'First' })).LastChangedDateTimeOffset;
    const tb = (await client.updateEmployee(b.Id, { JobTitle: 'Second' })).LastChangedDateTimeOffset;
    expect(tb).toBe(ta);
    expect(Date.parse(ta!) % 1000).toBe(0);
    expect(po.stats.sameSecond).toBeGreaterThanOrEqual(1);
    // Strictly greater than that second leaves both out.
    expect((await client.listEmployees({ lastChangedAfter: ta! })).items).toEqual([]);
  });
});

describe('Crmoffice lists and clock', () => {
  let crm: CrmofficeSimulator;
  let client: CrmofficeClient;
  beforeAll(async () => {
    crm = await startCrmofficeSimulator({
      ...off,
      seed: 5,
      initial: { companies: Array.from({ length: 25 }, (_, i) => ({ name: `Company ${i}` })) },
    });
    client = new CrmofficeClient({ baseUrl: crm.url, loginBaseUrl: crm.loginUrl, ...crm.credentials });
  });
  afterAll(async () => {
    await crm.stop();
  });
  afterEach(async () => {
    await setFaults(crm.url, {});
  });

  test('a later page fails, a short page is refused as transient; counted', async () => {
    await setFaults(crm.url, { listFailRate: 1 });
    await expect(client.listCompanies({ page: 2, pageSize: 10 })).rejects.toMatchObject({ status: 503 });
    await setFaults(crm.url, { shortPageRate: 1 });
    await expect(client.listCompanies({ page: 1, pageSize: 10 })).rejects.toBeInstanceOf(TransientApiError);
    expect((await client.listCompanies({ page: 3, pageSize: 10 })).items).toHaveLength(5);
    expect(crm.stats).toMatchObject({ listPagesFailed: 1, shortPages: 1 });
  });

  test('with sameSecondTimes, two changes within one second share updatedAt', async () => {
    await setFaults(crm.url, { sameSecondTimes: true });
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
    const { items } = await client.listCompanies({ page: 1, pageSize: 2 });
    const ta = (await client.updateCompany(items[0].id, { name: 'Same Second A' })).updatedAt;
    const tb = (await client.updateCompany(items[1].id, { name: 'Same Second B' })).updatedAt;
    expect(tb).toBe(ta);
    expect(crm.stats.sameSecond).toBeGreaterThanOrEqual(1);
  });
});

describe('Zendesk exports hold back the last minute', () => {
  let zd: ZendeskSimulator;
  beforeAll(async () => {
    zd = await startZendeskSimulator({
      ...off,
      sample: { size: 5 },
      exportRateLimit: { limit: 0, windowMs: 60_000 },
      exportDelaySeconds: 2,
    });
  });
  afterAll(async () => {
    await zd.stop();
  });

  test('a change is left out until the delay has passed, then the cursor hands it out; the time-based export likewise', async () => {
    const http = axios.create({
      baseURL: `${zd.url}/api/v2`,
      auth: { username: `${zd.credentials.email}/token`, password: zd.credentials.apiToken },
    });
    let page = (await http.get('/incremental/users/cursor.json?start_time=0')).data;
    while (!page.end_of_stream)
      page = (await http.get(`/incremental/users/cursor.json?cursor=${page.after_cursor}`)).data;
    const cursor = page.after_cursor;
    const orgsAt = (await http.get('/incremental/organizations.json?start_time=0')).data.end_time;
    const user = (await http.post('/users.json', { user: { name: 'Held Back', email: 'held.back@example.no' } })).data
      .user;
    const org = (await http.post('/organizations.json', { organization: { name: 'Held Back AS' } })).data.organization;
    const now = (await http.get(`/incremental/users/cursor.json?cursor=${cursor}`)).data;
    expect(now.users).toEqual([]);
    expect(now.end_of_stream).toBe(true);
    expect(
      (await http.get(`/incremental/organizations.json?start_time=${orgsAt}`)).data.organizations.map(
        (o: { id: number }) => o.id,
      ),
    ).not.toContain(org.id);
    await new Promise((r) => setTimeout(r, 3100));
    expect(
      (await http.get(`/incremental/users/cursor.json?cursor=${now.after_cursor}`)).data.users.map(
        (u: { id: number }) => u.id,
      ),
    ).toEqual([user.id]);
    expect(
      (await http.get(`/incremental/organizations.json?start_time=${orgsAt}`)).data.organizations.map(
        (o: { id: number }) => o.id,
      ),
    ).toContain(org.id);
  });

  test('with listFailRate, an export read on by its cursor and a later page of a list fail with 503, a first page never; counted', async () => {
    const http = axios.create({
      baseURL: `${zd.url}/api/v2`,
      auth: { username: `${zd.credentials.email}/token`, password: zd.credentials.apiToken },
      validateStatus: () => true,
    });
    const first = await http.get('/incremental/users/cursor.json?start_time=0');
    const firstList = await http.get('/users.json?page[size]=2');
    await setFaults(zd.url, { listFailRate: 1 });
    try {
      const before = zd.stats.listPagesFailed;
      expect((await http.get('/incremental/users/cursor.json?start_time=0')).status).toBe(200);
      expect((await http.get('/users.json?page[size]=2')).status).toBe(200);
      expect((await http.get(`/incremental/users/cursor.json?cursor=${first.data.after_cursor}`)).status).toBe(503);
      expect((await http.get(`/users.json?page[size]=2&page[after]=${firstList.data.meta.after_cursor}`)).status).toBe(
        503,
      );
      expect(zd.stats.listPagesFailed - before).toBe(2);
    } finally {
      await setFaults(zd.url, {});
    }
  });

  test('the delay is set while running; 0 hands out every change at once', async () => {
    const res = await fetch(`${zd.url}/_sim/exports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"delaySeconds":0}',
    });
    expect(await res.json()).toEqual({ delaySeconds: 0 });
    const http = axios.create({
      baseURL: `${zd.url}/api/v2`,
      auth: { username: `${zd.credentials.email}/token`, password: zd.credentials.apiToken },
    });
    const user = (await http.post('/users.json', { user: { name: 'At Once', email: 'at.once@example.no' } })).data.user;
    let page = (await http.get('/incremental/users/cursor.json?start_time=0')).data;
    const ids: number[] = page.users.map((u: { id: number }) => u.id);
    while (!page.end_of_stream) {
      page = (await http.get(`/incremental/users/cursor.json?cursor=${page.after_cursor}`)).data;
      ids.push(...page.users.map((u: { id: number }) => u.id));
    }
    expect(ids).toContain(user.id);
  });

  test('the real delay is a minute by default', async () => {
    const real = await startZendeskSimulator({ ...off, sample: { size: 0 } });
    try {
      const http = axios.create({
        baseURL: `${real.url}/api/v2`,
        auth: { username: `${real.credentials.email}/token`, password: real.credentials.apiToken },
      });
      await http.post('/users.json', { user: { name: 'Recent', email: 'recent@example.no' } });
      const { data } = await http.get('/incremental/users/cursor.json?start_time=0');
      expect(data.users.filter((u: { name: string }) => u.name === 'Recent')).toEqual([]);
    } finally {
      await real.stop();
    }
  });
});
