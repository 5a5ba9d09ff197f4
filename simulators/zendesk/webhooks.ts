/**
 * Webhook deliveries of the simulator: on every change made through the API, a signed event goes to
 * each active webhook subscribed to its type. Delivery is fire-and-forget with a short timeout; it
 * never delays or fails the API answer. The signature is computed here on its own (not with the
 * connector's helper), so a bug on one side cannot hide one on the other.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { ACCOUNT_ID } from './records';
import { WebhookRec } from './store';

export interface ZendeskEvent {
  type: string;
  /** `zen:user:123` etc. */
  subject: string;
  detail: Record<string, unknown>;
  event: Record<string, unknown>;
}

export interface DeliveryStats {
  attempted: number;
  delivered: number;
  failed: number;
  /** The latest deliveries, newest last. */
  recent: Array<{ webhook_id: string; type: string; subject: string; status?: number; error?: string; at: string }>;
}

const RECENT = 100;

export class WebhookDispatcher {
  readonly stats: DeliveryStats = { attempted: 0, delivered: 0, failed: 0, recent: [] };
  private inFlight = new Set<Promise<void>>();

  constructor(
    private readonly webhooks: () => Iterable<WebhookRec>,
    private readonly timeoutMs = 2000,
  ) {}

  emit(events: ZendeskEvent[]): void {
    for (const e of events) {
      for (const hook of this.webhooks()) {
        if (hook.status !== 'active' || !hook.subscriptions.includes(e.type)) continue;
        const p = this.deliver(hook, e).finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
      }
    }
  }

  /** Waits for deliveries under way (for a clean stop). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private async deliver(hook: WebhookRec, e: ZendeskEvent): Promise<void> {
    const now = new Date();
    const payload = {
      type: e.type,
      account_id: ACCOUNT_ID,
      id: randomUUID(),
      time: now.toISOString(),
      zendesk_event_version: '2022-11-06',
      subject: e.subject,
      detail: e.detail,
      event: e.event,
    };
    const body = JSON.stringify(payload);
    const timestamp = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const signature = createHmac('sha256', hook.secret)
      .update(timestamp + body)
      .digest('base64');
    this.stats.attempted += 1;
    const record: DeliveryStats['recent'][number] = {
      webhook_id: hook.id,
      type: e.type,
      subject: e.subject,
      at: payload.time,
    };
    try {
      const res = await fetch(hook.endpoint, {
        method: 'POST',
        body,
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Zendesk Webhook',
          'X-Zendesk-Webhook-Id': hook.id,
          'X-Zendesk-Webhook-Invocation-Id': String(Math.floor(Math.random() * 1e12)),
          'X-Zendesk-Webhook-Signature': signature,
          'X-Zendesk-Webhook-Signature-Timestamp': timestamp,
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      record.status = res.status;
      if (res.ok) this.stats.delivered += 1;
      else this.stats.failed += 1;
    } catch (err) {
      this.stats.failed += 1;
      record.error = err instanceof Error ? err.name : 'error';
    }
    this.stats.recent.push(record);
    if (this.stats.recent.length > RECENT) this.stats.recent.shift();
  }
}
