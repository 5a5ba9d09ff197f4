/**
 * `tandem why` reads a record's runs newest first, and follows each run's first event back to the
 * run it continued as new from, also when the visibility list does not (yet) list that run.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { recordRuns } from '../../cli/why/record-history';
import { testEncryption } from '../helpers/temporal';

const WORKFLOW = 'zendesk/organizations/8000000001';

function started(at: string, continuedFrom?: string): temporal.api.history.v1.IHistoryEvent {
  const ms = Date.parse(at);
  return temporal.api.history.v1.HistoryEvent.fromObject({
    eventId: 1,
    eventTime: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 },
    workflowExecutionStartedEventAttributes: continuedFrom ? { continuedExecutionRunId: continuedFrom } : {},
  });
}

/** Runs r1 ← r2 ← r3 (each continued as new from the one before), and r0, an older separate run. */
const RUNS: Record<string, temporal.api.history.v1.IHistoryEvent[]> = {
  r0: [started('2026-12-01T10:00:00Z')],
  r1: [started('2026-12-02T10:00:00Z')],
  r2: [started('2026-12-02T11:00:00Z', 'r1')],
  r3: [started('2026-12-02T12:00:00Z', 'r2')],
};

function fakeClient(listed: string[], current: string): { client: Client; fetched: string[] } {
  const fetched: string[] = [];
  const startOf = (runId: string) => new Date(Date.parse('2026-12-01T10:00:00Z') + Number(runId.slice(1)) * 3_600_000);
  const client = {
    workflow: {
      async *list({ query }: { query: string }) {
        expect(query).toBe(`WorkflowId = ${JSON.stringify(WORKFLOW)}`);
        for (const runId of listed) yield { runId, startTime: startOf(runId) };
      },
      getHandle(workflowId: string, runId?: string) {
        expect(workflowId).toBe(WORKFLOW);
        return {
          describe: async () => ({ runId: current, startTime: startOf(current) }),
          fetchHistory: async () => {
            fetched.push(runId!);
            return { events: RUNS[runId!] };
          },
        };
      },
    },
  } as unknown as Client;
  return { client, fetched };
}

async function runIds(client: Client, stopAfter = Infinity): Promise<string[]> {
  const ids: string[] = [];
  for await (const run of recordRuns(client, [WORKFLOW], testEncryption().payloadCodec)) {
    ids.push(run.runId);
    if (ids.length >= stopAfter) break;
  }
  return ids;
}

test('the predecessors a run names are read right after it, when the list names only the current run', async () => {
  const { client } = fakeClient([], 'r3');
  expect(await runIds(client)).toEqual(['r3', 'r2', 'r1']);
});

test('runs the list names and runs the chain names are each read once, newest first', async () => {
  const { client, fetched } = fakeClient(['r3', 'r0', 'r1'], 'r3');
  expect(await runIds(client)).toEqual(['r3', 'r2', 'r1', 'r0']);
  expect(fetched).toEqual(['r3', 'r2', 'r1', 'r0']);
});

test('a reader that has enough stops reading older runs', async () => {
  const { client, fetched } = fakeClient(['r3', 'r0'], 'r3');
  expect(await runIds(client, 2)).toEqual(['r3', 'r2']);
  expect(fetched).toEqual(['r3', 'r2']);
});
