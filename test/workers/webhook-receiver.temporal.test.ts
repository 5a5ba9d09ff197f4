import { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowNotFoundError } from '@temporalio/client';
import { sharedTemporal } from '../helpers/temporal';
import { startWebhookReceiver, RunningReceiver } from '../../workers/webhook-receiver';
import { createMetrics } from '../../workers/metrics';
import { createLogger } from '../../workers/logger';
import { SECRET, commentEvent, signed, userEvent } from './webhook-fixtures';

// A real dev server and the real signalPair: no worker, so started record workflows just sit queued.
let env: TestWorkflowEnvironment;
let receiver: RunningReceiver;
const started = new Set<string>();

beforeAll(async () => {
  env = await sharedTemporal();
  receiver = await startWebhookReceiver({
    port: 0,
    client: env.client,
    secret: SECRET,
    metrics: createMetrics(),
    logger: createLogger('test', 'silent'),
  });
});

afterAll(async () => {
  await receiver?.close();
  for (const id of started) {
    await env.client.workflow
      .getHandle(id)
      .terminate('test cleanup')
      .catch(() => undefined);
  }
  await env?.teardown();
});

async function post(body: string, headers: Record<string, string>): Promise<number> {
  const res = await fetch(`${receiver.url}/webhooks/zendesk`, { method: 'POST', body, headers });
  return res.status;
}

async function exists(workflowId: string): Promise<boolean> {
  try {
    await env.client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

const now = () => new Date().toISOString();

test("an accepted webhook starts its Zendesk record's workflow, with the change of every routed pair signalled once", async () => {
  const body = JSON.stringify(commentEvent('7001', '8001'));
  expect(await post(body, signed(body, { timestamp: now() }))).toBe(202);

  // A comment's event routes to the comment's pair and its ticket's: both are the ticket's workflow's.
  const id = 'zendesk/tickets/7001';
  started.add(id);
  const handle = env.client.workflow.getHandle(id);
  const description = await handle.describe();
  expect(description.type).toBe('syncZendeskRecord');
  expect(description.status.name).toBe('RUNNING');
  expect(description.searchAttributes.TandemZendeskId).toEqual(['7001']);
  const history = await handle.fetchHistory();
  const signals = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes);
  expect(signals.map((e) => e.workflowExecutionSignaledEventAttributes?.signalName)).toEqual(['changed']);
});

test('a rejected webhook starts no workflow', async () => {
  const body = JSON.stringify(userEvent('5550001'));
  expect(await post(body, signed(body, { secret: 'wrong-secret', timestamp: now() }))).toBe(401);
  const stale = new Date(Date.now() - 10 * 60_000).toISOString();
  expect(await post(body, signed(body, { timestamp: stale }))).toBe(401);
  const ids = ['zendesk/users/5550001'];
  for (const id of ids) expect(await exists(id)).toBe(false);

  // The same event, signed right, does start them: the absence above was the rejection's doing.
  ids.forEach((id) => started.add(id));
  expect(await post(body, signed(body, { timestamp: now() }))).toBe(202);
  for (const id of ids) expect(await exists(id)).toBe(true);
});
