import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { buildWebhookReceiver, routeToFlows, routeZendeskEvent } from '../../workers/webhook-receiver';
import { createMetrics, TandemMetrics } from '../../workers/metrics';
import { createLogger } from '../../workers/logger';
import { ZendeskWebhookEvent, SIGNATURE_HEADER, SIGNATURE_TIMESTAMP_HEADER } from '../../connectors/zendesk/webhooks';
import type { PairRef, RecordNotice, RecordRef } from '../../protocol/ids';
import { NOW, SECRET, commentEvent, signed, userEvent } from './webhook-fixtures';

// In the flows' order (FLOW_IDS), as a poll hands them over too.
const USER_FLOWS = ['zendesk-users-to-crmoffice-contacts', 'zendesk-users-to-powerofficego-employees'];

describe('routeZendeskEvent', () => {
  it('routes a user event to its pair in both user flows', () => {
    const pairs = routeZendeskEvent(ZendeskWebhookEvent.parse(userEvent('42')));
    expect(pairs).toEqual(USER_FLOWS.map((flowId) => ({ flowId, zendeskId: '42' })));
  });

  it('routes an added comment to its comment pair (<ticket id>:<comment id>) and its ticket pair', () => {
    expect(routeZendeskEvent(ZendeskWebhookEvent.parse(commentEvent('7', '9001')))).toEqual([
      { flowId: 'zendesk-ticketcomments-to-crmoffice-activities', zendeskId: '7:9001' },
      { flowId: 'zendesk-tickets-to-crmoffice-activities', zendeskId: '7' },
    ]);
  });

  it('routes an organization event to both organization flows', () => {
    const e = {
      ...userEvent(),
      subject: 'zen:organization:55',
      type: 'zen:event-type:organization.name_changed',
      detail: { id: '55' },
    };
    expect(routeZendeskEvent(ZendeskWebhookEvent.parse(e)).map((p) => `${p.flowId}/${p.zendeskId}`)).toEqual([
      'zendesk-organizations-to-crmoffice-companies/55',
      'zendesk-organizations-to-powerofficego-departments/55',
    ]);
  });

  it('routes subjects no flow syncs nowhere', () => {
    const e = {
      ...userEvent(),
      subject: 'zen:article:5',
      type: 'zen:event-type:article.published',
      detail: { id: '5' },
    };
    expect(routeZendeskEvent(ZendeskWebhookEvent.parse(e))).toEqual([]);
  });

  it('can be limited to the flows an installation runs', () => {
    const route = routeToFlows(['zendesk-users-to-crmoffice-contacts']);
    expect(route(ZendeskWebhookEvent.parse(userEvent('42')))).toEqual([
      { flowId: 'zendesk-users-to-crmoffice-contacts', zendeskId: '42' },
    ]);
  });
});

