/** Z1: Zendesk ticket comments → Crmoffice activities (docs/flows.md, Z1). One-way. */
import { idOf, timestampExtra } from '../extras';
import { normalizeId, normalizeText } from '../normalize';
import type { ApiRecord, FlowDefinition } from '../types';

const COMMENT_EXTERNAL_PREFIX = 'zendesk:comment:';
const CONTACTS = 'zendesk-users-to-crmoffice-contacts';

function commentExternalId(comment: ApiRecord): string {
  const id = idOf(comment);
  if (typeof id !== 'string') throw new Error(`comment has no id: ${id.problem}`);
  return `${COMMENT_EXTERNAL_PREFIX}${id}`;
}

/**
 * All a comment's sync takes from its ticket: the subject's parts, and the status that tells a
 * deleted ticket. A feed's page carries this much with each ticket's comments, not the ticket again.
 */
export function ticketForComments(ticket: ApiRecord): ApiRecord {
  return { id: ticket.id, subject: ticket.subject, status: ticket.status };
}

export const zendeskTicketCommentsToCrmofficeActivities: FlowDefinition = {
  id: 'zendesk-ticketcomments-to-crmoffice-activities',
  code: 'Z1',
  title: 'Zendesk ticket comments → Crmoffice activities',
  source: { system: 'zendesk', type: 'ticketComments' },
  target: { system: 'crmoffice', type: 'activities' },
  direction: {
    mode: 'one-way',
    description:
      'Zendesk comments cannot be edited (only redacted) and have no `updated_at`: an edit made to the activity in Crmoffice is kept there and never written back',
  },
  condition: { id: 'every-comment', description: 'every ticket comment', predicate: () => true },
  creation: { mode: 'always', description: "created when no activity carries the comment's externalId" },
  match: {
    by: 'externalKey',
    target: 'externalId',
    caseInsensitive: false,
    exactlyOne: true,
    description: 'activity `externalId` = `zendesk:comment:<comment id>`, exactly one candidate',
  },
  // The spec lists no properties for Z1: everything is written at creation, as extras.
  properties: [],
  extras: [
    {
      target: 'subject',
      from: '`Comment on #<ticket id>: <ticket subject>` (the ticket is given as context)',
      beyondTable: true,
      why: 'an activity needs a subject; the comment has none, its ticket does',
      value: ({ context }) => {
        const ticket = context.ticket;
        const ticketId = ticket ? normalizeId(ticket.id) : null;
        if (!ticket || ticketId === null)
          return { problem: 'the ticket of the comment is needed to make the subject, none was given' };
        const subject = normalizeText(ticket.subject);
        return { value: subject ? `Comment on #${ticketId}: ${subject}` : `Comment on #${ticketId}` };
      },
    },
    {
      target: 'description',
      from: '`plain_body`, else `body`',
      beyondTable: true,
      why: "the comment's text is what the activity records",
      value: ({ record }) => {
        const text = normalizeText(record.plain_body) ?? normalizeText(record.body);
        return text === null ? { problem: '`plain_body` and `body` are both empty' } : { value: text };
      },
    },
    {
      target: 'startsAt',
      from: '`created_at`',
      beyondTable: true,
      why: 'an activity needs a start time; the comment was made then',
      value: ({ record }) => timestampExtra(record, 'created_at', true),
    },
    {
      target: 'ownerId',
      from: "`author_id`, through the author's Z3 contact",
      beyondTable: true,
      why: "an activity belongs to someone: the contact of the comment's author",
      reference: { flow: CONTACTS },
      value: ({ record, translate }) => {
        const author = normalizeId(record.author_id);
        if (author === null) return { problem: '`author_id` is empty, cannot find the owner contact' };
        const contact = translate(CONTACTS, 'zendesk', author);
        return contact === null
          ? { problem: `author ${author} has no linked Crmoffice contact (flow ${CONTACTS}): sync the author first` }
          : { value: contact };
      },
    },
    {
      target: 'externalId',
      from: '`zendesk:comment:<id>`',
      beyondTable: true,
      why: 'makes a created activity findable again (exactly-once creation, and tells Z1 and Z2 activities apart)',
      value: ({ record }) => {
        const id = idOf(record);
        return typeof id === 'string' ? { value: `${COMMENT_EXTERNAL_PREFIX}${id}` } : id;
      },
    },
  ],
  modifiedAt: { zendesk: 'created_at', target: 'updatedAt' },
  externalKey: { target: 'externalId', of: commentExternalId, prefix: COMMENT_EXTERNAL_PREFIX },
};
