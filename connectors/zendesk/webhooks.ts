/**
 * Zendesk event webhooks: signature check, the event payload, and the event types Tandem subscribes to.
 * Zendesk signs `timestamp + rawBody` with HMAC-SHA256 under the webhook's signing secret and sends the
 * base64 digest in `X-Zendesk-Webhook-Signature`, the timestamp in `X-Zendesk-Webhook-Signature-Timestamp`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { ReportedValue } from '../../flows/echo';
import { ZENDESK_RECORD_TYPES, ZENDESK_TYPES, zendeskTypeOfEvent, type ZendeskKind } from '../../flows/zendesk-types';

export const SIGNATURE_HEADER = 'x-zendesk-webhook-signature';
export const SIGNATURE_TIMESTAMP_HEADER = 'x-zendesk-webhook-signature-timestamp';

export function signWebhook(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(timestamp).update(rawBody).digest('base64');
}

/** Constant-time comparison; a missing or malformed signature is simply false. */
export function verifyWebhookSignature(
  secret: string,
  signature: string | undefined,
  timestamp: string | undefined,
  rawBody: string | Buffer,
): boolean {
  if (!signature || !timestamp) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  // timingSafeEqual throws on unequal lengths; compare against itself to keep the time flat.
  if (given.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(given, expected);
}

/** Ids arrive as strings in event payloads ("6596848315901"), sometimes as numbers in examples. */
const idString = z.union([z.string().regex(/^\d+$/), z.number().int()]).transform(String);

export const ZendeskWebhookEvent = z.looseObject({
  id: z.string(),
  type: z.string().regex(/^zen:event-type:[a-z_]+\.[a-z_]+$/),
  /** `zen:user:123`, `zen:organization:123`, `zen:ticket:123`. */
  subject: z.string().regex(/^zen:[a-z_]+:\d+$/),
  time: z.string(),
  account_id: z.number().int(),
  zendesk_event_version: z.string().optional(),
  detail: z.looseObject({ id: idString }),
  event: z.looseObject({
    comment: z.looseObject({ id: idString }).optional(),
  }),
});
export type ZendeskWebhookEvent = z.infer<typeof ZendeskWebhookEvent>;

export interface ZendeskEventIds {
  kind: ZendeskKind;
  id: string;
  /** For comments: the ticket holding it. */
  ticketId?: string;
}

/** What record an event is about; a comment event names the comment and its ticket. */
export function zendeskIdsOfEvent(event: ZendeskWebhookEvent): ZendeskEventIds {
  const [, domain, subjectId] = event.subject.split(':');
  const type = zendeskTypeOfEvent(event.type);
  if (type && ZENDESK_RECORD_TYPES[type].noun === 'comment' && event.event.comment) {
    return { kind: 'comment', id: event.event.comment.id, ticketId: subjectId };
  }
  // Any other event about a record of a type Tandem syncs: the subject names it.
  const own = ZENDESK_TYPES.find(
    (t) => ZENDESK_RECORD_TYPES[t].noun === domain && ZENDESK_RECORD_TYPES[t].subject === domain,
  );
  if (own) return { kind: ZENDESK_RECORD_TYPES[own].noun, id: subjectId };
  throw new Error(`Zendesk webhook event ${event.id}: unsupported subject domain \`${domain}\``);
}

/** Event detail carries ids as strings, and "0" for no organization. */
function detailId(value: unknown): string | null {
  const id = idString.safeParse(value);
  return id.success && id.data !== '0' ? id.data : null;
}

/**
 * The field a user or organization event changed and its value as of the event, from the event's
 * `detail` (the record then) or its `current`; undefined for an event that names no such field
 * (a creation, a deletion, an identity, a role).
 */
export function reportedValueOfEvent(event: ZendeskWebhookEvent): ReportedValue | undefined {
  const current = (event.event as { current?: unknown }).current;
  switch (event.type) {
    case 'zen:event-type:user.organization_membership_created':
    case 'zen:event-type:user.organization_membership_deleted':
      return 'organization_id' in event.detail
        ? { field: 'organization_id', value: detailId(event.detail.organization_id) }
        : undefined;
    case 'zen:event-type:user.name_changed':
    case 'zen:event-type:organization.name_changed':
      return typeof current === 'string' ? { field: 'name', value: current } : undefined;
    default:
      return undefined;
  }
}
