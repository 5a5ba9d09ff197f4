import { TestStack, startTestStack } from '../helpers/stack';

jest.setTimeout(180_000);

const P2 = 'zendesk-users-to-powerofficego-employees';
const P1 = 'zendesk-organizations-to-powerofficego-departments';
const Z3 = 'zendesk-users-to-crmoffice-contacts';

let stack: TestStack;
let crashes = 0;
beforeAll(async () => {
  stack = await startTestStack({
    sampleSize: 0,
    hooks: {
      // Dies once between the create call and the link save, as a killed worker would.
      afterTargetCreate(pair) {
        if (pair.flowId === P2 && pair.zendeskId === crashUserId && crashes++ === 0)
          throw new Error('simulated crash after create');
      },
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});
let crashUserId = '';

test("a pre-existing employee and contact with the user's e-mail are linked, not duplicated", async () => {
  const { zendesk, poweroffice, crmoffice } = stack.connectors;
  const user = await zendesk.createUser({ name: 'Astrid Lie', email: 'astrid@example.no', role: 'agent' });
  const employee = await poweroffice.createEmployee({
    FirstName: 'Astrid',
    LastName: 'Lie-Hansen',
    EmailAddress: 'ASTRID@example.no',
  });
  const contact = await crmoffice.createContact({ givenName: 'Astrid', familyName: 'L.', email: 'astrid@example.no' });

  await stack.poll(P2, 'zendesk', true);
  await stack.poll(Z3, 'zendesk', true);
  expect((await stack.store.getByZendeskId(P2, String(user.id)))?.targetId).toBe(String(employee.Id));
  expect((await stack.store.getByZendeskId(Z3, String(user.id)))?.targetId).toBe(contact.id);
  expect((await poweroffice.findEmployeesByEmail('astrid@example.no')).length).toBe(1);
  expect((await crmoffice.findContactsByEmail('astrid@example.no')).length).toBe(1);
});

test("two departments with the organisation's name are reported, not guessed; the employee fails alone", async () => {
  const { zendesk, poweroffice } = stack.connectors;
  const org = await zendesk.createOrganization({ name: 'Twin Departments AS' });
  await poweroffice.createDepartment({ Name: 'Twin Departments AS' });
  await poweroffice.createDepartment({ Name: 'twin departments as' });
  const blocked = await zendesk.createUser({
    name: 'Bjørn Twin',
    email: 'bjorn.twin@example.no',
    role: 'agent',
    organization_id: org.id,
  });
  const fine = await zendesk.createUser({ name: 'Live Solo', email: 'live.solo@example.no', role: 'admin' });

  await stack.poll(P2, 'zendesk');
  const conflict = await stack.store.getByZendeskId(P1, String(org.id));
  expect(conflict?.state).toBe('conflict');
  expect(conflict?.lastError).toMatch(/2 departments/);
  const failed = await stack.store.getByZendeskId(P2, String(blocked.id));
  expect(failed?.state).toBe('failed');
  expect(failed?.lastError).toMatch(/organization_id/);
  expect((await stack.store.getByZendeskId(P2, String(fine.id)))?.state).toBe('linked');
  expect(await poweroffice.findEmployeesByEmail('bjorn.twin@example.no')).toHaveLength(0);

  // The operator settles it as `tandem links <P1> <org> --set-target <id>` does; a full sync heals the employee.
  const chosen = (await poweroffice.findDepartmentsByName('Twin Departments AS'))[1];
  await stack.store.saveLink(
    {
      flowId: P1,
      zendeskId: String(org.id),
      targetId: String(chosen.Id),
      state: 'linked',
      base: null,
      lastError: null,
      lastSyncedAt: null,
    },
    conflict!.version,
  );
  await stack.poll(P2, 'zendesk', true);
  const [employee] = await poweroffice.findEmployeesByEmail('bjorn.twin@example.no');
  expect(employee?.DepartmentId).toBe(chosen.Id);
  expect((await stack.store.getByZendeskId(P2, String(blocked.id)))?.state).toBe('linked');
});

test('a single-word name ("Cher") makes a valid employee, the word in both FirstName and LastName', async () => {
  const { zendesk, poweroffice } = stack.connectors;
  const cher = await zendesk.createUser({ name: 'Cher', email: 'cher@example.no', role: 'agent' });
  await stack.poll(P2, 'zendesk');

  expect((await stack.store.getByZendeskId(P2, String(cher.id)))?.state).toBe('linked');
  const [employee] = await poweroffice.findEmployeesByEmail('cher@example.no');
  expect(employee).toMatchObject({ FirstName: 'Cher', LastName: 'Cher' });
});

test('a sync that dies between the create and the link save still makes exactly one employee', async () => {
  const { zendesk, poweroffice } = stack.connectors;
  const user = await zendesk.createUser({ name: 'Crash Test', email: 'crash@example.no', role: 'agent' });
  crashUserId = String(user.id);
  await stack.poll(P2, 'zendesk');
  // One create, one crash; the retry found the employee by its ExternalImportReference instead of creating again.
  expect(crashes).toBe(1);
  expect(await poweroffice.findEmployeesByEmail('crash@example.no')).toHaveLength(1);
  const link = await stack.store.getByZendeskId(P2, crashUserId);
  expect(link?.state).toBe('linked');
  expect(String((await poweroffice.findEmployeeByExternalImportReference(`zendesk-user-${user.id}`))?.Id)).toBe(
    link?.targetId,
  );
});

test('a user deleted in Zendesk leaves the employee in place and the link orphaned, for review', async () => {
  const { zendesk, poweroffice } = stack.connectors;
  const user = await zendesk.createUser({ name: 'Gone Soon', email: 'gone@example.no', role: 'agent' });
  await stack.poll(P2, 'zendesk');
  const link = await stack.store.getByZendeskId(P2, String(user.id));
  expect(link?.state).toBe('linked');

  const config = stack.sims.configs.zendesk;
  const res = await fetch(`${config.baseUrl}/users/${user.id}.json`, {
    method: 'DELETE',
    headers: { authorization: `Basic ${Buffer.from(`${config.email}/token:${config.apiToken}`).toString('base64')}` },
  });
  expect(res.status).toBe(200);
  await stack.poll(P2, 'zendesk');
  expect((await stack.store.getByZendeskId(P2, String(user.id)))?.state).toBe('orphaned');
  expect((await poweroffice.getEmployee(Number(link!.targetId))).EmailAddress).toBe('gone@example.no');
});
