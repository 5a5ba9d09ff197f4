/**
 * One chaos run: the first sync of the Zendesk users, then random edits on both sides of the user
 * and organisation flows, all while the simulators fail requests on purpose and worker processes
 * are killed with SIGKILL; then the faults stop, the system drains, and the invariants are checked.
 */
import { cpus, totalmem } from 'node:os';
import { requestCount, type SimulatorStats } from '../../simulators/kit';
import { accountEdits, type Accounted } from './accounting';
import { duplicates, pairsEqual, rateLimits, stuckPairs, type Finding } from './checks';
import { CHAOS_FEEDS, drain, idle, pollOnce } from './drain';
import { EditMaker, type Edit } from './edits';
import { CHAOS_FLOWS } from './flows';
import { readLinks } from './links';
import type { OverLimit } from './limit-evidence';
import type { ChaosOptions } from './options';
import { personAt } from './person';
import { readSnapshot, readZendesk } from './snapshot';
import { startChaosStack } from './stack';

export interface ChaosResult {
  date: string;
  options: ChaosOptions;
  machine: { cpus: number; memoryGiB: number; node: string };
  seconds: { firstSync: number; edits: number; drain: number; total: number };
  drained: boolean;
  edits: { made: number; failed: number; byKind: Record<string, number>; bySystem: Record<string, number> };
  workers: { started: number; killed: number };
  simulators: Record<
    string,
    Pick<
      SimulatorStats,
      | 'writes'
      | 'faults'
      | 'injected429'
      | 'appliedThenLost'
      | 'appliedLate'
      | 'listPagesFailed'
      | 'shortPages'
      | 'sameSecond'
      | 'rateLimited'
      | 'peakPerSecond'
      | 'peakPerWindow'
      | 'rateLimit'
    > & { requests: number }
  >;
  links: Record<string, Record<string, number>>;
  accounted: { arrived: number; superseded: number; lost: number };
  lost: Accounted[];
  /** Every edit with its verdict, for the evidence behind a lost one. */
  log: {
    n: number;
    at: string;
    kind: string;
    system: string;
    record: string;
    property: string;
    value: string | null;
    verdict: string;
    why: string;
  }[];
  pairsChecked: number;
  /** The requests of the second before each 429 over a real limit. */
  overLimit: OverLimit[];
  findings: Finding[];
  /** The invariants that broke; empty when the run passed. */
  violations: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChaos(
  options: ChaosOptions,
  log: (line: string) => void = () => undefined,
): Promise<ChaosResult> {
  const started = Date.now();
  const stack = await startChaosStack({ users: options.users, seed: options.seed, retry: options.retry });
  const sims = { zendesk: stack.sims.zendesk, poweroffice: stack.sims.poweroffice, crmoffice: stack.sims.crmoffice };
  const person = personAt(stack.sims);
  const setFaults = (faults: object) =>
    Promise.all(
      Object.values(sims).map((s) =>
        fetch(`${s.url}/_sim/faults`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(faults),
        }),
      ),
    );
  let chaos = true;
  const background: Promise<void>[] = [];
  try {
    await stack.workers.start();
    await setFaults(options.faults);

    // Kills from the first sync on, until the edits end; a second worker for the first half of the edits.
    let twoWorkers = false;
    const killing = (async () => {
      let kills = 0;
      while (chaos) {
        const at = Date.now() + options.killEvery * 1000;
        while (chaos && Date.now() < at) await sleep(250);
        if (!chaos) break;
        if (kills < options.maxKills) {
          await stack.workers.killOldest();
          kills += 1;
          log(`killed a worker with SIGKILL (${kills})`);
        }
        while (stack.workers.size < (twoWorkers ? 2 : 1)) await stack.workers.start();
        while (stack.workers.size > (twoWorkers ? 2 : 1)) await stack.workers.killOldest();
      }
    })();
    background.push(killing);

    // 1. First sync of the users feed (employees and contacts, their departments and companies).
    log(`first sync of ${options.users} Zendesk users, faults on`);
    await pollOnce(stack.client, 'zendesk/users', true, options.retry);
    if (!(await idle(stack.client, stack.store, Date.now() + options.firstSyncSeconds * 1000)))
      throw new Error(`the first sync did not end within ${options.firstSyncSeconds} s`);
    const firstSync = (Date.now() - started) / 1000;

    // 2. Edits, with the feeds polled as the schedules would (Zendesk's exports less often: 10 a minute).
    log(`${options.edits} edits over ${options.seconds} s`);
    const world = await readZendesk(person);
    const maker = new EditMaker(
      person,
      {
        users: new Map(
          [...world.users].map(([id, u]) => [
            id,
            {
              role: String(u.role),
              org: u.organization_id === null || u.organization_id === undefined ? null : String(u.organization_id),
              deleted: false,
            },
          ]),
        ),
        orgs: [...world.orgs.keys()],
        orgNames: new Map([...world.orgs].map(([id, o]) => [id, String(o.name)])),
      },
      options.seed,
    );
    const editsStarted = Date.now();
    const windowEnd = editsStarted + options.seconds * 1000;
    twoWorkers = true;
    for (const feed of CHAOS_FEEDS) {
      background.push(
        (async () => {
          while (chaos) {
            await pollOnce(stack.client, feed.id, false, options.retry).catch((err) =>
              log(`poll ${feed.id}: ${(err as Error).message}`),
            );
            const until = Date.now() + (feed.system === 'zendesk' ? 30_000 : 10_000);
            while (chaos && Date.now() < until) await sleep(250);
          }
        })(),
      );
    }
    let failed = 0;
    let links = await readLinks(stack.store);
    let linksAt = Date.now();
    const pace = (options.seconds * 1000) / Math.max(1, options.edits);
    for (let i = 0; i < options.edits && Date.now() < windowEnd; i++) {
      if (i === Math.floor(options.edits / 2)) twoWorkers = false;
      if (Date.now() - linksAt > 3000) [links, linksAt] = [await readLinks(stack.store), Date.now()];
      await maker.next(links).catch((err) => {
        failed += 1;
        log(`edit failed: ${(err as Error).message}`);
      });
      await sleep(Math.max(0, editsStarted + (i + 1) * pace - Date.now()));
    }
    while (Date.now() < windowEnd) await sleep(250);
    const editSeconds = (Date.now() - editsStarted) / 1000;

    // 3. Faults off, kills stop; drain. A poll still at work (it waits for its pairs, up to a minute's
    // backoff after the faults) is not awaited here: the drain's idle waits for it with the rest.
    chaos = false;
    await setFaults({});
    await killing;
    if (stack.workers.size === 0) await stack.workers.start();
    log('faults off; draining');
    const drainStarted = Date.now();
    const writes = () => Object.values(sims).reduce((n, s) => n + s.stats.writes, 0);
    // Its last round asks Zendesk's exports after they hand out the changes made before now.
    const exportsSettled = drainStarted + stack.sims.zendesk.exportDelaySeconds() * 1000;
    const drained = await drain(
      stack.client,
      stack.store,
      writes,
      options.drainSeconds * 1000,
      options.retry,
      log,
      exportsSettled,
    );
    const drainSeconds = (Date.now() - drainStarted) / 1000;

    // 4. The checks.
    const snapshot = await readSnapshot(person, stack.store);
    const accounted = accountEdits(snapshot, maker.log);
    const equal = pairsEqual(snapshot);
    const count = (v: Accounted['verdict']) => accounted.filter((a) => a.verdict === v).length;
    const tally = (key: (e: Edit) => string) =>
      maker.log.reduce<Record<string, number>>((m, e) => ({ ...m, [key(e)]: (m[key(e)] ?? 0) + 1 }), {});
    const simulators = Object.fromEntries(
      Object.entries(sims).map(([k, s]) => [
        k,
        {
          requests: requestCount(s.stats),
          writes: s.stats.writes,
          faults: s.stats.faults,
          injected429: s.stats.injected429,
          appliedThenLost: s.stats.appliedThenLost,
          appliedLate: s.stats.appliedLate,
          listPagesFailed: s.stats.listPagesFailed,
          shortPages: s.stats.shortPages,
          sameSecond: s.stats.sameSecond,
          rateLimited: s.stats.rateLimited,
          peakPerSecond: s.stats.peakPerSecond,
          peakPerWindow: s.stats.peakPerWindow,
          rateLimit: s.stats.rateLimit,
        },
      ]),
    );
    const findings = [...duplicates(snapshot), ...equal.findings, ...stuckPairs(snapshot), ...rateLimits(simulators)];
    const lost = accounted.filter((a) => a.verdict === 'lost');
    const violations = [
      ...(drained.drained ? [] : ['the system did not drain within the bound']),
      ...(findings.some((f) => f.check === 'duplicates') ? ['duplicate records'] : []),
      ...(findings.some((f) => f.check === 'pairs equal') ? ['linked pairs not equal'] : []),
      ...(lost.length ? ['edits lost'] : []),
      ...(findings.some((f) => f.check === 'stuck pairs') ? ['pairs failed, in conflict or stuck'] : []),
      ...(findings.some((f) => f.how === '429 over the limit') ? ['answers 429 for exceeding a published limit'] : []),
      ...(findings.some((f) => f.how === 'peak over the limit') ? ['requests over a published limit'] : []),
    ];
    return {
      date: new Date().toISOString(),
      options,
      machine: { cpus: cpus().length, memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)), node: process.version },
      seconds: {
        firstSync: Math.round(firstSync),
        edits: Math.round(editSeconds),
        drain: Math.round(drainSeconds),
        total: Math.round((Date.now() - started) / 1000),
      },
      drained: drained.drained,
      edits: { made: maker.log.length, failed, byKind: tally((e) => e.kind), bySystem: tally((e) => e.system) },
      workers: { started: stack.workers.started, killed: stack.workers.killed },
      simulators,
      links: Object.fromEntries(await Promise.all(CHAOS_FLOWS.map(async (f) => [f, await stack.store.counts(f)]))),
      accounted: { arrived: count('arrived'), superseded: count('superseded'), lost: lost.length },
      lost,
      log: accounted.map(({ edit, verdict, why }) => ({
        n: edit.n,
        at: new Date(edit.at).toISOString(),
        kind: edit.kind,
        system: edit.system,
        record: edit.record,
        property: edit.property,
        value: edit.value,
        verdict,
        why,
      })),
      pairsChecked: equal.checked,
      overLimit: stack.evidence.captured,
      findings,
      violations,
    };
  } finally {
    chaos = false;
    await Promise.allSettled(background);
    await stack.stop();
  }
}
