/**
 * A change made through the simulator's API reaches a local receiver as a signed Zendesk event that
 * the connector's `verifyWebhookSignature` accepts, and the payload parses as a `ZendeskWebhookEvent`.
 */
import Fastify, { FastifyInstance } from 'fastify';
import {
  SIGNATURE_HEADER,
  SIGNATURE_TIMESTAMP_HEADER,
  ZendeskClient,
  ZendeskWebhookEvent,
  signWebhook,
  verifyWebhookSignature,
  zendeskIdsOfEvent,
} from '../../connectors/zendesk';
import { ZENDESK_EVENT_TYPES } from '../../flows/zendesk-types';
import { startZendeskSimulator, ZendeskSimulator } from '../../simulators/zendesk';

interface Received {
  raw: string;
  signature?: string;
  timestamp?: string;
}

describe('Zendesk simulator webhooks', () => {
  let receiver: FastifyInstance;
  let receiverUrl: string;
  const received: Received[] = [];
  let sim: ZendeskSimulator;
  let zd: ZendeskClient;

  beforeAll(async () => {
    receiver = Fastify();
    // Keep the exact bytes: the signature is over the raw body.
    receiver.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    receiver.post('/hook', async (req, reply) => {
      received.push({
        raw: req.body as string,
        signature: req.headers[SIGNATURE_HEADER] as string | undefined,
        timestamp: req.headers[SIGNATURE_TIMESTAMP_HEADER] as string | undefined,
      });
      return reply.code(202).send();
    });
    receiver.post('/broken', async (_req, reply) => reply.code(500).send());
    await receiver.listen({ port: 0, host: '127.0.0.1' });
    receiverUrl = `http://127.0.0.1:${(receiver.server.address() as { port: number }).port}`;
    sim = await startZendeskSimulator({
      sample: { size: 10 },
      webhookUrl: `${receiverUrl}/hook`,
      webhookSecret: 'known-signing-secret',
    });
    zd = new ZendeskClient({ baseUrl: `${sim.url}/api/v2`, ...sim.credentials });
  });

  afterAll(async () => {
    await sim?.stop();
    await receiver?.close();
  });

  async function waitFor(pred: () => boolean, ms = 5000): Promise<void> {
    const until = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > until) throw new Error('timed out waiting for a delivery');
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const events = () => received.map((r) => ZendeskWebhookEvent.parse(JSON.parse(r.raw)));

  test('the start-up webhook is subscribed to every Tandem event type and its secret is readable', async () => {
    const hooks = await zd.listWebhooks();
    expect(hooks).toHaveLength(1);
    expect(hooks[0].endpoint).toBe(`${receiverUrl}/hook`);
    expect([...(hooks[0].subscriptions ?? [])].sort()).toEqual([...ZENDESK_EVENT_TYPES].sort());
    expect(await zd.getWebhookSigningSecret(hooks[0].id)).toBe('known-signing-secret');
    expect(sim.webhookSecret).toBe('known-signing-secret');
  });

  test('a user rename is delivered, correctly signed, naming the user', async () => {
    received.length = 0;
    const [someone] = (await zd.listUsers({ pageSize: 1 })).items;
    await zd.updateUser(someone.id, { name: 'Renamed Through The API' });
    await waitFor(() => events().some((e) => e.type === 'zen:event-type:user.name_changed'));

    const delivery = received.find((r) => JSON.parse(r.raw).type === 'zen:event-type:user.name_changed')!;
    expect(verifyWebhookSignature('known-signing-secret', delivery.signature, delivery.timestamp, delivery.raw)).toBe(
      true,
    );
    expect(delivery.signature).toBe(signWebhook('known-signing-secret', delivery.timestamp!, delivery.raw));
    // A wrong secret, a changed body or a changed timestamp fail.
    expect(verifyWebhookSignature('another-secret', delivery.signature, delivery.timestamp, delivery.raw)).toBe(false);
    expect(
      verifyWebhookSignature(
        'known-signing-secret',
        delivery.signature,
        delivery.timestamp,
        delivery.raw.replace('Renamed', 'Renamee'),
      ),
    ).toBe(false);
    expect(
      verifyWebhookSignature('known-signing-secret', delivery.signature, '2000-01-01T00:00:00Z', delivery.raw),
    ).toBe(false);
    expect(verifyWebhookSignature('known-signing-secret', undefined, delivery.timestamp, delivery.raw)).toBe(false);
    expect(verifyWebhookSignature('known-signing-secret', 'short', delivery.timestamp, delivery.raw)).toBe(false);

    const event = ZendeskWebhookEvent.parse(JSON.parse(delivery.raw));
    expect(event.subject).toBe(`zen:user:${someone.id}`);
    expect(event.detail.id).toBe(String(someone.id));
    expect(event.event).toMatchObject({ previous: someone.name, current: 'Renamed Through The API' });
    expect(zendeskIdsOfEvent(event)).toEqual({ kind: 'user', id: String(someone.id) });
  });

  test('a new ticket and an added comment are delivered; the comment event names comment and ticket', async () => {
    received.length = 0;
    const requester = await zd.createUser({ name: 'Webhook Requester', email: 'webhook.requester@example.com' });
    const ticket = await zd.createTicket({ subject: 'Hooked', requester_id: requester.id, comment: { body: 'Hello' } });
    const added = await zd.addTicketComment(ticket.id, { body: 'A reply', author_id: requester.id });
    await waitFor(() => events().filter((e) => e.type === 'zen:event-type:ticket.comment_added').length >= 2);

    const types = events().map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'zen:event-type:user.created',
        'zen:event-type:ticket.created',
        'zen:event-type:ticket.comment_added',
      ]),
    );
    for (const r of received)
      expect(verifyWebhookSignature('known-signing-secret', r.signature, r.timestamp, r.raw)).toBe(true);

    const reply = events().find(
      (e) =>
        e.type === 'zen:event-type:ticket.comment_added' && (e.event.comment as { body?: string }).body === 'A reply',
    )!;
    expect(zendeskIdsOfEvent(reply)).toEqual({
      kind: 'comment',
      id: String(added.commentId),
      ticketId: String(ticket.id),
    });
    const created = events().find((e) => e.type === 'zen:event-type:ticket.created')!;
    expect(zendeskIdsOfEvent(created)).toEqual({ kind: 'ticket', id: String(ticket.id) });
  });

  test('organization events; a no-op update sends nothing', async () => {
    received.length = 0;
    const org = await zd.createOrganization({ name: 'Hooked Org' });
    await zd.updateOrganization(org.id, { name: 'Hooked Org' });
    await zd.updateOrganization(org.id, { name: 'Hooked Org 2' });
    await waitFor(() => events().some((e) => e.type === 'zen:event-type:organization.name_changed'));
    const types = events().map((e) => e.type);
    expect(types.filter((t) => t.startsWith('zen:event-type:organization.'))).toEqual([
      'zen:event-type:organization.created',
      'zen:event-type:organization.name_changed',
    ]);
    expect(zendeskIdsOfEvent(events()[0])).toEqual({ kind: 'organization', id: String(org.id) });
  });

  test('a failing receiver never fails the API answer, and failures are counted', async () => {
    const hook = await zd.createWebhook({
      name: 'broken',
      endpoint: `${receiverUrl}/broken`,
      subscriptions: ['zen:event-type:organization.created'],
    });
    expect(hook.id).toMatch(/^01[0-9A-Z]{24}$/);
    const before = sim.deliveries.failed;
    const org = await zd.createOrganization({ name: 'Delivered To A Broken Receiver' });
    expect(org.name).toBe('Delivered To A Broken Receiver');
    await waitFor(() => sim.deliveries.failed > before);
    const stats = (await fetch(`${sim.url}/_sim/webhooks/deliveries`).then((r) => r.json())) as {
      failed: number;
      delivered: number;
    };
    expect(stats.failed).toBeGreaterThan(before);
    expect(stats.delivered).toBeGreaterThan(0);
  });
});
