/**
 * The bench's tenant-isolation part (`--isolation`): one installation serving two tenants as
 * production runs it (the Temporal dev server, `tandem worker` and `tandem webhooks serve`, each an
 * OS process of its own serving every tenant file of the tenants folder; each tenant's simulators,
 * with their real rate limits, in the bench's process). Tenant B, small and synced first, has its
 * organisations renamed in Zendesk, each rename timed until B's PowerOffice Go and Crmoffice answer
 * its writes: once with B alone at work, once while tenant A runs a first sync of many users with
 * its PowerOffice Go answering 429 to one request in five. The tenants share the processes and their
 * cores, not their API budgets: beside the latencies it prints each tenant's 429s, how long B's
 * activities waited on their task queues, each system queue's backlog, and each process's CPU.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { encryptionOf } from '../codec/data-converter';
import type { FlowId } from '../flows';
import { newKey } from '../codec/keys';
import { SYSTEMS, TASK_QUEUE, type System } from '../protocol/ids';
import { tenantQueue, tenantWorkflowId } from '../protocol/tenants';
import { startAllSimulators, type AllSimulators } from '../simulators/all';
import { requestCount } from '../simulators/kit';
import { openStore, type LinkStore } from '../store';
import { createConnectors } from '../workers/connectors';
import { freePort } from '../workers/free-port';
import { settingsOf } from '../workers/settings-file';
import { tenantStoreUrl, writeTenantFile } from '../workers/tenants';
import type { PollTotals } from '../workflows/poll';
import { BUSY_QUERY } from '../workflows/search-attributes';
import { P1, P2, Z3, Z3B } from './chaos/flows';
import { WorkerPool } from './chaos/worker-pool';
import { summary, type LatencySummary } from './latency';
import { cpuSeconds } from './process-stats';
import {
  ARRIVAL_BOUND_MS,
  startBenchTemporal,
  eventMs,
  startWebhooksServe,
  stopProc,
  untilNoPairAtWork,
  type Proc,
} from './production-layout';

const A = 'tenant-a';
const B = 'tenant-b';
type Tenant = typeof A | typeof B;
/** The issue's fault: A's PowerOffice Go answers 429 to one request in five (injected, under its limit). */
const A_TOO_MANY_RATE = 0.2;
/** A first sync of some thousand users takes minutes at the real limits; past this it is reported unfinished. */
const SYNC_BOUND_MS = 30 * 60_000;
/** Run 2 starts once A's sync is creating records (its Crmoffice has taken this many writes), so B's renames meet it under way. */
const A_UNDER_WAY_WRITES = 100;
const A_UNDER_WAY_BOUND_MS = 5 * 60_000;
/** How often each system queue's backlog is read during a run. */
const BACKLOG_EVERY_MS = 1000;
/** Temporal's TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY (wire protocol). */
const TASK_QUEUE_TYPE_ACTIVITY = 2;

/** Answers 429, per system: for going over the real limit, and injected on purpose (A's fault). */
type Answers429 = Record<System, { overLimit: number; injected: number }>;

export interface IsolationRun {
  /** From the first rename until no pair of B's was at work after the last. */
  seconds: number;
  renameToDepartmentMs: LatencySummary & { missed: number };
  renameToCompanyMs: LatencySummary & { missed: number };
  /**
   * The rename's path split where `webhooks serve` logs it accepted (its signal-with-start answered):
   * before, the Zendesk simulator's webhook, the receiver and the signal; after, Temporal, the worker
   * and B's calls until the department's write.
   */
  renameToWebhookAcceptedMs: LatencySummary;
  webhookAcceptedToDepartmentMs: LatencySummary;
  /** Tandem's requests to B's systems during the run, the bench's own renames left out, per rename. */
  bCallsPerRename: Record<System, number>;
  answers429: Record<Tenant, Answers429>;
  /** Where B's renames spent their time in Temporal and the worker (pathTimes); every queue listed is B's own. */
  bPath: PathTimes;
  /** The most tasks seen waiting on each tenant's system queues, and the oldest's age, read every second; undefined where the server gave no figure. */
  backlog: Record<string, { maxTasks: number; maxAgeSeconds: number } | undefined>;
  /** A's first sync during the run: its requests by then (all systems), and whether it was still at work at the end. */
  aSync?: { requestsAtStart: number; requestsAtEnd: number; underWayAtEnd: boolean };
  /** The machine's 1-minute load average at the run's start and end (other work on it included). */
  loadAverage: { start: number; end: number };
  /** CPU seconds each process used during the run (Linux only); `bench` is the bench's process with both tenants' simulators. */
  cpuSeconds: { temporal?: number; worker?: number; webhooks?: number; bench: number };
}

