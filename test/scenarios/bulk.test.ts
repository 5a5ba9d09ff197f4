/**
 * First syncs of larger accounts: every record its own workflow (its own audit trail), handed over
 * in a sliding window; one record that keeps failing holds back neither the others nor the feed.
 */
import { TestStack, startTestStack } from '../helpers/stack';

jest.setTimeout(900_000);

const Z1 = 'zendesk-ticketcomments-to-crmoffice-activities';
const Z2 = 'zendesk-tickets-to-crmoffice-activities';
const Z3 = 'zendesk-users-to-crmoffice-contacts';

async function count(stack: TestStack, query: string): Promise<number> {
  return (await stack.env.client.workflow.count(query)).count;
}

describe('500 users, one of whom Crmoffice answers 500 on every call', () => {
  let stack: TestStack;
  let failingEmail = '';
  beforeAll(async () => {
    stack = await startTestStack({
      sampleSize: 500,
      failWhen: {
        crmoffice: (method, url, body) =>
          failingEmail && url.startsWith('/api/v1/contacts') && JSON.stringify(body ?? '').includes(failingEmail)
            ? 500
            : undefined,
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  test('every user gets a record workflow of its own; the failing one keeps retrying alone and the checkpoint moves on', async () => {
    const users = [];
    for (let page = await stack.connectors.zendesk.listUsers({ pageSize: 100 }); ;) {
      users.push(...page.items);
      if (!page.nextCursor) break;
      page = await stack.connectors.zendesk.listUsers({ pageSize: 100, cursor: page.nextCursor });
    }
    const failing = users.find((u) => u.role === 'end-user' && u.email)!;
    failingEmail = failing.email!;

    await stack.poll(Z3, 'zendesk', true);
    // The checkpoint is past every user, the failing one too: the export from it holds nobody.
    const checkpoint = await stack.store.getCheckpoint('zendesk/users');
    const rest = await stack.connectors.zendesk.incrementalUsers({ cursor: checkpoint?.value ?? 'no checkpoint' });
    expect({ users: rest.items.map((u) => u.id), end: rest.endOfStream }).toEqual({ users: [], end: true });
    const others = users.filter((u) => u.id !== failing.id);
    expect((await stack.store.counts(Z3)).linked).toBe(others.length);
    expect(await count(stack, `TandemKind = "record" AND TandemFlows = "${Z3}"`)).toBe(users.length);
    // Still retrying, visibly, while everything else is done.
    const [retrying] = await stack.store.listRetrying(Z3, 10);
    expect(retrying?.zendeskId).toBe(String(failing.id));
    const d = await stack.env.client.workflow.getHandle(`zendesk/users/${failing.id}`).describe();
    expect(d.status.name).toBe('RUNNING');
    await stack.env.client.workflow.getHandle(`zendesk/users/${failing.id}`).terminate('test over');
  });
});

/**
 * 1,500 tickets (the durable-flows issue's figure) take minutes on two cores, most of it the dev
 * server's; `npm test` runs 300, and TANDEM_BULK_TICKETS=1500 the full run.
 */
const TICKETS = Number(process.env.TANDEM_BULK_TICKETS ?? 300);

describe(`${TICKETS} tickets with their comments`, () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ sampleSize: 0 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  test('the first sync of tickets and comments completes, every ticket a workflow of its own that syncs its comments, with no read or search per record', async () => {
    const { zendesk } = stack.connectors;
    // Few requesters, so the run is about tickets and comments rather than contacts.
    const requesters = [];
    for (let i = 0; i < 5; i++)
      requesters.push(
        await zendesk.createUser({
          name: `Requester ${i} Bulk`,
          email: `requester${i}.bulk@example.no`,
          role: 'end-user',
        }),
      );
    let comments = 0;
    for (let i = 0; i < TICKETS; i++) {
      const ticket = await zendesk.createTicket({
        subject: `Bulk ticket ${i}`,
        requester_id: requesters[i % 5].id,
        comment: { body: `The first words of ticket ${i}` },
      });
      if (i % 3 === 0) await zendesk.addTicketComment(ticket.id, { body: `A reply to ticket ${i}`, public: true });
      comments += i % 3 === 0 ? 2 : 1;
    }

    const requests = () => ({
      zendesk: { ...stack.sims.zendesk.stats.requests },
      crmoffice: { ...stack.sims.crmoffice.stats.requests },
    });
    const before = requests();
    const totals = await stack.poll(Z2, 'zendesk', true);
    await stack.settle(600_000);
    const after = requests();
    const used = (system: 'zendesk' | 'crmoffice', route: string) =>
      (after[system][route] ?? 0) - (before[system][route] ?? 0);

    expect(totals.read).toBe(TICKETS);
    expect((await stack.store.counts(Z2)).linked).toBe(TICKETS);
    expect((await stack.store.counts(Z1)).linked).toBe(comments);
    expect(await count(stack, `TandemKind = "record" AND TandemFlows = "${Z1}"`)).toBe(TICKETS);
    // The five requesters, and the API user who wrote the replies.
    expect((await stack.store.counts(Z3)).linked).toBe(6);
    // Zendesk: the export's page, a comments list per ticket, the six owners read for their contacts;
    // no ticket read again (the page carried it, and its comments their ticket's subject).
    expect(used('zendesk', 'GET /api/v2/incremental/tickets/cursor.json')).toBe(1);
    expect(used('zendesk', 'GET /api/v2/tickets/:id/comments.json')).toBe(TICKETS);
    expect(used('zendesk', 'GET /api/v2/tickets/:id')).toBe(0);
    // Crmoffice: a create per activity, and one listing for each of the two flows' match indexes, not a search per record.
    expect(used('crmoffice', 'POST /api/v1/activities')).toBe(TICKETS + comments);
    expect(used('crmoffice', 'GET /api/v1/activities')).toBe(2);
  });
});
