/**
 * The bench's production-layout part (`--layout production`): Tandem as production runs it, the
 * Temporal dev server, `tandem worker` and `tandem webhooks serve` each an OS process of its own
 * (the compiled CLI), the simulators with their real rate limits in the bench's process (so their
 * answer hook times the writes where they land) sending their webhooks to the `webhooks serve`
 * process. After a first sync of the users feed, organisations renamed in Zendesk are timed until
 * PowerOffice Go answers the department's PATCH and Crmoffice the company's; what each change costs
 * in Zendesk calls and in the events Temporal bills as actions is counted beside it.
 */
import { stopProcess } from '../workers/stop-process';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { encryptionOf } from '../codec/data-converter';
import { startAllSimulators, type AllSimulators } from '../simulators/all';
import { requestCount } from '../simulators/kit';
import { openStore } from '../store';
import { createConnectors } from '../workers/connectors';
import { freePort } from '../workers/free-port';
import { settingsOf } from '../workers/settings-file';
import { startTemporalDevServer } from '../workers/temporal-dev-server';
import { TASK_QUEUE } from '../protocol/ids';
import type { PollTotals } from '../workflows/poll';
import { BUSY_QUERY, searchAttributeTypes } from '../workflows/search-attributes';
import { P1, Z3B } from './chaos/flows';
import { WorkerPool } from './chaos/worker-pool';
import { summary, type LatencySummary } from './latency';
import { cpuSeconds } from './process-stats';

/** The compiled CLI, whether this file runs compiled (dist/bench) or from its source (bench). */
const CLI = join(__dirname, '..', ...(__dirname.includes(join('dist', 'bench')) ? [] : ['dist']), 'cli', 'main.js');

/**
 * The history events counted as Temporal actions (bench/README.md names them). A child workflow's
 * start is its own history's WorkflowExecutionStarted (a record workflow's children are record or
 * comments workflows, counted here), so the parent's child events are not counted again.
 */
const ACTION_EVENTS: readonly string[] = [
  'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
  'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
  'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
  'EVENT_TYPE_MARKER_RECORDED',
  'EVENT_TYPE_TIMER_STARTED',
  'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
  'EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED',
];

/** The pair workflows BUSY_QUERY watches: a record's own, and a ticket's comments. */
const PAIR_WORKFLOWS = 'TandemKind IN ("record", "comments")';

/** Past this a write is counted as missed rather than waited for. */
export const ARRIVAL_BOUND_MS = 30_000;
/** A first sync of a few hundred users takes a minute or two at the real limits; past this the run stops. */
const SYNC_BOUND_MS = 30 * 60_000;

/** A Temporal dev server of the run's own (headless, Tandem's search attributes) and a connection to it, stopped by `stops`. */
export async function startBenchTemporal(dir: string, stops: (() => Promise<unknown>)[]) {
  const temporalServer = await startTemporalDevServer({
    dataDir: dir,
    port: await freePort(),
    headless: true,
    searchAttributes: searchAttributeTypes(),
  });
  stops.push(() => temporalServer.stop());
  const connection = await Connection.connect({ address: temporalServer.address });
  stops.push(() => connection.close());
  return { temporalServer, connection };
}

export interface ProductionLayoutResult {
  users: number;
  renames: number;
  pauseMs: number;
  firstSync: {
    wallSeconds: number;
    usersRead: number;
    linked: { departments: number; companies: number };
    answers429: Record<string, number>;
  };
  /** Organisations with both a department and a company, renamed in turn. */
  organisations: number;
  renameToDepartmentMs: LatencySummary & { missed: number };
  renameToCompanyMs: LatencySummary & { missed: number };
  /** Tandem's requests from the first rename until no pair was at work, the bench's own renames left out. */
  callsDuringRenames: Record<string, number>;
  zendeskRoutesDuringRenames: Record<string, number>;
  zendeskCallsPerChange: number;
  answers429DuringRenames: Record<string, number>;
  temporalActions: {
    perSyncedRecord: number;
    total: number;
    byEvent: Record<string, number>;
    /** Every event of those runs within the window, counted or not. */
    allEventsByType: Record<string, number>;
    /** Runs of pair workflows with an event within the window. */
    workflowRuns: number;
  };
  renamesSeconds: number;
  /** CPU seconds each process used during the renames (Linux only). */
  cpuSeconds: { temporal?: number; worker?: number; webhooks?: number; bench: number };
}

