/**
 * A write that comes long after its decision's read, while a person edits the same record: none of
 * the APIs offers a conditional write, so the write reads its record again first, finds the person's
 * edit, and the sync decides anew. The person's edit, the later one, ends on all three systems.
 */
import { TestStack, startTestStack } from '../helpers/stack';
import { signalRecord } from '../../workers/signal-pair';
import { TASK_QUEUE, type PairRef } from '../../protocol/ids';
import { LOOK_AGAIN_AFTER_MS } from '../../activities/api-steps';

jest.setTimeout(180_000);

const P1 = 'zendesk-organizations-to-powerofficego-departments';
const Z3B = 'zendesk-organizations-to-crmoffice-companies';
let stack: TestStack;
/** While set, the department's first write of that name waits here (as behind a busy queue) until it returns. */
let holdDepartmentWrite: { name: string; hold: () => Promise<void> } | undefined;

beforeAll(async () => {
  stack = await startTestStack({
    sampleSize: 0,
    hooks: {
      async beforeWrite(pair: PairRef, side, body) {
        const held = holdDepartmentWrite;
        if (!held || pair.flowId !== P1 || side !== 'target' || body.Name !== held.name) return;
        holdDepartmentWrite = undefined;
        await held.hold();
      },
    },
  });
});
afterAll(async () => {
  await stack?.stop();
});

/** "Later" is decided to the whole second (Zendesk's resolution): the later edit goes into the next second. */
const nextSecond = () => new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));

test("a person's edit made while a write waited to start survives on all three systems", async () => {
  const { zendesk, poweroffice, crmoffice } = stack.connectors;
  const org = await zendesk.createOrganization({ name: 'Late Write AS' });
  await zendesk.createUser({
    name: 'Lena Late',
    email: 'lena.late@example.no',
    role: 'agent',
    organization_id: org.id,
  });
  await stack.env.client.workflow.execute('pollFeed', {
    taskQueue: TASK_QUEUE,
    workflowId: 'late-write-first-sync',
    args: [{ feed: 'zendesk/users', full: true }],
  });
  await stack.settle();
  const department = Number((await stack.store.getByZendeskId(P1, String(org.id)))!.targetId);
  const company = (await stack.store.getByZendeskId(Z3B, String(org.id)))!.targetId!;

  // The Zendesk rename, told as its webhook would. Its department write waits to start; meanwhile,
  // a second later, a person renames the department.
  let held = false;
  holdDepartmentWrite = {
    name: 'Renamed In Zendesk AS',
    hold: async () => {
      held = true;
      // Past the look-again bound for sure (the next second alone may be a few ms away), and in a
      // later second than the Zendesk rename, so the person's edit is the later one.
      await new Promise((r) => setTimeout(r, LOOK_AGAIN_AFTER_MS + 100));
      await nextSecond();
      await poweroffice.updateDepartment(department, { Name: 'Renamed By A Person AS' });
    },
  };
  await zendesk.updateOrganization(org.id, { name: 'Renamed In Zendesk AS' });
  await signalRecord(
    stack.env.client,
    { type: 'organizations', zendeskId: String(org.id) },
    { side: 'zendesk', via: 'webhook' },
  );
  await stack.env.client.workflow.getHandle(`zendesk/organizations/${org.id}`).result();

  expect(held).toBe(true);
  const names = {
    zendesk: (await zendesk.getOrganization(org.id)).name,
    department: (await poweroffice.getDepartment(department)).Name,
    company: (await crmoffice.getCompany(company)).name,
  };
  expect(names).toEqual({
    zendesk: 'Renamed By A Person AS',
    department: 'Renamed By A Person AS',
    company: 'Renamed By A Person AS',
  });
});
