/** A process's resident memory, now and at its peak, from Linux's /proc (undefined elsewhere). */
import { readFileSync } from 'node:fs';

export function residentMiB(pid: number): { now: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const mib = (field: string) => Math.round(Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) / 1024);
    return { now: mib('VmRSS'), peak: mib('VmHWM') };
  } catch {
    return undefined;
  }
}
