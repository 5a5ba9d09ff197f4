/**
 * Deterministic sample data for the Zendesk simulator (and benchmarks): for a seed and a number of
 * users, always the same organizations, users, tickets and comments. Times lie in 2023–2025, well
 * over a minute in the past, so the incremental exports can be asked about them.
 */
import { prng } from '../kit';
import { CommentRec, OrgRec, Role, TicketRec, UserRec } from './records';

/** Id ranges differ per record type, so an id used as the wrong kind of id finds nothing. */
export const ID_BASE = {
  user: 9_000_000_000,
  organization: 8_000_000_000,
  ticket: 0,
  comment: 7_000_000_000,
  audit: 6_000_000_000,
} as const;

export interface SampleData {
  organizations: OrgRec[];
  users: UserRec[];
  tickets: TicketRec[];
  comments: CommentRec[];
}

const FIRST = [
  'Kari',
  'Ola',
  'Ingrid',
  'Lars',
  'Sofie',
  'Henrik',
  'Nora',
  'Jonas',
  'Emma',
  'Magnus',
  'Sara',
  'Erik',
  'Ida',
  'Anders',
  'Maja',
  'Kristian',
  'Thea',
  'Sindre',
  'Hanne',
  'Øyvind',
  'Åse',
  'Bjørn',
  'Live',
  'Torstein',
  'Marte',
  'Per',
  'Silje',
  'Jørgen',
  'Vilde',
  'Håkon',
];
const LAST = [
  'Nordmann',
  'Hansen',
  'Johansen',
  'Olsen',
  'Larsen',
  'Andersen',
  'Pedersen',
  'Nilsen',
  'Kristiansen',
  'Jensen',
  'Karlsen',
  'Johnsen',
  'Pettersen',
  'Eriksen',
  'Berg',
  'Haugen',
  'Hagen',
  'Johannessen',
  'Andreassen',
  'Jacobsen',
  'Dahl',
  'Jørgensen',
  'Halvorsen',
  'Lund',
  'Sørensen',
  'Strand',
  'Solberg',
  'Moen',
  'Bakken',
  'Lie',
];
const ORG_A = [
  'Fjord',
  'Nord',
  'Vest',
  'Sør',
  'Øst',
  'Berg',
  'Skog',
  'Havn',
  'Fjell',
  'Elv',
  'Kyst',
  'Dal',
  'Bre',
  'Sjø',
  'Lys',
  'Stein',
  'Vik',
  'Ås',
  'Myr',
  'Tind',
];
const ORG_B = [
  'Bygg',
  'Data',
  'Regnskap',
  'Transport',
  'Energi',
  'Consult',
  'Handel',
  'Helse',
  'Media',
  'Eiendom',
  'Marine',
  'Teknikk',
  'Design',
  'Logistikk',
  'Invest',
  'Mat',
  'Reise',
  'Sikkerhet',
  'Service',
  'Industri',
];
const ORG_SUFFIX = ['AS', 'ASA', 'SA', 'ANS', 'DA'];
const SUBJECTS = [
  'Cannot log in',
  'Invoice is wrong',
  'Order has not arrived',
  'Change of address',
  'Question about pricing',
  'Export fails',
  'Account locked',
  'Need a copy of the contract',
  'Report is empty',
  'Refund request',
  'Password reset link expired',
  'Integration stopped syncing',
];
const BODIES = [
  'Hi, this stopped working this morning. Can you help?',
  'We see the problem on every attempt since yesterday.',
  'Please see the details below and get back to me.',
  'Thank you for a quick answer!',
  'Could you check this as soon as possible?',
];
const REPLIES = [
  'Thanks for reaching out. We are looking into it.',
  'Could you send us a screenshot?',
  'This should be fixed now; please try again.',
  'I have forwarded this to our billing team.',
];
const STATUSES = ['new', 'open', 'open', 'pending', 'solved', 'closed'];

