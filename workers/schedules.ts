/**
 * One Temporal Schedule per flow and side, starting that side's poll workflow. Applying them is
 * idempotent: a schedule that exists is updated to the config, one that is missing is created.
 */
import { Client, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { FLOW_IDS, FlowDefinition, getFlow } from '../flows';
import type { PollSide } from '../activities/types';
import { TASK_QUEUE, pollWorkflowId } from '../workflows/ids';

export interface PollIntervals {
  /** Seconds between polls, per system. */
  zendesk: number;
  poweroffice: number;
  crmoffice: number;
}

export interface PollSchedule {
  id: string;
  flowId: string;
  side: PollSide;
  everySeconds: number;
}

/** Every schedule Tandem runs: the Zendesk side of each flow, and the target side of two-way flows. */
export function plannedSchedules(intervals: PollIntervals): PollSchedule[] {
  const out: PollSchedule[] = [];
  for (const id of FLOW_IDS) {
    const flow: FlowDefinition = getFlow(id);
    out.push({ id: scheduleId(id, 'zendesk'), flowId: id, side: 'zendesk', everySeconds: intervals.zendesk });
    if (flow.direction.mode === 'two-way') out.push({ id: scheduleId(id, 'target'), flowId: id, side: 'target', everySeconds: intervals[flow.target.system] });
  }
  return out;
}

export function scheduleId(flowId: string, side: PollSide): string {
  return pollWorkflowId(flowId, side);
}

function scheduleOptions(s: PollSchedule, taskQueue: string) {
  return {
    spec: { intervals: [{ every: s.everySeconds * 1000 }] },
    action: { type: 'startWorkflow' as const, workflowType: 'pollFlow', workflowId: s.id, taskQueue, args: [{ flowId: s.flowId, side: s.side }] },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 5 * 60 * 1000 },
    memo: { summary: `Polls the ${s.side} side of ${s.flowId} every ${s.everySeconds} s` },
  };
}

/**
 * `resetIntervals: false` keeps the interval of a schedule that exists (someone chose it: `tandem
 * dev`, an operator in the UI); only new schedules get the config's. `kept` lists those.
 */
export async function applySchedules(
  client: Client,
  intervals: PollIntervals,
  taskQueue = TASK_QUEUE,
  opts: { resetIntervals?: boolean } = {},
): Promise<{ created: string[]; updated: string[]; kept: string[] }> {
  const created: string[] = [];
  const updated: string[] = [];
  const kept: string[] = [];
  const reset = opts.resetIntervals !== false;
  for (const s of plannedSchedules(intervals)) {
    const options = scheduleOptions(s, taskQueue);
    const handle = client.schedule.getHandle(s.id);
    try {
      let keptSpec = false;
      await handle.update((prev) => {
        keptSpec = !reset && (prev.spec.intervals?.length ?? 0) > 0;
        return { ...prev, spec: keptSpec ? prev.spec : options.spec, action: options.action, policies: { ...prev.policies, ...options.policies } };
      });
      (keptSpec ? kept : updated).push(s.id);
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      await client.schedule.create({ scheduleId: s.id, ...options });
      created.push(s.id);
    }
  }
  return { created, updated, kept };
}

export interface ScheduleRow {
  id: string;
  paused: boolean;
  note?: string;
  nextRun?: Date;
  lastRun?: Date;
}

export async function listSchedules(client: Client): Promise<ScheduleRow[]> {
  const rows: ScheduleRow[] = [];
  for await (const s of client.schedule.list()) {
    if (!s.scheduleId.startsWith('poll/')) continue;
    rows.push({ id: s.scheduleId, paused: s.state.paused, note: s.state.note, nextRun: s.info.nextActionTimes[0], lastRun: s.info.recentActions.at(-1)?.takenAt });
  }
  return rows.sort((a, b) => a.id.localeCompare(b.id));
}

/** Resolves the ids a command names: one schedule id, a flow id (both sides) or every schedule. */
export function selectSchedules(intervals: PollIntervals, which?: string): string[] {
  const all = plannedSchedules(intervals).map((s) => s.id);
  if (!which) return all;
  const chosen = all.filter((id) => id === which || id.startsWith(`poll/${which}/`));
  if (!chosen.length) throw new Error(`no schedule matches "${which}"; schedules: ${all.join(', ')}`);
  return chosen;
}
