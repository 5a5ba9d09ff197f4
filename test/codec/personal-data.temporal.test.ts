/**
 * A real sync through `tandem worker` (run in-process, its output captured) against a real Temporal
 * dev server: no name or e-mail of a synced record is stored in Temporal in clear (the history as
 * the API returns it, and every payload's bytes read without the codec), the codec reads them back,
 * memos and failure messages are encrypted too, only ids and outcomes are in the search attributes,
 * and no configured secret is in anything the run logged or stored.
 */
import type { Payload } from '@temporalio/common';
import { simulatorEnvLines } from '../../cli/commands/simulators';
import { parseKey } from '../../codec/keys';
import { ENCODING } from '../../codec/encryption-codec';
import { TestStack, startTestStack } from '../helpers/stack';
import { TEST_ENCRYPTION_KEY, temporalEnvOf } from '../helpers/temporal';
import { pairWorkflowId } from '../../protocol/ids';
import { DEFAULT_TENANT } from '../../protocol/tenants';
import { startCli, type RunningCli } from '../cli/run-cli';

jest.setTimeout(240_000);

const P2 = 'zendesk-users-to-powerofficego-employees';
let stack: TestStack;
let refusedEmail = '';
let worker: RunningCli;
let stopWorker: () => void;
let cliEnv: Record<string, string>;