interface PathTimes {
  workflowTaskWaitMs: LatencySummary;
  workflowTaskRunMs: LatencySummary;
  /** By task queue. */
  activityWaitMs: Record<string, LatencySummary>;
  activityRunMs: Record<string, LatencySummary>;
}

export interface TenantIsolationResult {
  tenants: Record<Tenant, { users: number }>;
  renames: number;
  pauseMs: number;
  aTooManyRate: number;
  bFirstSync: { wallSeconds: number; usersRead: number; linked: { departments: number; companies: number } };
  /** B's organisations with both a department and a company, renamed in turn in each run. */
  organisations: number;
  alone: IsolationRun;
  besideASync: IsolationRun;
  /** Run 2's p50 ÷ run 1's. */
  p50Ratio: { department: number | null; company: number | null };
  aFirstSync: {
    /** Null when it was still at work at the bound. */
    wallSeconds: number | null;
    usersRead?: number;
    linked: { employees: number; contacts: number; departments: number };
    calls: Record<System, number>;
    answers429: Answers429;
  };
}

/** Every system queue of both tenants (`poweroffice@tenant-a`, …). */
const SYSTEM_QUEUES = [A, B].flatMap((t) => SYSTEMS.map((s) => tenantQueue(s, t)));

function durationSeconds(d: { seconds?: { toString(): string } | null; nanos?: number | null } | null | undefined) {
  return d ? Number(d.seconds?.toString() ?? 0) + (d.nanos ?? 0) / 1e9 : 0;
}

/**
 * Reads each system queue's backlog every second until the returned stop is called; a queue the
 * server gives no figure for (older servers) stays undefined.
 */
function watchBacklogs(connection: Connection, namespace: string) {
  const seen: Record<string, { maxTasks: number; maxAgeSeconds: number } | undefined> = {};
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await Promise.all(
        SYSTEM_QUEUES.map(async (name) => {
          const answer = await connection.workflowService
            .describeTaskQueue({
              namespace,
              taskQueue: { name },
              taskQueueType: TASK_QUEUE_TYPE_ACTIVITY,
              reportStats: true,
            })
            .catch(() => undefined);
          const stats = answer?.stats;
          if (!stats) return;
          const was = seen[name] ?? { maxTasks: 0, maxAgeSeconds: 0 };
          seen[name] = {
            maxTasks: Math.max(was.maxTasks, Number(stats.approximateBacklogCount?.toString() ?? 0)),
            maxAgeSeconds: Math.max(was.maxAgeSeconds, Number(durationSeconds(stats.approximateBacklogAge).toFixed(1))),
          };
        }),
      );
      await new Promise((r) => setTimeout(r, BACKLOG_EVERY_MS));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return Object.fromEntries(SYSTEM_QUEUES.map((q) => [q, seen[q]]));
  };
}

/**
 * Where a tenant's pair workflows spent the time within [from, to], from their histories: each
 * workflow task's wait (scheduled → started: for a worker to take it) and run (started → completed,
 * its local steps included), and per task queue each activity's wait (for its queue and the queue's
 * server-side rate) and run (the worker's pacer and the call).
 */
