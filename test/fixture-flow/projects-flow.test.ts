/**
 * A flow Tandem does not ship, defined in one file of this folder (projects-flow.ts), is routed,
 * polled, explained and synced end to end by the generic code: nothing outside this folder names it.
 */
import { readdirSync } from 'node:fs';
import { extendCalls } from '../../activities/extend';
import { FEEDS, extendFlows, flowForTargetRecord, flowsForTarget, flowsForZendesk, getFlow } from '../../flows';
import { targetAccess } from '../../activities/record-access';
import { plannedSchedules } from '../../workers/schedules';
import { startTestStack, type TestStack } from '../helpers/stack';
import { runCli } from '../cli/run-cli';
import { PROJECTS_FLOW, projectsCalls, projectsFlows, projectsResource } from './projects-flow';

jest.setTimeout(180_000);

extendFlows(projectsFlows);
extendCalls(projectsCalls);

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({
    sampleSize: 12,
    workflowsPath: require.resolve('./workflows'),
    powerofficeResources: [projectsResource],
  });
});
afterAll(async () => {
  await stack?.stop();
});

const projects = () => [...stack.sims.poweroffice.resources.get('/Projects')!.records.values()];

test('the folder holds the flow, its registration and this test: nothing else was needed', () => {
  expect(readdirSync(__dirname).sort()).toEqual([
    'projects-flow.test.ts',
    'projects-flow.ts',
    'register-flows.ts',
    'workflows.ts',
  ]);
});

test('the derived tables route its records and poll its feeds', () => {
  expect(flowsForZendesk('organization')).toContain(PROJECTS_FLOW);
  expect(flowsForTarget('poweroffice', 'projects')).toEqual([PROJECTS_FLOW]);
  expect(flowForTargetRecord('poweroffice', 'projects', { Id: 1 })).toBe(PROJECTS_FLOW);
  expect(FEEDS.find((f) => f.id === 'zendesk/organizations')?.flows).toContain(PROJECTS_FLOW);
  expect(FEEDS.find((f) => f.id === 'poweroffice/projects')?.flows).toEqual([PROJECTS_FLOW]);
  expect(plannedSchedules({ zendesk: 60, poweroffice: 60, crmoffice: 60 }).map((s) => s.id)).toContain(
    'poll/poweroffice/projects',
  );
  // The same name twice is refused, naming it; the same extension again changes nothing.
  expect(() => extendFlows(projectsFlows)).not.toThrow();
  expect(() => extendFlows({ flows: [{ ...getFlow(PROJECTS_FLOW) }] })).toThrow(
    `cannot register flow "${PROJECTS_FLOW}": the name is taken`,
  );
});

test('tandem explain prints its table by its code', async () => {
  const { code, out } = await runCli(['explain', 'x1']);
  expect(code).toBe(0);
  expect(out).toContain('X1. Zendesk organisations → PowerOffice Go projects');
  expect(out).toMatch(/\| name +\| ↔ \| Name +\| string \|/);
});

test('a first sync makes a project per organisation; edits then travel both ways, and repolls write nothing', async () => {
  const organizations = [...stack.sims.zendesk.store.organizations.byId.values()].filter((o) => o.deleted === null);
  await stack.poll(PROJECTS_FLOW, 'zendesk', true);
  expect(
    projects()
      .map((p) => p.Name)
      .sort(),
  ).toEqual(organizations.map((o) => o.name).sort());
  const links = await stack.store.listLinks(PROJECTS_FLOW, { state: 'linked', limit: 100 });
  expect(links).toHaveLength(organizations.length);
  await stack.poll(PROJECTS_FLOW, 'target');

  const [link] = links;
  const projectId = link.targetId!;
  const { zendesk } = stack.connectors;
  const project = targetAccess(stack.connectors, 'projects');
  await zendesk.updateOrganization(Number(link.zendeskId), { name: 'Renamed In Zendesk AS' });
  await stack.poll(PROJECTS_FLOW, 'zendesk');
  expect((await project.get(projectId))?.Name).toBe('Renamed In Zendesk AS');

  await project.update(projectId, { Name: 'Renamed In PowerOffice AS' });
  await stack.poll(PROJECTS_FLOW, 'target');
  expect((await zendesk.getOrganization(Number(link.zendeskId))).name).toBe('Renamed In PowerOffice AS');

  expect(await stack.writesOfRepoll(PROJECTS_FLOW)).toBe(0);
});
