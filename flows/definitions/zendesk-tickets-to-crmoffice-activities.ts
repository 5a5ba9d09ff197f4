/** Z2: Zendesk tickets → Crmoffice activities (docs/flows.md, Z2). */
import { idOf, textExtra, timestampExtra } from '../extras';
import type { ApiRecord, FlowDefinition } from '../types';

const TICKET_EXTERNAL_PREFIX = 'zendesk:ticket:';

function ticketExternalId(ticket: ApiRecord): string {
  const id = idOf(ticket);
  if (typeof id !== 'string') throw new Error(`ticket has no id: ${id.problem}`);
  return `${TICKET_EXTERNAL_PREFIX}${id}`;
}

export const zendeskTicketsToCrmofficeActivities: FlowDefinition = {
  id: 'zendesk-tickets-to-crmoffice-activities',
  code: 'Z2',
  title: 'Zendesk tickets → Crmoffice activities',
  source: { system: 'zendesk', type: 'tickets' },
  target: { system: 'crmoffice', type: 'activities' },
  direction: { mode: 'two-way', description: 'created from Zendesk; once linked, edits flow both ways' },
  condition: { id: 'every-ticket', description: 'every ticket', predicate: () => true },
  creation: { mode: 'always', description: "created when no activity carries the ticket's externalId" },
  match: {
    by: 'externalKey',
    target: 'externalId',
    caseInsensitive: false,
    exactlyOne: true,
    description: 'activity `externalId` = `zendesk:ticket:<ticket id>`, exactly one candidate',
  },
  properties: [
    {
      source: 'requester_id',
      target: 'ownerId',
      dataType: 'string',
      kind: 'id',
      readOnly: {},
      reference: { flow: 'zendesk-users-to-crmoffice-contacts' },
    },
    { source: 'subject', target: 'subject', dataType: 'string', kind: 'text', readOnly: {} },
  ],
  extras: [
    {
      target: 'startsAt',
      from: '`created_at`',
      beyondTable: true,
      why: "an activity needs a start time; the ticket's creation is when it began",
      value: ({ record }) => timestampExtra(record, 'created_at', true),
    },
    {
      target: 'description',
      from: '`description`',
      beyondTable: true,
      why: "the ticket's text, so the activity says what it is about",
      value: ({ record }) => textExtra(record, 'description'),
    },
    {
      target: 'externalId',
      from: '`zendesk:ticket:<id>`',
      beyondTable: true,
      why: 'makes a created activity findable again (exactly-once creation, and tells Z1 and Z2 activities apart)',
      value: ({ record }) => {
        const id = idOf(record);
        return typeof id === 'string' ? { value: `${TICKET_EXTERNAL_PREFIX}${id}` } : id;
      },
    },
  ],
  modifiedAt: { zendesk: 'updated_at', target: 'updatedAt' },
  externalKey: { target: 'externalId', of: ticketExternalId, prefix: TICKET_EXTERNAL_PREFIX },
};
