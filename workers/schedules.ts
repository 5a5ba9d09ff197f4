/**
 * One Temporal Schedule per change feed, starting that feed's poll workflow. Applying them is
 * idempotent: a schedule that exists is updated to the config, one that is missing is created.
 */
import { Client, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { FEEDS, feedsOfFlow, isFlowId } from '../flows';
import { TASK_QUEUE, pollWorkflowId } from '../protocol/ids';

export interface PollIntervals {
  /** Seconds between polls, per system. */
  zendesk: number;
  poweroffice: number;
  crmoffice: number;
}

export interface PollSchedule {
  id: string;
  feed: string;
  everySeconds: number;
}

/** Every schedule Tandem runs: one per change feed (flows/feeds.ts). */
export function plannedSchedules(intervals: PollIntervals): PollSchedule[] {
  return FEEDS.map((feed) => ({ id: scheduleId(feed.id), feed: feed.id, everySeconds: intervals[feed.system] }));
}

function scheduleId(feed: string): string {
  return pollWorkflowId(feed);
}

function scheduleOptions(s: PollSchedule, taskQueue: string) {
  return {
    spec: { intervals: [{ every: s.everySeconds * 1000 }] },
    // The workflow id is the schedule's: with overlap SKIP, two polls of one feed never run at once.
    action: {
      type: 'startWorkflow' as const,
      workflowType: 'pollFeed',
      workflowId: s.id,
      taskQueue,
      args: [{ feed: s.feed }],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 5 * 60 * 1000 },
    memo: { summary: `Polls the change feed ${s.feed} every ${s.everySeconds} s` },
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
        return {
          ...prev,
          spec: keptSpec ? prev.spec : options.spec,
          action: options.action,
          policies: { ...prev.policies, ...options.policies },
        };
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
    rows.push({
      id: s.scheduleId,
      paused: s.state.paused,
      note: s.state.note,
      nextRun: s.info.nextActionTimes[0],
      lastRun: s.info.recentActions.at(-1)?.takenAt,
    });
  }
  return rows.sort((a, b) => a.id.localeCompare(b.id));
}

/** Resolves the ids a command names: one schedule id, a feed, a flow id (the feeds it reads) or every schedule. */
export function selectSchedules(intervals: PollIntervals, which?: string): string[] {
  const all = plannedSchedules(intervals).map((s) => s.id);
  if (!which) return all;
  const feeds = isFlowId(which) ? feedsOfFlow(which).map((f) => f.id) : [];
  const chosen = all.filter(
    (id) => id === which || id === scheduleId(which) || feeds.some((f) => id === scheduleId(f)),
  );
  if (!chosen.length) throw new Error(`no schedule matches "${which}"; schedules: ${all.join(', ')}`);
  return chosen;
}
