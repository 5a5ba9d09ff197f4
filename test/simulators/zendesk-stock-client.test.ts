/**
 * The stock `node-zendesk` client (v6), unchanged and pointed at the simulator with `endpointUri`,
 * lists, creates and updates users, organizations and tickets: evidence that the simulator speaks
 * Zendesk's paths, bodies, auth and pagination, not only our connector's dialect of them.
 */
import { createClient } from 'node-zendesk';
import { startZendeskSimulator, ZendeskSimulator } from '../../simulators/zendesk';

type Rec = {
  id: number;
  name?: string;
  subject?: string;
  email?: string;
  updated_at?: string;
  created_at?: string;
  requester_id?: number;
};

describe('node-zendesk against the Zendesk simulator', () => {
  let sim: ZendeskSimulator;
  let client: ReturnType<typeof createClient>;

  beforeAll(async () => {
    // 230 users: lists span more than one page of 100, so the library must follow next-page links.
    sim = await startZendeskSimulator({ sample: { size: 230 }, seed: 3, rateLimit: { limit: 0, windowMs: 1000 } });
    client = createClient({
      username: sim.credentials.email,
      token: sim.credentials.apiToken,
      endpointUri: `${sim.url}/api/v2`,
    });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  test('lists every user, organization and ticket across pages', async () => {
    const users = (await client.users.list()) as unknown as Rec[];
    const activeUsers = sim.store.users.filter((u) => u.active).length;
    expect(users).toHaveLength(activeUsers);
    expect(new Set(users.map((u) => u.id)).size).toBe(users.length);

    const orgs = (await client.organizations.list()) as unknown as Rec[];
    expect(orgs).toHaveLength(sim.store.organizations.size);

    const tickets = (await client.tickets.list()) as unknown as Rec[];
    expect(tickets).toHaveLength(sim.store.tickets.size);
    expect(tickets.length).toBeGreaterThan(100);
  });

  test('reads the time-based exports, with side-loads and the sample', async () => {
    // The library follows next_page while a page holds 1000: one page here.
    const users = (await client.users.incremental(0)) as unknown as Rec[];
    expect(new Set(users.map((u) => u.id))).toEqual(new Set(sim.store.users.all().map((u) => u.id)));
    const withOrgs = (await client.users.incrementalInclude(0, 'organizations')) as unknown as Rec[];
    expect(withOrgs).toHaveLength(users.length);
    const tickets = (await client.tickets.incremental('0')) as unknown as Rec[];
    expect(tickets).toHaveLength(sim.store.tickets.size);
    const sample = (await client.users.incrementalSample(0)).result as unknown as Rec[];
    expect(sample).toHaveLength(50);
  });

  test('creates and updates a user', async () => {
    const created = (
      await client.users.create({ user: { name: 'Stock Client', email: 'stock.client@example.com', role: 'end-user' } })
    ).result as unknown as Rec;
    expect(created).toMatchObject({ name: 'Stock Client', email: 'stock.client@example.com' });
    const updated = (await client.users.update(created.id, { user: { name: 'Stock Client Renamed' } }))
      .result as unknown as Rec;
    expect(updated).toMatchObject({ id: created.id, name: 'Stock Client Renamed', created_at: created.created_at });
    const shown = (await client.users.show(created.id)).result as unknown as Rec;
    expect(shown.name).toBe('Stock Client Renamed');
  });

  test('creates and updates an organization', async () => {
    const created = (await client.organizations.create({ organization: { name: 'Stock Client Org' } }))
      .result as unknown as Rec;
    expect(created.name).toBe('Stock Client Org');
    const updated = (await client.organizations.update(created.id, { organization: { name: 'Stock Client Org 2' } }))
      .result as unknown as Rec;
    expect(updated).toMatchObject({ id: created.id, name: 'Stock Client Org 2' });
  });

  test('creates and updates a ticket, and reads its comments', async () => {
    const requester = sim.store.users.filter((u) => u.role === 'end-user')[0];
    const created = (
      await client.tickets.create({
        ticket: { subject: 'Stock ticket', comment: { body: 'Opened by node-zendesk' }, requester_id: requester.id },
      })
    ).result as unknown as Rec;
    expect(created).toMatchObject({ subject: 'Stock ticket', requester_id: requester.id });
    const updated = (
      await client.tickets.update(created.id, {
        ticket: { subject: 'Stock ticket 2', comment: { body: 'Updated by node-zendesk', public: true } },
      })
    ).result as unknown as Rec;
    expect(updated).toMatchObject({ id: created.id, subject: 'Stock ticket 2' });
    const comments = (await client.tickets.getComments(created.id)) as unknown as Array<{ body: string }>;
    expect(comments.map((c) => c.body)).toEqual(['Opened by node-zendesk', 'Updated by node-zendesk']);
  });

  test('a validation error reaches the library as a 422', async () => {
    await expect(client.users.create({ user: { email: 'nameless@example.com' } })).rejects.toThrow(/\b422\b/);
  });
});
