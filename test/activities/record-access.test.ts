/** Each Zendesk record type's calls: what a read finds, and which types Zendesk lets Tandem edit. */
import { NotFoundError } from '../../connectors/errors';
import type { ZendeskClient } from '../../connectors/zendesk';
import { zendeskAccess } from '../../activities/record-access';

const gone = () =>
  Promise.reject(new NotFoundError({ system: 'zendesk', endpoint: 'GET /x/{id}', status: 404 }, 'gone'));

const zendesk = {
  getUser: (id: number) =>
    id === 1 ? Promise.resolve({ id, active: true }) : id === 2 ? Promise.resolve({ id, active: false }) : gone(),
  getOrganization: (id: number) => Promise.resolve({ id, deleted_at: '2026-01-01T00:00:00Z' }),
  getTicket: () => gone(),
  listTicketComments: (ticketId: number) => Promise.resolve([{ id: 5, ticket: ticketId }, { id: 6 }]),
  updateUser: (id: number, body: object) => Promise.resolve({ id, ...body }),
} as unknown as ZendeskClient;

test('a read finds the record, a 404 or a deactivated user as nothing, a comment through its ticket', async () => {
  const access = zendeskAccess(zendesk);
  expect(await access.get('users', '1')).toEqual({ id: 1, active: true });
  expect(await access.get('users', '2')).toBeNull();
  expect(await access.get('users', '3')).toBeNull();
  // Zendesk keeps a deleted organisation readable; the sync decides what its deleted_at means.
  expect(await access.get('organizations', '4')).toEqual({ id: 4, deleted_at: '2026-01-01T00:00:00Z' });
  expect(await access.get('tickets', '9')).toBeNull();
  expect(await access.get('ticketComments', '9:5')).toEqual({ id: 5, ticket: 9 });
  expect(await access.get('ticketComments', '9:7')).toBeNull();
});

test('users are updated; comments cannot be, and the error says so', async () => {
  const access = zendeskAccess(zendesk);
  expect(await access.update('users', '1', { name: 'Kari' })).toEqual({ id: 1, name: 'Kari' });
  await expect(access.update('ticketComments', '9:5', { body: 'x' })).rejects.toThrow(
    'Zendesk comments cannot be edited',
  );
});
