import { InvalidArgumentError } from 'commander';
import { z } from 'zod';
import type { FlowId } from '../flows';
import { selectSchedules } from '../workers/schedules';
import { flowNameList, resolveFlowName, suggestFlowNames } from './flow-names';

/** Parses a flow id or short code (P2); a wrong one is a usage error (exit 2) with "did you mean". */
export function flowIdArg(value: string): FlowId {
  const id = resolveFlowName(value);
  if (id) return id;
  const near = suggestFlowNames(value);
  const hint = near.length ? `; did you mean ${near.slice(0, 2).join(' or ')}?` : '';
  throw new InvalidArgumentError(`unknown flow id "${value}"${hint}; valid: ${flowNameList()}`);
}

export function portArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a port (0-65535)`);
  return n;
}

export function positiveIntArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`"${value}" is not a positive whole number`);
  return n;
}

/** A whole number of seconds, 0 included (0: never, for an interval). */
export function secondsArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`"${value}" is not a whole number of seconds`);
  return n;
}

/** A poll side: `zendesk` (the Zendesk change feed) or `target` (the other system's). */
export function sideArg(value: string): 'zendesk' | 'target' {
  if (value !== 'zendesk' && value !== 'target')
    throw new InvalidArgumentError(`"${value}" is not a side; use zendesk or target`);
  return value;
}

/**
 * A schedule id (`poll/<feed>`), a feed (`zendesk/users`) or a flow (the feeds it reads), flows by
 * id or short code; returned with the full flow id. The ids do not depend on the intervals.
 */
export function scheduleWhichArg(value: string): string {
  const normalized = resolveFlowName(value) ?? value;
  try {
    selectSchedules({ zendesk: 1, poweroffice: 1, crmoffice: 1 }, normalized);
  } catch (err) {
    const near = suggestFlowNames(value);
    const hint = near.length ? ` (did you mean ${near.slice(0, 2).join(' or ')}?)` : '';
    throw new InvalidArgumentError(
      `"${value}" is neither a schedule id, a feed nor a flow id${hint}: ${(err as Error).message}`,
    );
  }
  return normalized;
}

const HttpUrl = z.url({ protocol: /^https?$/ });

/** An absolute http(s) URL, e.g. the address Zendesk can reach the webhook receiver at. */
export function httpUrlArg(value: string): string {
  if (!HttpUrl.safeParse(value).success) throw new InvalidArgumentError(`"${value}" is not an http(s) URL`);
  return value;
}
