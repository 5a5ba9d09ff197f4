/**
 * An idle poll of every change feed (bench part 3, and the many-workers part after its sync): what a
 * poll costs when nothing changed since the last one, per feed.
 */
import type { Client } from '@temporalio/client';
import type { AllSimulators } from '../simulators/all';
import { requestCount } from '../simulators/kit';
import { FEEDS, type Feed } from '../flows/feeds';
import { TASK_QUEUE } from '../protocol/ids';
import type { PollIntervals } from '../workers/schedules';
import { BUSY_QUERY } from '../workflows/search-attributes';

export interface IdlePoll {
  requests: number;
  workflowsStarted: number;
  ms: number;
}

/** Requests the three simulators have answered so far. */
export function requestsSoFar(sims: Pick<AllSimulators, 'zendesk' | 'poweroffice' | 'crmoffice'>): number {
  return [sims.zendesk, sims.poweroffice, sims.crmoffice].reduce((sum, s) => sum + requestCount(s.stats), 0);
}

export async function untilNoPairAtWork(client: Client): Promise<void> {
  while ((await client.workflow.count(BUSY_QUERY)).count > 0) await new Promise((r) => setTimeout(r, 250));
}

/**
 * Two rounds first, so what one feed's first poll writes (the tickets feed's activities) has been
 * read by the others; then one poll of each feed, measured.
 */
export async function idlePolls(
  client: Client,
  sims: Pick<AllSimulators, 'zendesk' | 'poweroffice' | 'crmoffice'>,
  idPrefix: string,
  feeds: readonly Feed[] = FEEDS,
): Promise<Record<string, IdlePoll>> {
  const poll = (feed: string, id: string) =>
    client.workflow.execute('pollFeed', {
      taskQueue: TASK_QUEUE,
      workflowId: `${idPrefix}/${id}/${feed}`,
      args: [{ feed }],
    });
  const records = async () => (await client.workflow.count('TandemKind = "record"')).count;
  for (const round of [1, 2]) {
    for (const feed of feeds) await poll(feed.id, `settle-${round}`);
    await untilNoPairAtWork(client);
  }
  const idle: Record<string, IdlePoll> = {};
  for (const feed of feeds) {
    const [requestsBefore, recordsBefore, t0] = [requestsSoFar(sims), await records(), performance.now()];
    await poll(feed.id, 'idle');
    const ms = Math.round(performance.now() - t0);
    idle[feed.id] = {
      requests: requestsSoFar(sims) - requestsBefore,
      workflowsStarted: (await records()) - recordsBefore,
      ms,
    };
  }
  return idle;
}

export interface IdleHour {
  /** Poll workflows the schedules start: one per feed each interval. */
  pollWorkflows: number;
  /** Record workflows those polls start, at what each feed's idle poll started. */
  recordWorkflows: number;
  /** Requests those polls make, at what each feed's idle poll made. */
  requests: number;
}

/** An idle hour at these intervals: every feed polled by its schedule, each poll costing what its idle poll did. */
export function idleHour(
  idle: Record<string, IdlePoll>,
  intervals: PollIntervals,
  feeds: readonly Feed[] = FEEDS,
): IdleHour {
  const hour: IdleHour = { pollWorkflows: 0, recordWorkflows: 0, requests: 0 };
  for (const feed of feeds) {
    const polls = 3600 / intervals[feed.system];
    hour.pollWorkflows += polls;
    hour.recordWorkflows += polls * (idle[feed.id]?.workflowsStarted ?? 0);
    hour.requests += polls * (idle[feed.id]?.requests ?? 0);
  }
  return hour;
}