async function pathTimes(client: Client, tenant: string, from: Date, to: Date): Promise<PathTimes> {
  const ms = { workflowTaskWait: [] as number[], workflowTaskRun: [] as number[] };
  const activityWait: Record<string, number[]> = {};
  const activityRun: Record<string, number[]> = {};
  const query = `TandemTenant = "${tenant}" AND TandemKind IN ("record", "comments")`;
  for await (const wf of client.workflow.list({ query })) {
    if (wf.startTime > to || (wf.closeTime !== undefined && wf.closeTime < from)) continue;
    const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    const at = new Map<string, number>();
    const queueOf = new Map<string, string>();
    for (const e of history.events ?? []) {
      const t = eventMs(e);
      const id = String(e.eventId);
      if (t < from.getTime() || t > to.getTime()) continue;
      at.set(id, t);
      const since = (eventId: unknown) => {
        const before = at.get(String(eventId));
        return before === undefined ? undefined : t - before;
      };
      const push = (into: number[], value: number | undefined) => value !== undefined && into.push(value);
      if (e.workflowTaskStartedEventAttributes)
        push(ms.workflowTaskWait, since(e.workflowTaskStartedEventAttributes.scheduledEventId));
      if (e.workflowTaskCompletedEventAttributes)
        push(ms.workflowTaskRun, since(e.workflowTaskCompletedEventAttributes.startedEventId));
      if (e.activityTaskScheduledEventAttributes)
        queueOf.set(id, e.activityTaskScheduledEventAttributes.taskQueue?.name ?? '?');
      const started = e.activityTaskStartedEventAttributes;
      const startedQueue = started && queueOf.get(String(started.scheduledEventId));
      if (startedQueue) push((activityWait[startedQueue] ??= []), since(started.scheduledEventId));
      const completed = e.activityTaskCompletedEventAttributes;
      const completedQueue = completed && queueOf.get(String(completed.scheduledEventId));
      if (completedQueue) push((activityRun[completedQueue] ??= []), since(completed.startedEventId));
    }
  }
  const byQueue = (o: Record<string, number[]>) =>
    Object.fromEntries(
      Object.entries(o)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([q, v]) => [q, summary(v)]),
    );
  return {
    workflowTaskWaitMs: summary(ms.workflowTaskWait),
    workflowTaskRunMs: summary(ms.workflowTaskRun),
    activityWaitMs: byQueue(activityWait),
    activityRunMs: byQueue(activityRun),
  };
}

/** When `webhooks serve` logged each organisation webhook accepted (its JSON log): epoch ms and the organisation's id. */
function acceptedOrganisationWebhooks(logFile: string): { at: number; zendeskId: string }[] {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .flatMap((line) => {
      if (!line.includes('"webhook accepted"')) return [];
      try {
        const l = JSON.parse(line) as { time: number; type?: string; pairs?: { zendeskId: string }[] };
        const zendeskId = l.pairs?.[0]?.zendeskId;
        return l.type?.includes('organization') && zendeskId ? [{ at: l.time, zendeskId }] : [];
      } catch {
        return [];
      }
    });
}

interface TenantStack {
  sims: AllSimulators;
  client: Client;
  store: LinkStore;
}

