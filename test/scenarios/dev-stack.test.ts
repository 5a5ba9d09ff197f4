/**
 * End to end, as `tandem dev` runs it: Temporal dev server, simulators, worker, webhook receiver and
 * schedules. An edit in Zendesk arrives through the signed webhook; an edit in PowerOffice through
 * the scheduled poll.
 */
import type { DevStack } from '../../workers/dev-stack';
import { startTestDevStack } from '../helpers/dev-stack';
import { createConnectors } from '../../workers/connectors';
import type { Connectors } from '../../activities/record-access';
import { TransientApiError } from '../../connectors/errors';

jest.setTimeout(240_000);

const P1 = 'zendesk-organizations-to-powerofficego-departments';
let stack: DevStack;
let api: Connectors;

beforeAll(async () => {
  stack = await startTestDevStack({
    // Zendesk's side is left to the webhooks: its poll comes once at start, then in a minute.
    intervals: { zendesk: 60, poweroffice: 2, crmoffice: 2 },
  });
  api = createConnectors(stack.sims.configs);
});
afterAll(async () => {
  await stack?.stop();
});

/** The test's own API calls share the simulators' rate limits with the worker: retry what they refuse. */
async function retrying<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof TransientApiError) || attempt >= 10) throw err;
      await new Promise((r) => setTimeout(r, err.retryAfterMs ?? 500));
    }
  }
}

async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await retrying(read);
    if (ok(value)) return value;
    if (Date.now() > until) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('a Zendesk edit reaches PowerOffice by webhook, a PowerOffice edit reaches Zendesk by the scheduled poll', async () => {
  // The first sync, triggered at start, links departments for the organisations of agents.
  const link = await eventually(
    'a linked department',
    async () => (await stack.store.listLinks(P1, { state: 'linked', limit: 1 }))[0],
    (l) => l !== undefined,
  );

  const started = Date.now();
  await retrying(() =>
    api.zendesk.updateOrganization(Number(link.zendeskId), { name: 'Renamed Through The Webhook AS' }),
  );
  await eventually(
    'department renamed',
    async () => (await api.poweroffice.getDepartment(Number(link.targetId))).Name,
    (n) => n === 'Renamed Through The Webhook AS',
    20_000,
  );
  expect(Date.now() - started).toBeLessThan(20_000);
  expect(stack.sims.zendesk.deliveries.delivered).toBeGreaterThan(0);

  await retrying(() => api.poweroffice.updateDepartment(Number(link.targetId), { Name: 'Renamed In PowerOffice AS' }));
  await eventually(
    'organisation renamed',
    async () => (await api.zendesk.getOrganization(Number(link.zendeskId))).name,
    (n) => n === 'Renamed In PowerOffice AS',
    30_000,
  );

  const exposed = await (await fetch(`${stack.metrics.url}/metrics`)).text();
  expect(exposed).toMatch(/tandem_api_calls_total\{tenant="default",system="poweroffice",status="200"\} [1-9]/);
  expect(exposed).toMatch(
    /tandem_sync_total\{tenant="default",flow="zendesk-organizations-to-powerofficego-departments",outcome="updated"\} [1-9]/,
  );
  expect(exposed).toMatch(/tandem_webhooks_total\{tenant="default",result="accepted"\} [1-9]/);
});

test("the dev stack's histories are encrypted with its own key, and its codec endpoint (as the UI is given it) decodes them", async () => {
  const [wf] = await (async () => {
    const found = [];
    for await (const w of stack.client.workflow.list({ query: 'TandemKind = "record"' })) if (found.push(w) >= 1) break;
    return found;
  })();
  const history = await stack.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
  const input = history.events![0].workflowExecutionStartedEventAttributes!.input!.payloads![0];
  expect(Buffer.from(input.metadata!.encoding!).toString()).toBe('binary/encrypted');
  const json = {
    metadata: Object.fromEntries(
      Object.entries(input.metadata!).map(([k, v]) => [k, Buffer.from(v!).toString('base64')]),
    ),
    data: Buffer.from(input.data!).toString('base64'),
  };
  const r = await fetch(`${stack.codec.uiEndpoint}/decode`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ payloads: [json] }),
  });
  expect(r.status).toBe(200);
  const [decoded] = ((await r.json()) as { payloads: { metadata: Record<string, string>; data: string }[] }).payloads;
  expect(Buffer.from(decoded.metadata.encoding, 'base64').toString()).toBe('json/plain');
  expect(JSON.parse(Buffer.from(decoded.data, 'base64').toString())).toMatchObject({
    type: expect.any(String),
    zendeskId: expect.any(String),
  });
});
