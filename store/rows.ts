/**
 * What both link stores share: input checks and the mapping between table rows and the store's
 * types. The SQL differs per backend (placeholders, driver calls); the meaning of a row does not.
 */
import type { FlowId, ZendeskType } from '../flows/types';
import { FLOW_IDS } from '../flows/registry';
import { getFeed } from '../flows/feeds';
import { ZENDESK_TYPES } from '../flows/zendesk-types';
import {
  LINK_STATES,
  type Intent,
  type Link,
  type LinkState,
  type LinkWrite,
  type ListOptions,
  type Retrying,
  type SharedToken,
  type ZendeskCopy,
} from './types';

export interface LinkRow {
  flow_id: string;
  zendesk_id: string;
  target_id: string | null;
  state: string;
  base: string | null;
  version: number;
  last_error: string | null;
  last_synced_at: string | null;
  updated_at: string;
}

export interface IntentRow {
  flow_id: string;
  zendesk_id: string;
  intent_key: string;
  created_at: string;
}

export interface RetryingRow {
  flow_id: string;
  zendesk_id: string;
  last_error: string;
  since: string;
  updated_at: string;
}

export interface SharedTokenRow {
  name: string;
  value: string;
  expires_at: string | null;
  updated_at: string;
}

export interface ZendeskCopyRow {
  modified_at: string;
  origin_at: string;
  fields: string;
}

export function checkZendeskType(type: string): ZendeskType {
  if (!(ZENDESK_TYPES as readonly string[]).includes(type))
    throw new Error(`unknown Zendesk record type "${type}"; valid types: ${ZENDESK_TYPES.join(', ')}`);
  return type as ZendeskType;
}

/** `modified_at` of a copy whose write is under way (the column predates such notes and is NOT NULL). */
const WRITE_UNDER_WAY = '';

/** The row of a copy, checked: both times are ISO strings (`modifiedAt` may be null: the write under way). */
export function copyRow(copy: ZendeskCopy): ZendeskCopyRow {
  const times = copy.modifiedAt === null ? (['originAt'] as const) : (['modifiedAt', 'originAt'] as const);
  for (const key of times) {
    if (typeof copy[key] !== 'string' || Number.isNaN(Date.parse(copy[key])))
      throw new Error(`Zendesk copy: ${key} must be a date-time string, got ${JSON.stringify(copy[key])}`);
  }
  return {
    modified_at: copy.modifiedAt ?? WRITE_UNDER_WAY,
    origin_at: copy.originAt,
    fields: JSON.stringify(copy.fields),
  };
}

export function toZendeskCopy(row: ZendeskCopyRow): ZendeskCopy {
  const modifiedAt = row.modified_at === WRITE_UNDER_WAY ? null : row.modified_at;
  return { modifiedAt, originAt: row.origin_at, fields: JSON.parse(row.fields) as Record<string, unknown> };
}

export function checkFlow(flow: string): FlowId {
  if (!(FLOW_IDS as readonly string[]).includes(flow))
    throw new Error(`unknown flow "${flow}"; valid flow ids: ${FLOW_IDS.join(', ')}`);
  return flow as FlowId;
}

export function checkId(what: string, id: unknown): string {
  if (typeof id !== 'string' || id.trim() === '')
    throw new Error(`${what} must be a non-empty string, got ${JSON.stringify(id)}`);
  return id;
}

/** A change feed's id, or a target index's (`target-index/<flow id>`: how far it read the target's change list). */
export function checkFeed(feed: string): string {
  if (feed.startsWith(TARGET_INDEX)) return targetIndexCheckpoint(checkFlow(feed.slice(TARGET_INDEX.length)));
  return getFeed(feed).id;
}

const TARGET_INDEX = 'target-index/';
export function targetIndexCheckpoint(flow: FlowId): string {
  return `${TARGET_INDEX}${flow}`;
}

export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`limit must be a whole number ≥ 1, got ${limit}`);
  return limit;
}

export function checkListOptions(options: ListOptions): { state: LinkState | null; limit: number; offset: number } {
  const { state, limit, offset = 0 } = options;
  checkLimit(limit);
  if (!Number.isInteger(offset) || offset < 0) throw new Error(`offset must be a whole number ≥ 0, got ${offset}`);
  if (state !== undefined && !LINK_STATES.includes(state))
    throw new Error(`state must be one of ${LINK_STATES.join(', ')}, got "${state}"`);
  return { state: state ?? null, limit, offset };
}