beforeAll(async () => {
  stack = await startTestStack({
    sampleSize: 40,
    // One employee is refused: its failure (message and stack) must be stored encrypted too.
    failWhen: {
      poweroffice: (method, url, body) =>
        refusedEmail &&
        method === 'POST' &&
        url.startsWith('/v2/Employees') &&
        JSON.stringify(body).includes(refusedEmail)
          ? 400
          : undefined,
    },
  });
  // The stack's own worker makes way for `tandem worker`, whose every log line the test reads.
  await stack.stopWorker();
  const simEnv = Object.fromEntries(
    simulatorEnvLines(stack.sims).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  cliEnv = {
    ...simEnv,
    ...temporalEnvOf(stack.env),
    TANDEM_STORE: stack.storePath,
    TANDEM_METRICS_PORT: '0',
    TANDEM_LOG_LEVEL: 'debug',
    TANDEM_RATE_ZENDESK: '1000',
    TANDEM_RATE_POWEROFFICE: '1000',
    TANDEM_RATE_CRMOFFICE: '1000',
    TANDEM_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    // Configured so that the test can look for it; the worker itself never needs it.
    ZENDESK_WEBHOOK_SECRET: 'webhook-secret-SECRET-5150',
  };
  worker = startCli(['worker'], { env: cliEnv, stop: new Promise<void>((r) => (stopWorker = r)) });
  await worker.waitForOut(/worker running/, 60_000);
});
afterAll(async () => {
  stopWorker?.();
  await worker?.done;
  await stack?.stop();
});

interface Found {
  path: string;
  payload: Payload;
}

/** Every payload in a history (or any message), with where it sits. */
function payloadsIn(value: unknown, path = '', out: Found[] = []): Found[] {
  if (!value || typeof value !== 'object' || value instanceof Uint8Array) return out;
  const v = value as Record<string, unknown>;
  if (
    v.metadata &&
    typeof v.metadata === 'object' &&
    (v.data === undefined || v.data === null || v.data instanceof Uint8Array)
  ) {
    out.push({ path, payload: v as Payload });
    return out;
  }
  for (const [k, child] of Object.entries(v)) payloadsIn(child, `${path}.${k}`, out);
  return out;
}

const utf8 = (b?: Uint8Array | null) => Buffer.from(b ?? []).toString('utf8');
const encodingOf = (p: Payload) => utf8(p.metadata?.encoding);

test('a synced record leaves no name or e-mail in Temporal in clear; the codec reads them back', async () => {
  const users = (await stack.connectors.zendesk.listUsers({ pageSize: 100 })).items;
  const staff = users.filter((u) => u.role === 'agent' || u.role === 'admin');
  expect(staff.length).toBeGreaterThan(1);
  refusedEmail = staff[0].email!;

  const totals = await stack.poll(P2, 'zendesk', true);
  expect(totals.outcomes.failed).toBe(1);
  expect(totals.outcomes.created).toBeGreaterThan(0);

  const client = stack.env.client;
  const histories = [];
  for await (const wf of client.workflow.list())
    histories.push(await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory());
  expect(histories.length).toBeGreaterThan(staff.length);

  const personal = users.flatMap((u) => [u.name, u.email!]).filter(Boolean);
  const found = histories.flatMap((h) => payloadsIn(h));
  // Read without the codec: the history as JSON (failure messages are strings there), every payload's bytes, and as base64.
  const rawText = [
    JSON.stringify(histories),
    ...found.map((f) => utf8(f.payload.data)),
    ...found.map((f) => Buffer.from(f.payload.data ?? []).toString('latin1')),
  ].join('\n');
  for (const p of personal) expect({ p, inClear: rawText.includes(p) }).toEqual({ p, inClear: false });

  // Plain payloads only in the search attributes (ids, outcomes and patch ids, by design), all else encrypted.
  const plain = found.filter((f) => encodingOf(f.payload) !== ENCODING);
  const allowedInClear = (f: (typeof found)[number]): boolean => {
    // Besides: the SDK core's own note on each local activity (its seq, type and times; the result is encrypted).
    if (/markerRecordedEventAttributes\.details\.data\.payloads\.\d+$/.test(f.path))
      return Object.keys(JSON.parse(utf8(f.payload.data))).includes('activity_type');
    // And the SDK's note of a patch (`patched('target-index')`): its id and whether it is deprecated, nothing else.
    if (/markerRecordedEventAttributes\.details\.patch-data\.payloads\.\d+$/.test(f.path)) {
      const note = JSON.parse(utf8(f.payload.data)) as Record<string, unknown>;
      return (
        Object.keys(note).sort().join() === 'deprecated,id' &&
        note.deprecated === false &&
        /^[a-z]+(-[a-z]+)*$/.test(String(note.id))
      );
    }
    // TemporalChangeVersion: the SDK's list of the patches a run took (their ids).
    return /searchAttributes\.indexedFields\.(Tandem(Kind|Flows?|FlowOutcomes|ZendeskId|TargetIds?|Outcome|Tenant)|TemporalChangeVersion)$/.test(
      f.path,
    );
  };
  expect(plain.filter((f) => !allowedInClear(f)).map((f) => ({ path: f.path, data: utf8(f.payload.data) }))).toEqual(
    [],
  );
  expect(found.length - plain.length).toBeGreaterThan(100);

  // Failure messages go through the codec: the refused employee's failure reads "Encoded failure" in clear.
  // Besides: the server's own word when a signal arrives just as a run completes (it carries no data).
  const failures = (JSON.stringify(histories).match(/"message":"[^"]*"/g) ?? []).filter(
    (m) => m !== '"message":"UnhandledCommand"',
  );
  expect(failures.length).toBeGreaterThan(0);
  for (const m of failures) expect(m).toBe('"message":"Encoded failure"');

  // With the codec (as the worker and the Web UI's codec endpoint read them): every synced staff member is there.
  const decoded = (await stack.encryption.payloadCodec.decode(found.map((f) => f.payload)))
    .map((p) => utf8(p.data))
    .join('\n');
  for (const u of staff) {
    expect(decoded).toContain(u.name);
    expect(decoded).toContain(u.email);
  }

  // The memo (upsertMemo in the workflow) is encrypted by the codec too; the client reads it.
  const refusedPair = (await stack.store.listLinks(P2, { limit: 100 })).find((l) => l.state === 'failed');
  const id = refusedPair ? pairWorkflowId({ flowId: P2, zendeskId: refusedPair.zendeskId }, DEFAULT_TENANT) : undefined;
  const failedWf =
    id ??
    (await (async () => {
      for await (const wf of client.workflow.list({ query: `TandemOutcome = "failed"` })) return wf.workflowId;
    })());
  const raw = await client.workflowService.describeWorkflowExecution({
    namespace: client.options.namespace,
    execution: { workflowId: failedWf },
  });
  const memoFields = Object.values(raw.workflowExecutionInfo?.memo?.fields ?? {});
  expect(memoFields.length).toBeGreaterThan(0);
  for (const f of memoFields) expect(encodingOf(f)).toBe(ENCODING);
  expect(String((await client.workflow.getHandle(failedWf!).describe()).memo?.summary)).toMatch(/^failed: .*400/);
});

test('no configured secret is in what the worker logged or what Temporal stores, raw or decoded', async () => {
  const key = parseKey(TEST_ENCRYPTION_KEY, 'test');
  const secretNames = [
    'ZENDESK_API_TOKEN',
    'POWEROFFICE_APPLICATION_KEY',
    'POWEROFFICE_CLIENT_KEY',
    'POWEROFFICE_SUBSCRIPTION_KEY',
    'CRMOFFICE_CLIENT_SECRET',
    'CRMOFFICE_REFRESH_TOKEN',
    'ZENDESK_WEBHOOK_SECRET',
  ];
  const secrets = [
    ...secretNames.map((n) => cliEnv[n]),
    TEST_ENCRYPTION_KEY,
    key.toString('hex'),
    key.toString('base64url'),
  ];
  for (const [i, s] of secrets.entries())
    expect({ i, s: typeof s === 'string' && s.length >= 8 }).toEqual({ i, s: true });

  const client = stack.env.client;
  const histories = [];
  for await (const wf of client.workflow.list())
    histories.push(await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory());
  const found = histories.flatMap((h) => payloadsIn(h)).map((f) => f.payload);
  const decoded = await stack.encryption.payloadCodec.decode(found);
  const stored = [
    JSON.stringify(histories),
    ...found.map((p) => utf8(p.data)),
    ...decoded.map((p) => utf8(p.data)),
  ].join('\n');
  const logged = worker.out() + worker.err();
  expect(logged).toMatch(/payloads are encrypted/);
  for (const s of secrets) {
    expect(logged).not.toContain(s);
    expect(stored).not.toContain(s);
  }
});
