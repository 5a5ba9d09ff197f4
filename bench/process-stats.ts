/** A process's resident memory and CPU time, from Linux's /proc (undefined elsewhere). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { FLOW_IDS } from '../flows';
import type { LinkStore } from '../store';

export function residentMiB(pid: number): { now: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const mib = (field: string) =>
      Math.round(Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) / 1024);
    return { now: mib('VmRSS'), peak: mib('VmHWM') };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user and system) a process has used so far; Linux counts them in ticks of 1/100 s. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** The links of every flow, and the SQLite store's file with its write-ahead log (no path: PostgreSQL, not measured). */
export async function storeFootprint(
  store: LinkStore,
  sqlitePath?: string,
): Promise<{ links: number; bytes?: number; bytesPerLink?: number }> {
  const links = (
    await Promise.all(FLOW_IDS.map(async (f) => Object.values(await store.counts(f)).reduce((a, b) => a + b, 0)))
  ).reduce((a, b) => a + b, 0);
  if (sqlitePath === undefined) return { links };
  const bytes = [sqlitePath, `${sqlitePath}-wal`].filter(existsSync).reduce((sum, f) => sum + statSync(f).size, 0);
  return { links, bytes, bytesPerLink: Math.round(bytes / links) };
}
