import { fitPayload, type WorkItem } from '../../activities/feed-routing';

const Z2 = 'zendesk-tickets-to-crmoffice-activities';

function tickets(n: number, bodyBytes: number): WorkItem[] {
  return Array.from({ length: n }, (_, i) => ({ kind: 'pair' as const, flowId: Z2, zendeskId: String(i), given: { record: { id: i, description: 'x'.repeat(bodyBytes) } } }));
}

test('a page that fits is handed over with its records, so no pair reads its record again', () => {
  const items = tickets(1000, 500);
  expect(fitPayload(items)).toBe(items);
});

test('a page too large for one Temporal payload is handed over by id; nothing is dropped', () => {
  const items: WorkItem[] = [...tickets(1000, 4000), { kind: 'comments', ticketId: '7', ticket: { id: 7, description: 'y'.repeat(4000) } }];
  const fitted = fitPayload(items);
  expect(fitted).toHaveLength(items.length);
  expect(fitted[0]).toEqual({ kind: 'pair', flowId: Z2, zendeskId: '0' });
  expect(fitted.at(-1)).toEqual({ kind: 'comments', ticketId: '7' });
  expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThan(2_000_000);
});
