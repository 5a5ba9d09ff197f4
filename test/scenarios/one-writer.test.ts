/**
 * One writer per Zendesk record: two flows write one Zendesk record (an organisation: its department
 * and its company; a user: its employee's department and its contact's company). Edits made on the two
 * targets seconds apart, noticed in one poll round (both target feeds at once), or a Zendesk edit
 * (its webhook) racing a target edit: the later edit ends on all three systems, in either order.
 */
import { TestStack, startTestStack } from '../helpers/stack';
import { signalRecord } from '../../workers/signal-pair';

jest.setTimeout(240_000);

const P1 = 'zendesk-organizations-to-powerofficego-departments' as const;
const P2 = 'zendesk-users-to-powerofficego-employees' as const;
const Z3 = 'zendesk-users-to-crmoffice-contacts' as const;
const Z3B = 'zendesk-organizations-to-crmoffice-companies' as const;

let stack: TestStack;
/** Three organisations, each with a department and a company, and an agent in the first. */
let orgs: { zendeskId: number; department: number; company: string }[];
let agent: { zendeskId: number; employee: number; contact: string };

beforeAll(async () => {
  stack = await startTestStack({ sampleSize: 0 });
  const { zendesk } = stack.connectors;
  const made = [];
  for (const name of ['Alpha Writer AS', 'Beta Writer AS', 'Gamma Writer AS']) {
    const org = await zendesk.createOrganization({ name });
    // An agent per organisation makes its department (P2) and its company (Z3) on demand.
    await zendesk.createUser({
      name: `Agent of ${name}`,
      email: `agent.${name.split(' ')[0].toLowerCase()}@example.no`,
      role: 'agent',
      organization_id: org.id,
    });
    made.push(org);
  }
  const user = await zendesk.createUser({
    name: 'Mona Mover',
    email: 'mona.mover@example.no',
    role: 'agent',
    organization_id: made[0].id,
  });
  for (const flow of [P2, Z3]) await stack.poll(flow, 'zendesk', true);
  for (const flow of [P1, Z3B, P2, Z3]) {
    await stack.poll(flow, 'zendesk');
    await stack.poll(flow, 'target');
  }
  const target = async (flow: typeof P1 | typeof P2 | typeof Z3 | typeof Z3B, id: number) =>
    (await stack.store.getByZendeskId(flow, String(id)))!.targetId!;
  orgs = [];
  for (const org of made)
    orgs.push({ zendeskId: org.id, department: Number(await target(P1, org.id)), company: await target(Z3B, org.id) });
  agent = { zendeskId: user.id, employee: Number(await target(P2, user.id)), contact: await target(Z3, user.id) };
});
afterAll(async () => {
  await stack?.stop();
});

/** "Later" is decided to the whole second (Zendesk's resolution): the later edit goes into the next second. */
const nextSecond = () => new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));

/** Both target feeds of the record's two flows in one round, as two schedules firing on the same tick. */
async function pollTargetsTogether(a: string, b: string): Promise<void> {
  await Promise.all([stack.poll(a, 'target'), stack.poll(b, 'target')]);
  await stack.settle();
}

async function orgNames(i: number) {
  const { zendesk, poweroffice, crmoffice } = stack.connectors;
  return {
    zendesk: (await zendesk.getOrganization(orgs[i].zendeskId)).name,
    department: (await poweroffice.getDepartment(orgs[i].department)).Name,
    company: (await crmoffice.getCompany(orgs[i].company)).name,
  };
}

async function agentOrgs() {
  const { zendesk, poweroffice, crmoffice } = stack.connectors;
  const department = (await poweroffice.getEmployee(agent.employee)).DepartmentId;
  const company = (await crmoffice.getContact(agent.contact)).company?.id;
  return {
    zendesk: (await zendesk.getUser(agent.zendeskId)).organization_id,
    department: orgs.find((o) => o.department === department)?.zendeskId,
    company: orgs.find((o) => o.company === company)?.zendeskId,
  };
}