export async function runTenantIsolation(opts: {
  aUsers: number;
  bUsers: number;
  renames: number;
  pauseMs: number;
  /** A worker process per tenant (`tandem worker --tenant`), instead of one serving both. */
  workerPerTenant?: boolean;
  log?: (line: string) => void;
}): Promise<TenantIsolationResult> {
  const log = opts.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'tandem-tenant-isolation-'));
  const started = Date.now();
  const progress = (what: string) => log(`  ${Math.round((Date.now() - started) / 1000)} s: ${what}`);
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const { temporalServer, connection } = await startBenchTemporal(dir, stops);

    // Each of B's writes as it leaves B's simulators: the end of a latency sample, by `departments/<id>` or `companies/<id>`.
    const awaited = new Map<string, () => void>();
    const landed = (method: string, status: number, url: string) => {
      const m = /\/(departments|companies)\/([^/?.]+)/i.exec(url);
      if (m && method === 'PATCH' && status < 300) awaited.get(`${m[1].toLowerCase()}/${m[2]}`)?.();
    };
    const webhookPort = await freePort();
    const tenantsDir = join(dir, 'tenants');
    const storePath = join(dir, 'tandem.db');
    const stacks = {} as Record<Tenant, TenantStack>;
    for (const [i, t] of ([A, B] as const).entries()) {
      const sims = await startAllSimulators({
        sampleSize: t === A ? opts.aUsers : opts.bUsers,
        seed: i + 1,
        realRateLimits: true,
        webhookUrl: `http://127.0.0.1:${webhookPort}/webhooks/zendesk/${t}`,
        ...(t === B && {
          beforeAnswer: {
            poweroffice: (method, _route, status, url) => landed(method, status, url),
            crmoffice: (method, _route, status, url) => landed(method, status, url),
          },
        }),
      });
      stops.push(() => sims.stop());
      // Its own key, as `tandem tenants add` makes one: the bench's client for it encrypts with it too.
      const key = newKey();
      writeTenantFile(tenantsDir, t, [
        ...settingsOf({ ...sims.configs, webhook: { secret: sims.webhookSecret } }),
        ['TANDEM_ENCRYPTION_KEY', key],
      ]);
      const client = new Client({
        connection,
        dataConverter: encryptionOf({ mode: 'on', key }, { requireKey: true }).dataConverter,
      });
      const store = openStore(tenantStoreUrl(storePath, t));
      stops.push(() => store.close());
      stacks[t] = { sims, client, store };
    }

    // No account of the installation's own (no ZENDESK_*): its tenants are the two files, served by one worker and one receiver.
    const pools = (opts.workerPerTenant ? [A, B] : [undefined]).map(
      (tenant) =>
        new WorkerPool({
          temporalAddress: temporalServer.address,
          storePath,
          tenantsDir,
          tenant,
          logFile: join(dir, `worker${tenant ? `-${tenant}` : ''}.log`),
        }),
    );
    for (const pool of pools) {
      stops.push(() => pool.stopAll());
      await pool.start();
    }
    const workerPids = pools.flatMap((p) => p.pids);
    let webhooks: Proc | undefined;
    const webhooksLog = join(dir, 'webhooks.log');
    await startWebhooksServe(
      {
        PATH: process.env.PATH,
        TANDEM_ENV_FILE: 'none',
        TANDEM_TENANTS_DIR: tenantsDir,
        ...Object.fromEntries(
          settingsOf({
            temporal: { address: temporalServer.address },
            store: { url: storePath },
            webhook: { port: webhookPort },
          }),
        ),
      },
      webhooksLog,
      (p) => {
        webhooks = p;
        stops.push(() => stopProc(p));
      },
    );
    log(
      `  Temporal (pid ${temporalServer.pid}), tandem worker (pid ${workerPids.join(', ')}) and tandem webhooks serve (pid ${webhooks?.child.pid}) serving ${A} and ${B}; logs in ${dir}`,
    );

    const busy = (t: Tenant) => `${BUSY_QUERY} AND TandemTenant = "${t}"`;
    const firstSync = (t: Tenant) =>
      stacks[t].client.workflow.start('pollFeed', {
        taskQueue: tenantQueue(TASK_QUEUE, t),
        workflowId: tenantWorkflowId('bench/tenant-isolation/zendesk/users', t),
        args: [{ feed: 'zendesk/users', full: true }],
      });
    const calls = (t: Tenant) =>
      Object.fromEntries(SYSTEMS.map((s) => [s, requestCount(stacks[t].sims[s].stats)])) as Record<System, number>;
    const answers429 = (t: Tenant): Answers429 =>
      Object.fromEntries(
        SYSTEMS.map((s) => [
          s,
          { overLimit: stacks[t].sims[s].stats.rateLimited, injected: stacks[t].sims[s].stats.injected429 },
        ]),
      ) as Answers429;
    const less429 = (after: Answers429, before: Answers429): Answers429 =>
      Object.fromEntries(
        SYSTEMS.map((s) => [
          s,
          { overLimit: after[s].overLimit - before[s].overLimit, injected: after[s].injected - before[s].injected },
        ]),
      ) as Answers429;
    const total = (c: Record<System, number>) => SYSTEMS.reduce((n, s) => n + c[s], 0);

    // 1. B's first sync, alone: its organisations get their department and company.
    progress(`first sync of ${B} (${opts.bUsers} users)`);
    const bSyncStarted = Date.now();
    const bTotals = (await (await firstSync(B)).result()) as PollTotals;
    await untilNoPairAtWork(stacks[B].client, bSyncStarted + SYNC_BOUND_MS, `${B}'s first sync`, busy(B));
    const companies = new Map(
      (await stacks[B].store.listLinks(Z3B, { state: 'linked', limit: 100_000 })).map((l) => [
        l.zendeskId,
        l.targetId!,
      ]),
    );
    const departments = await stacks[B].store.listLinks(P1, { state: 'linked', limit: 100_000 });
    const both = departments.filter((l) => companies.has(l.zendeskId));
    const bFirstSync = {
      wallSeconds: Number(((Date.now() - bSyncStarted) / 1000).toFixed(1)),
      usersRead: bTotals.read,
      linked: { departments: departments.length, companies: companies.size },
    };
    if (both.length === 0)
      throw new Error(`${B}'s first sync linked no organisation to both a department and a company: nothing to rename`);

    const zendeskB = createConnectors(stacks[B].sims.configs).zendesk;
    const arrival = (key: string, t0: number) =>
      new Promise<number | undefined>((resolve) => {
        const timer = setTimeout(() => (awaited.delete(key), resolve(undefined)), ARRIVAL_BOUND_MS);
        awaited.set(key, () => (awaited.delete(key), clearTimeout(timer), resolve(performance.now() - t0)));
      });
    const pids = { temporal: [temporalServer.pid], worker: workerPids, webhooks: [webhooks?.child.pid] };
    // A worker per tenant: their CPU summed.
    const cpuNow = () =>
      Object.fromEntries(
        Object.entries(pids).map(([k, list]) => {
          const each = list.map((pid) => (pid === undefined ? undefined : cpuSeconds(pid)));
          return [k, each.includes(undefined) ? undefined : each.reduce((a, b) => a! + b!, 0)];
        }),
      );

    /** B's renames, each meeting a rested limit and awaited at both targets, with what the run cost and where B waited. */
    async function renames(label: string, aSyncUnderWay?: () => boolean): Promise<IsolationRun> {
      progress(`${label}: ${opts.renames} renames of ${both.length} of ${B}'s organisations, ${opts.pauseMs} ms apart`);
      const toDepartment: number[] = [];
      const toCompany: number[] = [];
      const missed = { department: 0, company: 0 };
      // Each rename's organisation, wall-clock start and ms to the department's write, for the split at the receiver.
      const made: { zendeskId: string; at: number; department?: number }[] = [];
      const [callsBefore, limitedBefore, cpuBefore, ownBefore] = [
        calls(B),
        { [A]: answers429(A), [B]: answers429(B) },
        cpuNow(),
        process.cpuUsage(),
      ];
      const aRequestsAtStart = total(calls(A));
      const loadAtStart = loadavg()[0];
      const backlogs = watchBacklogs(connection, 'default');
      const from = new Date();
      const runStarted = performance.now();
      for (let i = 0; i < opts.renames; i++) {
        const org = both[i % both.length];
        const t0 = performance.now();
        const rename: (typeof made)[number] = { zendeskId: org.zendeskId, at: Date.now() };
        made.push(rename);
        const arrived = Promise.all([
          arrival(`departments/${org.targetId}`, t0),
          arrival(`companies/${companies.get(org.zendeskId)}`, t0),
        ]);
        await zendeskB.updateOrganization(Number(org.zendeskId), { name: `Isolation ${label} ${i} AS` });
        const [department, company] = await arrived;
        rename.department = department;
        if (department === undefined) missed.department += 1;
        else toDepartment.push(department);
        if (company === undefined) missed.company += 1;
        else toCompany.push(company);
        await new Promise((r) => setTimeout(r, opts.pauseMs));
      }
      await untilNoPairAtWork(stacks[B].client, Date.now() + 5 * 60_000, `${B}'s renames`, busy(B));
      const to = new Date();
      const seconds = (performance.now() - runStarted) / 1000;
      const own = process.cpuUsage(ownBefore);
      const cpuAfter = cpuNow();
      const backlog = await backlogs();
      const underWayAtEnd = aSyncUnderWay?.();
      const loadAtEnd = loadavg()[0];
      const callsAfter = calls(B);
      const cpuUsed = (k: string) =>
        cpuAfter[k] === undefined || cpuBefore[k] === undefined
          ? undefined
          : Number((cpuAfter[k]! - cpuBefore[k]!).toFixed(1));
      progress(`${label}: renames done; reading ${B}'s histories`);
      // A rename's webhook is the first accepted for its organisation after it, before the next rename.
      const accepted = acceptedOrganisationWebhooks(webhooksLog);
      const toAccepted: number[] = [];
      const acceptedToDepartment: number[] = [];
      made.forEach((m, i) => {
        const next = made[i + 1]?.at ?? Infinity;
        const hit = accepted.find((a) => a.zendeskId === m.zendeskId && a.at >= m.at && a.at < next);
        if (!hit) return;
        toAccepted.push(hit.at - m.at);
        if (m.department !== undefined) acceptedToDepartment.push(m.department - (hit.at - m.at));
      });
      return {
        seconds: Number(seconds.toFixed(1)),
        renameToDepartmentMs: { ...summary(toDepartment), missed: missed.department },
        renameToCompanyMs: { ...summary(toCompany), missed: missed.company },
        renameToWebhookAcceptedMs: summary(toAccepted),
        webhookAcceptedToDepartmentMs: summary(acceptedToDepartment),
        bCallsPerRename: Object.fromEntries(
          SYSTEMS.map((s) => [
            s,
            Number(
              (
                (callsAfter[s] - callsBefore[s] - (s === 'zendesk' ? opts.renames : 0)) /
                Math.max(1, opts.renames)
              ).toFixed(2),
            ),
          ]),
        ) as Record<System, number>,
        answers429: { [A]: less429(answers429(A), limitedBefore[A]), [B]: less429(answers429(B), limitedBefore[B]) },
        bPath: await pathTimes(stacks[B].client, B, from, to),
        backlog,
        ...(underWayAtEnd !== undefined && {
          aSync: { requestsAtStart: aRequestsAtStart, requestsAtEnd: total(calls(A)), underWayAtEnd },
        }),
        loadAverage: { start: Number(loadAtStart.toFixed(2)), end: Number(loadAtEnd.toFixed(2)) },
        cpuSeconds: {
          temporal: cpuUsed('temporal'),
          worker: cpuUsed('worker'),
          webhooks: cpuUsed('webhooks'),
          bench: Number(((own.user + own.system) / 1e6).toFixed(1)),
        },
      };
    }

    // 2. Run 1: B alone (A's simulators and queues idle).
    const alone = await renames('alone');

    // 3. Run 2: A's PowerOffice Go turns to answering 429 to one request in five, A's first sync starts,
    // and once it is creating records the same renames of B run beside it.
    const res = await fetch(`${stacks[A].sims.poweroffice.url}/_sim/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tooManyRate: A_TOO_MANY_RATE }),
    });
    if (!res.ok) throw new Error(`${A}'s PowerOffice simulator refused its faults: ${res.status}`);
    const aCallsBefore = calls(A);
    const a429Before = answers429(A);
    progress(`first sync of ${A} (${opts.aUsers} users), its PowerOffice Go answering 429 to one request in five`);
    const aSyncStarted = Date.now();
    const aSync = await firstSync(A);
    let aDone = false;
    const aFinished = (async () => {
      const totals = (await aSync.result()) as PollTotals;
      await untilNoPairAtWork(stacks[A].client, aSyncStarted + SYNC_BOUND_MS, `${A}'s first sync`, busy(A));
      aDone = true;
      return { totals, seconds: (Date.now() - aSyncStarted) / 1000 };
    })();
    // Not left unhandled while run 2 goes on; read below.
    aFinished.catch(() => undefined);
    const underWayBy = Date.now() + A_UNDER_WAY_BOUND_MS;
    while (stacks[A].sims.crmoffice.stats.writes < A_UNDER_WAY_WRITES && !aDone) {
      if (Date.now() > underWayBy)
        throw new Error(`${A}'s first sync made no ${A_UNDER_WAY_WRITES} Crmoffice writes in time`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const besideASync = await renames(`beside ${A}'s first sync`, () => !aDone);

    // 4. A's sync to its end (or the bound): what it cost, and its 429s.
    progress(`waiting for ${A}'s first sync to end`);
    const aEnd = await aFinished.catch((err: unknown) => {
      log(`  ${A}'s first sync: ${(err as Error).message}`);
      return undefined;
    });
    const aCallsAfter = calls(A);
    const linkedA = async (flow: FlowId) => (await stacks[A].store.counts(flow)).linked;
    const ratio = (two: number | null, one: number | null) =>
      two === null || one === null || one === 0 ? null : Number((two / one).toFixed(2));
    return {
      tenants: { [A]: { users: opts.aUsers }, [B]: { users: opts.bUsers } } as Record<Tenant, { users: number }>,
      renames: opts.renames,
      pauseMs: opts.pauseMs,
      aTooManyRate: A_TOO_MANY_RATE,
      bFirstSync,
      organisations: both.length,
      alone,
      besideASync,
      p50Ratio: {
        department: ratio(besideASync.renameToDepartmentMs.p50, alone.renameToDepartmentMs.p50),
        company: ratio(besideASync.renameToCompanyMs.p50, alone.renameToCompanyMs.p50),
      },
      aFirstSync: {
        wallSeconds: aEnd ? Number(aEnd.seconds.toFixed(1)) : null,
        usersRead: aEnd?.totals.read,
        linked: { employees: await linkedA(P2), contacts: await linkedA(Z3), departments: await linkedA(P1) },
        calls: Object.fromEntries(SYSTEMS.map((s) => [s, aCallsAfter[s] - aCallsBefore[s]])) as Record<System, number>,
        answers429: less429(answers429(A), a429Before),
      },
    };
  } finally {
    // Last started, first stopped: the receiver and the worker before the stores, simulators and Temporal they use.
    for (const stop of stops.reverse())
      await stop().catch((err: unknown) => log(`  stopping: ${(err as Error).message}`));
  }
}
