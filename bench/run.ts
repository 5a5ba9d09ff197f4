/**
 * Benchmark on the `tandem dev` stack (real worker, simulators with their real rate limits, no
 * schedules), in parts:
 *  1. first sync of the Zendesk users feed (P2 employees and Z3 contacts, with the departments and
 *     companies they need): wall time, calls by system, the share of each limit used, and the
 *     rate-limit bound (the fewest calls any sync could make, divided by the limit);
 *     then the first poll of each target feed after it (what it reads again); then the first sync of
 *     the tickets feed (Z2 and Z1 activities), with its own minimum and bound;
 *     while organisation renames run alongside it (latency while the bulk work runs);
 *  2. webhook → write latency of organisation renames, and what each costs in calls; poll → write
 *     latency of employee renames (the feed polled at once: a schedule adds up to its interval);
 *  3. an idle poll of every change feed: requests and workflows it costs when nothing changed;
 *  4. the plain script (plain.ts): the same first syncs with the minimum calls at the limits, for Tandem ÷ plain.
 * Prints a table and writes it as JSON under bench/results/ (bench/README.md reads the figures).
 *
 * The renames are spaced (`--pause-ms`) so each meets a rested rate limit: back to back, PowerOffice
 * Go's 5 activities a second (two per rename) would set the pace, not the path a change takes.
 *
 *   npm run bench -- [--users 1000] [--edits 200] [--pause-ms 500] [--poll-edits 50] [--during-sync-edits 20] [--window 50]
 *
 * With `--workers N [--store sqlite|postgres|postgres-durable] [--node-defaults]` it runs the many-workers part
 * instead (scale-out.ts): the same first sync by N `tandem worker` processes on one store, run with
 * the worker's Node flags (workers/node-flags.ts) or, `--node-defaults`, Node's defaults.
 * With `--scale [--users 100000]` it runs the scale part (scale.ts): a worker process on that many
 * users' links, set up by Tandem's sync steps outside Temporal with the limits lifted.
 * With `--layout production [--users 200] [--renames 100] [--pause-ms 500]` it runs the
 * production-layout part (production-layout.ts): Temporal, `tandem worker` and `tandem webhooks
 * serve` each a process of its own; organisation renames timed through them, with their cost.
 * With `--isolation [--a-users 5000] [--b-users 200] [--renames 100] [--pause-ms 500] [--worker-per-tenant]` it runs the
 * tenant-isolation part (tenant-isolation.ts): the same processes serving two tenants; B's renames
 * timed alone, then while A runs a first sync against a PowerOffice Go answering 429 to one request in five.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { installSdkRuntime } from '../cli/logging';
import { DEV_DEFAULTS, startDevStack } from '../workers/dev-stack';
import { createLogger } from '../workers/logger';
import { createConnectors } from '../workers/connectors';
import { freePort } from '../workers/free-port';
import { requestCount } from '../simulators/kit';
import { TASK_QUEUE } from '../protocol/ids';
import { FEEDS } from '../flows/feeds';
import type { PollTotals } from '../workflows/poll';
import { runScaleOut, STORE_KINDS, type StoreKind } from './scale-out';
import { runPlain } from './plain';
import { runScale } from './scale';
import { runProductionLayout } from './production-layout';
import { runTenantIsolation, type IsolationRun } from './tenant-isolation';
import { idleHour, idlePolls, untilNoPairAtWork, type IdleHour, type IdlePoll } from './idle-poll';
import { loadConfigFor } from '../workers/config';
import { summary } from './latency';

const P1 = 'zendesk-organizations-to-powerofficego-departments';
const P2 = 'zendesk-users-to-powerofficego-employees';
const Z3 = 'zendesk-users-to-crmoffice-contacts';
const Z3B = 'zendesk-organizations-to-crmoffice-companies';
const Z2 = 'zendesk-tickets-to-crmoffice-activities';
const Z1 = 'zendesk-ticketcomments-to-crmoffice-activities';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`--${name} takes a whole number, got ${process.argv[i + 1]}`);
  return value;
}

/** `a 1, b 2`: a figure per system, for the table. */
function byKey(o: Record<string, number>): string {
  return Object.entries(o)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

function idleRow(idle: Record<string, IdlePoll>): string {
  return Object.entries(idle)
    .map(([k, v]) => `${k} ${v.requests} req/${v.workflowsStarted} wf/${v.ms} ms`)
    .join(', ');
}

function idleHourRow(at: string, h: IdleHour): string {
  return `${at}: ${Math.round(h.pollWorkflows)} poll and ${Math.round(h.recordWorkflows)} record workflows, ${Math.round(h.requests)} requests`;
}

function storeOption(): StoreKind {
  const i = process.argv.indexOf('--store');
  const value = i >= 0 ? process.argv[i + 1] : 'sqlite';
  const kind = STORE_KINDS.find((k) => k === value);
  if (!kind) throw new Error(`--store takes ${STORE_KINDS.join(', ')}; got ${value}`);
  return kind;
}

function machine() {
  return {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
  };
}

/** The JSON beside the others in bench/results/, named by its date (and part). */
function writeResult(date: string, result: unknown, suffix = ''): void {
  const dir = join(__dirname, '..', '..', 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${date.replace(/[:.]/g, '-')}${suffix}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwritten to ${file}`);
}

async function scaleOut(users: number, workers: number): Promise<void> {
  const store = storeOption();
  console.log(
    `first sync of ${users} Zendesk users by ${workers} tandem worker process(es) on a ${store} store (the simulators' real rate limits)`,
  );
  const r = await runScaleOut({ users, workers, store, nodeDefaults: process.argv.includes('--node-defaults') });
  const rows: [string, string][] = [
    ['workers, store', `${r.workers}, ${r.storeKind}`],
    ['worker Node flags', r.nodeFlags.length ? r.nodeFlags.join(' ') : "Node's defaults"],
    ['first sync wall time', `${r.wallSeconds} s (${r.usersRead} users read)`],
    ['linked', `${r.linked.employees} employees, ${r.linked.contacts} contacts, ${r.linked.departments} departments`],
    ['records per second', String(r.recordsPerSecond)],
    ['API calls', byKey(r.calls)],
    ['answers 429', byKey(r.answers429)],
    ['peak requests in 1 s', byKey(r.peakRequestsPerSecond)],
    ['idle poll', idleRow(r.idlePoll)],
    [
      'worker memory',
      r.workerMiB.map((m) => (m ? `${m.peak} MiB peak, ${m.now} MiB at the end` : 'not readable here')).join('; '),
    ],
    [
      'CPU seconds',
      `Temporal ${r.cpuSeconds.temporal ?? '?'}, worker(s) ${r.cpuSeconds.workers.map((c) => c ?? '?').join(', ')}, simulators ${r.cpuSeconds.simulators} (${r.wallSeconds} s of wall time on ${cpus().length} CPUs)`,
    ],
    ['store size', storeRow(r.store)],
    ...(r.storeCommits
      ? [
          [
            'store transactions',
            `${r.storeCommits.total} (${r.storeCommits.perRecord} a linked record; each store call is one)`,
          ] as [string, string],
        ]
      : []),
  ];
  console.log('');
  for (const [k, v] of rows) console.log(`${k.padEnd(22)} ${v}`);
  const date = new Date().toISOString();
  writeResult(date, { date, machine: machine(), scaleOut: r }, `-workers-${workers}-${store}`);
}

function storeRow(store: { links: number; bytes?: number; bytesPerLink?: number }): string {
  return store.bytes === undefined
    ? `${store.links} links (PostgreSQL: not measured)`
    : `${(store.bytes / 2 ** 20).toFixed(1)} MiB, ${store.links} links, ${store.bytesPerLink} B a link`;
}

async function scale(users: number): Promise<void> {
  console.log(`a tandem worker process on the links of ${users} Zendesk users`);
  const r = await runScale({ users, log: (line) => console.log(line) });
  const mib = (m?: { now: number; peak: number }) => (m ? `${m.now} MiB (peak ${m.peak})` : 'not readable here');
  const rows: [string, string][] = [
    [
      'set-up',
      `${r.setUp.seconds} s: ${r.setUp.pairs} pairs in ${r.setUp.pages} pages, ${r.setUp.failedCount} failed (Tandem's sync steps in the bench's process, limits lifted)`,
    ],
    ['store size', storeRow(r.store)],
    ['idle poll', idleRow(r.idlePoll)],
    [
      'full pass',
      `${r.fullPass.feed}: ${r.fullPass.seconds} s, ${r.fullPass.requests} requests, ${r.fullPass.read} read, ${r.fullPass.workflowsStarted} workflows started`,
    ],
    [
      'worker memory',
      `after the idle polls ${mib(r.workerMiB.afterIdlePolls)}; after the full pass ${mib(r.workerMiB.end)}`,
    ],
    ['worker Node flags', r.nodeFlags.join(' ')],
  ];
  console.log('');
  for (const [k, v] of rows) console.log(`${k.padEnd(22)} ${v}`);
  if (r.setUp.failed.length)
    console.log(`failed pairs (first ${r.setUp.failed.length}):\n  ${r.setUp.failed.join('\n  ')}`);
  const date = new Date().toISOString();
  writeResult(date, { date, machine: machine(), scale: r }, `-scale-${users}`);
}

function latencyRow(l: {
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  samples: number;
  missed: number;
}): string {
  return `p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, max ${l.max} ms (${l.samples} writes${l.missed ? `, ${l.missed} missed: none within 30 s` : ''})`;
}

async function productionLayout(users: number, renames: number, pauseMs: number): Promise<void> {
  console.log(
    `production layout: Temporal, tandem worker and tandem webhooks serve as processes of their own; first sync of ${users} Zendesk users, then ${renames} organisation renames ${pauseMs} ms apart (the simulators' real rate limits)`,
  );
  const r = await runProductionLayout({ users, renames, pauseMs, log: (line) => console.log(line) });
  const a = r.temporalActions;
  const rows: [string, string][] = [
    [
      'first sync',
      `${r.firstSync.wallSeconds} s (${r.firstSync.usersRead} users read; ${r.firstSync.linked.departments} departments, ${r.firstSync.linked.companies} companies linked; answers 429 ${byKey(r.firstSync.answers429)})`,
    ],
    [
      'rename → department',
      `${latencyRow(r.renameToDepartmentMs)}; ${r.renames} renames of ${r.organisations} organisations, ${r.pauseMs} ms apart`,
    ],
    ['rename → company', latencyRow(r.renameToCompanyMs)],
    [
      'Zendesk calls per change',
      `${r.zendeskCallsPerChange} (${byKey(r.zendeskRoutesDuringRenames)}, the bench's own ${r.renames} renames left out)`,
    ],
    [
      'calls during the renames',
      `${byKey(r.callsDuringRenames)} (Tandem's); answers 429 ${byKey(r.answers429DuringRenames)}`,
    ],
    [
      'Temporal actions per synced record',
      `${a.perSyncedRecord} (${a.total} in ${a.workflowRuns} record workflow runs: ${byKey(Object.fromEntries(Object.entries(a.byEvent).map(([k, v]) => [k.replace('EVENT_TYPE_', ''), v])))})`,
    ],
    [
      'CPU seconds during the renames',
      `Temporal ${r.cpuSeconds.temporal ?? '?'}, worker ${r.cpuSeconds.worker ?? '?'}, webhooks serve ${r.cpuSeconds.webhooks ?? '?'}, bench and simulators ${r.cpuSeconds.bench} (${r.renamesSeconds} s of wall time on ${cpus().length} CPUs)`,
    ],
    ['machine', `${machine().cpus} CPUs, ${machine().memoryGiB} GiB, Node ${process.version}`],
  ];
  console.log('');
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)} ${v}`);
  const date = new Date().toISOString();
  writeResult(date, { date, machine: machine(), productionLayout: r }, '-production-layout');
}

/** `zendesk 0/0, poweroffice 12/0`: answers 429 per system, over the limit / injected. */
function answers429Row(a: Record<string, { overLimit: number; injected: number }>): string {
  return Object.entries(a)
    .map(([k, v]) => `${k} ${v.overLimit}/${v.injected}`)
    .join(', ');
}

/** `p50 3, p99 15 ms (20)`. */
function p50p99(l: { p50: number | null; p99: number | null; samples: number } | undefined): string {
  return l ? `p50 ${l.p50}, p99 ${l.p99} ms (${l.samples})` : '?';
}

function isolationRows(label: string, r: IsolationRun): [string, string][] {
  const latency = (l: IsolationRun['renameToDepartmentMs']) =>
    `p50 ${l.p50}, p95 ${l.p95}, p99 ${l.p99}, max ${l.max} ms (${l.samples} writes${l.missed ? `, ${l.missed} missed: none within 30 s` : ''})`;
  return [
    [`${label}: rename → department`, latency(r.renameToDepartmentMs)],
    [`${label}: rename → company`, latency(r.renameToCompanyMs)],
    [
      `${label}: split at the receiver`,
      `rename → webhook accepted ${p50p99(r.renameToWebhookAcceptedMs)}; accepted → department ${p50p99(r.webhookAcceptedToDepartmentMs)}`,
    ],
    [
      `${label}: B's calls per rename`,
      `${byKey(r.bCallsPerRename)} (the bench's own renames left out); ${r.seconds} s of renames`,
    ],
    [
      `${label}: answers 429`,
      `tenant-b ${answers429Row(r.answers429['tenant-b'])}; tenant-a ${answers429Row(r.answers429['tenant-a'])} (over the limit/injected)`,
    ],
    [
      `${label}: B's workflow tasks`,
      `waited ${p50p99(r.bPath.workflowTaskWaitMs)}, ran ${p50p99(r.bPath.workflowTaskRunMs)} (scheduled → started → completed, their local steps included)`,
    ],
    [
      `${label}: B's activities`,
      Object.keys(r.bPath.activityWaitMs)
        .map((q) => `${q} waited ${p50p99(r.bPath.activityWaitMs[q])}, ran ${p50p99(r.bPath.activityRunMs[q])}`)
        .join('; '),
    ],
    [
      `${label}: queue backlog`,
      Object.entries(r.backlog)
        .map(([q, b]) => `${q} ${b ? `${b.maxTasks} (${b.maxAgeSeconds} s)` : '?'}`)
        .join(', ') + ' (most tasks waiting, oldest age, read every second)',
    ],
    ...(r.aSync
      ? [
          [
            `${label}: A's first sync`,
            `${r.aSync.requestsAtEnd - r.aSync.requestsAtStart} requests to A's systems during the renames; ${r.aSync.underWayAtEnd ? 'still at work' : 'done'} at their end`,
          ] as [string, string],
        ]
      : []),
    [
      `${label}: CPU seconds`,
      `Temporal ${r.cpuSeconds.temporal ?? '?'}, worker ${r.cpuSeconds.worker ?? '?'}, webhooks serve ${r.cpuSeconds.webhooks ?? '?'}, bench and both tenants' simulators ${r.cpuSeconds.bench} (${r.seconds} s of wall time on ${cpus().length} CPUs; load average ${r.loadAverage.start} at the start, ${r.loadAverage.end} at the end)`,
    ],
  ];
}

