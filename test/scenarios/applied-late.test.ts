/**
 * Creates that the API holds past Tandem's timeout and then applies: by the time the held create
 * lands, Tandem's attempt has failed and been retried. A retry that looked for the record before the
 * held create landed would find nothing and create it again; so a write that timed out is looked at
 * again only after another timeout's length. Every create of each target record type (PowerOffice Go
 * employee and department, Crmoffice contact, company, and activity of a ticket and of a comment) is
 * late here; afterwards each record exists exactly once on its target and is the one linked.
 */
import { TestStack, startTestStack } from '../helpers/stack';
import { TARGET_CREATES, allPages, expectLinked, setSimFaults } from '../helpers/sim-faults';

jest.setTimeout(300_000);

const P1 = 'zendesk-organizations-to-powerofficego-departments';
const P2 = 'zendesk-users-to-powerofficego-employees';
const Z3 = 'zendesk-users-to-crmoffice-contacts';
const Z3B = 'zendesk-organizations-to-crmoffice-companies';
const Z2 = 'zendesk-tickets-to-crmoffice-activities';
const Z1 = 'zendesk-ticketcomments-to-crmoffice-activities';

/** The worker's connector timeout here (30 s by default), and how long a create is held: past it. */
const TIMEOUT_MS = 2000;
const HELD_MS = 3000;

let stack: TestStack;
const zd = { orgId: 0, orgName: 'Late Answers AS', userId: 0, email: 'ola.late@example.no', ticketId: 0, commentId: 0 };

beforeAll(async () => {
  stack = await startTestStack({ sampleSize: 0 });
  // The worker's connectors time out after TIMEOUT_MS: a held create costs seconds, not a minute.
  await stack.stopWorker();
  for (const config of [stack.sims.configs.poweroffice, stack.sims.configs.crmoffice]) config.timeoutMs = TIMEOUT_MS;
  await stack.startWorker();
  const { zendesk } = stack.connectors;
  const org = await zendesk.createOrganization({ name: zd.orgName });
  const user = await zendesk.createUser({ name: 'Ola Late', email: zd.email, role: 'agent', organization_id: org.id });
  const ticket = await zendesk.createTicket({
    subject: 'Where did the answer go?',
    requester_id: user.id,
    comment: { body: 'It came late.' },
  });
  const added = await zendesk.addTicketComment(ticket.id, { body: 'But it came.', author_id: user.id });
  if (added.commentId === undefined) throw new Error('the Zendesk simulator named no comment id');
  Object.assign(zd, { orgId: org.id, userId: user.id, ticketId: ticket.id, commentId: added.commentId });
  await setSimFaults(stack.sims.poweroffice.url, {
    appliedLateRate: 1,
    appliedLateMs: HELD_MS,
    appliedLateRoutes: TARGET_CREATES.poweroffice,
  });
  await setSimFaults(stack.sims.crmoffice.url, {
    appliedLateRate: 1,
    appliedLateMs: HELD_MS,
    appliedLateRoutes: TARGET_CREATES.crmoffice,
  });
});
afterAll(async () => {
  await stack?.stop();
});

test('PowerOffice Go: one employee and one department, linked, though every create landed after Tandem gave up on it', async () => {
  await stack.poll(P2, 'zendesk', true);
  const { poweroffice } = stack.connectors;
  const allEmployees = await poweroffice.listAllEmployees({});
  const allDepartments = await poweroffice.listAllDepartments({});
  expectLinked(
    await stack.store.getByZendeskId(P2, String(zd.userId)),
    allEmployees.filter((e) => e.EmailAddress?.toLowerCase() === zd.email).map((e) => String(e.Id)),
  );
  expectLinked(
    await stack.store.getByZendeskId(P1, String(zd.orgId)),
    allDepartments.filter((d) => d.Name === zd.orgName).map((d) => String(d.Id)),
  );
  // Every create was held and landed once: no second create of any of them was sent.
  expect(stack.sims.poweroffice.stats.appliedLate).toBe(allEmployees.length + allDepartments.length);
  expect(stack.sims.poweroffice.stats.requests).toMatchObject({
    'POST /v2/Employees': allEmployees.length,
    'POST /v2/Departments': allDepartments.length,
  });
});

test('Crmoffice: one contact, one company, and one activity each for the ticket and its comment, linked, though every create landed late', async () => {
  await stack.poll(Z3, 'zendesk', true);
  await stack.poll(Z2, 'zendesk', true);
  const { crmoffice } = stack.connectors;
  const contacts = await allPages((page) => crmoffice.listContacts({ page, pageSize: 100 }));
  const companies = await allPages((page) => crmoffice.listCompanies({ page, pageSize: 100 }));
  const activities = await allPages((page) => crmoffice.listActivities({ page, pageSize: 100 }));
  expectLinked(
    await stack.store.getByZendeskId(Z3, String(zd.userId)),
    contacts.filter((c) => c.email?.toLowerCase() === zd.email).map((c) => c.id),
  );
  expectLinked(
    await stack.store.getByZendeskId(Z3B, String(zd.orgId)),
    companies.filter((c) => c.name === zd.orgName).map((c) => c.id),
  );
  expectLinked(
    await stack.store.getByZendeskId(Z2, String(zd.ticketId)),
    activities.filter((a) => a.externalId === `zendesk:ticket:${zd.ticketId}`).map((a) => a.id),
  );
  expectLinked(
    await stack.store.getByZendeskId(Z1, `${zd.ticketId}:${zd.commentId}`),
    activities.filter((a) => a.externalId === `zendesk:comment:${zd.commentId}`).map((a) => a.id),
  );
  expect(stack.sims.crmoffice.stats.appliedLate).toBe(contacts.length + companies.length + activities.length);
  expect(stack.sims.crmoffice.stats.requests).toMatchObject({
    'POST /api/v1/contacts': contacts.length,
    'POST /api/v1/companies': companies.length,
    'POST /api/v1/activities': activities.length,
  });
});
