/**
 * The link store: which Zendesk record is paired with which target record, the base of the
 * three-way merge, poll checkpoints, creation intents, retrying pairs and the tokens workers share.
 * Async, so SQLite and PostgreSQL stand behind the same interface.
 */
import type { SharedToken, SharedTokenHolder } from '../connectors/token-sharing';
import type { ZendeskCopy } from '../flows/copies';
import type { FlowId, ZendeskType } from '../flows/types';

export type { ZendeskCopy };

export type { SharedToken };

export const LINK_STATES = ['linked', 'pending', 'failed', 'orphaned', 'conflict'] as const;
export type LinkState = (typeof LINK_STATES)[number];

export interface Link {
  flowId: FlowId;
  zendeskId: string;
  targetId: string | null;
  state: LinkState;
  /** Row values both sides held after the last sync (the merge base); null before the first. */
  base: Record<string, string | null> | null;
  /** Bumped on every save: the optimistic lock. */
  version: number;
  lastError: string | null;
  lastSyncedAt: string | null;
  updatedAt: string;
}

/** What saveLink writes: version and updatedAt are set by the store. */
export type LinkWrite = Omit<Link, 'version' | 'updatedAt'> & Partial<Pick<Link, 'version' | 'updatedAt'>>;

export type LinkCounts = Record<LinkState, number>;

export interface Checkpoint {
  value: string;
  updatedAt: string;
}

/** A pair being retried after transient failures (an API outage): since when, and the last error. */
export interface Retrying {
  flowId: FlowId;
  zendeskId: string;
  lastError: string;
  since: string;
  updatedAt: string;
}

export interface Intent {
  flowId: FlowId;
  zendeskId: string;
  intentKey: string;
  createdAt: string;
  /** True when this call recorded it; false when an earlier one had (a retry after a crash). */
  isNew: boolean;
}

export interface ListOptions {
  state?: LinkState;
  limit: number;
  offset?: number;
}

export interface LinkStore extends SharedTokenHolder {
  /** Resolves once the store is reachable and migrated (PostgreSQL connects lazily); rejects with the reason. */
  ready(): Promise<void>;
  getByZendeskId(flow: FlowId, zendeskId: string): Promise<Link | undefined>;
  getByTargetId(flow: FlowId, targetId: string): Promise<Link | undefined>;
  /**
   * Saves the link if its stored version is still `expectedVersion` (0: it must not exist yet);
   * returns it with version + 1. Throws VersionConflictError when the row moved meanwhile, and
   * DuplicateTargetError when the target record is already linked to another Zendesk record.
   */
  saveLink(link: LinkWrite, expectedVersion: number): Promise<Link>;
  /** Marks the pair failed with the reason (creating the row if absent); keeps target and base. */
  markFailed(flow: FlowId, zendeskId: string, error: string): Promise<Link>;
  /** Marks the pair orphaned (one side is gone) with the reason; undefined when there is no such link. */
  markOrphaned(flow: FlowId, zendeskId: string, reason: string): Promise<Link | undefined>;
  /** Marks the pair conflicting (several candidates matched) with the message; keeps target and base. */
  markConflict(flow: FlowId, zendeskId: string, message: string): Promise<Link>;
  /** Notes a transient failure of the pair's sync; the first one sets `since`. Leaves the link alone. */
  markRetrying(flow: FlowId, zendeskId: string, error: string): Promise<void>;
  /** The pair's sync ended (whatever the outcome): it is no longer retrying. */
  clearRetrying(flow: FlowId, zendeskId: string): Promise<void>;
  /** Pairs retrying now, longest first; of one flow or all. */
  listRetrying(flow: FlowId | undefined, limit: number): Promise<Retrying[]>;
  countRetrying(flow: FlowId): Promise<number>;
  listLinks(flow: FlowId, options: ListOptions): Promise<Link[]>;
  counts(flow: FlowId): Promise<LinkCounts>;
  /** Pairs that need an operator (failed, conflict, orphaned), newest first; of one flow or all. */
  needingReview(flow: FlowId | undefined, limit: number): Promise<Link[]>;
  /** Notes that the full pass `pass` of a target feed listed these target records of the flow. */
  markTargetsSeen(flow: FlowId, targetIds: readonly string[], pass: string): Promise<void>;
  /** Linked pairs of the flow whose target the full pass `pass` did not list, by Zendesk id after `after`. */
  linksNotSeen(flow: FlowId, pass: string, after: string | null, limit: number): Promise<Link[]>;
  /** Notes each target record's match value (e-mail, name: as flows/match.ts compares it), replacing the one before. */
  indexTargets(flow: FlowId, entries: readonly { targetId: string; matchValue: string }[]): Promise<void>;
  /** The target records of the flow noted with this match value. */
  indexedTargets(flow: FlowId, matchValue: string): Promise<string[]>;
  /** Notes the latest copy Tandem wrote into a Zendesk record (replacing the one before). */
  noteZendeskCopy(type: ZendeskType, zendeskId: string, copy: ZendeskCopy): Promise<void>;
  getZendeskCopy(type: ZendeskType, zendeskId: string): Promise<ZendeskCopy | undefined>;
  /** A change feed's position (`zendesk/users`, `poweroffice/employees`, …: see flows/feeds.ts). */
  getCheckpoint(feed: string): Promise<Checkpoint | undefined>;
  setCheckpoint(feed: string, value: string): Promise<void>;
  /** Records the intent to create a target for this pair; idempotent, returns the existing one. */
  recordIntent(flow: FlowId, zendeskId: string, intentKey: string): Promise<Intent>;
  getIntent(flow: FlowId, zendeskId: string): Promise<Intent | undefined>;
  clearIntent(flow: FlowId, zendeskId: string): Promise<void>;
  close(): Promise<void>;
}

/** The link moved since it was read: read again and merge against the newer one. */
export class VersionConflictError extends Error {
  constructor(
    readonly flowId: string,
    readonly zendeskId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number | null,
  ) {
    super(
      `link ${flowId}/${zendeskId} moved: expected version ${expectedVersion}, ` +
        (actualVersion === null ? 'but it does not exist' : `found ${actualVersion}`),
    );
    this.name = 'VersionConflictError';
  }
}

/** The target record is already linked to another Zendesk record in this flow. */
export class DuplicateTargetError extends Error {
  constructor(
    readonly flowId: string,
    readonly targetId: string,
    readonly zendeskId: string,
    readonly linkedZendeskId: string | null,
  ) {
    super(
      `cannot link ${flowId}/${zendeskId} to target ${targetId}: it is already linked to Zendesk record ${linkedZendeskId ?? '(unknown)'}`,
    );
    this.name = 'DuplicateTargetError';
  }
}
