/**
 * `tandem why`: a field's provenance read from the record's workflow histories (encrypted, read
 * through the codec), the link store and the three systems, against a real worker and simulators.
 */
import { simulatorEnvLines } from '../../cli/commands/simulators';
import type { WhyReport } from '../../cli/why/report';
import { startTestStack, type TestStack } from '../helpers/stack';
import { TEST_ENCRYPTION_ENV, temporalEnvOf } from '../helpers/temporal';
import { runCli } from './run-cli';

jest.setTimeout(180_000);

const P1 = 'zendesk-organizations-to-powerofficego-departments';
const P2 = 'zendesk-users-to-powerofficego-employees';
const Z3B = 'zendesk-organizations-to-crmoffice-companies';
const UI = 'http://temporal-ui.example:8233';

let stack: TestStack;
let env: NodeJS.ProcessEnv;
let org: { id: number };
let departmentId: string;
let companyId: string;

/** Waits into the next whole second, and past it: Zendesk keeps whole seconds, so "later" must be a second later. */
const nextSecond = () => new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 20));
const sameInstant = (a: string | null | undefined, b: string) => expect(Date.parse(a ?? '')).toBe(Date.parse(b));

async function why(...args: string[]): Promise<WhyReport> {
  const r = await runCli(['why', ...args, '-o', 'json'], { env });
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as WhyReport;
}