async function tenantIsolation(
  aUsers: number,
  bUsers: number,
  renames: number,
  pauseMs: number,
  workerPerTenant: boolean,
): Promise<void> {
  console.log(
    `tenant isolation: Temporal, ${workerPerTenant ? 'a tandem worker --tenant for each tenant' : 'one tandem worker'} and tandem webhooks serve as processes of their own serving tenant-a and tenant-b; first sync of tenant-b's ${bUsers} users, then ${renames} renames of its organisations ${pauseMs} ms apart, alone and while tenant-a runs a first sync of ${aUsers} users with its PowerOffice Go answering 429 to one request in five (the simulators' real rate limits)`,
  );
  const r = await runTenantIsolation({
    aUsers,
    bUsers,
    renames,
    pauseMs,
    workerPerTenant,
    log: (line) => console.log(line),
  });
  const a = r.aFirstSync;
  // The issue's target for B beside A: p99 under 1 s, p50 within 1.5 × B alone, at both targets.
  const beside = r.besideASync;
  const held =
    [beside.renameToDepartmentMs.p99, beside.renameToCompanyMs.p99].every((p) => p !== null && p < 1000) &&
    [r.p50Ratio.department, r.p50Ratio.company].every((x) => x !== null && x <= 1.5);
  const rows: [string, string][] = [
    [
      "tenant-b's first sync",
      `${r.bFirstSync.wallSeconds} s (${r.bFirstSync.usersRead} users read; ${r.bFirstSync.linked.departments} departments, ${r.bFirstSync.linked.companies} companies linked); ${r.renames} renames of ${r.organisations} organisations per run`,
    ],
    ...isolationRows('alone', r.alone),
    ...isolationRows('beside A', r.besideASync),
    [
      'p50 beside A ÷ alone',
      `department ${r.p50Ratio.department}, company ${r.p50Ratio.company}; target p99 < 1000 ms and p50 ≤ 1.5 × alone: ${held ? 'held' : 'not held'}`,
    ],
    [
      "tenant-a's first sync",
      `${a.wallSeconds === null ? 'not done within 30 min' : `${a.wallSeconds} s`} (${a.usersRead ?? '?'} users read; ${a.linked.employees} employees, ${a.linked.contacts} contacts, ${a.linked.departments} departments linked); calls ${byKey(a.calls)}; answers 429 ${answers429Row(a.answers429)} (over the limit/injected)`,
    ],
    ['machine', `${machine().cpus} CPUs, ${machine().memoryGiB} GiB, Node ${process.version}`],
  ];
  console.log('');
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)} ${v}`);
  const date = new Date().toISOString();
  writeResult(date, { date, machine: machine(), tenantIsolation: r }, '-tenant-isolation');
}

/** Requests by route less those in `less`, each divided by `per`, busiest first; routes left at 0 dropped. */
function byRoute(requests: Record<string, number>, less: Record<string, number> = {}, per = 1): Record<string, number> {
  return Object.fromEntries(
    Object.entries(requests)
      .map(([route, n]) => [route, Number(((n - (less[route] ?? 0)) / Math.max(1, per)).toFixed(2))] as const)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1]),
  );
}

/** The published limits the simulators enforce, in requests a second (Zendesk's is 700 a minute). */
const LIMITS = { zendesk: 700 / 60, poweroffice: 10, crmoffice: 20 } as const;
type SystemName = keyof typeof LIMITS;

/** Per system: what `after` counted beyond `before`. */
function delta(before: Record<SystemName, number>, after: Record<SystemName, number>): Record<SystemName, number> {
  return {
    zendesk: after.zendesk - before.zendesk,
    poweroffice: after.poweroffice - before.poweroffice,
    crmoffice: after.crmoffice - before.crmoffice,
  };
}

/** Seconds the minimum calls take at the published limits: the slowest system's. */
function boundOf(minimum: Record<SystemName, number>): number {
  return Math.max(...(Object.keys(LIMITS) as SystemName[]).map((k) => minimum[k] / LIMITS[k]));
}

/** Calls ÷ minimum per system (where the minimum is 0, the calls themselves: any is too many). */
function overMinimum(calls: Record<SystemName, number>, minimum: Record<SystemName, number>): Record<string, number> {
  return Object.fromEntries(
    (Object.keys(LIMITS) as SystemName[]).map((k) => [
      k,
      minimum[k] ? Number((calls[k] / minimum[k]).toFixed(2)) : calls[k],
    ]),
  );
}

/** Ms from the start of `act` until the write it causes arrives (`arm` hands the signal to the simulator's hook). */
async function timed(
  what: string,
  arm: (arrived: (() => void) | undefined) => void,
  act: () => Promise<unknown>,
): Promise<number> {
  const arrived = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not arrive within 20 s`)), 20_000);
    arm(() => {
      clearTimeout(timer);
      resolve();
    });
  });
  const t0 = performance.now();
  try {
    await Promise.all([act(), arrived]);
    return performance.now() - t0;
  } finally {
    arm(undefined);
  }
}

