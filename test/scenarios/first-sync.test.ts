import { TestStack, startTestStack } from '../helpers/stack';
import { allPages } from '../helpers/sim-faults';

jest.setTimeout(180_000);

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ sampleSize: 40 });
});
afterAll(async () => {
  await stack?.stop();
});

const P2 = 'zendesk-users-to-powerofficego-employees';

test('first sync of P2: every agent and admin has exactly one employee, departments exist only where needed', async () => {
  const totals = await stack.poll(P2, 'zendesk', true);
  expect(totals.outcomes.failed).toBe(0);

  const { zendesk, poweroffice } = stack.connectors;
  const users = [];
  for (let cursor: string | undefined, first = true; first || cursor; first = false) {
    const page = await zendesk.listUsers({ cursor, pageSize: 100 });
    users.push(...page.items);
    cursor = page.nextCursor;
  }
  const staff = users.filter((u) => u.role === 'agent' || u.role === 'admin');
  expect(staff.length).toBeGreaterThan(0);
  const employees = await poweroffice.listAllEmployees({});
  expect(employees).toHaveLength(staff.length);

  const departments = await poweroffice.listAllDepartments({});
  const orgs = new Map<number, string>();
  for (const org of (await zendesk.listOrganizations({ pageSize: 100 })).items) orgs.set(org.id, org.name);

  for (const user of staff) {
    const matching = employees.filter((e) => e.EmailAddress?.toLowerCase() === user.email?.toLowerCase());
    expect(matching).toHaveLength(1);
    const employee = matching[0];
    expect(`${employee.FirstName} ${employee.LastName}`).toBe(user.name);
    const department =
      employee.DepartmentId == null
        ? null
        : (departments.find((d) => d.Id === employee.DepartmentId)?.Name ??
          `missing department ${employee.DepartmentId}`);
    expect({ user: user.id, department }).toEqual({
      user: user.id,
      department: user.organization_id ? orgs.get(user.organization_id) : null,
    });
  }
  const neededOrgs = new Set(staff.filter((u) => u.organization_id).map((u) => u.organization_id));
  expect(departments.map((d) => d.Name).sort()).toEqual([...neededOrgs].map((id) => orgs.get(id!)).sort());
});

test('first sync of Z3, Z2 and Z1: one contact per user with its company, one activity per ticket and per comment', async () => {
  const Z3 = 'zendesk-users-to-crmoffice-contacts';
  for (const flow of [
    Z3,
    'zendesk-tickets-to-crmoffice-activities',
    'zendesk-ticketcomments-to-crmoffice-activities',
  ]) {
    const totals = await stack.poll(flow, 'zendesk', true);
    expect({ flow, failures: totals.failures }).toEqual({ flow, failures: [] });
  }
  const { zendesk, crmoffice } = stack.connectors;
  const contacts = await allPages((page) => crmoffice.listContacts({ page, pageSize: 100 }));
  const companies = await allPages((page) => crmoffice.listCompanies({ page, pageSize: 100 }));
  const activities = await allPages((page) => crmoffice.listActivities({ page, pageSize: 100 }));

  const users = (await zendesk.listUsers({ pageSize: 100 })).items;
  const orgs = new Map((await zendesk.listOrganizations({ pageSize: 100 })).items.map((o) => [o.id, o.name]));
  expect(contacts).toHaveLength(users.length);
  const contactOf = new Map<number, string>();
  for (const user of users) {
    const found = contacts.filter((c) => c.email?.toLowerCase() === user.email?.toLowerCase());
    expect(found).toHaveLength(1);
    contactOf.set(user.id, found[0].id);
    const companyId = found[0].company?.id ?? null;
    const company =
      companyId === null ? null : (companies.find((c) => c.id === companyId)?.name ?? `missing company ${companyId}`);
    expect({ user: user.id, company }).toEqual({
      user: user.id,
      company: user.organization_id ? orgs.get(user.organization_id) : null,
    });
  }

  const tickets = (await zendesk.listTickets({ pageSize: 100 })).items;
  expect(tickets.length).toBeGreaterThan(0);
  for (const ticket of tickets) {
    const found = activities.filter((a) => a.externalId === `zendesk:ticket:${ticket.id}`);
    expect(found).toHaveLength(1);
    expect(found[0].subject).toBe(ticket.subject);
    expect(found[0].ownerId).toBe(contactOf.get(ticket.requester_id));
    for (const comment of await zendesk.listTicketComments(ticket.id)) {
      const forComment = activities.filter((a) => a.externalId === `zendesk:comment:${comment.id}`);
      expect(forComment).toHaveLength(1);
      expect(forComment[0].ownerId).toBe(contactOf.get(comment.author_id));
      expect(forComment[0].subject).toContain(`#${ticket.id}`);
    }
  }
});