const START = Date.UTC(2023, 0, 1);
const END = Date.UTC(2025, 5, 1);
/** A bulk import: many users share one timestamp, as they do in real accounts. */
const IMPORT_AT = Date.UTC(2024, 2, 1, 9, 0, 0);

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/å/g, 'a')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function generateSampleData(seed: number, size: number): SampleData {
  const rnd = prng(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)];
  /** A whole second between `from` and `to`. */
  const between = (from: number, to: number): number =>
    Math.floor((from + rnd() * Math.max(0, to - from)) / 1000) * 1000;

  const organizations: OrgRec[] = [];
  const orgDomain = new Map<number, string>();
  const names = new Set<string>();
  const orgCount = size > 0 ? Math.max(1, Math.round(size / 10)) : 0;
  for (let i = 1; i <= orgCount; i++) {
    let name = `${pick(ORG_A)}${pick(ORG_B).toLowerCase()} ${pick(ORG_SUFFIX)}`;
    if (names.has(name.toLowerCase())) name = `${name} ${i}`;
    names.add(name.toLowerCase());
    const created = between(START, END - 400 * 86_400_000);
    const org: OrgRec = {
      id: ID_BASE.organization + i,
      name,
      external_id: null,
      deleted: null,
      created,
      updated: between(created, END),
    };
    organizations.push(org);
    orgDomain.set(org.id, `${slug(name)}.example`);
  }

  const users: UserRec[] = [];
  const endUsers: number[] = [];
  const agents: number[] = [];
  for (let i = 1; i <= size; i++) {
    const r = rnd();
    const role: Role = r < 0.02 ? 'admin' : r < 0.07 ? 'agent' : 'end-user';
    const first = pick(FIRST);
    const last = pick(LAST);
    const org =
      organizations.length > 0 && rnd() >= 0.15 ? organizations[Math.floor(rnd() * organizations.length)] : null;
    const domain = org ? orgDomain.get(org.id) : pick(['mail.example', 'post.example', 'inbox.example']);
    const imported = rnd() < 0.1;
    const created = imported ? IMPORT_AT : between(START, END);
    const id = ID_BASE.user + i;
    users.push({
      id,
      name: `${first} ${last}`,
      // The running number keeps e-mails unique whatever the names are.
      email: `${slug(first)}.${slug(last)}.${i}@${domain}`,
      role,
      organization_id: org ? org.id : null,
      phone: rnd() < 0.6 ? `+47 9${String(Math.floor(rnd() * 1e7)).padStart(7, '0')}` : null,
      external_id: null,
      active: true,
      created,
      updated: imported ? IMPORT_AT : between(created, END),
    });
    (role === 'end-user' ? endUsers : agents).push(users.length - 1);
  }

  const tickets: TicketRec[] = [];
  const comments: CommentRec[] = [];
  const ticketCount = endUsers.length > 0 ? Math.round(size / 2) : 0;
  let commentId = ID_BASE.comment;
  let auditId = ID_BASE.audit;
  for (let i = 1; i <= ticketCount; i++) {
    const requester = users[endUsers[Math.floor(rnd() * endUsers.length)]];
    const created = between(requester.created, END);
    const assignee = agents.length > 0 && rnd() < 0.7 ? users[agents[Math.floor(rnd() * agents.length)]] : null;
    const body = `${pick(BODIES)}\n\nRegards,\n${requester.name}`;
    const id = ID_BASE.ticket + i;
    let at = created;
    comments.push({
      id: ++commentId,
      ticket_id: id,
      author_id: requester.id,
      body,
      public: true,
      audit_id: ++auditId,
      created: at,
    });
    const extra = Math.floor(rnd() * 3);
    for (let k = 0; k < extra; k++) {
      at = between(at, Math.min(END, at + 7 * 86_400_000));
      const byAgent = assignee !== null && rnd() < 0.7;
      comments.push({
        id: ++commentId,
        ticket_id: id,
        author_id: byAgent ? assignee.id : requester.id,
        body: byAgent ? pick(REPLIES) : pick(BODIES),
        public: !byAgent || rnd() < 0.8,
        audit_id: ++auditId,
        created: at,
      });
    }
    tickets.push({
      id,
      subject: pick(SUBJECTS),
      description: body,
      status: assignee ? pick(STATUSES.slice(1)) : 'new',
      requester_id: requester.id,
      submitter_id: requester.id,
      assignee_id: assignee ? assignee.id : null,
      organization_id: requester.organization_id,
      priority: pick([null, 'low', 'normal', 'high', 'urgent']),
      type: pick([null, 'question', 'incident', 'problem', 'task']),
      tags: [],
      created,
      updated: Math.max(at, between(at, END)),
    });
  }
  return { organizations, users, tickets, comments };
}
