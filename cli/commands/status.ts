import { Command } from 'commander';
import { FLOW_IDS, feedOf, getFlow } from '../../flows';
import { LINK_STATES, type LinkStore } from '../../store';
import { listSchedules, plannedSchedules, type ScheduleRow } from '../../workers/schedules';
import type { Config } from '../../workers/config';
import {
  closeTemporal,
  configOf,
  connectTemporal,
  openConfigStore,
  readyConfigStore,
  printer,
  tenantConfigsOf,
  tenantsOf,
  withConfigOption,
  type TenantConfig,
  namedTenant,
} from '../context';
import { flowCode } from '../flow-names';
import { outputFormat, printJson, withOutputOption } from '../output';
import { positiveIntArg } from '../usage';

/** "3 min ago", for the lag since a side was last polled. */
function ago(iso: string, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

/** The schedules in Temporal, or why they could not be read: status still shows the store then. */
async function readSchedules(
  config: Pick<Config, 'temporal'> & { tenant: string },
): Promise<{ rows: ScheduleRow[] } | { error: string }> {
  try {
    const client = await connectTemporal(config, { timeoutMs: 3000 });
    try {
      return { rows: await listSchedules(client, config.tenant) };
    } finally {
      await closeTemporal(client);
    }
  } catch (err) {
    return { error: (err as Error).message };
  }
}

async function statusLines(
  store: LinkStore,
  schedules: { rows: ScheduleRow[] } | { error: string },
  config: Pick<Config, 'polling'> & { tenant: string },
  opts: { failures: number; now: Date },
): Promise<string[]> {
  const lines: string[] = [];
  const planned = plannedSchedules(config.polling, config.tenant);
  const inTemporal = 'rows' in schedules ? new Map(schedules.rows.map((r) => [r.id, r])) : undefined;
  if (!inTemporal)
    lines.push(
      `Temporal: ${'error' in schedules ? schedules.error : ''}`,
      '(schedules unknown; the link store follows)',
      '',
    );
  for (const flowId of FLOW_IDS) {
    const flow = getFlow(flowId);
    const counts = await store.counts(flowId);
    lines.push(`${flowCode(flowId)}  ${flowId}`);
    lines.push(
      `  links     ${LINK_STATES.map((s) => `${s} ${counts[s]}`).join(', ')}, retrying ${await store.countRetrying(flowId)}`,
    );
    for (const side of ['zendesk', 'target'] as const) {
      if (side === 'target' && flow.direction.mode !== 'two-way') continue;
      const feed = feedOf(flow, side);
      const cp = await store.getCheckpoint(feed);
      const polled = cp ? `last poll ${cp.updatedAt} (${ago(cp.updatedAt, opts.now)})` : 'never polled';
      const schedule = planned.find((s) => s.feed === feed);
      let sched = '';
      if (inTemporal && schedule) {
        const row = inTemporal.get(schedule.id);
        sched = row ? `, schedule ${row.paused ? 'paused' : 'running'}` : ', schedule missing (tandem schedules apply)';
      }
      const name = side === 'zendesk' ? 'zendesk' : flow.target.system;
      lines.push(`  ${name.padEnd(11)} ${polled}${sched}`);
    }
    const retrying = await store.listRetrying(flowId, opts.failures);
    if (retrying.length) {
      lines.push('  retrying (transient failures; the engine retries without limit):');
      for (const r of retrying)
        lines.push(`    ${r.zendeskId}  since ${r.since} (${ago(r.since, opts.now)})  ${r.lastError}`);
    }
    const review = await store.needingReview(flowId, opts.failures);
    if (review.length) {
      lines.push('  needing review (latest first):');
      for (const f of review)
        lines.push(
          `    ${f.zendeskId}  ${f.state.padEnd(8)}  ${f.updatedAt}  ${f.lastError ?? '(no reason recorded)'}`,
        );
    }
  }
  return lines;
}

/** The same facts as statusLines, for `--output json`. */
async function statusData(
  store: LinkStore,
  schedules: { rows: ScheduleRow[] } | { error: string },
  config: Pick<Config, 'polling'> & { tenant: string },
  opts: { failures: number },
) {
  const planned = plannedSchedules(config.polling, config.tenant);
  const inTemporal = 'rows' in schedules ? new Map(schedules.rows.map((r) => [r.id, r])) : undefined;
  const flows = [];
  for (const flowId of FLOW_IDS) {
    const flow = getFlow(flowId);
    const sides = [];
    for (const side of ['zendesk', 'target'] as const) {
      if (side === 'target' && flow.direction.mode !== 'two-way') continue;
      const feed = feedOf(flow, side);
      const cp = await store.getCheckpoint(feed);
      const schedule = planned.find((s) => s.feed === feed);
      const row = schedule && inTemporal?.get(schedule.id);
      sides.push({
        side,
        feed,
        system: side === 'zendesk' ? 'zendesk' : flow.target.system,
        lastPoll: cp?.updatedAt ?? null,
        schedule: !inTemporal ? 'unknown' : row ? (row.paused ? 'paused' : 'running') : 'missing',
      });
    }
    const review = (await store.needingReview(flowId, opts.failures)).map((f) => ({
      zendeskId: f.zendeskId,
      state: f.state,
      updatedAt: f.updatedAt,
      error: f.lastError,
    }));
    const retrying = (await store.listRetrying(flowId, opts.failures)).map((r) => ({
      zendeskId: r.zendeskId,
      since: r.since,
      error: r.lastError,
    }));
    flows.push({
      id: flowId,
      code: flowCode(flowId),
      links: await store.counts(flowId),
      retrying: await store.countRetrying(flowId),
      sides,
      latestRetrying: retrying,
      needingReview: review,
      latestFailures: review.filter((f) => f.state === 'failed'),
    });
  }
  return { temporal: 'error' in schedules ? { error: schedules.error } : { reachable: true }, flows };
}

/** One tenant in the summary of every tenant: its links by state, retrying, needing review, its polls and schedules. */
async function tenantSummary(config: TenantConfig<'temporal' | 'store' | 'polling'>, disabled: boolean) {
  const head = { tenant: config.tenant, state: disabled ? 'disabled' : 'enabled' };
  let store: LinkStore;
  try {
    store = await readyConfigStore(config, openConfigStore(config, { mustExist: true }));
  } catch (err) {
    return { ...head, error: (err as Error).message };
  }
  try {
    const data = await statusData(store, await readSchedules(config), config, { failures: 1 });
    const links = Object.fromEntries(
      LINK_STATES.map((s) => [s, data.flows.reduce((n, f) => n + f.links[s], 0)]),
    ) as Record<(typeof LINK_STATES)[number], number>;
    // A feed serves several flows: each counted once.
    const sides = [...new Map(data.flows.flatMap((f) => f.sides).map((s) => [s.feed, s])).values()];
    const polls = sides.map((s) => s.lastPoll);
    return {
      ...head,
      links,
      retrying: data.flows.reduce((n, f) => n + f.retrying, 0),
      needingReview: links.failed + links.orphaned + links.conflict,
      // The feed that has waited longest says most: a feed never polled, else the oldest poll.
      oldestPoll: polls.includes(null) ? null : ((polls as string[]).sort()[0] ?? null),
      neverPolled: polls.filter((p) => p === null).length,
      schedules: Object.fromEntries(
        ['running', 'paused', 'missing', 'unknown'].map((st) => [st, sides.filter((s) => s.schedule === st).length]),
      ),
    };
  } finally {
    await store.close();
  }
}

function summaryLine(t: Awaited<ReturnType<typeof tenantSummary>>, now: Date): string {
  if ('error' in t) return `${t.tenant} (${t.state})  ${t.error}`;
  const polls = t.neverPolled
    ? `${t.neverPolled} feed(s) never polled`
    : `oldest last poll ${t.oldestPoll} (${ago(t.oldestPoll!, now)})`;
  const schedules = Object.entries(t.schedules)
    .filter(([, n]) => n > 0)
    .map(([st, n]) => `${n} ${st}`)
    .join(', ');
  return `${t.tenant} (${t.state})  links ${LINK_STATES.map((s) => `${s} ${t.links[s]}`).join(', ')}; retrying ${t.retrying}; needing review ${t.needingReview}; ${polls}; schedules ${schedules}`;
}

export function statusCommand(): Command {
  return withOutputOption(withConfigOption(new Command('status')))
    .description(
      'per flow: links by state, pairs retrying and since when, when each side was last polled, the pairs needing review (failed, conflict, orphaned) with their reasons, and the schedules; with several tenants and no --tenant, a line for each tenant',
    )
    .option('--failures <n>', 'how many of the pairs needing review to show per flow', positiveIntArg, 5)
    .addHelpText(
      'after',
      '\nExample:\n  TANDEM_STORE=/var/lib/tandem/tandem.db tandem status --failures 10\n  tandem status --tenant acme',
    )
    .action(async (flags: { failures: number }, cmd: Command) => {
      const out = printer(cmd);
      const sections = ['temporal', 'store', 'polling'] as const;
      const tenants = tenantsOf(cmd);
      if (!namedTenant(cmd) && tenants.length > 1) {
        const configs = tenantConfigsOf(cmd, sections, { disabled: true });
        const summaries = [];
        for (const [i, config] of configs.entries()) summaries.push(await tenantSummary(config, tenants[i].disabled));
        if (outputFormat(cmd) === 'json') return printJson(cmd, { tenants: summaries });
        const now = new Date();
        for (const t of summaries) out(summaryLine(t, now));
        out('');
        out('One tenant in full: tandem status --tenant <name>');
        return;
      }
      // Read-only: the store and Temporal, no API credentials.
      const config = configOf(cmd, sections);
      const store = await readyConfigStore(config, openConfigStore(config, { mustExist: true }));
      try {
        const schedules = await readSchedules(config);
        if (outputFormat(cmd) === 'json')
          return printJson(cmd, await statusData(store, schedules, config, { failures: flags.failures }));
        for (const line of await statusLines(store, schedules, config, { failures: flags.failures, now: new Date() }))
          out(line);
      } finally {
        await store.close();
      }
    });
}
