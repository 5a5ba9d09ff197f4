/**
 * PowerOffice Go's change feed under the list faults and the whole-second clock: a listing whose
 * later page fails, or whose page comes back short with more to follow, marks nothing orphaned,
 * saves no checkpoint past the pages it read, and loses no change; and two changes in one second,
 * on either side of a checkpoint, both arrive (the filter is strictly greater than).
 */
import { getFlow } from '../../flows';
import type { Link } from '../../store';
import { readTargetFeed } from '../../activities/change-feeds';
import { targetAccess } from '../../activities/record-access';
import { TestStack, startTestStack } from '../helpers/stack';
import { setSimFaults } from '../helpers/sim-faults';

jest.setTimeout(300_000);

const P1 = 'zendesk-organizations-to-powerofficego-departments';
const P2 = 'zendesk-users-to-powerofficego-employees';
const FEED = 'poweroffice/employees';
/** Employees no pair links to, so the feed's pages (100 records) are several. */
const PADDING = 250;

let stack: TestStack;
/** Every checkpoint the poll saved for the employees' feed, in order. */
const saved: string[] = [];

interface Position {
  since: string | null;
  page: number;
  maxSeen: string | null;
}

const setFaults = (faults: object) => setSimFaults(stack.sims.poweroffice.url, faults);
const newest = () =>
  [...stack.sims.poweroffice.state.employees.values()]
    .map((e) => e.LastChangedDateTimeOffset)
    .sort()
    .at(-1)!;
const linked = async (flow: string): Promise<Link[]> =>
  stack.store.listLinks(flow as Parameters<typeof stack.store.listLinks>[0], { state: 'linked', limit: 1000 });
const nextSecond = () => new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));

beforeAll(async () => {
  stack = await startTestStack({ sampleSize: 40 });
  await stack.poll(P2, 'zendesk', true);
  // Unlinked employees after the linked ones (ids ascend), so the linked ones lie on the first page.
  stack.sims.poweroffice.state.seed(
    [],
    Array.from({ length: PADDING }, (_, i) => ({ FirstName: `Padding ${i}`, LastName: 'Unlinked' })),
  );
  const setCheckpoint = stack.store.setCheckpoint.bind(stack.store);
  stack.store.setCheckpoint = async (feed, value) => {
    if (feed === FEED) saved.push(value);
    return setCheckpoint(feed, value);
  };
});
afterAll(async () => {
  await stack?.stop();
});

test("a pass from the feed's start whose pages fail halfway or come back short marks nothing orphaned and saves no checkpoint past what it read", async () => {
  const employees = await linked(P2);
  expect(employees.length).toBeGreaterThanOrEqual(3);
  // Most pages fail or come back short at first: each is read again until it comes back whole.
  await setFaults({ listFailRate: 0.7, shortPageRate: 0.7 });
  const totals = await stack.poll(P2, 'target', true);
  await setFaults({});
  const { listPagesFailed, shortPages } = stack.sims.poweroffice.stats;
  expect(listPagesFailed).toBeGreaterThan(0);
  expect(shortPages).toBeGreaterThan(0);
  expect(totals.outcomes.orphaned).toBe(0);
  expect((await stack.store.counts(P2)).orphaned).toBe(0);
  expect((await linked(P2)).length).toBe(employees.length);

  // One checkpoint a page, each naming the page after the last one read and the newest change on the
  // pages read so far (the list is in id order, 100 a page), none further; the pass ends at the newest.
  const byId = [...stack.sims.poweroffice.state.employees.values()].sort((x, y) => x.Id - y.Id);
  const newestOf = (n: number) =>
    byId
      .slice(0, n)
      .map((e) => e.LastChangedDateTimeOffset)
      .sort()
      .at(-1);
  const positions = saved.map((v) => JSON.parse(v) as Position);
  const pages = Math.ceil(byId.length / 100);
  expect(pages).toBeGreaterThanOrEqual(3);
  expect(positions.map((p) => p.page)).toEqual([...Array.from({ length: pages - 1 }, (_, i) => i + 2), 1]);
  expect(positions.slice(0, -1).map((p) => p.maxSeen)).toEqual(
    Array.from({ length: pages - 1 }, (_, i) => newestOf((i + 1) * 100)),
  );
  expect(positions.at(-1)!.since).toBe(newest());
});

