/**
 * The Zendesk simulator's own rules: deterministic sample data, auth, validation, timestamps, the
 * incremental exports' paging (no record lost or repeated when many share a timestamp), snapshots,
 * and a 100,000-user sample.
 */
import axios, { AxiosInstance } from 'axios';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateSampleData, ID_BASE, startZendeskSimulator, ZendeskSimulator } from '../../simulators/zendesk';

/** Zendesk's times are whole seconds: a test that needs a later time waits for the next one. */
function waitForNextSecond(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
}

function api(sim: ZendeskSimulator): AxiosInstance {
  return axios.create({
    baseURL: `${sim.url}/api/v2`,
    auth: { username: `${sim.credentials.email}/token`, password: sim.credentials.apiToken },
    validateStatus: () => true,
  });
}

describe('generateSampleData', () => {
  test('is deterministic for a seed and differs between seeds', () => {
    expect(generateSampleData(5, 200)).toEqual(generateSampleData(5, 200));
    expect(generateSampleData(6, 200).users.map((u) => u.name)).not.toEqual(
      generateSampleData(5, 200).users.map((u) => u.name),
    );
    expect(generateSampleData(5, 0)).toEqual({ organizations: [], users: [], tickets: [], comments: [] });
  });

  test('has the promised shape: roles, memberships, unique e-mails and names, tickets by end-users', () => {
    const data = generateSampleData(1, 2000);
    const { users, organizations, tickets, comments } = data;
    expect(users).toHaveLength(2000);
    expect(organizations.length).toBe(200);
    expect(new Set(organizations.map((o) => o.name.toLowerCase())).size).toBe(organizations.length);
    expect(new Set(users.map((u) => u.email)).size).toBe(users.length);
    const share = (pred: (u: (typeof users)[number]) => boolean) => users.filter(pred).length / users.length;
    expect(share((u) => u.role === 'agent')).toBeGreaterThan(0.03);
    expect(share((u) => u.role === 'agent')).toBeLessThan(0.07);
    expect(share((u) => u.role === 'admin')).toBeGreaterThan(0.01);
    expect(share((u) => u.role === 'admin')).toBeLessThan(0.035);
    expect(share((u) => u.organization_id === null)).toBeGreaterThan(0.11);
    expect(share((u) => u.organization_id === null)).toBeLessThan(0.19);
    expect(share((u) => u.phone !== null)).toBeGreaterThan(0.3);
    const orgIds = new Set(organizations.map((o) => o.id));
    expect(users.filter((u) => u.organization_id !== null && !orgIds.has(u.organization_id)).map((u) => u.id)).toEqual(
      [],
    );

    expect(tickets.length).toBe(1000);
    const byId = new Map(users.map((u) => [u.id, u]));
    for (const t of tickets) expect(byId.get(t.requester_id)?.role).toBe('end-user');
    const perTicket = new Map<number, number>();
    for (const c of comments) perTicket.set(c.ticket_id, (perTicket.get(c.ticket_id) ?? 0) + 1);
    expect(Math.min(...perTicket.values())).toBe(1);
    expect(Math.max(...perTicket.values())).toBe(3);
    expect(perTicket.size).toBe(tickets.length);
    expect(comments.some((c) => byId.get(c.author_id)?.role !== 'end-user')).toBe(true);
    // Everything is more than a minute old, so an incremental export may ask for it.
    for (const r of [...users, ...organizations, ...tickets]) expect(r.updated).toBeLessThan(Date.now() - 60_000);
  });
});

