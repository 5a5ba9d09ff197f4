/**
 * The chaos run, small: 80 users, 40 edits on both sides under injected faults (5xx, 429, drops,
 * timeouts) and one SIGKILL of the worker process, then a drain and the invariants (bench/chaos).
 *
 * Each run deletes one employee in PowerOffice Go first: its feed never lists a deletion, so only the
 * pass from the feed's start at the end of the drain finds it. A write the API applies after Tandem
 * gave up on it can land after a newer edit; that needs requests held past the timeout, which this
 * small run leaves out (see the chaos section of docs/benchmarks.md).
 */
import { CHAOS_DEFAULTS } from '../../bench/chaos/options';
import { runChaos, type ChaosResult } from '../../bench/chaos/run';
import { buildCli } from '../helpers/worker-process';

// Above the run's own bounds (first sync 180 s, edits 30 s, drain 240 s), which fail with a reason.
// The drain took 54 s here (133 s with the default backoff): two rounds 20 s apart at least, and a pass.
jest.setTimeout(480_000);

let result: ChaosResult;
const describeLost = (r: ChaosResult) =>
  r.lost.map((a) => `#${a.edit.n} ${a.edit.kind} ${a.edit.property} on ${a.edit.record}: ${a.why}`);
/** An employee deleted in PowerOffice Go: nothing reads that deletion (finding 1). */
const employeeDeletion = (a: ChaosResult['lost'][number]) =>
  a.edit.kind === 'delete' && a.edit.system === 'poweroffice';
const findings = (check: string, how?: (h: string) => boolean) =>
  result.findings.filter((f) => f.check === check && (!how || how(f.how))).map((f) => f.detail);

beforeAll(async () => {
  buildCli();
  // No request held past the client's timeout here, and no write held then applied: such a write can
  // land after a person's newer edit (finding 3, which `npm run chaos` keeps showing); the 2 % without
  // an answer are all dropped instead. The other faults (answers lost, list pages failing or short,
  // whole-second times, Zendesk's held-back minute) are on as in `npm run chaos`.
  const faults = {
    ...CHAOS_DEFAULTS.faults,
    dropRate: CHAOS_DEFAULTS.faults.dropRate + CHAOS_DEFAULTS.faults.slowRate,
    slowRate: 0,
    appliedLateRate: 0,
  };
  const started = Date.now();
  const lines: string[] = [];
  const log = (line: string) => lines.push(`${((Date.now() - started) / 1000).toFixed(1)} s ${line}`);
  // Backoff capped at 5 s, and a record found gone read again after 5 s (the defaults wait up to a
  // minute): the run checks what arrives, not how patiently.
  const retry = { maximumIntervalMs: 5_000, goneConfirmMs: 5_000 };
  result = await runChaos(
    {
      ...CHAOS_DEFAULTS,
      faults,
      retry,
      users: 80,
      edits: 40,
      seconds: 30,
      killEvery: 20,
      maxKills: 1,
      firstSyncSeconds: 180,
      drainSeconds: 240,
    },
    log,
  );
  console.log(`chaos: ${JSON.stringify(result.seconds)}\n${lines.join('\n')}`);
});

test('the run had its chaos: faults of each kind, a worker killed, the edits made', () => {
  const sims = Object.values(result.simulators);
  expect(sims.reduce((n, s) => n + s.faults - s.injected429, 0)).toBeGreaterThan(0);
  expect(sims.reduce((n, s) => n + s.injected429, 0)).toBeGreaterThan(0);
  expect(result.workers.killed).toBeGreaterThanOrEqual(1);
  expect(result.edits.made).toBeGreaterThanOrEqual(30);
  expect(result.drained).toBe(true);
});

test('no duplicate record on any side', () => {
  expect(findings('duplicates')).toEqual([]);
});

test('every linked pair whose records exist is equal on every synced property', () => {
  expect(findings('pairs equal', (h) => h !== 'record gone')).toEqual([]);
});

// One writer per Zendesk record, and every write looking first when it starts late: no edit is lost.
test('every edit arrived or was superseded by a later one: none lost', () => {
  expect(describeLost(result)).toEqual([]);
  expect(result.accounted.arrived).toBeGreaterThan(0);
});

test('no pair failed, in conflict, pending or retrying after the drain', () => {
  expect(findings('stuck pairs')).toEqual([]);
});

test('no answer 429 for exceeding a published limit, and no second over a limit (only the injected ones)', () => {
  expect(findings('rate limits')).toEqual([]);
});

test("an employee deleted in PowerOffice Go leaves its pair orphaned once a pass from the feed's start misses it", () => {
  expect([
    ...describeLost({ ...result, lost: result.lost.filter(employeeDeletion) }),
    ...findings('pairs equal', (h) => h === 'record gone'),
  ]).toEqual([]);
});

test('an orphaned pair records why in last_error', () => {
  expect(findings('stuck pairs', (h) => h === 'orphaned with no last_error')).toEqual([]);
});
