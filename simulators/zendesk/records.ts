/**
 * The simulator's internal records (compact, so 100,000 users fit in modest memory) and how they are
 * rendered into Zendesk's JSON. Times are epoch milliseconds inside, ISO 8601 outside.
 */

export type Role = 'end-user' | 'agent' | 'admin';

export interface UserRec {
  id: number;
  name: string;
  email: string | null;
  role: Role;
  organization_id: number | null;
  phone: string | null;
  external_id: string | null;
  active: boolean;
  created: number;
  updated: number;
}

export interface OrgRec {
  id: number;
  name: string;
  external_id: string | null;
  /** Kept as written (optional: snapshots from before these were kept lack them). */
  domain_names?: string[];
  details?: string | null;
  notes?: string | null;
  tags?: string[];
  /** Set when deleted: the record stays as a tombstone for the incremental export. */
  deleted: number | null;
  created: number;
  updated: number;
}

export interface TicketRec {
  id: number;
  subject: string | null;
  description: string;
  status: string;
  requester_id: number;
  submitter_id: number;
  assignee_id: number | null;
  organization_id: number | null;
  priority: string | null;
  type: string | null;
  tags: string[];
  created: number;
  updated: number;
}

export interface CommentRec {
  id: number;
  ticket_id: number;
  author_id: number;
  body: string;
  public: boolean;
  audit_id: number;
  created: number;
}

export const ACCOUNT_ID = 10_000_001;
const BRAND_ID = 360_000_000_001;
const TICKET_FORM_ID = 360_000_000_101;

/**
 * Zendesk answers whole seconds (`2024-03-01T09:00:00Z`): two changes within one second carry the
 * same time. The simulator's clock writes whole seconds too; older snapshots with milliseconds are
 * cut to the second on the way out.
 */
export function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function renderUser(u: UserRec, base: string): Record<string, unknown> {
  const agent = u.role !== 'end-user';
  return {
    id: u.id,
    url: `${base}/api/v2/users/${u.id}.json`,
    name: u.name,
    email: u.email,
    created_at: iso(u.created),
    updated_at: iso(u.updated),
    time_zone: 'Copenhagen',
    iana_time_zone: 'Europe/Oslo',
    phone: u.phone,
    shared_phone_number: u.phone ? false : null,
    photo: null,
    locale_id: 1,
    locale: 'en-US',
    organization_id: u.organization_id,
    role: u.role,
    verified: true,
    external_id: u.external_id,
    tags: [],
    alias: '',
    active: u.active,
    shared: false,
    shared_agent: false,
    details: '',
    notes: '',
    role_type: null,
    custom_role_id: null,
    moderator: agent,
    ticket_restriction: agent ? null : 'requested',
    only_private_comments: false,
    restricted_agent: !agent,
    suspended: false,
    report_csv: u.role === 'admin',
    user_fields: {},
  };
}

export function renderOrganization(o: OrgRec, base: string): Record<string, unknown> {
  const out: Record<string, unknown> = {
    url: `${base}/api/v2/organizations/${o.id}.json`,
    id: o.id,
    name: o.name,
    shared_tickets: false,
    shared_comments: false,
    external_id: o.external_id,
    created_at: iso(o.created),
    updated_at: iso(o.updated),
    domain_names: o.domain_names ?? [],
    details: o.details ?? null,
    notes: o.notes ?? null,
    group_id: null,
    tags: o.tags ?? [],
    organization_fields: {},
  };
  if (o.deleted !== null) out.deleted_at = iso(o.deleted);
  return out;
}

const CUSTOM_STATUS: Record<string, number> = {
  new: 1,
  open: 2,
  pending: 3,
  hold: 4,
  solved: 5,
  closed: 6,
  deleted: 7,
};

export function renderTicket(t: TicketRec, base: string): Record<string, unknown> {
  return {
    url: `${base}/api/v2/tickets/${t.id}.json`,
    id: t.id,
    external_id: null,
    via: { channel: 'api', source: { from: {}, to: {}, rel: null } },
    created_at: iso(t.created),
    updated_at: iso(t.updated),
    generated_timestamp: Math.floor(t.updated / 1000),
    type: t.type,
    subject: t.subject,
    raw_subject: t.subject ?? '',
    description: t.description,
    priority: t.priority,
    status: t.status,
    requester_id: t.requester_id,
    submitter_id: t.submitter_id,
    assignee_id: t.assignee_id,
    organization_id: t.organization_id,
    group_id: null,
    collaborator_ids: [],
    follower_ids: [],
    email_cc_ids: [],
    has_incidents: false,
    is_public: true,
    due_at: null,
    tags: t.tags,
    custom_fields: [],
    sharing_agreement_ids: [],
    custom_status_id: CUSTOM_STATUS[t.status] ?? 1,
    followup_ids: [],
    ticket_form_id: TICKET_FORM_ID,
    brand_id: BRAND_ID,
    allow_channelback: false,
    allow_attachments: true,
    from_messaging_channel: false,
  };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function renderComment(c: CommentRec): Record<string, unknown> {
  return {
    id: c.id,
    type: 'Comment',
    author_id: c.author_id,
    body: c.body,
    html_body: `<div class="zd-comment" dir="auto">${escapeHtml(c.body).replace(/\n/g, '<br>')}</div>`,
    plain_body: c.body,
    public: c.public,
    attachments: [],
    audit_id: c.audit_id,
    via: { channel: 'api', source: { from: {}, to: {}, rel: null } },
    created_at: iso(c.created),
    metadata: { system: {}, custom: {} },
  };
}