const all = <T>(value: T) => ({ zendesk: value, department: value, company: value });

describe('an organisation renamed on both targets, seconds apart, noticed in one poll round', () => {
  test('the department first, then the company: the company name ends everywhere', async () => {
    const { poweroffice, crmoffice } = stack.connectors;
    await poweroffice.updateDepartment(orgs[0].department, { Name: 'Earlier Department Name' });
    await nextSecond();
    await crmoffice.updateCompany(orgs[0].company, { name: 'Later Company Name' });
    await pollTargetsTogether(P1, Z3B);
    expect(await orgNames(0)).toEqual(all('Later Company Name'));
  });

  test('the company first, then the department: the department name ends everywhere', async () => {
    const { poweroffice, crmoffice } = stack.connectors;
    await crmoffice.updateCompany(orgs[1].company, { name: 'Earlier Company Name' });
    await nextSecond();
    await poweroffice.updateDepartment(orgs[1].department, { Name: 'Later Department Name' });
    await pollTargetsTogether(P1, Z3B);
    expect(await orgNames(1)).toEqual(all('Later Department Name'));
  });
});

describe('a user moved to one organisation in PowerOffice Go and to another in Crmoffice, noticed in one poll round', () => {
  test('PowerOffice Go first, then Crmoffice: the Crmoffice move ends everywhere', async () => {
    const { poweroffice, crmoffice } = stack.connectors;
    await poweroffice.updateEmployee(agent.employee, { DepartmentId: orgs[1].department });
    await nextSecond();
    await crmoffice.updateContact(agent.contact, { company: { id: orgs[2].company } });
    await pollTargetsTogether(P2, Z3);
    expect(await agentOrgs()).toEqual(all(orgs[2].zendeskId));
  });

  test('Crmoffice first, then PowerOffice Go: the PowerOffice Go move ends everywhere', async () => {
    const { poweroffice, crmoffice } = stack.connectors;
    await crmoffice.updateContact(agent.contact, { company: { id: orgs[1].company } });
    await nextSecond();
    await poweroffice.updateEmployee(agent.employee, { DepartmentId: orgs[0].department });
    await pollTargetsTogether(P2, Z3);
    expect(await agentOrgs()).toEqual(all(orgs[0].zendeskId));
  });
});

describe('a Zendesk edit (its webhook) racing a target edit', () => {
  /** The Zendesk change as the webhook receiver tells it, and the department's feed, at once. */
  async function webhookAndPoll(): Promise<void> {
    const ref = { type: 'organizations' as const, zendeskId: String(orgs[2].zendeskId) };
    await Promise.all([
      signalRecord(stack.env.client, ref, { side: 'zendesk', via: 'webhook' }),
      stack.poll(P1, 'target'),
    ]);
    // Its workflow may not be listed yet when the signal returns: wait for it by id.
    await stack.env.client.workflow.getHandle(`zendesk/organizations/${ref.zendeskId}`).result();
    await stack.settle();
  }

  test('the department first, then Zendesk: the Zendesk name ends everywhere', async () => {
    const { zendesk, poweroffice } = stack.connectors;
    await poweroffice.updateDepartment(orgs[2].department, { Name: 'Earlier Department Rename' });
    await nextSecond();
    await zendesk.updateOrganization(orgs[2].zendeskId, { name: 'Later Zendesk Rename' });
    await webhookAndPoll();
    expect(await orgNames(2)).toEqual(all('Later Zendesk Rename'));
  });

  test('Zendesk first, then the department: the department name ends everywhere', async () => {
    const { zendesk, poweroffice } = stack.connectors;
    await zendesk.updateOrganization(orgs[2].zendeskId, { name: 'Earlier Zendesk Rename' });
    await nextSecond();
    await poweroffice.updateDepartment(orgs[2].department, { Name: 'Later Department Rename' });
    await webhookAndPoll();
    expect(await orgNames(2)).toEqual(all('Later Department Rename'));
  });
});
