import { InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { FLOW_IDS, FlowId, isFlowId } from '../flows';
import { selectSchedules } from '../workers/schedules';

/** Parses a flow id argument; a wrong one is a usage error (exit 2) naming the valid ids. */
export function flowIdArg(value: string): FlowId {
  if (!isFlowId(value)) throw new InvalidArgumentError(`unknown flow id "${value}"; valid: ${FLOW_IDS.join(', ')}`);
  return value;
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

/** A poll side: `zendesk` (the Zendesk change feed) or `target` (the other system's). */
export function sideArg(value: string): 'zendesk' | 'target' {
  if (value !== 'zendesk' && value !== 'target') throw new InvalidArgumentError(`"${value}" is not a side; use zendesk or target`);
  return value;
}

/** A schedule id (`poll/<feed>`), a feed (`zendesk/users`) or a flow id (the feeds it reads); the ids do not depend on the intervals. */
export function scheduleWhichArg(value: string): string {
  try {
    selectSchedules({ zendesk: 1, poweroffice: 1, crmoffice: 1 }, value);
  } catch (err) {
    throw new InvalidArgumentError(`"${value}" is neither a schedule id, a feed nor a flow id: ${(err as Error).message}`);
  }
  return value;
}

const HttpUrl = z.url({ protocol: /^https?$/ });

/** An absolute http(s) URL, e.g. the address Zendesk can reach the webhook receiver at. */
export function httpUrlArg(value: string): string {
  if (!HttpUrl.safeParse(value).success) throw new InvalidArgumentError(`"${value}" is not an http(s) URL`);
  return value;
}