describe('Zendesk simulator', () => {
  let sim: ZendeskSimulator;
  let http: AxiosInstance;
  beforeAll(async () => {
    sim = await startZendeskSimulator({
      sample: { size: 300 },
      seed: 2,
      rateLimit: { limit: 0, windowMs: 1000 },
      exportRateLimit: { limit: 0, windowMs: 60_000 },
      // These tests read their own changes back from the exports at once; the minute Zendesk holds
      // back is tested on its own below.
      exportDelaySeconds: 0,
      credentials: { email: 'owner@example.com', apiToken: 'tok-123', oauthToken: 'oauth-456' },
    });
    http = api(sim);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  test('refuses calls without the right credentials with Zendesk 401 body; accepts Basic token and Bearer', async () => {
    const none = await axios.get(`${sim.url}/api/v2/users.json`, { validateStatus: () => true });
    expect(none.status).toBe(401);
    expect(none.data).toEqual({ error: "Couldn't authenticate you" });
    const wrong = await axios.get(`${sim.url}/api/v2/users.json`, {
      auth: { username: 'owner@example.com/token', password: 'nope' },
      validateStatus: () => true,
    });
    expect(wrong.status).toBe(401);
    expect((await http.get('/users.json')).status).toBe(200);
    const bearer = await axios.get(`${sim.url}/api/v2/users`, { headers: { Authorization: 'Bearer oauth-456' } });
    expect(bearer.status).toBe(200);
  });

  test('validation: name required, role known, e-mail unique, ticket needs a description; 404 shape', async () => {
    const noName = await http.post('/users.json', { user: { email: 'x@example.com' } });
    expect(noName.status).toBe(422);
    expect(noName.data).toMatchObject({
      error: 'RecordInvalid',
      details: { name: [{ description: expect.any(String) }] },
    });
    expect((await http.post('/users.json', { user: { name: 'X', role: 'boss' } })).data.details).toHaveProperty('role');
    const taken = sim.store.users.all()[0].email!;
    const dup = await http.post('/users.json', { user: { name: 'Dup', email: taken.toUpperCase() } });
    expect(dup.status).toBe(422);
    expect(dup.data.details.email[0].description).toContain('already being used');
    expect((await http.post('/organizations.json', { organization: {} })).status).toBe(422);
    const noBody = await http.post('/tickets.json', { ticket: { subject: 'Empty' } });
    expect(noBody.status).toBe(422);
    expect(noBody.data.details.base[0].description).toContain('Description');
    const missing = await http.get(`/users/${ID_BASE.organization + 1}.json`);
    expect(missing.status).toBe(404);
    expect(missing.data).toEqual({ error: 'RecordNotFound', description: 'Not found' });
  });

  test('writes never change id or created_at; updated_at is whole seconds and moves with the clock on every change', async () => {
    const created = (await http.post('/users.json', { user: { name: 'Timer', email: 'timer@example.com' } })).data.user;
    const first = (
      await http.put(`/users/${created.id}.json`, {
        user: { name: 'Timer 2', id: 5, created_at: '2001-01-01T00:00:00Z' },
      })
    ).data.user;
    await waitForNextSecond();
    const second = (await http.put(`/users/${created.id}.json`, { user: { name: 'Timer 3' } })).data.user;
    expect(first.id).toBe(created.id);
    expect(second.created_at).toBe(created.created_at);
    for (const t of [created.created_at, created.updated_at, first.updated_at, second.updated_at])
      expect(t).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    expect(Date.parse(first.updated_at)).toBeGreaterThanOrEqual(Date.parse(created.updated_at));
    expect(Date.parse(second.updated_at)).toBeGreaterThan(Date.parse(first.updated_at));
  });

  test('two changes within one second share updated_at, and the export cursor still returns the second change', async () => {
    await waitForNextSecond();
    const user = (await http.post('/users.json', { user: { name: 'Same Second', email: 'same.second@example.com' } }))
      .data.user;
    const start = Math.floor(Date.now() / 1000) - 120;
    let page = (await http.get(`/incremental/users/cursor.json?start_time=${start}`)).data;
    while (!page.end_of_stream)
      page = (await http.get(`/incremental/users/cursor.json?cursor=${page.after_cursor}`)).data;
    expect(page.users.map((u: { id: number }) => u.id)).toContain(user.id);
    const cursor = page.after_cursor;
    // Changed again within the second the cursor points into: same updated_at, still not lost.
    const again = (await http.put(`/users/${user.id}.json`, { user: { name: 'Same Second 2' } })).data.user;
    expect(again.updated_at).toBe(user.updated_at);
    const next = (await http.get(`/incremental/users/cursor.json?cursor=${cursor}`)).data;
    expect(next.users).toEqual([
      expect.objectContaining({ id: user.id, name: 'Same Second 2', updated_at: user.updated_at }),
    ]);
    // And nothing more after it: no loop.
    const after = (await http.get(`/incremental/users/cursor.json?cursor=${next.after_cursor}`)).data;
    expect(after.users).toEqual([]);
    expect(after.end_of_stream).toBe(true);
  });

  test('organizations keep domain_names, details, notes and tags; any change moves updated_at', async () => {
    const fields = {
      domain_names: ['fjord.example'],
      details: 'Storgata 1, Oslo',
      notes: 'Key account',
      tags: ['vip', 'nordic'],
    };
    const created = (await http.post('/organizations.json', { organization: { name: 'Kept Fields AS', ...fields } }))
      .data.organization;
    expect(created).toMatchObject(fields);
    expect((await http.get(`/organizations/${created.id}.json`)).data.organization).toMatchObject(fields);
    await waitForNextSecond();
    const noted = (
      await http.put(`/organizations/${created.id}.json`, { organization: { notes: 'Key account since 2020' } })
    ).data.organization;
    expect(noted).toMatchObject({ ...fields, notes: 'Key account since 2020' });
    expect(Date.parse(noted.updated_at)).toBeGreaterThan(Date.parse(created.updated_at));
    await waitForNextSecond();
    const same = (
      await http.put(`/organizations/${created.id}.json`, {
        organization: { notes: 'Key account since 2020', tags: ['vip', 'nordic'] },
      })
    ).data.organization;
    expect(same.updated_at).toBe(noted.updated_at);
    const tagged = (
      await http.put(`/organizations/${created.id}.json`, {
        organization: { tags: ['vip'], domain_names: [], details: null },
      })
    ).data.organization;
    expect(tagged).toMatchObject({ tags: ['vip'], domain_names: [], details: null, notes: 'Key account since 2020' });
    expect(Date.parse(tagged.updated_at)).toBeGreaterThan(Date.parse(noted.updated_at));
  });

  test('a new ticket starts with its description as first comment; a comment moves updated_at; comments cannot be edited', async () => {
    const requester = sim.store.users.filter((u) => u.role === 'end-user')[0];
    const t = (
      await http.post('/tickets.json', {
        ticket: { subject: 'S', requester_id: requester.id, submitter_id: requester.id, comment: { body: 'Help' } },
      })
    ).data.ticket;
    expect(t.organization_id).toBe(requester.organization_id);
    const comments = (await http.get(`/tickets/${t.id}/comments.json`)).data.comments;
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatchObject({ body: 'Help', author_id: requester.id, public: true });
    await waitForNextSecond();
    const updated = (await http.put(`/tickets/${t.id}.json`, { ticket: { comment: { body: 'More' } } })).data;
    expect(Date.parse(updated.ticket.updated_at)).toBeGreaterThan(Date.parse(t.updated_at));
    expect(updated.audit.events[0]).toMatchObject({ type: 'Comment', body: 'More' });
    expect(
      (await http.put(`/tickets/${t.id}/comments/${comments[0].id}.json`, { comment: { body: 'edited' } })).status,
    ).toBe(404);
  });

  test('cursor lists visit every active user once, following links', async () => {
    const ids: number[] = [];
    let url: string | null = `${sim.url}/api/v2/users.json?page[size]=40`;
    while (url) {
      const page: {
        data: { users: Array<{ id: number }>; meta: { has_more: boolean }; links: { next: string | null } };
      } = await http.get(url);
      ids.push(...page.data.users.map((u) => u.id));
      url = page.data.meta.has_more ? page.data.links.next : null;
    }
    expect(ids).toEqual(sim.store.users.filter((u) => u.active).map((u) => u.id));
  });

  test('the users export pages in updated_at order without losing or repeating shared timestamps', async () => {
    const seen: Array<{ id: number; updated_at: string }> = [];
    let page = (await http.get('/incremental/users/cursor.json?start_time=0&per_page=7')).data;
    seen.push(...page.users);
    while (!page.end_of_stream) {
      page = (await http.get(`/incremental/users/cursor.json?cursor=${page.after_cursor}&per_page=7`)).data;
      seen.push(...page.users);
    }
    const all = sim.store.users.all();
    expect(seen).toHaveLength(all.length);
    expect(new Set(seen.map((u) => u.id)).size).toBe(all.length);
    // Bulk-imported sample users share one second, so pages had to cut inside it.
    const stamps = seen.map((u) => u.updated_at);
    expect(stamps.length - new Set(stamps).size).toBeGreaterThan(7);
    // In time order; within one second, in the order of the changes.
    for (let i = 1; i < seen.length; i++)
      expect(Date.parse(seen[i - 1].updated_at)).toBeLessThanOrEqual(Date.parse(seen[i].updated_at));
  });

  test('the time-based users export visits every user, never splitting a second across pages', async () => {
    const seen = new Map<number, string>();
    let pages = 0;
    let page = (await http.get('/incremental/users.json?start_time=0&per_page=7')).data;
    for (;;) {
      pages += 1;
      for (const u of page.users as Array<{ id: number; updated_at: string }>) seen.set(u.id, u.updated_at);
      expect(page.count).toBe(page.users.length);
      if (page.end_of_stream) break;
      // The next page starts at end_time, the newest second of this one: that second is read again.
      expect(page.next_page).toContain(`start_time=${page.end_time}`);
      page = (await http.get(`/incremental/users.json?start_time=${page.end_time}&per_page=7`)).data;
    }
    expect(seen.size).toBe(sim.store.users.size);
    expect(pages).toBeGreaterThan(sim.store.users.size / 30);
    // Bulk-imported sample users share one second: one page holds all of them, past per_page.
    const bulk = Math.max(...[...new Set(seen.values())].map((t) => [...seen.values()].filter((v) => v === t).length));
    expect(bulk).toBeGreaterThan(7);
  });

  test('side-loads the organizations of users and the users and organizations of tickets, each once', async () => {
    const orgIds = (users: Array<{ organization_id: number | null }>) =>
      [...new Set(users.flatMap((u) => (u.organization_id === null ? [] : [u.organization_id])))].sort();
    const list = (await http.get('/users.json?include=organizations&per_page=100')).data;
    expect(list.organizations.map((o: { id: number }) => o.id).sort()).toEqual(orgIds(list.users));
    expect(list.organizations[0]).toEqual(
      (await http.get(`/organizations/${list.organizations[0].id}.json`)).data.organization,
    );
    const exported = (await http.get('/incremental/users/cursor.json?start_time=0&include=organizations')).data;
    expect(exported.organizations.map((o: { id: number }) => o.id).sort()).toEqual(orgIds(exported.users));
    const withOrg = list.users.find((u: { organization_id: number | null }) => u.organization_id !== null);
    expect((await http.get(`/users/${withOrg.id}.json?include=organizations`)).data.organizations).toEqual([
      expect.objectContaining({ id: withOrg.organization_id }),
    ]);
    // Not asked, not sent; a name that is not a side-load of users is ignored.
    expect((await http.get('/users.json')).data.organizations).toBeUndefined();
    expect((await http.get('/users.json?include=brands')).data.brands).toBeUndefined();

    const tickets = (await http.get('/incremental/tickets.json?start_time=0&include=users,organizations')).data;
    const people = new Set<number>(
      tickets.tickets.flatMap((t: { requester_id: number; submitter_id: number; assignee_id: number | null }) =>
        [t.requester_id, t.submitter_id, t.assignee_id ?? []].flat(),
      ),
    );
    expect(tickets.users.map((u: { id: number }) => u.id).sort()).toEqual([...people].sort());
    expect(tickets.organizations.map((o: { id: number }) => o.id).sort()).toEqual(orgIds(tickets.tickets));
  });

  test('the sample export answers one page of at most 50', async () => {
    const sample = (await http.get('/incremental/users/sample.json?start_time=0')).data;
    expect(sample.users).toHaveLength(50);
    expect(sample).toMatchObject({ count: 50, end_of_stream: true });
    expect((await http.get('/incremental/tickets/sample.json?start_time=0')).data.tickets.length).toBeLessThanOrEqual(
      50,
    );
  });
});

describe('Zendesk simulator snapshots and time-based export', () => {
  test('organizations sharing one second page without loss or repeat; a snapshot round-trips', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'zd-sim-'));
    const file = path.join(dir, 'snapshot.json');
    const at = Date.UTC(2024, 5, 1, 12, 0, 0);
    const orgs = Array.from({ length: 23 }, (_, i) => ({
      id: ID_BASE.organization + 1 + i,
      name: `Shared ${i}`,
      external_id: null,
      deleted: null,
      created: at,
      updated: i < 20 ? at : at + 5000,
    }));
    writeFileSync(file, JSON.stringify({ version: 1, users: [], organizations: orgs, tickets: [], comments: [] }));
    const sim = await startZendeskSimulator({ snapshotPath: file, sample: { size: 50 } });
    try {
      const http = api(sim);
      const first = (await http.get(`/incremental/organizations.json?start_time=${at / 1000}&per_page=5`)).data;
      // The page does not split the shared second: all 20 come at once, then the next second.
      expect(first.organizations).toHaveLength(20);
      expect(first.end_of_stream).toBe(false);
      expect(first.end_time).toBe(at / 1000 + 1);
      const second = (await http.get(`/incremental/organizations.json?start_time=${first.end_time}&per_page=5`)).data;
      expect(second.organizations.map((o: { id: number }) => o.id)).toEqual(orgs.slice(20).map((o) => o.id));
      expect(second.end_of_stream).toBe(true);
      // end_time is the newest second of the page: asking from it again repeats that second (echoes), and stops.
      expect(second.end_time).toBe(at / 1000 + 5);
      const repeat = (await http.get(`/incremental/organizations.json?start_time=${second.end_time}&per_page=5`)).data;
      expect(repeat).toMatchObject({ count: 3, end_of_stream: true, end_time: at / 1000 + 5 });

      // The snapshot won over sample data; writes go to it on request and load into a new simulator.
      expect(sim.store.users.size).toBe(0);
      const created = (await http.post('/organizations.json', { organization: { name: 'After snapshot' } })).data
        .organization;
      expect(created.id).toBe(ID_BASE.organization + 24);
      expect((await axios.post(`${sim.url}/_sim/snapshot`, {})).status).toBe(200);
      const saved = JSON.parse(readFileSync(file, 'utf8'));
      expect(saved.organizations).toHaveLength(24);
    } finally {
      await sim.stop();
    }
    const again = await startZendeskSimulator({ snapshotPath: file });
    try {
      const got = await api(again).get(`/organizations/${ID_BASE.organization + 24}.json`);
      expect(got.data.organization.name).toBe('After snapshot');
    } finally {
      await again.stop();
    }
  });

  test('the incremental exports allow 10 requests a minute (429 with Retry-After); answers carry X-Rate-Limit headers', async () => {
    const sim = await startZendeskSimulator({ sample: { size: 5 } });
    try {
      const http = api(sim);
      const users = await http.get('/users.json');
      expect(users.headers['x-rate-limit']).toBe('700');
      expect(Number(users.headers['x-rate-limit-remaining'])).toBe(699);
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++)
        statuses.push((await http.get('/incremental/organizations.json?start_time=0')).status);
      expect(statuses).toEqual([...Array(10).fill(200), 429]);
      const limited = await http.get('/incremental/users/cursor.json?start_time=0');
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      // The export limit is the exports' own: other calls go on.
      expect((await http.get('/users.json')).status).toBe(200);
      // The sample exports have a budget of their own, 10 in 20 minutes.
      const samples: number[] = [];
      for (let i = 0; i < 11; i++) samples.push((await http.get('/incremental/users/sample.json?start_time=0')).status);
      expect(samples).toEqual([...Array(10).fill(200), 429]);
    } finally {
      await sim.stop();
    }
  });

  // Not timed: on a loaded machine a time bound flakes, and the sample's size is what the scale runs need.
  test('100,000 users: the sample starts whole and pages to its end', async () => {
    const sim = await startZendeskSimulator({
      sample: { size: 100_000 },
      seed: 9,
      rateLimit: { limit: 0, windowMs: 1000 },
    });
    try {
      expect(sim.store.users.size).toBe(100_000);
      const http = api(sim);
      const page = (await http.get('/incremental/users/cursor.json?start_time=0')).data;
      expect(page.users).toHaveLength(1000);
      const last = (
        await http.get(
          '/users.json?page[size]=100&page[after]=' + Buffer.from(String(ID_BASE.user + 99_950)).toString('base64url'),
        )
      ).data;
      expect(last.users).toHaveLength(50);
    } finally {
      await sim.stop();
    }
  });
});
