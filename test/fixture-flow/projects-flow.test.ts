/**
 * Record types and a flow Tandem does not ship, defined in one file of this folder (projects-flow.ts),
 * are routed, polled, explained and synced end to end by the generic code: nothing outside this
 * folder names them.
 */
import { readdirSync } from 'node:fs';
import { z } from 'zod';
import { extendCalls } from '../../activities/extend';
import { FEEDS, extendFlows, flowForTargetRecord, flowsForTarget, flowsForZendesk, getFlow } from '../../flows';
import { targetAccess } from '../../activities/record-access';
import { plannedSchedules } from '../../workers/schedules';
import { startTestStack, type TestStack } from '../helpers/stack';
import { runCli } from '../cli/run-cli';
import { PROJECTS_FLOW, projectsCalls, projectsFlows, projectsResources } from './projects-flow';

jest.setTimeout(180_000);

extendFlows(projectsFlows);
extendCalls(projectsCalls);

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({
    sampleSize: 0,
    workflowsPath: require.resolve('./workflows'),
    resources: projectsResources,
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
  expect(flowsForZendesk('group')).toEqual([PROJECTS_FLOW]);
  expect(flowsForTarget('poweroffice', 'projects')).toEqual([PROJECTS_FLOW]);
  expect(flowForTargetRecord('poweroffice', 'projects', { Id: 1 })).toBe(PROJECTS_FLOW);
  expect(FEEDS.find((f) => f.id === 'zendesk/groups')?.flows).toEqual([PROJECTS_FLOW]);
  expect(FEEDS.find((f) => f.id === 'poweroffice/projects')?.flows).toEqual([PROJECTS_FLOW]);
  expect(plannedSchedules({ zendesk: 60, poweroffice: 60, crmoffice: 60 }).map((s) => s.id)).toEqual(
    expect.arrayContaining(['poll/zendesk/groups', 'poll/poweroffice/projects']),
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
  expect(out).toContain('X1. Zendesk groups → PowerOffice Go projects');
  expect(out).toMatch(/\| name +\| ↔ \| Name +\| string \|/);
});

test('a first sync makes a project per group; edits then travel both ways, and repolls write nothing', async () => {
  const groups = stack.connectors.zendesk.resource(
    'groups',
    'group',
    z.looseObject({ id: z.number(), name: z.string() }),
  );
  const names = ['Support Tier 1', 'Billing', 'Onboarding'];
  for (const name of names) await groups.create({ name });
  await stack.poll(PROJECTS_FLOW, 'zendesk', true);
  expect(
    projects()
      .map((p) => p.Name)
      .sort(),
  ).toEqual([...names].sort());
  const links = await stack.store.listLinks(PROJECTS_FLOW, { state: 'linked', limit: 100 });
  expect(links).toHaveLength(names.length);
  await stack.poll(PROJECTS_FLOW, 'target');

  const [link] = links;
  const projectId = link.targetId!;
  const project = targetAccess(stack.connectors, 'projects');
  await groups.update(Number(link.zendeskId), { name: 'Renamed In Zendesk' });
  await stack.poll(PROJECTS_FLOW, 'zendesk');
  expect((await project.get(projectId))?.Name).toBe('Renamed In Zendesk');

  await project.update(projectId, { Name: 'Renamed In PowerOffice' });
  await stack.poll(PROJECTS_FLOW, 'target');
  expect((await groups.get(Number(link.zendeskId))).name).toBe('Renamed In PowerOffice');

  expect(await stack.writesOfRepoll(PROJECTS_FLOW)).toBe(0);
  expect(projects()).toHaveLength(names.length);
});
