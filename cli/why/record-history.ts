/**
 * A record workflow's runs as `tandem why` reads them: the steps of its history that carry a
 * decision or a write, their payloads decoded with Tandem's codec (histories are encrypted). Only
 * what the trace needs is decoded: the reads' results (whole records) stay as they are.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload, type PayloadCodec } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Local activities whose results say which pair is synced and what was decided. */
const LOCAL_STEPS = new Set(['readLink', 'decideMerge', 'saveLink']);
/** Activities that write a record: their input is the pair and the body. */
const WRITE_STEPS = new Set(['updateTarget', 'updateZendesk', 'createTarget']);

export type HistoryStep =
  | { kind: 'local'; activity: string; result: unknown; eventId: number; at: string }
  | {
      kind: 'write';
      activity: string;
      input: unknown[];
      eventId: number;
      at: string;
      done?: { at: string; result: unknown };
      failed?: boolean;
    }
  | { kind: 'signal'; name: string; input: unknown[]; eventId: number; at: string };

export interface RunHistory {
  workflowId: string;
  runId: string;
  startedAt: string;
  /** The run this one continued as new from (the first event names it). */
  continuedFrom?: string;
  steps: HistoryStep[];
}

function timeOf(e: HistoryEvent): string {
  const t = e.eventTime;
  if (!t) return new Date(0).toISOString();
  return new Date(Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)).toISOString();
}

async function decodeAll(
  codec: PayloadCodec,
  payloads: readonly temporal.api.common.v1.IPayload[] | null | undefined,
): Promise<unknown[]> {
  if (!payloads?.length) return [];
  const decoded = await codec.decode(payloads as Payload[]);
  return decoded.map((p) => defaultPayloadConverter.fromPayload(p));
}

/** The marker's note of which local activity it records (plain JSON the SDK writes beside the result). */
function localActivityType(e: HistoryEvent): string | undefined {
  const data = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
  if (!data) return undefined;
  try {
    return (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }).activity_type;
  } catch {
    return undefined;
  }
}

/** One run's history, reduced to its decisions, writes and signals, decoded. */
export async function decodeRun(
  workflowId: string,
  runId: string,
  events: readonly HistoryEvent[],
  codec: PayloadCodec,
): Promise<RunHistory> {
  const steps: HistoryStep[] = [];
  const writes = new Map<number, Extract<HistoryStep, { kind: 'write' }>>();
  const first = events[0]?.workflowExecutionStartedEventAttributes;
  for (const e of events) {
    const eventId = Number(e.eventId ?? 0);
    const at = timeOf(e);
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName === 'core_local_activity') {
      const activity = localActivityType(e);
      if (!activity || !LOCAL_STEPS.has(activity)) continue;
      const [result] = await decodeAll(codec, marker.details?.result?.payloads);
      steps.push({ kind: 'local', activity, result, eventId, at });
      continue;
    }
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const activity = scheduled.activityType?.name ?? '';
      if (!WRITE_STEPS.has(activity)) continue;
      const step = {
        kind: 'write' as const,
        activity,
        input: await decodeAll(codec, scheduled.input?.payloads),
        eventId,
        at,
      };
      writes.set(eventId, step);
      steps.push(step);
      continue;
    }
    const completed = e.activityTaskCompletedEventAttributes;
    if (completed) {
      const step = writes.get(Number(completed.scheduledEventId ?? 0));
      if (step) step.done = { at, result: (await decodeAll(codec, completed.result?.payloads))[0] };
      continue;
    }
    const ended =
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes ??
      e.activityTaskCanceledEventAttributes;
    if (ended) {
      const step = writes.get(Number(ended.scheduledEventId ?? 0));
      if (step) step.failed = true;
      continue;
    }
    const signal = e.workflowExecutionSignaledEventAttributes;
    if (signal)
      steps.push({
        kind: 'signal',
        name: signal.signalName ?? '',
        input: await decodeAll(codec, signal.input?.payloads),
        eventId,
        at,
      });
  }
  return {
    workflowId,
    runId,
    startedAt: events[0] ? timeOf(events[0]) : new Date(0).toISOString(),
    continuedFrom: first?.continuedExecutionRunId || undefined,
    steps,
  };
}

interface RunRef {
  workflowId: string;
  runId: string;
  startedAt: string;
}

/**
 * Every run of these workflow ids Temporal still keeps, newest first: the runs the visibility store
 * lists, and the ones each run's first event names as its predecessor (continue-as-new), in case
 * the list is behind.
 */
export async function* recordRuns(
  client: Client,
  workflowIds: readonly string[],
  codec: PayloadCodec,
): AsyncGenerator<RunHistory> {
  const known = new Map<string, RunRef>();
  for (const workflowId of workflowIds) {
    for await (const wf of client.workflow.list({ query: `WorkflowId = ${JSON.stringify(workflowId)}` })) {
      known.set(wf.runId, { workflowId, runId: wf.runId, startedAt: wf.startTime.toISOString() });
    }
    // The list may lag behind a run that started a moment ago: the current run is asked for directly.
    const current = await client.workflow
      .getHandle(workflowId)
      .describe()
      .catch(() => undefined);
    if (current && !known.has(current.runId))
      known.set(current.runId, { workflowId, runId: current.runId, startedAt: current.startTime.toISOString() });
  }
  const done = new Set<string>();
  const queue = [...known.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  while (queue.length) {
    const next = queue.shift()!;
    if (done.has(next.runId)) continue;
    done.add(next.runId);
    const history = await client.workflow.getHandle(next.workflowId, next.runId).fetchHistory();
    const run = await decodeRun(next.workflowId, next.runId, history.events ?? [], codec);
    yield run;
    if (run.continuedFrom && !done.has(run.continuedFrom) && !queue.some((q) => q.runId === run.continuedFrom)) {
      // Its predecessor started before it: it goes right after it, ahead of older runs.
      queue.unshift({ workflowId: next.workflowId, runId: run.continuedFrom, startedAt: run.startedAt });
    }
  }
}
