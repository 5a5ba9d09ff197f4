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
      failWhen: { crmoffice: (method, url, body) => (failingEmail && url.startsWith('/api/v1/contacts') && JSON.stringify(body ?? '').includes(failingEmail) ? 500 : undefined) },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  test('every user gets a contact pair workflow of its own; the failing one keeps retrying alone and the checkpoint moves on', async () => {
    const users = [];
    for (let page = await stack.connectors.zendesk.listUsers({ pageSize: 100 }); ; ) {
      users.push(...page.items);
      if (!page.nextCursor) break;
      page = await stack.connectors.zendesk.listUsers({ pageSize: 100, cursor: page.nextCursor });
    }
    const failing = users.find((u) => u.role === 'end-user' && u.email)!;
    failingEmail = failing.email!;

    await stack.poll(Z3, 'zendesk', true);
    expect(await stack.store.getCheckpoint('zendesk/users')).toBeDefined();
    const others = users.filter((u) => u.id !== failing.id);
    expect((await stack.store.counts(Z3)).linked).toBe(others.length);
    expect(await count(stack, `TandemKind = "record" AND TandemFlow = "${Z3}"`)).toBe(users.length);
    // Still retrying, visibly, while everything else is done.
    const [retrying] = await stack.store.listRetrying(Z3, 10);
    expect(retrying?.zendeskId).toBe(String(failing.id));
    const d = await stack.env.client.workflow.getHandle(`${Z3}/${failing.id}`).describe();
    expect(d.status.name).toBe('RUNNING');
    await stack.env.client.workflow.getHandle(`${Z3}/${failing.id}`).terminate('test over');
  });
});

describe('1,500 tickets with their comments', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ sampleSize: 3000 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  test('the first sync of tickets and comments completes, every comment a workflow of its own', async () => {
    let tickets = 0;
    let comments = 0;
    for (let page = await stack.connectors.zendesk.listTickets({ pageSize: 100 }); ; ) {
      tickets += page.items.length;
      for (const t of page.items) comments += (await stack.connectors.zendesk.listTicketComments(t.id)).length;
      if (!page.nextCursor) break;
      page = await stack.connectors.zendesk.listTickets({ pageSize: 100, cursor: page.nextCursor });
    }
    expect(tickets).toBe(1500);

    const totals = await stack.poll(Z2, 'zendesk', true);
    await stack.settle(600_000);
    expect(totals.read).toBe(tickets);
    expect((await stack.store.counts(Z2)).linked).toBe(tickets);
    expect((await stack.store.counts(Z1)).linked).toBe(comments);
    expect(await count(stack, `TandemKind = "record" AND TandemFlow = "${Z1}"`)).toBe(comments);
  });
});
