import { InvalidArgumentError } from 'commander';
import { z } from 'zod';
import type { FlowId } from '../flows';
import { plannedSchedules } from '../workers/schedules';
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

/** A poll side: `zendesk` (the Zendesk change feed) or `target` (the other system's). */
export function sideArg(value: string): 'zendesk' | 'target' {
  if (value !== 'zendesk' && value !== 'target') throw new InvalidArgumentError(`"${value}" is not a side; use zendesk or target`);
  return value;
}

/**
 * A schedule id (`poll/<flow>/<side>`) or a flow (both its schedules), flows by id or short code;
 * returned with full flow ids. The ids do not depend on the intervals.
 */
export function scheduleWhichArg(value: string): string {
  const all = plannedSchedules({ zendesk: 1, poweroffice: 1, crmoffice: 1 }).map((s) => s.id);
  const parts = value.split('/');
  const flowPart = parts[0] === 'poll' ? parts[1] : parts[0];
  const id = flowPart !== undefined ? resolveFlowName(flowPart) : undefined;
  const normalized = id ? (parts[0] === 'poll' ? ['poll', id, ...parts.slice(2)].join('/') : id) : value;
  if (!all.some((s) => s === normalized || s.startsWith(`poll/${normalized}/`))) {
    const near = flowPart ? suggestFlowNames(flowPart) : [];
    const hint = near.length ? ` (did you mean ${near.slice(0, 2).join(' or ')}?)` : '';
    throw new InvalidArgumentError(`"${value}" is neither a schedule id nor a flow id${hint}; schedules: ${all.join(', ')}`);
  }
  return normalized;
}

const HttpUrl = z.url({ protocol: /^https?$/ });

/** An absolute http(s) URL, e.g. the address Zendesk can reach the webhook receiver at. */
export function httpUrlArg(value: string): string {
  if (!HttpUrl.safeParse(value).success) throw new InvalidArgumentError(`"${value}" is not an http(s) URL`);
  return value;
}