async function main(): Promise<void> {
  const users = option('users', 1000);
  // The first sync's window: record workflows a poll keeps in flight (workflows/poll.ts).
  const window = option('window', 50);
  const duringEdits = option('during-sync-edits', 20);
  if (process.argv.includes('--workers')) return scaleOut(users, Math.max(1, option('workers', 1)));
  if (process.argv.includes('--scale')) return scale(option('users', 100_000));
  if (process.argv.includes('--layout')) {
    const layout = process.argv[process.argv.indexOf('--layout') + 1];
    if (layout !== 'production') throw new Error(`--layout takes production, got ${layout}`);
    return productionLayout(option('users', 200), option('renames', 100), option('pause-ms', 500));
  }
  if (process.argv.includes('--isolation'))
    return tenantIsolation(
      option('a-users', 5000),
      option('b-users', 200),
      option('renames', 100),
      option('pause-ms', 500),
      process.argv.includes('--worker-per-tenant'),
    );
  const edits = option('edits', 200);
  const pauseMs = option('pause-ms', 500);
  const pollEdits = option('poll-edits', 50);
  // The figures are the output: only warnings of the worker and the SDK, on stderr.
  const logger = createLogger('bench', 'warn', { write: (line: string) => void process.stderr.write(line) }, 'pretty');
  installSdkRuntime(logger);
  // Each department write, as it leaves the PowerOffice simulator, and each Zendesk user write: the end of a latency sample.
  let departmentWritten: (() => void) | undefined;
  // During the first sync other writes go by: these are awaited by the record they write.
  const awaited = new Map<string, () => void>();
  // The calls those renames cost (the records they touch, while they run), kept out of the sync's count.
  const renamed = new Set<string>();
  const renameCalls: Record<SystemName, number> = { zendesk: 0, poweroffice: 0, crmoffice: 0 };
  const renameRoutes: Record<SystemName, Record<string, number>> = { zendesk: {}, poweroffice: {}, crmoffice: {} };
  const seen = (system: SystemName, method: string, route: string, status: number, url: string) => {
    const m = /\/(organizations|departments|companies)\/([^/?.]+)/i.exec(url);
    const key = m && `${m[1].toLowerCase()}/${m[2]}`;
    if (key && renamed.has(key)) {
      renameCalls[system] += 1;
      renameRoutes[system][`${method} ${route}`] = (renameRoutes[system][`${method} ${route}`] ?? 0) + 1;
    }
    if (key && method === 'PATCH' && status < 300) awaited.get(key)?.();
  };
  let userWritten: (() => void) | undefined;
  const stack = await startDevStack({
    ...DEV_DEFAULTS,
    dataDir: mkdtempSync(join(tmpdir(), 'tandem-bench-')),
    temporalPort: await freePort(),
    headless: true,
    webhookPort: await freePort(),
    metricsPort: await freePort(),
    simulatorPorts: { zendesk: await freePort(), poweroffice: await freePort(), crmoffice: await freePort() },
    sampleSize: users,
    schedules: false,
    simulatorHooks: {
      poweroffice: (method, route, status, url) => {
        if (method === 'PATCH' && /departments/i.test(route) && status < 300) departmentWritten?.();
        seen('poweroffice', method, route, status, url);
      },
      crmoffice: (method, route, status, url) => seen('crmoffice', method, route, status, url),
      zendesk: (method, route, status, url) => {
        if (method === 'PUT' && /\/users\/:id/.test(route) && status < 300) userWritten?.();
        seen('zendesk', method, route, status, url);
      },
    },
    log: () => undefined,
    logger,
  });
  const sims = { zendesk: stack.sims.zendesk, poweroffice: stack.sims.poweroffice, crmoffice: stack.sims.crmoffice };
  const api = createConnectors(stack.sims.configs);

  /**
   * Renames, a second apart while `running()`, of organisations whose department and company the
   * sync has made: ms from the rename to the department's and to the company's write.
   */
  async function renamesDuringSync(n: number, running: () => boolean) {
    const department: number[] = [];
    const company: number[] = [];
    const arrival = (key: string, into: number[], t0: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => (awaited.delete(key), resolve()), 120_000);
        awaited.set(
          key,
          () => (into.push(performance.now() - t0), awaited.delete(key), clearTimeout(timer), resolve()),
        );
      });
    for (let i = 0; i < n && running(); i++) {
      const companies = new Map(
        (await stack.store.listLinks(Z3B, { state: 'linked', limit: 1000 })).map((l) => [l.zendeskId, l.targetId]),
      );
      const both = (await stack.store.listLinks(P1, { state: 'linked', limit: 1000 })).filter((l) =>
        companies.has(l.zendeskId),
      );
      if (both.length === 0) {
        await new Promise((r) => setTimeout(r, 500));
        i--;
        continue;
      }
      const org = both[i % both.length];
      for (const key of [
        `organizations/${org.zendeskId}`,
        `departments/${org.targetId}`,
        `companies/${companies.get(org.zendeskId)}`,
      ])
        renamed.add(key);
      const t0 = performance.now();
      const arrived = Promise.all([
        arrival(`departments/${org.targetId}`, department, t0),
        arrival(`companies/${companies.get(org.zendeskId)}`, company, t0),
      ]);
      await api.zendesk.updateOrganization(Number(org.zendeskId), { name: `During Sync ${i} AS` });
      await Promise.all([arrived, new Promise((r) => setTimeout(r, 1000))]);
    }
    // Their calls end with their writes; what reads these records later is the sync's again.
    renamed.clear();
    return { department: summary(department), company: summary(company), calls: { ...renameCalls } };
  }
  const count = async (query: string) => (await stack.client.workflow.count(query)).count;
  /** What the first sync left in Temporal's store: the poll's history, and the record workflows' on average. */
  async function historySizes(poll: { describe(): Promise<{ historyLength: number; historySize?: number }> }) {
    const kib = (bytes: number) => Number((bytes / 1024).toFixed(1));
    const { historyLength, historySize } = await poll.describe();
    let runs = 0;
    let events = 0;
    let bytes = 0;
    for await (const wf of stack.client.workflow.list({ query: 'TandemKind = "record"' })) {
      runs += 1;
      events += wf.historyLength;
      bytes += wf.historySize ?? 0;
    }
    return {
      poll: { events: historyLength, kib: kib(historySize ?? 0) },
      record: {
        events: Number((events / Math.max(1, runs)).toFixed(1)),
        kib: kib(bytes / Math.max(1, runs)),
        totalMiB: Number((bytes / 2 ** 20).toFixed(1)),
      },
    };
  }
  // A long run (--users 10000 takes most of an hour) says which part it is in, and since when.
  const benchStarted = Date.now();
  const progress = (part: string) => console.log(`  ${Math.round((Date.now() - benchStarted) / 1000)} s: ${part}`);
  const routesNow = () => Object.fromEntries(Object.entries(sims).map(([k, sim]) => [k, { ...sim.stats.requests }]));
  const callsNow = (): Record<SystemName, number> => ({
    zendesk: requestCount(sims.zendesk.stats),
    poweroffice: requestCount(sims.poweroffice.stats),
    crmoffice: requestCount(sims.crmoffice.stats),
  });
  try {
    // 1. First sync of the users feed, until every record workflow it started has ended.
    console.log(
      `first sync of ${users} Zendesk users, then ${edits} organisation renames (the simulators' real rate limits)`,
    );
    const started = Date.now();
    const sync = await stack.client.workflow.start('pollFeed', {
      taskQueue: TASK_QUEUE,
      workflowId: 'bench/zendesk/users',
      args: [{ feed: 'zendesk/users', full: true, window }],
    });
    let syncing = true;
    // 1a. Meanwhile, organisations renamed in Zendesk: how long an edit takes while the bulk work runs.
    const during = renamesDuringSync(duringEdits, () => syncing);
    const totals = (await sync.result()) as PollTotals;
    await untilNoPairAtWork(stack.client);
    syncing = false;
    const seconds = (Date.now() - started) / 1000;
    progress('first sync done; its histories counted');
    const duringSync = await during;
    const linked = {
      employees: (await stack.store.counts(P2)).linked,
      contacts: (await stack.store.counts(Z3)).linked,
      departments: (await stack.store.counts(P1)).linked,
    };
    const firstSync = {
      wallSeconds: Number(seconds.toFixed(1)),
      usersRead: totals.read,
      linked,
      recordsPerSecond: Number(((linked.employees + linked.contacts) / seconds).toFixed(1)),
      calls: Object.fromEntries(
        Object.entries(sims).map(([k, s]) => [k, requestCount(s.stats) - duringSync.calls[k as SystemName]]),
      ),
      // Where the calls went: each system's routes, busiest first (the renames' calls left out).
      callsByRoute: Object.fromEntries(
        Object.entries(sims).map(([k, s]) => [k, byRoute(s.stats.requests, renameRoutes[k as SystemName])]),
      ),
      answers429: Object.fromEntries(Object.entries(sims).map(([k, s]) => [k, s.stats.rateLimited])),
      peakRequestsPerSecond: Object.fromEntries(Object.entries(sims).map(([k, s]) => [k, s.stats.peakPerSecond])),
      workflows: { record: await count('TandemKind = "record"'), poll: await count('TandemKind = "poll"') },
      histories: await historySizes(sync),
    };
    // The fewest calls any sync could make: the users export read once (its organisations side-loaded),
    // one create per created record (departments and companies included), no lookups; at the published
    // limits that takes `bound`.
    const companies = (await stack.store.counts('zendesk-organizations-to-crmoffice-companies')).linked;
    const minimum: Record<SystemName, number> = {
      zendesk: Math.ceil(users / 1000),
      poweroffice: linked.employees + linked.departments + 1,
      crmoffice: linked.contacts + companies + 1,
    };
    const boundSeconds = boundOf(minimum);
    const bound = {
      minimumCalls: minimum,
      boundSeconds: Number(boundSeconds.toFixed(1)),
      tandemOverBound: Number((seconds / boundSeconds).toFixed(2)),
      callsOverMinimum: overMinimum(firstSync.calls as Record<SystemName, number>, minimum),
      shareOfLimit: Object.fromEntries(
        (Object.keys(LIMITS) as SystemName[]).map((k) => [
          k,
          Number((firstSync.calls[k] / seconds / LIMITS[k]).toFixed(2)),
        ]),
      ),
    };

    progress('the first poll of each target feed');
    // 1b. The first poll of each target feed after the first sync: what changed since the target's
    // index last read it (the records the sync created since), not the whole target again.
    const firstTargetPoll: Record<string, { requests: number; read: number; workflowsStarted: number }> = {};
    for (const feed of FEEDS.filter((f) => f.side === 'target')) {
      const callsBefore = callsNow();
      const t = (await stack.client.workflow.execute('pollFeed', {
        taskQueue: TASK_QUEUE,
        workflowId: `bench/first-target-poll/${feed.id}`,
        args: [{ feed: feed.id }],
      })) as PollTotals;
      const used = delta(callsBefore, callsNow());
      firstTargetPoll[feed.id] = {
        requests: used.zendesk + used.poweroffice + used.crmoffice,
        read: t.read,
        workflowsStarted: t.started,
      };
    }
    await untilNoPairAtWork(stack.client);

    // 1c. The first sync of the tickets feed: an activity per ticket (Z2) and per comment (Z1), owned
    // by the contacts linked above. Its minimum: the export read once, a comments list per ticket
    // (what the simulators offer; Zendesk's ticket events export could list them in bulk), a create
    // per activity.
    progress('first sync of the tickets and their comments');
    const ticketsCallsBefore = callsNow();
    const limitedBefore = Object.fromEntries(Object.entries(sims).map(([k, sim]) => [k, sim.stats.rateLimited]));
    const ticketsRoutesBefore = routesNow();
    const ticketsStarted = Date.now();
    const ticketTotals = (await stack.client.workflow.execute('pollFeed', {
      taskQueue: TASK_QUEUE,
      workflowId: 'bench/zendesk/tickets',
      args: [{ feed: 'zendesk/tickets', full: true, window }],
    })) as PollTotals;
    await untilNoPairAtWork(stack.client);
    const ticketsSeconds = (Date.now() - ticketsStarted) / 1000;
    const ticketsLinked = {
      tickets: (await stack.store.counts(Z2)).linked,
      comments: (await stack.store.counts(Z1)).linked,
    };
    const ticketsCalls = delta(ticketsCallsBefore, callsNow());
    const ticketsMinimum: Record<SystemName, number> = {
      zendesk: Math.ceil(ticketTotals.read / 1000) + ticketTotals.read,
      poweroffice: 0,
      crmoffice: ticketsLinked.tickets + ticketsLinked.comments,
    };
    const ticketsBound = boundOf(ticketsMinimum);
    const ticketsSync = {
      wallSeconds: Number(ticketsSeconds.toFixed(1)),
      ticketsRead: ticketTotals.read,
      linked: ticketsLinked,
      recordsPerSecond: Number(((ticketsLinked.tickets + ticketsLinked.comments) / ticketsSeconds).toFixed(1)),
      calls: ticketsCalls,
      callsByRoute: Object.fromEntries(
        Object.entries(sims).map(([k, sim]) => [k, byRoute(sim.stats.requests, ticketsRoutesBefore[k])]),
      ),
      minimumCalls: ticketsMinimum,
      boundSeconds: Number(ticketsBound.toFixed(1)),
      tandemOverBound: Number((ticketsSeconds / ticketsBound).toFixed(2)),
      callsOverMinimum: overMinimum(ticketsCalls, ticketsMinimum),
      answers429: Object.fromEntries(
        Object.entries(sims).map(([k, sim]) => [k, sim.stats.rateLimited - limitedBefore[k]]),
      ),
    };

    progress(`${edits} renames through the webhook path`);
    // 2. Webhook → write: rename an organisation in Zendesk, time until its department is written.
    const { zendesk, poweroffice } = api;
    const pairs = await stack.store.listLinks(P1, { state: 'linked', limit: 1000 });
    const latencies: number[] = [];
    const beforeRenames = callsNow();
    for (let i = 0; i < edits && pairs.length > 0; i++) {
      const ms = await timed(
        `rename ${i}`,
        (f) => (departmentWritten = f),
        () => zendesk.updateOrganization(Number(pairs[i % pairs.length].zendeskId), { name: `Bench Renamed ${i} AS` }),
      );
      latencies.push(ms);
      await new Promise((r) => setTimeout(r, pauseMs));
    }
    await untilNoPairAtWork(stack.client);
    const renameCalls = delta(beforeRenames, callsNow());
    renameCalls.zendesk -= latencies.length; // the benchmark's own rename call is not Tandem's
    const perEdit = Object.fromEntries(
      Object.entries(renameCalls).map(([k, v]) => [
        k,
        latencies.length ? Number((v / latencies.length).toFixed(2)) : 0,
      ]),
    );
    const latency = summary(latencies);

    progress(`${pollEdits} moves through the poll path`);
    // 2b. The poll path: move an employee to another department in PowerOffice Go (the field P2 carries
    // back), poll its feed at once (a schedule would, within its interval), time until the Zendesk user
    // is written. The path adds this to the wait for the poll.
    await stack.client.workflow.execute('pollFeed', {
      taskQueue: TASK_QUEUE,
      workflowId: 'bench/poll-path/warm-up',
      args: [{ feed: 'poweroffice/employees' }],
    });
    await untilNoPairAtWork(stack.client);
    const employees = await stack.store.listLinks(P2, { state: 'linked', limit: 1000 });
    const pollLatencies: number[] = [];
    const beforeMoves = callsNow();
    const routesBeforeMoves = routesNow();
    for (let i = 0; i < pollEdits && employees.length > 0 && pairs.length > 1; i++) {
      const employee = await poweroffice.getEmployee(Number(employees[i % employees.length].targetId));
      const other = pairs.find((d) => d.targetId !== String(employee.DepartmentId))!;
      const edit = () => poweroffice.updateEmployee(employee.Id, { DepartmentId: Number(other.targetId) });
      const poll = () =>
        stack.client.workflow.execute('pollFeed', {
          taskQueue: TASK_QUEUE,
          workflowId: `bench/poll-path/${i}`,
          args: [{ feed: 'poweroffice/employees' }],
        });
      pollLatencies.push(
        await timed(
          `employee edit ${i}`,
          (f) => (userWritten = f),
          () => edit().then(poll),
        ),
      );
      await untilNoPairAtWork(stack.client);
    }
    const pollLatency = summary(pollLatencies);
    const moveCalls = delta(beforeMoves, callsNow());
    moveCalls.poweroffice -= 2 * pollLatencies.length; // the benchmark's own read and move are not Tandem's
    const perMove = Object.fromEntries(
      Object.entries(moveCalls).map(([k, v]) => [
        k,
        pollLatencies.length ? Number((v / pollLatencies.length).toFixed(2)) : 0,
      ]),
    );
    // Where they went, per move, busiest first (the benchmark's own calls included).
    const perMoveByRoute = Object.fromEntries(
      Object.entries(sims).map(([k, sim]) => [
        k,
        byRoute(sim.stats.requests, routesBeforeMoves[k], pollLatencies.length),
      ]),
    );

    progress('every feed polled until nothing changes (the organisations feed syncs here), then the idle poll');
    // 3. An idle poll of every feed: nothing changed since the last one.
    const idle = await idlePolls(stack.client, sims, 'bench');
    // What an hour of such polls costs under the schedules: the production defaults and `tandem dev`'s.
    const idleHours = {
      production: idleHour(idle, loadConfigFor(['polling'], { env: {} }).polling),
      dev: idleHour(idle, DEV_DEFAULTS.intervals),
    };

    progress('the plain script');
    // 4. The plain script's first sync of the same sample, on simulators of its own (the stack is idle).
    const plain = await runPlain(users, LIMITS);
    const over = (tandem: number, reference: number) => Number((tandem / reference).toFixed(2));

    const result = {
      date: new Date().toISOString(),
      machine: machine(),
      users,
      window,
      firstSync,
      bound,
      firstTargetPoll,
      plain: {
        ...plain,
        tandemOverPlain: over(firstSync.wallSeconds, plain.seconds),
        plainOverBound: over(plain.seconds, bound.boundSeconds),
      },
      ticketsSync: {
        ...ticketsSync,
        plainSeconds: plain.tickets.seconds,
        plainCalls: plain.tickets.calls,
        tandemOverPlain: over(ticketsSync.wallSeconds, plain.tickets.seconds),
        plainOverBound: over(plain.tickets.seconds, ticketsSync.boundSeconds),
      },
      webhookToWriteMs: { ...latency, pauseMs },
      duringFirstSyncMs: duringSync,
      pollToWriteMs: pollLatency,
      callsPerEdit: perEdit,
      callsPerPolledEdit: perMove,
      callsPerPolledEditByRoute: perMoveByRoute,
      idlePoll: idle,
      idleHour: idleHours,
      residentMiB: Math.round(process.memoryUsage().rss / 2 ** 20),
    };
    const f = result.firstSync;
    const rows: [string, string][] = [
      ['first sync wall time', `${f.wallSeconds} s (${f.usersRead} users read)`],
      ['linked', `${f.linked.employees} employees, ${f.linked.contacts} contacts, ${f.linked.departments} departments`],
      ['records per second', String(f.recordsPerSecond)],
      ['API calls', byKey(f.calls)],
      ['share of each limit', byKey(bound.shareOfLimit)],
      [
        'minimum calls',
        `${byKey(bound.minimumCalls)}: bound ${bound.boundSeconds} s; Tandem ÷ bound ${bound.tandemOverBound}`,
      ],
      ['calls ÷ minimum', byKey(bound.callsOverMinimum)],
      [
        'plain script',
        `${plain.seconds} s, calls ${byKey(plain.calls)}; Tandem ÷ plain ${result.plain.tandemOverPlain}, plain ÷ bound ${result.plain.plainOverBound}`,
      ],
      ...Object.entries(f.callsByRoute).map(([k, routes]): [string, string] => [`  ${k} by route`, byKey(routes)]),
      ['answers 429', byKey(f.answers429)],
      [
        'tickets first sync',
        `${ticketsSync.wallSeconds} s (${ticketsSync.ticketsRead} tickets read; ${ticketsLinked.tickets} ticket and ${ticketsLinked.comments} comment activities linked), ${ticketsSync.recordsPerSecond} records a second`,
      ],
      [
        '  its calls',
        `${byKey(ticketsCalls)}; minimum ${byKey(ticketsMinimum)}: bound ${ticketsSync.boundSeconds} s; Tandem ÷ bound ${ticketsSync.tandemOverBound}`,
      ],
      ['  calls ÷ minimum', `${byKey(ticketsSync.callsOverMinimum)}; answers 429 ${byKey(ticketsSync.answers429)}`],
      [
        '  plain script',
        `${plain.tickets.seconds} s, calls ${byKey(plain.tickets.calls)}; Tandem ÷ plain ${result.ticketsSync.tandemOverPlain}, plain ÷ bound ${result.ticketsSync.plainOverBound}`,
      ],
      ...Object.entries(ticketsSync.callsByRoute).map(([k, routes]): [string, string] => [
        `  ${k} by route`,
        byKey(routes),
      ]),
      ['peak requests in 1 s', byKey(f.peakRequestsPerSecond)],
      ['workflows', `${f.workflows.record} record, ${f.workflows.poll} poll`],
      [
        'histories',
        `the poll ${f.histories.poll.events} events, ${f.histories.poll.kib} KiB; a record workflow ${f.histories.record.events} events, ${f.histories.record.kib} KiB on average (${f.histories.record.totalMiB} MiB in all)`,
      ],
      [
        'first target poll',
        Object.entries(firstTargetPoll)
          .map(([k, v]) => `${k} ${v.requests} req/${v.read} read/${v.workflowsStarted} wf`)
          .join(', '),
      ],
      [
        'webhook → write',
        `p50 ${latency.p50} ms, p95 ${latency.p95} ms, p99 ${latency.p99} ms, max ${latency.max} ms (${latency.samples} renames, ${pauseMs} ms apart)`,
      ],
      ['calls per rename', byKey(perEdit)],
      [
        'during first sync',
        `rename → department p50 ${duringSync.department.p50} ms, max ${duringSync.department.max} ms; → company p50 ${duringSync.company.p50} ms, max ${duringSync.company.max} ms (${duringSync.company.samples} renames a second apart; their calls, ${byKey(duringSync.calls)}, are not the first sync's)`,
      ],
      [
        'poll → write',
        `p50 ${pollLatency.p50} ms, p95 ${pollLatency.p95} ms, p99 ${pollLatency.p99} ms, max ${pollLatency.max} ms (${pollLatency.samples} employees moved, each feed polled at once: a schedule adds up to its interval)`,
      ],
      ['calls per polled move', byKey(perMove)],
      ...Object.entries(perMoveByRoute).map(([k, routes]): [string, string] => [`  ${k} by route`, byKey(routes)]),
      ['idle poll', idleRow(idle)],
      [
        'idle hour',
        `${idleHourRow('default intervals', idleHours.production)}; ${idleHourRow('tandem dev', idleHours.dev)}`,
      ],
      ['resident memory', `${result.residentMiB} MiB (worker, simulators and store in one process)`],
      ['machine', `${result.machine.cpus} CPUs, ${result.machine.memoryGiB} GiB, Node ${result.machine.node}`],
    ];
    console.log('');
    for (const [k, v] of rows) console.log(`${k.padEnd(22)} ${v}`);
    writeResult(result.date, result);
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
