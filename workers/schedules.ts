/**
 * One Temporal Schedule per change feed, starting that feed's poll workflow. Applying them is
 * idempotent: a schedule that exists is updated to the config, one that is missing is created.
 */
import { Client, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { FEEDS, feedsOfFlow, isFlowId } from '../flows';
import { TASK_QUEUE, pollWorkflowId } from '../protocol/ids';
import { DEFAULT_TENANT, splitTenantWorkflowId, tenantQueue, tenantWorkflowId } from '../protocol/tenants';
import { TENANT } from '../workflows/search-attributes';

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

/** Every schedule Tandem runs for a tenant: one per change feed (flows/feeds.ts). */
export function plannedSchedules(intervals: PollIntervals, tenant = DEFAULT_TENANT): PollSchedule[] {
  return FEEDS.map((feed) => ({
    id: pollWorkflowId(feed.id, tenant),
    feed: feed.id,
    everySeconds: intervals[feed.system],
  }));
}

function scheduleOptions(s: PollSchedule, tenant: string) {
  return {
    spec: { intervals: [{ every: s.everySeconds * 1000 }] },
    // The workflow id is the schedule's: with overlap SKIP, two polls of one feed never run at once.
    action: {
      type: 'startWorkflow' as const,
      workflowType: 'pollFeed',
      workflowId: s.id,
      taskQueue: tenantQueue(TASK_QUEUE, tenant),
      args: [{ feed: s.feed }],
      typedSearchAttributes: [{ key: TENANT, value: tenant }],
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
  tenant = DEFAULT_TENANT,
  opts: { resetIntervals?: boolean } = {},
): Promise<{ created: string[]; updated: string[]; kept: string[] }> {
  const created: string[] = [];
  const updated: string[] = [];
  const kept: string[] = [];
  const reset = opts.resetIntervals !== false;
  for (const s of plannedSchedules(intervals, tenant)) {
    const options = scheduleOptions(s, tenant);
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

/**
 * The tenant's poll schedules. Read from the raw listing: the client's own would decode every
 * schedule's memo, and another tenant's is encrypted under a key this tenant's client does not have.
 */
export async function listSchedules(client: Client, tenant = DEFAULT_TENANT): Promise<ScheduleRow[]> {
  const rows: ScheduleRow[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listSchedules({ namespace: client.options.namespace, nextPageToken });
    for (const s of page.schedules ?? []) {
      const own = splitTenantWorkflowId(s.scheduleId ?? '');
      if (own.tenant !== tenant || !own.id.startsWith('poll/')) continue;
      rows.push({
        id: s.scheduleId!,
        paused: s.info?.paused === true,
        note: s.info?.notes || undefined,
        nextRun: dateOf(s.info?.futureActionTimes?.[0]),
        lastRun: dateOf(s.info?.recentActions?.at(-1)?.actualTime),
      });
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return rows.sort((a, b) => a.id.localeCompare(b.id));
}

/** A protobuf timestamp (its seconds a Long) as a Date. */
function dateOf(t: { seconds?: unknown; nanos?: number | null } | null | undefined): Date | undefined {
  return t ? new Date(Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)) : undefined;
}

/** Resolves the ids a command names: one schedule id, a feed, a flow id (the feeds it reads) or every schedule. */
export function selectSchedules(intervals: PollIntervals, which?: string, tenant = DEFAULT_TENANT): string[] {
  const all = plannedSchedules(intervals, tenant).map((s) => s.id);
  if (!which) return all;
  const feeds = isFlowId(which) ? feedsOfFlow(which).map((f) => f.id) : [];
  const idOf = (feed: string) => pollWorkflowId(feed, tenant);
  const chosen = all.filter(
    (id) =>
      id === which || id === idOf(which) || id === tenantWorkflowId(which, tenant) || feeds.some((f) => id === idOf(f)),
  );
  if (!chosen.length) throw new Error(`no schedule matches "${which}"; schedules: ${all.join(', ')}`);
  return chosen;
}
