/**
 * Creates that the API applies and keeps, but whose answer is lost (the connection destroyed, or a
 * 502 from a gateway): Tandem cannot tell them from creates that never happened, and must not make
 * the record again. Every create of each target record type Tandem makes (PowerOffice Go employee
 * and department, Crmoffice contact, company, and activity of a ticket and of a comment) is lost
 * here; afterwards each record exists exactly once on its target and is the one linked in the store.
 * Checked through the simulators and the link store only.
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

let stack: TestStack;
const zd = { orgId: 0, orgName: 'Lost Answers AS', userId: 0, email: 'ola.lost@example.no', ticketId: 0, commentId: 0 };

beforeAll(async () => {
  stack = await startTestStack({ sampleSize: 0 });
  const { zendesk } = stack.connectors;
  const org = await zendesk.createOrganization({ name: zd.orgName });
  const user = await zendesk.createUser({ name: 'Ola Lost', email: zd.email, role: 'agent', organization_id: org.id });
  const ticket = await zendesk.createTicket({
    subject: 'Where did the answer go?',
    requester_id: user.id,
    comment: { body: 'It was applied.' },
  });
  const added = await zendesk.addTicketComment(ticket.id, { body: 'And then lost.', author_id: user.id });
  if (added.commentId === undefined) throw new Error('the Zendesk simulator named no comment id');
  Object.assign(zd, { orgId: org.id, userId: user.id, ticketId: ticket.id, commentId: added.commentId });
  await setSimFaults(stack.sims.poweroffice.url, {
    appliedThenLostRate: 1,
    appliedThenLostRoutes: TARGET_CREATES.poweroffice,
  });
  await setSimFaults(stack.sims.crmoffice.url, {
    appliedThenLostRate: 1,
    appliedThenLostRoutes: TARGET_CREATES.crmoffice,
  });
});
afterAll(async () => {
  await stack?.stop();
});

test("PowerOffice Go: one employee and one department, linked, though every create's answer was lost", async () => {
  await stack.poll(P2, 'zendesk', true);
  const { poweroffice } = stack.connectors;
  const allEmployees = await poweroffice.listAllEmployees({});
  const allDepartments = await poweroffice.listAllDepartments({});
  const employees = allEmployees.filter((e) => e.EmailAddress?.toLowerCase() === zd.email);
  const departments = allDepartments.filter((d) => d.Name === zd.orgName);
  expectLinked(
    await stack.store.getByZendeskId(P2, String(zd.userId)),
    employees.map((e) => String(e.Id)),
  );
  expectLinked(
    await stack.store.getByZendeskId(P1, String(zd.orgId)),
    departments.map((d) => String(d.Id)),
  );
  expect(employees[0].DepartmentId).toBe(departments[0].Id);
  // Every record there is Tandem's (the Zendesk owner's too): each created once, that create's answer lost.
  expect(stack.sims.poweroffice.stats.appliedThenLost).toBe(allEmployees.length + allDepartments.length);
  expect(stack.sims.poweroffice.stats.requests).toMatchObject({
    'POST /v2/Employees': allEmployees.length,
    'POST /v2/Departments': allDepartments.length,
  });
});

test("Crmoffice: one contact and one company, linked, though every create's answer was lost", async () => {
  await stack.poll(Z3, 'zendesk', true);
  const { crmoffice } = stack.connectors;
  const allContacts = await allPages((page) => crmoffice.listContacts({ page, pageSize: 100 }));
  const allCompanies = await allPages((page) => crmoffice.listCompanies({ page, pageSize: 100 }));
  const contacts = allContacts.filter((c) => c.email?.toLowerCase() === zd.email);
  const companies = allCompanies.filter((c) => c.name === zd.orgName);
  expectLinked(
    await stack.store.getByZendeskId(Z3, String(zd.userId)),
    contacts.map((c) => c.id),
  );
  expectLinked(
    await stack.store.getByZendeskId(Z3B, String(zd.orgId)),
    companies.map((c) => c.id),
  );
  expect(contacts[0].company?.id).toBe(companies[0].id);
  expect(stack.sims.crmoffice.stats.appliedThenLost).toBe(allContacts.length + allCompanies.length);
  expect(stack.sims.crmoffice.stats.requests).toMatchObject({
    'POST /api/v1/contacts': allContacts.length,
    'POST /api/v1/companies': allCompanies.length,
  });
});

test("Crmoffice: one activity for the ticket and one for its comment, linked, though every create's answer was lost", async () => {
  await stack.poll(Z2, 'zendesk', true);
  const { crmoffice } = stack.connectors;
  const activities = await allPages((page) => crmoffice.listActivities({ page, pageSize: 100 }));
  const ofTicket = activities.filter((a) => a.externalId === `zendesk:ticket:${zd.ticketId}`);
  const ofComment = activities.filter((a) => a.externalId === `zendesk:comment:${zd.commentId}`);
  expectLinked(
    await stack.store.getByZendeskId(Z2, String(zd.ticketId)),
    ofTicket.map((a) => a.id),
  );
  expectLinked(
    await stack.store.getByZendeskId(Z1, `${zd.ticketId}:${zd.commentId}`),
    ofComment.map((a) => a.id),
  );
  // The ticket's first comment is an activity of its own too. Each activity was created once (a
  // second create of an external id would be refused with 409, not applied) and that answer lost.
  expect(activities.filter((a) => a.externalId?.startsWith('zendesk:comment:'))).toHaveLength(2);
  const contactsAndCompanies =
    (await allPages((page) => crmoffice.listContacts({ page, pageSize: 100 }))).length +
    (await allPages((page) => crmoffice.listCompanies({ page, pageSize: 100 }))).length;
  expect(stack.sims.crmoffice.stats.appliedThenLost).toBe(contactsAndCompanies + activities.length);
  expect(stack.sims.crmoffice.stats.requests['POST /api/v1/activities']).toBe(activities.length);
});
