import { signWebhook, SIGNATURE_HEADER, SIGNATURE_TIMESTAMP_HEADER } from '../../connectors/zendesk/webhooks';

export const SECRET = 'dGhpcyBpcyBhIHRlc3Qgc2VjcmV0';
export const NOW = Date.parse('2024-05-01T10:00:00Z');

/** Zendesk event-type webhook payloads, shaped as Zendesk documents them. */
export function userEvent(userId = '6596848315901'): Record<string, unknown> {
  return {
    account_id: 22129848,
    detail: { id: userId, email: 'kari@acme.no', name: 'Kari Nordmann', role: 'agent', organization_id: '900' },
    event: { current: 'Kari Nordmann', previous: 'Kari N.' },
    id: 'cbe4028c-7239-495d-b020-f22348516046',
    subject: `zen:user:${userId}`,
    time: '2024-05-01T09:59:58Z',
    type: 'zen:event-type:user.name_changed',
    zendesk_event_version: '2022-11-06',
  };
}

export function commentEvent(ticketId = '35436', commentId = '4001'): Record<string, unknown> {
  return {
    account_id: 22129848,
    detail: { id: ticketId, subject: 'Printer on fire', requester_id: '6596848315901' },
    event: { comment: { id: commentId, body: 'Have you tried water?', author: { id: '1' }, is_public: true } },
    id: 'a7d2f5a4-0000-4c2e-8b1e-3d0f1a2b3c4d',
    subject: `zen:ticket:${ticketId}`,
    time: '2024-05-01T09:59:59Z',
    type: 'zen:event-type:ticket.comment_added',
    zendesk_event_version: '2022-11-06',
  };
}

/** Headers Zendesk would send for this exact body. */
export function signed(body: string, opts: { secret?: string; timestamp?: string } = {}): Record<string, string> {
  const timestamp = opts.timestamp ?? new Date(NOW).toISOString();
  return {
    'content-type': 'application/json',
    [SIGNATURE_HEADER]: signWebhook(opts.secret ?? SECRET, timestamp, body),
    [SIGNATURE_TIMESTAMP_HEADER]: timestamp,
  };
}
