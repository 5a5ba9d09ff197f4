/**
 * Pino's JSON lines as one readable line each, for a person watching `tandem dev`:
 * `12:00:01 WARN  worker  pair P2/123 skipped: no e-mail  flow=…`. No colours, no multi-line
 * objects; a stack trace (a bug) follows its line, indented.
 */
import type { DestinationStream } from 'pino';

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const OMIT = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'err', 'sdkComponent']);

function show(v: unknown): string {
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

function compactLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith('\n') ? json : `${json}\n`;
  }
  const time = new Date(typeof o.time === 'number' ? o.time : Date.now()).toISOString().slice(11, 19);
  const level = (LEVELS[o.level as number] ?? String(o.level)).padEnd(5);
  const fields = Object.entries(o)
    .filter(([k, v]) => !OMIT.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${show(v)}`);
  const err = o.err as { message?: string; stack?: string } | undefined;
  const parts = [
    time,
    level,
    String(o.name ?? ''),
    String(o.msg ?? ''),
    err?.message ? `error=${show(err.message)}` : '',
    ...fields,
  ].filter(Boolean);
  let line = parts.join('  ');
  // A trace is worth its lines only at ERROR and above: that is what a bug is logged at.
  if (err?.stack && (o.level as number) >= 50)
    line += `\n${err.stack
      .split('\n')
      .slice(1)
      .map((l) => `    ${l.trim()}`)
      .join('\n')}`;
  return `${line}\n`;
}

export function compactDestination(dest: DestinationStream): DestinationStream {
  return { write: (chunk: string) => dest.write(compactLine(chunk.trimEnd())) };
}
