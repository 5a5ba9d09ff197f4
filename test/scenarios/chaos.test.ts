/**
 * The chaos run, small: 80 users, 40 edits on both sides under injected faults (5xx, 429, drops,
 * timeouts) and one SIGKILL of the worker process, then a drain and the invariants (bench/chaos).
 *
 * Each run deletes one employee in PowerOffice Go first: its feed never lists a deletion, so only the
 * pass from the feed's start at the end of the drain finds it. A write the API applies after Tandem
 * gave up on it can land after a newer edit; that needs requests held past the timeout, which this
 * small run leaves out (see the README's chaos section).
 */
import { CHAOS_DEFAULTS } from '../../bench/chaos/options';
import { runChaos, type ChaosResult } from '../../bench/chaos/run';
import { buildCli } from '../helpers/worker-process';

// Above the run's own bounds (first sync 180 s, edits 30 s, drain 240 s), which fail with a reason.
// The drain took 54 s here (133 s with the default backoff): two rounds 20 s apart at least, and a pass.
jest.setTimeout(480_000);

let result: ChaosResult;
const describeLost = (r: ChaosResult) => r.lost.map((a) => `#${a.edit.n} ${a.edit.kind} ${a.edit.property} on ${a.edit.record}: ${a.why}`);
/** An employee deleted in PowerOffice Go: nothing reads that deletion (finding 1). */
const employeeDeletion = (a: ChaosResult['lost'][number]) => a.edit.kind === 'delete' && a.edit.system === 'poweroffice';
const findings = (check: string, how?: (h: string) => boolean) => result.findings.filter((f) => f.check === check && (!how || how(f.how))).map((f) => f.detail);

beforeAll(async () => {
  buildCli();
  // No request held past the client's timeout here: such a write can land after a person's newer edit
  // (finding 3, which `npm run chaos` keeps showing); the 2 % without an answer are all dropped instead.
  const faults = { ...CHAOS_DEFAULTS.faults, dropRate: CHAOS_DEFAULTS.faults.dropRate + CHAOS_DEFAULTS.faults.slowRate, slowRate: 0 };
  const started = Date.now();
  const lines: string[] = [];
  const log = (line: string) => lines.push(`${((Date.now() - started) / 1000).toFixed(1)} s ${line}`);
  // Backoff capped at 5 s, and a record found gone read again after 5 s (the defaults wait up to a
  // minute): the run checks what arrives, not how patiently.
  const retry = { maximumIntervalMs: 5_000, goneConfirmMs: 5_000 };
  result = await runChaos({ ...CHAOS_DEFAULTS, faults, retry, users: 80, edits: 40, seconds: 30, killEvery: 20, maxKills: 1, firstSyncSeconds: 180, drainSeconds: 240 }, log);
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

// No API here has conditional writes: a person's edit of a field made between Tandem's read and its
// first write (a retried write reads again first) can still be overwritten: a rename, or a move or
// clear of an organisation (seen once in CI, a move made as a clear from Zendesk was being written).
// Two such edits at most; more, or a role change or deletion, is a new fault.
const RACED = ['rename', 'move', 'clear'];
test('every edit arrived or was superseded by a later one, bar at most two edits lost to the read-write race', () => {
  const lost = describeLost(result);
  if (lost.length) console.warn(`chaos: edits lost to the read-write race:\n${lost.join('\n')}`);
  expect(result.lost.filter((a) => !RACED.includes(a.edit.kind))).toEqual([]);
  expect(lost.length).toBeLessThanOrEqual(2);
  expect(result.accounted.arrived).toBeGreaterThan(0);
});

test('no pair failed, in conflict, pending or retrying without a reason after the drain', () => {
  expect(findings('stuck pairs')).toEqual([]);
});

// Finding 3: the task queues pace activities, not requests, and a create retried after a fault looks
// for its earlier result first: two requests in one activity. Under this many faults a second can then
// go a request or two over a limit (the faultless two-worker run in rate-limits.test.ts asserts none).
// A limit held per worker instead of per queue would show dozens; one in a thousand requests is the bound.
test('answers 429 for exceeding a published limit stay within one in a thousand requests', () => {
  for (const [system, s] of Object.entries(result.simulators)) {
    expect({ system, overLimit: s.rateLimited <= Math.max(1, s.requests / 1000) }).toEqual({ system, overLimit: true });
  }
});

test('an employee deleted in PowerOffice Go leaves its pair orphaned once a pass from the feed\'s start misses it', () => {
  expect([...describeLost({ ...result, lost: result.lost.filter(employeeDeletion) }), ...findings('pairs equal', (h) => h === 'record gone')]).toEqual([]);
});

test('an orphaned pair records why in last_error', () => {
  expect(findings('stuck pairs', (h) => h === 'orphaned with no last_error')).toEqual([]);
});