test('changes across several pages, some pages short or failing, all arrive', async () => {
  const [deptA, deptB] = await linked(P1);
  expect(deptB).toBeDefined();
  const employees = (await linked(P2)).slice(0, 4);
  const { poweroffice, zendesk } = stack.connectors;
  // Moved to another department: the one synced row PowerOffice Go hands back to Zendesk.
  for (const e of employees) {
    const now = (await poweroffice.getEmployee(Number(e.targetId))).DepartmentId;
    await poweroffice.updateEmployee(Number(e.targetId), {
      DepartmentId: Number(String(now) === deptA.targetId ? deptB.targetId : deptA.targetId),
    });
  }
  // Then every padding employee changes too, later: the change list is three pages, the moves on the first.
  for (const e of [...stack.sims.poweroffice.state.employees.values()].filter((x) => x.LastName === 'Unlinked')) {
    stack.sims.poweroffice.state.patchEmployee(e.Id, [{ op: 'replace', path: '/JobTitle', value: 'Padded' }]);
  }
  const before = { ...stack.sims.poweroffice.stats };
  await setFaults({ listFailRate: 0.5, shortPageRate: 0.5 });
  await stack.poll(P2, 'target');
  await setFaults({});
  expect(stack.sims.poweroffice.stats.shortPages + stack.sims.poweroffice.stats.listPagesFailed).toBeGreaterThan(
    before.shortPages + before.listPagesFailed,
  );
  for (const e of employees) {
    const department = (await poweroffice.getEmployee(Number(e.targetId))).DepartmentId;
    const organization = (await stack.store.getByTargetId(P1, String(department)))!.zendeskId;
    expect(String((await zendesk.getUser(Number(e.zendeskId))).organization_id)).toBe(organization);
  }
});

test('two PowerOffice Go changes in the same second, on either side of a checkpoint, both arrive', async () => {
  await setFaults({ sameSecondTimes: true });
  const [deptA, deptB] = await linked(P1);
  const [a, b] = await linked(P2);
  const { poweroffice, zendesk } = stack.connectors;
  const flow = getFlow(P2);
  const access = targetAccess(stack.connectors, 'employees');
  const otherDepartment = async (e: Link) =>
    (String((await poweroffice.getEmployee(Number(e.targetId))).DepartmentId) === deptA.targetId ? deptB : deptA)
      .targetId!;
  // Read the feed to its end, as a poll would, so the next read starts at the newest change.
  const readToEnd = async (from: string | null) => {
    let checkpoint = from;
    const ids: string[] = [];
    for (;;) {
      const page = await readTargetFeed(access, flow, checkpoint);
      ids.push(...page.items.map((i) => i.id));
      checkpoint = page.checkpoint;
      if (page.done) return { checkpoint: checkpoint!, ids };
    }
  };
  let checkpoint = (await readToEnd((await stack.store.getCheckpoint(FEED))!.value)).checkpoint;
  let tied = false;
  // The second may turn between the two changes on a busy machine: then they are tried again.
  for (let tries = 0; tries < 5 && !tied; tries++) {
    const [toA, toB] = [await otherDepartment(a), await otherDepartment(b)];
    await nextSecond();
    const first = await poweroffice.updateEmployee(Number(a.targetId), { DepartmentId: Number(toA) });
    const read = await readToEnd(checkpoint);
    expect(read.ids).toContain(a.targetId);
    const second = await poweroffice.updateEmployee(Number(b.targetId), { DepartmentId: Number(toB) });
    tied = first.LastChangedDateTimeOffset === second.LastChangedDateTimeOffset;
    checkpoint = read.checkpoint;
  }
  expect(tied).toBe(true);
  expect(stack.sims.poweroffice.stats.sameSecond).toBeGreaterThan(0);
  // The poll goes on from the checkpoint taken between the two changes.
  await stack.store.setCheckpoint(FEED, checkpoint);
  await stack.poll(P2, 'target');
  await setFaults({});
  for (const e of [a, b]) {
    const department = (await poweroffice.getEmployee(Number(e.targetId))).DepartmentId;
    const organization = (await stack.store.getByTargetId(P1, String(department)))!.zendeskId;
    expect(String((await zendesk.getUser(Number(e.zendeskId))).organization_id)).toBe(organization);
  }
});