function checkBase(link: LinkWrite): string | null {
  if (link.base === null || link.base === undefined) return null;
  if (typeof link.base !== 'object' || Array.isArray(link.base)) {
    throw new Error(`link ${link.flowId}/${link.zendeskId}: base must be an object of row values or null`);
  }
  for (const [k, v] of Object.entries(link.base)) {
    if (v !== null && typeof v !== 'string')
      throw new Error(
        `link ${link.flowId}/${link.zendeskId}: base row "${k}" must be a string or null, got ${typeof v}`,
      );
  }
  return JSON.stringify(link.base);
}

/** The row saveLink writes (version = expected + 1), after checking every field. */
export function linkRowFor(link: LinkWrite, expectedVersion: number, updatedAt: string): LinkRow {
  const flow = checkFlow(link.flowId);
  const zendeskId = checkId('zendeskId', link.zendeskId);
  if (link.targetId !== null) checkId('targetId', link.targetId);
  if (!LINK_STATES.includes(link.state))
    throw new Error(`link ${flow}/${zendeskId}: state must be one of ${LINK_STATES.join(', ')}, got "${link.state}"`);
  if (!Number.isInteger(expectedVersion) || expectedVersion < 0)
    throw new Error(`expectedVersion must be a whole number ≥ 0, got ${expectedVersion}`);
  return {
    flow_id: flow,
    zendesk_id: zendeskId,
    target_id: link.targetId,
    state: link.state,
    base: checkBase(link),
    version: expectedVersion + 1,
    last_error: link.lastError ?? null,
    last_synced_at: link.lastSyncedAt ?? null,
    updated_at: updatedAt,
  };
}

function parseBase(row: LinkRow): Record<string, string | null> | null {
  if (row.base === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(row.base);
  } catch (e) {
    throw new Error(`link ${row.flow_id}/${row.zendesk_id}: stored base is not JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`link ${row.flow_id}/${row.zendesk_id}: stored base is not an object`);
  }
  return parsed as Record<string, string | null>;
}

export function toLink(row: LinkRow): Link {
  return {
    flowId: row.flow_id as FlowId,
    zendeskId: row.zendesk_id,
    targetId: row.target_id,
    state: row.state as LinkState,
    base: parseBase(row),
    version: Number(row.version),
    lastError: row.last_error,
    lastSyncedAt: row.last_synced_at,
    updatedAt: row.updated_at,
  };
}

export function toIntent(row: IntentRow, isNew: boolean): Intent {
  return {
    flowId: row.flow_id as FlowId,
    zendeskId: row.zendesk_id,
    intentKey: row.intent_key,
    createdAt: row.created_at,
    isNew,
  };
}

export function toRetrying(r: RetryingRow): Retrying {
  return {
    flowId: r.flow_id as FlowId,
    zendeskId: r.zendesk_id,
    lastError: r.last_error,
    since: r.since,
    updatedAt: r.updated_at,
  };
}

export function emptyCounts(): Record<LinkState, number> {
  return Object.fromEntries(LINK_STATES.map((s) => [s, 0])) as Record<LinkState, number>;
}

/** A shared token's name and value: no value check beyond "a non-empty string", and no value in the message. */
export function checkSharedToken(name: string, value?: unknown, expiresAt?: unknown): void {
  checkId('shared token name', name);
  if (value !== undefined && (typeof value !== 'string' || value === ''))
    throw new Error(`shared token "${name}": the value must be a non-empty string`);
  if (
    expiresAt !== undefined &&
    expiresAt !== null &&
    (typeof expiresAt !== 'string' || Number.isNaN(Date.parse(expiresAt)))
  ) {
    throw new Error(`shared token "${name}": expiresAt must be an ISO time or null, got ${JSON.stringify(expiresAt)}`);
  }
}

export function toSharedToken(row: SharedTokenRow): SharedToken {
  return { name: row.name, value: row.value, expiresAt: row.expires_at, updatedAt: row.updated_at };
}