describe('buildWebhookReceiver', () => {
  let app: FastifyInstance;
  let base: string;
  let calls: { record: RecordRef; notice: RecordNotice }[];
  let signalFails: boolean;
  let m: TandemMetrics;
  const logLines: string[] = [];

  beforeEach(async () => {
    calls = [];
    signalFails = false;
    m = createMetrics();
    app = buildWebhookReceiver({
      secret: SECRET,
      signal: async (record, notice) => {
        if (signalFails) throw new Error('connect ECONNREFUSED 127.0.0.1:7233');
        calls.push({ record, notice });
      },
      maxBodyBytes: 4096,
      metrics: m,
      logger: createLogger('test', 'info', { write: (s: string) => void logLines.push(s) }),
      now: () => NOW,
    });
    // Real HTTP (Fastify's inject pulls in an ESM-only dependency that jest cannot load).
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await app.close();
  });

  async function webhookCount(result: string): Promise<number> {
    const metric = await m.registry.getSingleMetric('tandem_webhooks_total')!.get();
    return metric.values.find((v) => v.labels.result === result)?.value ?? 0;
  }

  type Answer = { error?: string; message?: string; accepted?: boolean; pairs?: PairRef[] };
  async function post(body: string, headers: Record<string, string>): Promise<{ statusCode: number; json(): Answer }> {
    const res = await fetch(`${base}/webhooks/zendesk`, { method: 'POST', body, headers });
    const parsed = (await res.json()) as Answer;
    return { statusCode: res.status, json: () => parsed };
  }

  it('answers 200 on /healthz', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("accepts a correctly signed event: 202, one signal to the record's workflow naming every routed pair, listed in the answer", async () => {
    const body = JSON.stringify(userEvent('42'));
    const res = await post(body, signed(body));
    expect(res.statusCode).toBe(202);
    const expected = USER_FLOWS.map((flowId) => ({ flowId, zendeskId: '42' }));
    expect(res.json()).toMatchObject({ accepted: true, pairs: expected });
    expect(calls).toEqual([
      {
        record: { type: 'users', zendeskId: '42' },
        notice: {
          side: 'zendesk',
          via: 'webhook',
          at: '2024-05-01T09:59:58Z',
          reported: { field: 'name', value: 'Kari Nordmann' },
          pairs: expected,
        },
      },
    ]);
    expect(await webhookCount('accepted')).toBe(1);
  });

  it('verifies the bytes as received, not a re-serialisation', async () => {
    // Whitespace and key order that JSON.stringify(JSON.parse(...)) would not reproduce.
    const body = `{ "type":"zen:event-type:ticket.comment_added" ,${JSON.stringify(commentEvent('7', '9001')).slice(1)}`;
    const res = await post(body, signed(body));
    expect(res.statusCode).toBe(202);
    // The comment's pair and its ticket's, both the ticket's workflow's.
    expect(calls.map((c) => [c.record, c.notice.pairs?.length])).toEqual([[{ type: 'tickets', zendeskId: '7' }, 2]]);
  });

  it('accepts a timestamp just inside the tolerance, either way', async () => {
    for (const offset of [-299_000, 299_000]) {
      const body = JSON.stringify(userEvent());
      const res = await post(body, signed(body, { timestamp: new Date(NOW + offset).toISOString() }));
      expect(res.statusCode).toBe(202);
    }
  });

  describe('rejects, signalling nothing', () => {
    afterEach(() => {
      expect(calls).toEqual([]);
    });

    it('401 for a signature made with another secret', async () => {
      const body = JSON.stringify(userEvent());
      const res = await post(body, signed(body, { secret: 'not-the-secret' }));
      expect(res.statusCode).toBe(401);
      expect(await webhookCount('bad_signature')).toBe(1);
    });

    it('401 for a body changed after signing', async () => {
      const body = JSON.stringify(userEvent('42'));
      const res = await post(body.replace('42', '43'), signed(body));
      expect(res.statusCode).toBe(401);
    });

    it('401 for a signature over another timestamp', async () => {
      const body = JSON.stringify(userEvent());
      const headers = signed(body);
      headers[SIGNATURE_TIMESTAMP_HEADER] = new Date(NOW - 1000).toISOString();
      expect((await post(body, headers)).statusCode).toBe(401);
    });

    it('401 when the signature or the timestamp header is missing', async () => {
      const body = JSON.stringify(userEvent());
      const noSig = signed(body);
      delete noSig[SIGNATURE_HEADER];
      const noTs = signed(body);
      delete noTs[SIGNATURE_TIMESTAMP_HEADER];
      expect((await post(body, noSig)).statusCode).toBe(401);
      expect((await post(body, noTs)).statusCode).toBe(401);
      expect((await post(body, { 'content-type': 'application/json' })).statusCode).toBe(401);
      expect(await webhookCount('bad_signature')).toBe(3);
    });

    it('401 for a stale timestamp, and one too far in the future, even when correctly signed', async () => {
      const body = JSON.stringify(userEvent());
      for (const offset of [-301_000, 301_000]) {
        const res = await post(body, signed(body, { timestamp: new Date(NOW + offset).toISOString() }));
        expect(res.statusCode).toBe(401);
        expect(res.json().error).toBe('stale');
      }
      expect(await webhookCount('stale')).toBe(2);
    });

    it('400 naming the JSON problem for a signed body that is not JSON', async () => {
      const body = '{"id": "x", ';
      const res = await post(body, signed(body));
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(/^body is not valid JSON: /);
      expect(await webhookCount('malformed')).toBe(1);
    });

    it('400 naming the field for a signed body that fails the event schema', async () => {
      const event = userEvent();
      delete (event.detail as Record<string, unknown>).id;
      event.subject = 'user-42';
      const body = JSON.stringify(event);
      const res = await post(body, signed(body));
      expect(res.statusCode).toBe(400);
      const message = res.json().message ?? '';
      expect(message).toContain('detail.id:');
      expect(message).toContain('subject:');
    });

    it('413 for a body over the limit', async () => {
      const event = { ...userEvent(), padding: 'x'.repeat(5000) };
      const body = JSON.stringify(event);
      const res = await post(body, signed(body));
      expect(res.statusCode).toBe(413);
      expect(await webhookCount('too_large')).toBe(1);
    });
  });

  it('answers 503 when Temporal cannot be signalled, so Zendesk retries', async () => {
    signalFails = true;
    const body = JSON.stringify(userEvent());
    const res = await post(body, signed(body));
    expect(res.statusCode).toBe(503);
    expect(await webhookCount('accepted')).toBe(0);
  });

  it('never logs the signing secret or the signature', async () => {
    const body = JSON.stringify(userEvent());
    const headers = signed(body);
    await post(body, headers);
    await post(body, signed(body, { secret: 'wrong' }));
    const out = logLines.join('');
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain(headers[SIGNATURE_HEADER]);
  });

  it('refuses to build without a secret', () => {
    expect(() => buildWebhookReceiver({ secret: '', signal: async () => undefined })).toThrow(
      /signing secret is required/,
    );
  });
});