export interface Proc {
  child: ChildProcess;
  exited: Promise<void>;
}

/** `tandem webhooks serve` as production runs it: the compiled CLI, configured by its environment. */
export async function startWebhooksServe(
  env: NodeJS.ProcessEnv,
  logFile: string,
  started: (p: Proc) => void,
): Promise<Proc> {
  const child = spawn(process.execPath, [CLI, 'webhooks', 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = { child, exited: new Promise((resolve) => child.once('exit', () => resolve())) };
  // Handed over before it is ready, so a start that fails halfway is stopped too.
  started(p);
  const log = createWriteStream(logFile, { flags: 'a' });
  void p.exited.then(() => log.end());
  let output = '';
  const keep = (chunk: Buffer) => {
    log.write(chunk);
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const deadline = Date.now() + 60_000;
  while (!output.includes('"msg":"webhook receiver listening"')) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `tandem webhooks serve exited (${child.exitCode ?? child.signalCode}) before it listened:\n${output}`,
      );
    if (Date.now() > deadline) throw new Error(`tandem webhooks serve did not listen within 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return p;
}

/** SIGTERM (it answers the requests under way), SIGKILL past 15 s; resolves once it has exited. */
export function stopProc(p: Proc): Promise<void> {
  return stopProcess(p.child, 'SIGTERM', 15_000);
}

/** `query`: BUSY_QUERY narrowed, e.g. to one tenant's workflows. */
export async function untilNoPairAtWork(
  client: Client,
  deadline: number,
  what: string,
  query = BUSY_QUERY,
): Promise<void> {
  while ((await client.workflow.count(query)).count > 0) {
    if (Date.now() > deadline) throw new Error(`${what}: record workflows still at work at the deadline`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

export function eventMs(e: temporal.api.history.v1.IHistoryEvent): number {
  const s = e.eventTime?.seconds;
  return Number(s?.toString() ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
}

/** Events of the pair workflows' runs that fall within [from, to], by type: all of them, and those counted as actions. */
async function eventsWithin(client: Client, from: Date, to: Date) {
  const all: Record<string, number> = {};
  const actions: Record<string, number> = {};
  let runs = 0;
  for await (const wf of client.workflow.list({ query: PAIR_WORKFLOWS })) {
    if (wf.startTime > to || (wf.closeTime !== undefined && wf.closeTime < from)) continue;
    const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
    let within = 0;
    for (const e of history.events ?? []) {
      const at = eventMs(e);
      if (at < from.getTime() || at > to.getTime()) continue;
      within += 1;
      const type = temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType);
      all[type] = (all[type] ?? 0) + 1;
      if (ACTION_EVENTS.includes(type)) actions[type] = (actions[type] ?? 0) + 1;
    }
    if (within > 0) runs += 1;
  }
  return { all, actions, runs };
}

export async function runProductionLayout(opts: {
  users: number;
  renames: number;
  pauseMs: number;
  log?: (line: string) => void;
}): Promise<ProductionLayoutResult> {
  const log = opts.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'tandem-production-layout-'));
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const { temporalServer, connection } = await startBenchTemporal(dir, stops);
    // Encrypted as in production: one key for this client and both Tandem processes.
    const encryptionKey = randomBytes(32).toString('base64');
    const client = new Client({
      connection,
      dataConverter: encryptionOf({ mode: 'on', key: encryptionKey }, { requireKey: true }).dataConverter,
    });

    // Each write as it leaves its simulator: the end of a latency sample, by `departments/<id>` or `companies/<id>`.
    const awaited = new Map<string, () => void>();
    const landed = (method: string, status: number, url: string) => {
      const m = /\/(departments|companies)\/([^/?.]+)/i.exec(url);
      if (m && method === 'PATCH' && status < 300) awaited.get(`${m[1].toLowerCase()}/${m[2]}`)?.();
    };
    const webhookPort = await freePort();
    const sims: AllSimulators = await startAllSimulators({
      sampleSize: opts.users,
      seed: 1,
      realRateLimits: true,
      webhookUrl: `http://127.0.0.1:${webhookPort}/webhooks/zendesk`,
      beforeAnswer: {
        poweroffice: (method, _route, status, url) => landed(method, status, url),
        crmoffice: (method, _route, status, url) => landed(method, status, url),
      },
    });
    stops.push(() => sims.stop());
    const storePath = join(dir, 'tandem.db');
    const store = openStore(storePath);
    stops.push(() => store.close());

    const workers = new WorkerPool({
      temporalAddress: temporalServer.address,
      storePath,
      encryptionKey,
      sims,
      logFile: join(dir, 'worker.log'),
    });
    stops.push(() => workers.stopAll());
    await workers.start();
    const webhooksEnv: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      TANDEM_ENV_FILE: 'none',
      // Named as the config reads them (CONFIG_KEYS), as for the worker.
      ...Object.fromEntries(
        settingsOf({
          ...sims.configs,
          temporal: { address: temporalServer.address },
          encryption: { key: encryptionKey },
          webhook: { port: webhookPort, secret: sims.webhookSecret },
        }),
      ),
    };
    let webhooks: Proc | undefined;
    await startWebhooksServe(webhooksEnv, join(dir, 'webhooks.log'), (p) => {
      webhooks = p;
      stops.push(() => stopProc(p));
    });
    log(
      `  Temporal (pid ${temporalServer.pid}), tandem worker (pid ${workers.pids[0]}) and tandem webhooks serve (pid ${webhooks?.child.pid}) running; logs in ${dir}`,
    );

    // 1. The first sync of the users feed: organisations get their department and company.
    const syncStarted = Date.now();
    const sync = await client.workflow.start('pollFeed', {
      taskQueue: TASK_QUEUE,
      workflowId: 'bench/production-layout/zendesk/users',
      args: [{ feed: 'zendesk/users', full: true }],
    });
    const totals = (await sync.result()) as PollTotals;
    await untilNoPairAtWork(client, syncStarted + SYNC_BOUND_MS, 'the first sync');
    const syncSeconds = (Date.now() - syncStarted) / 1000;
    const systems = { zendesk: sims.zendesk, poweroffice: sims.poweroffice, crmoffice: sims.crmoffice };
    const limited = () => Object.fromEntries(Object.entries(systems).map(([k, s]) => [k, s.stats.rateLimited]));
    const calls = () => Object.fromEntries(Object.entries(systems).map(([k, s]) => [k, requestCount(s.stats)]));
    const companies = new Map(
      (await store.listLinks(Z3B, { state: 'linked', limit: 100_000 })).map((l) => [l.zendeskId, l.targetId!]),
    );
    const departments = await store.listLinks(P1, { state: 'linked', limit: 100_000 });
    const both = departments.filter((l) => companies.has(l.zendeskId));
    const firstSync = {
      wallSeconds: Number(syncSeconds.toFixed(1)),
      usersRead: totals.read,
      linked: { departments: departments.length, companies: companies.size },
      answers429: limited(),
    };
    log(
      `  ${Math.round((Date.now() - syncStarted) / 1000)} s: first sync done; ${opts.renames} renames of ${both.length} organisations`,
    );
    if (both.length === 0)
      throw new Error('the first sync linked no organisation to both a department and a company: nothing to rename');

    // 2. The renames, each meeting a rested rate limit, each awaited at both targets.
    const { zendesk } = createConnectors(sims.configs);
    const arrival = (key: string, t0: number) =>
      new Promise<number | undefined>((resolve) => {
        const timer = setTimeout(() => (awaited.delete(key), resolve(undefined)), ARRIVAL_BOUND_MS);
        awaited.set(key, () => (awaited.delete(key), clearTimeout(timer), resolve(performance.now() - t0)));
      });
    const toDepartment: number[] = [];
    const toCompany: number[] = [];
    const missed = { department: 0, company: 0 };
    const [callsBefore, limitedBefore, zendeskRoutesBefore] = [calls(), limited(), { ...sims.zendesk.stats.requests }];
    const pids = { temporal: temporalServer.pid, worker: workers.pids[0], webhooks: webhooks?.child.pid };
    const cpuBefore = Object.fromEntries(
      Object.entries(pids).map(([k, pid]) => [k, pid === undefined ? undefined : cpuSeconds(pid)]),
    );
    const ownBefore = process.cpuUsage();
    const from = new Date();
    const renamesStarted = performance.now();
    for (let i = 0; i < opts.renames; i++) {
      const org = both[i % both.length];
      const t0 = performance.now();
      const arrived = Promise.all([
        arrival(`departments/${org.targetId}`, t0),
        arrival(`companies/${companies.get(org.zendeskId)}`, t0),
      ]);
      await zendesk.updateOrganization(Number(org.zendeskId), { name: `Production Layout ${i} AS` });
      const [department, company] = await arrived;
      if (department === undefined) missed.department += 1;
      else toDepartment.push(department);
      if (company === undefined) missed.company += 1;
      else toCompany.push(company);
      await new Promise((r) => setTimeout(r, opts.pauseMs));
    }
    await untilNoPairAtWork(client, Date.now() + 5 * 60_000, 'the renames');
    const to = new Date();
    const renamesSeconds = (performance.now() - renamesStarted) / 1000;
    const own = process.cpuUsage(ownBefore);
    const cpuAfter = Object.fromEntries(
      Object.entries(pids).map(([k, pid]) => [k, pid === undefined ? undefined : cpuSeconds(pid)]),
    );
    const cpuUsed = (k: string) =>
      cpuAfter[k] === undefined || cpuBefore[k] === undefined
        ? undefined
        : Number((cpuAfter[k]! - cpuBefore[k]!).toFixed(1));
    const callsAfter = calls();
    const callsDuringRenames = Object.fromEntries(
      Object.keys(systems).map((k) => [k, callsAfter[k] - callsBefore[k] - (k === 'zendesk' ? opts.renames : 0)]),
    );
    const zendeskRoutesDuringRenames = Object.fromEntries(
      Object.entries(sims.zendesk.stats.requests)
        .map(([route, n]) => [route, n - (zendeskRoutesBefore[route] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );
    const limitedAfter = limited();

    // 3. What those changes cost Temporal: the billed events of the pair workflows within the window.
    log(`  ${Math.round((Date.now() - syncStarted) / 1000)} s: renames done; counting their histories`);
    const events = await eventsWithin(client, from, to);
    const total = Object.values(events.actions).reduce((a, b) => a + b, 0);
    return {
      users: opts.users,
      renames: opts.renames,
      pauseMs: opts.pauseMs,
      firstSync,
      organisations: both.length,
      renameToDepartmentMs: { ...summary(toDepartment), missed: missed.department },
      renameToCompanyMs: { ...summary(toCompany), missed: missed.company },
      callsDuringRenames,
      zendeskRoutesDuringRenames,
      zendeskCallsPerChange: Number((callsDuringRenames.zendesk / Math.max(1, opts.renames)).toFixed(2)),
      answers429DuringRenames: Object.fromEntries(
        Object.keys(systems).map((k) => [k, limitedAfter[k] - limitedBefore[k]]),
      ),
      temporalActions: {
        perSyncedRecord: Number((total / Math.max(1, opts.renames)).toFixed(2)),
        total,
        byEvent: events.actions,
        allEventsByType: events.all,
        workflowRuns: events.runs,
      },
      renamesSeconds: Number(renamesSeconds.toFixed(1)),
      cpuSeconds: {
        temporal: cpuUsed('temporal'),
        worker: cpuUsed('worker'),
        webhooks: cpuUsed('webhooks'),
        bench: Number(((own.user + own.system) / 1e6).toFixed(1)),
      },
    };
  } finally {
    // Last started, first stopped: the receiver and the worker before the simulators and Temporal they use.
    for (const stop of stops.reverse())
      await stop().catch((err: unknown) => log(`  stopping: ${(err as Error).message}`));
  }
}