beforeAll(async () => {
  stack = await startTestStack({ sampleSize: 0 });
  const sims = Object.fromEntries(
    simulatorEnvLines(stack.sims).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  env = {
    ...sims,
    ...TEST_ENCRYPTION_ENV,
    ...temporalEnvOf(stack.env),
    TANDEM_STORE: stack.storePath,
    TANDEM_UI_URL: UI,
  };
  const { zendesk } = stack.connectors;
  org = await zendesk.createOrganization({ name: 'Why Scenario AS' });
  await zendesk.createUser({
    name: 'Wenche Why',
    email: 'wenche.why@example.no',
    role: 'agent',
    organization_id: org.id,
  });
  // The users feed makes the employee and the contact, and on demand the department and the company.
  await stack.poll(P2, 'zendesk', true);
  departmentId = (await stack.store.getByZendeskId(P1, String(org.id)))!.targetId!;
  companyId = (await stack.store.getByZendeskId(Z3B, String(org.id)))!.targetId!;
  expect(departmentId).toBeTruthy();
  expect(companyId).toBeTruthy();
});
afterAll(async () => {
  await stack?.stop();
});

test('department renamed in PowerOffice Go, then the organisation in Zendesk: the Zendesk edit won by "later wins", traced to its birth', async () => {
  const { zendesk, poweroffice } = stack.connectors;
  await nextSecond();
  await poweroffice.updateDepartment(Number(departmentId), { Name: 'Why PowerOffice AS' });
  await nextSecond();
  const renamed = await zendesk.updateOrganization(org.id, { name: 'Why Zendesk AS' });
  await stack.poll(P1, 'zendesk');
  expect((await poweroffice.getDepartment(Number(departmentId))).Name).toBe('Why Zendesk AS');

  const report = await why('poweroffice', 'department', departmentId, 'Name');
  expect(report).toMatchObject({
    record: { system: 'poweroffice', type: 'departments', id: departmentId },
    zendeskRecord: { type: 'organizations', id: String(org.id) },
    workflowId: `zendesk/organizations/${org.id}`,
  });
  const [name] = report.properties;
  expect(name.property).toBe('Name');
  // Each system's value now, read from the APIs: Zendesk's, the department's and the company's (Z3b carried it on).
  expect(name.now.map((v) => [v.system, v.value, v.read])).toEqual([
    ['zendesk', 'Why Zendesk AS', 'api'],
    ['poweroffice', 'Why Zendesk AS', 'api'],
    ['crmoffice', 'Why Zendesk AS', 'api'],
  ]);
  // The winner: Zendesk's edit, at its own change time, over the earlier PowerOffice Go rename.
  expect(name.winner).toMatchObject({ system: 'Zendesk', rule: 'later-wins', outcome: 'both-changed-zendesk-wins' });
  sameInstant(name.winner!.at, renamed.updated_at);
  expect(name.winner!.why).toContain('"Why PowerOffice AS"');
  expect(name.lastWrite).toMatchObject({ flow: 'P1', flowId: P1, value: 'Why Zendesk AS', rule: 'later-wins' });
  expect(name.lastWrite!.ui).toBe(
    `${UI}/namespaces/${stack.env.namespace}/workflows/${encodeURIComponent(`zendesk/organizations/${org.id}`)}/${name.lastWrite!.runId}/history`,
  );
  expect(name.chain.map((s) => s.kind)).toEqual(['copy', 'born']);
  expect(name.chain[0]).toMatchObject({
    from: { system: 'zendesk', id: String(org.id) },
    to: { system: 'poweroffice', type: 'departments', id: departmentId },
    value: 'Why Zendesk AS',
  });
  expect(name.chain[1]).toMatchObject({ kind: 'born', system: 'Zendesk', value: 'Why Zendesk AS' });
  sameInstant((name.chain[1] as { at: string | null }).at, renamed.updated_at);

  // The same in words, for people.
  const text = await runCli(['why', 'poweroffice', 'departments', departmentId, 'name'], { env });
  expect(text.code).toBe(0);
  expect(text.out).toMatch(/won: the Zendesk edit of \S+; rule: both changed: the later edit wins/);
  expect(text.out).toContain(`${UI}/namespaces/${stack.env.namespace}/workflows/zendesk%2Forganizations%2F${org.id}/`);
  expect(text.out).toMatch(/born in Zendesk: "Why Zendesk AS"/);
});

test('organisation renamed in Zendesk, then the department later in PowerOffice Go: the rename wins, and the company holds it traced back to PowerOffice Go', async () => {
  const { zendesk, poweroffice, crmoffice } = stack.connectors;
  await nextSecond();
  await zendesk.updateOrganization(org.id, { name: 'Why Zendesk Two AS' });
  await nextSecond();
  const department = await poweroffice.updateDepartment(Number(departmentId), { Name: 'Why PowerOffice Two AS' });
  await stack.poll(P1, 'zendesk');
  expect((await zendesk.getOrganization(org.id)).name).toBe('Why PowerOffice Two AS');
  expect((await crmoffice.getCompany(companyId)).name).toBe('Why PowerOffice Two AS');

  // Asked on PowerOffice Go: never written there by Tandem, made there, and it won by "later wins".
  const [here] = (await why('poweroffice', 'department', departmentId, 'Name')).properties;
  expect(here.lastWrite).toBeNull();
  expect(here.winner).toMatchObject({
    system: 'PowerOffice Go',
    rule: 'later-wins',
    outcome: 'both-changed-target-wins',
    sync: { flow: 'P1' },
  });
  sameInstant(here.winner!.at, department.LastChangedDateTimeOffset);
  expect(here.chain).toHaveLength(1);
  expect(here.chain[0]).toMatchObject({ kind: 'born', system: 'PowerOffice Go', value: 'Why PowerOffice Two AS' });

  // Asked on Crmoffice: Z3b copied it from Zendesk, where P1 had copied it from PowerOffice Go, where it was born.
  const [company] = (await why('crmoffice', 'company', companyId, 'name')).properties;
  expect(company.lastWrite).toMatchObject({ flow: 'Z3b', value: 'Why PowerOffice Two AS' });
  expect(
    company.chain.map((s) => (s.kind === 'copy' ? `${s.from.system}->${s.to.system}` : `born:${s.record.system}`)),
  ).toEqual(['zendesk->crmoffice', 'poweroffice->zendesk', 'born:poweroffice']);
  expect(company.chain[1]).toMatchObject({ rule: 'later-wins', sync: { flow: 'P1' } });
  // The edit that won is the person's, in PowerOffice Go, by the rule it beat Zendesk's rename with.
  expect(company.winner).toMatchObject({ system: 'PowerOffice Go', rule: 'later-wins', sync: { flow: 'P1' } });
  sameInstant(company.winner!.at, department.LastChangedDateTimeOffset);
  sameInstant((company.chain[2] as { at: string | null }).at, department.LastChangedDateTimeOffset);
});

test('a record Tandem does not know, and a property its flow does not sync, are clear errors naming them', async () => {
  const unknown = await runCli(['why', 'poweroffice', 'department', '999999', 'Name'], { env });
  expect(unknown.code).toBe(1);
  expect(unknown.err).toMatch(
    /Tandem does not know poweroffice departments 999999: no link in P1 \(zendesk-organizations-to-powerofficego-departments\) holds it/,
  );
  expect(unknown.out).toBe('');

  const zendesk = await runCli(['why', 'zendesk', 'organization', '424242'], { env });
  expect(zendesk.code).toBe(1);
  expect(zendesk.err).toMatch(
    /Tandem does not know zendesk organizations 424242: .*no workflow zendesk\/organizations\/424242/,
  );

  const property = await runCli(['why', 'poweroffice', 'department', departmentId, 'Colour'], { env });
  expect(property.code).toBe(2);
  expect(property.err).toMatch(
    /poweroffice departments has no synced property "Colour"; its properties: CreatedDateTimeOffset, Name/,
  );

  const type = await runCli(['why', 'poweroffice', 'ticket', '1'], { env });
  expect(type.code).toBe(2);
  expect(type.err).toMatch(/"ticket" is not a poweroffice record type/);
});
