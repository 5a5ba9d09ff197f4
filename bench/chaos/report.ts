/** A chaos run's figures as a table for people, and as JSON under bench/results/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getFlow } from '../../flows';
import type { ChaosResult } from './run';

const byKey = (o: Record<string, number>) =>
  Object.entries(o)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

export function chaosTable(r: ChaosResult): string {
  const o = r.options;
  const sims = Object.entries(r.simulators);
  const per = (f: (s: ChaosResult['simulators'][string]) => number) => sims.map(([k, s]) => `${k} ${f(s)}`).join(', ');
  const rows: [string, string][] = [
    [
      'options',
      `--users ${o.users} --edits ${o.edits} --seconds ${o.seconds} --kill-every ${o.killEvery}${Number.isFinite(o.maxKills) ? ` --max-kills ${o.maxKills}` : ''} --seed ${o.seed}`,
    ],
    [
      'wall time',
      `first sync ${r.seconds.firstSync} s, edits ${r.seconds.edits} s, drain ${r.seconds.drain} s${r.drained ? '' : ' (NOT drained)'}, total ${r.seconds.total} s`,
    ],
    [
      'edits made',
      `${r.edits.made} (${byKey(r.edits.byKind)}; ${byKey(r.edits.bySystem)})${r.edits.failed ? `, ${r.edits.failed} refused` : ''}`,
    ],
    ['workers', `${r.workers.started} started, ${r.workers.killed} killed with SIGKILL`],
    ['API requests', per((s) => s.requests)],
    ['injected faults', per((s) => s.faults)],
    ['  of them 429', per((s) => s.injected429)],
    ['peak requests in 1 s', per((s) => s.peakPerSecond)],
    [
      '  in the limit window',
      sims
        .map(
          ([k, s]) =>
            `${k} ${s.peakPerWindow}${s.rateLimit ? ` of ${s.rateLimit.limit} per ${s.rateLimit.windowMs} ms` : ' (no limit)'}`,
        )
        .join(', '),
    ],
    ['  applied, then lost', per((s) => s.appliedThenLost)],
    ['  applied late', per((s) => s.appliedLate)],
    ['  list page failed', per((s) => s.listPagesFailed)],
    ['  list page short', per((s) => s.shortPages)],
    ['same-second times', per((s) => s.sameSecond)],
    [
      'pairs',
      Object.entries(r.links)
        .map(([f, c]) => `${getFlow(f).code} ${byKey(Object.fromEntries(Object.entries(c).filter(([, n]) => n > 0)))}`)
        .join('; '),
    ],
    [
      'edits accounted',
      `arrived ${r.accounted.arrived}, superseded ${r.accounted.superseded}, lost ${r.accounted.lost}`,
    ],
    ['duplicates', String(r.findings.filter((f) => f.check === 'duplicates').length)],
    ['linked pairs unequal', `${r.findings.filter((f) => f.check === 'pairs equal').length} of ${r.pairsChecked}`],
    ['failed or stuck', String(r.findings.filter((f) => f.check === 'stuck pairs').length)],
    ['429 over a limit', per((s) => s.rateLimited)],
    ['result', r.violations.length ? `FAILED: ${r.violations.join('; ')}` : 'every invariant held'],
  ];
  const lines = rows.map(([k, v]) => `${k.padEnd(22)} ${v}`);
  if (r.lost.length)
    lines.push(
      '',
      'lost edits:',
      ...r.lost
        .slice(0, 40)
        .map(
          (a) =>
            `  #${a.edit.n} ${a.edit.kind} ${a.edit.property}=${JSON.stringify(a.edit.value)} on ${a.edit.record} at ${new Date(a.edit.at).toISOString()}: ${a.why}`,
        ),
    );
  if (r.overLimit.length)
    lines.push(
      '',
      '429 over a limit, the second before:',
      ...r.overLimit.map((o) => `  ${o.system} at ${o.at}: ${byKey(o.lastSecond)}`),
    );
  const other = r.findings.slice(0, 40);
  if (other.length) lines.push('', 'findings:', ...other.map((f) => `  [${f.check}] ${f.detail}`));
  return lines.join('\n');
}

/** Writes the result next to the benchmark's; returns the file. */
export function writeChaosResult(r: ChaosResult, root: string): string {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `chaos-${r.date.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(r, (_k, v) => (v === Number.POSITIVE_INFINITY ? null : v), 2)}\n`);
  return file;
}
