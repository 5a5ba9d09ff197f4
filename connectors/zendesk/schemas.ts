/**
 * Zod schemas of the Zendesk answers Tandem reads. Only the fields the code relies on are declared;
 * everything else passes through untouched (Zendesk adds fields freely).
 */
import { z } from 'zod';

const id = z.number().int();
const timestamp = z.iso.datetime({ offset: true });

export const ZendeskUser = z.looseObject({
  id,
  name: z.string(),
  email: z.string().nullable(),
  role: z.enum(['end-user', 'agent', 'admin']),
  organization_id: id.nullable(),
  phone: z.string().nullable(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type ZendeskUser = z.infer<typeof ZendeskUser>;

/** `GET /users/me`: the signed-in user, or an anonymous one (`id` null). */
export const SignedInUser = z.looseObject({
  id: z.union([z.number(), z.string()]).nullable(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  role: z.string(),
});
export type SignedInUser = z.infer<typeof SignedInUser>;

export const ZendeskOrganization = z.looseObject({
  id,
  name: z.string(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type ZendeskOrganization = z.infer<typeof ZendeskOrganization>;

export const ZendeskTicket = z.looseObject({
  id,
  subject: z.string().nullable(),
  description: z.string(),
  requester_id: id,
  organization_id: id.nullable(),
  status: z.string(),
  created_at: timestamp,
  updated_at: timestamp,
});
export type ZendeskTicket = z.infer<typeof ZendeskTicket>;

export const ZendeskTicketComment = z.looseObject({
  id,
  type: z.string(),
  author_id: id,
  body: z.string(),
  plain_body: z.string().optional(),
  public: z.boolean(),
  created_at: timestamp,
});
export type ZendeskTicketComment = z.infer<typeof ZendeskTicketComment>;

/** Single-record envelopes: `{ "user": {...} }` etc. */
export const UserEnvelope = z.looseObject({ user: ZendeskUser });
export const OrganizationEnvelope = z.looseObject({ organization: ZendeskOrganization });
export const TicketEnvelope = z.looseObject({ ticket: ZendeskTicket });

/** Cursor pagination (`page[size]`, `page[after]`): `meta.has_more`, `meta.after_cursor`. */
const CursorMeta = z.looseObject({
  has_more: z.boolean(),
  after_cursor: z.string().nullable().optional(),
});
export const UsersPage = z.looseObject({ users: z.array(ZendeskUser), meta: CursorMeta });
export const OrganizationsPage = z.looseObject({ organizations: z.array(ZendeskOrganization), meta: CursorMeta });
export const TicketsPage = z.looseObject({ tickets: z.array(ZendeskTicket), meta: CursorMeta });
export const CommentsPage = z.looseObject({ comments: z.array(ZendeskTicketComment), meta: CursorMeta });

/** `GET /users/search`: offset-paginated (`next_page` URL or null). */
export const UserSearchPage = z.looseObject({
  users: z.array(ZendeskUser),
  next_page: z.string().nullable().optional(),
});

/** Cursor-based incremental exports (users, tickets). */
const cursorExport = {
  after_cursor: z.string().nullable(),
  end_of_stream: z.boolean(),
};
/** The users export side-loads the users' organizations when asked (`include=organizations`). */
export const IncrementalUsersPage = z.looseObject({
  ...cursorExport,
  users: z.array(ZendeskUser),
  organizations: z.array(ZendeskOrganization).optional(),
});
export const IncrementalTicketsPage = z.looseObject({ ...cursorExport, tickets: z.array(ZendeskTicket) });

/** Time-based incremental export (organizations). */
export const IncrementalOrganizationsPage = z.looseObject({
  organizations: z.array(ZendeskOrganization),
  end_time: z.number().int().nullable(),
  next_page: z.string().nullable().optional(),
  end_of_stream: z.boolean(),
});

/** Webhooks API (`/api/v2/webhooks`): ids are strings (ULIDs) in real Zendesk. */
export const ZendeskWebhook = z.looseObject({
  id: z.string(),
  name: z.string(),
  endpoint: z.string(),
  status: z.string(),
  subscriptions: z.array(z.string()).optional(),
});
export type ZendeskWebhook = z.infer<typeof ZendeskWebhook>;
export const WebhookEnvelope = z.looseObject({ webhook: ZendeskWebhook });
export const WebhooksPage = z.looseObject({ webhooks: z.array(ZendeskWebhook), meta: CursorMeta.optional() });
export const WebhookSigningSecret = z.looseObject({
  signing_secret: z.looseObject({ secret: z.string(), algorithm: z.string().optional() }),
});

/** `PUT /tickets/{id}`: the ticket and, when something changed, the audit whose events include a new comment. */
export const TicketUpdateAnswer = z.looseObject({
  ticket: ZendeskTicket,
  audit: z
    .looseObject({
      events: z.array(z.looseObject({ id, type: z.string() })),
    })
    .optional(),
});
