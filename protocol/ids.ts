/** Names shared by workflows, the worker and the clients that start or signal them. */
import type { ApiRecord, ZendeskType } from '../flows/types';
import { getFlow } from '../flows/registry';
import type { ReportedValue } from '../flows/echo';
import type { SyncOutcome } from './outcomes';
import { tenantWorkflowId } from './tenants';

/** Workflows, and the local activities they run (decisions, the link store). */
export const TASK_QUEUE = 'tandem';

/** The systems Tandem calls; each has a task queue of its own whose activity rate holds its limit. */
export const SYSTEMS = ['zendesk', 'poweroffice', 'crmoffice'] as const;
export type System = (typeof SYSTEMS)[number];

// Failure types of API steps that workflows act on.
/** A create's look for an earlier one, done as an attempt of its own (see createTarget). */
export const LOOKED_FIRST = 'LookedFirst';
/** A retried write's check that its record is as the decision read it, an attempt of its own. */
export const CHECKED_FIRST = 'CheckedFirst';
/** The record changed since the decision read it: the workflow reads both sides again (not retried). */
export const RECORD_MOVED_ON = 'RecordMovedOn';

export interface PairRef {
  flowId: string;
  zendeskId: string;
}

/** A pair's key in answers and in the workflows that wait for them: `<flow id>/<zendesk id>`. */
export function pairKey(pair: PairRef): string {
  return `${pair.flowId}/${pair.zendeskId}`;
}

/**
 * The workflow of one pair before the Zendesk record became the entity (`<flow id>/<zendesk id>`):
 * still the id of the pair workflows an upgraded installation finishes.
 */
export function recordWorkflowId(pair: PairRef, tenant: string): string {
  return tenantWorkflowId(pairKey(pair), tenant);
}

/** A Zendesk record with a workflow of its own: a user, an organisation, a ticket (with its comments). */
export interface RecordRef {
  type: Exclude<ZendeskType, 'ticketComments'>;
  zendeskId: string;
}

/**
 * The record's workflow, the one writer of it and of every record linked to it: `zendesk/<type>/<id>`
 * (in a tenant other than the default, `<tenant>:zendesk/<type>/<id>`; protocol/tenants.ts).
 */
export function zendeskRecordWorkflowId(ref: RecordRef, tenant: string): string {
  return tenantWorkflowId(`zendesk/${ref.type}/${ref.zendeskId}`, tenant);
}

/** The workflow that syncs a pair: its Zendesk record's. */
export function pairWorkflowId(pair: PairRef, tenant: string): string {
  return zendeskRecordWorkflowId(recordOfPair(pair), tenant);
}

/**
 * The Zendesk record whose workflow syncs a pair: a comment's is its ticket (the comments flow named
 * with the ticket's own id is the listing of its comments).
 */
export function recordOfPair(pair: PairRef): RecordRef {
  const type = getFlow(pair.flowId).source.type;
  if (type === 'ticketComments')
    return {
      type: 'tickets',
      zendeskId: pair.zendeskId.includes(':') ? String(parseCommentPairId(pair.zendeskId).ticketId) : pair.zendeskId,
    };
  return { type, zendeskId: pair.zendeskId };
}

/** One poll workflow (and one schedule) per change feed, e.g. `poll/zendesk/users`. */
export function pollWorkflowId(feed: string, tenant: string): string {
  return tenantWorkflowId(`poll/${feed}`, tenant);
}

/** The workflow that hands one ticket's comments to their pairs. */
export function ticketCommentsWorkflowId(ticketId: string, tenant: string): string {
  return tenantWorkflowId(`comments/${ticketId}`, tenant);
}

/** What a signal tells a record workflow: something changed on one side, noticed by whom. */
export interface ChangeNotice {
  side: 'zendesk' | 'target';
  via: 'webhook' | 'poll' | 'manual' | 'reference';
  /** The change's own time when known (ISO), for the audit trail. */
  at?: string;
  /** Who wants to hear of the next sync (a poll, a pair that needs this one): signalled back then. */
  replyTo?: string;
  /** Another pair needs this one linked (a reference): on-demand flows may create it. */
  demanded?: boolean;
  /** A webhook's: the field its event changed and the value it reports (an echo of a write of ours is skipped). */
  reported?: ReportedValue;
}

export const CHANGED_SIGNAL = 'changed';
export const PAIR_SYNCED_SIGNAL = 'pairSynced';
/** A record workflow's report of a round to the poll that handed it work. */
export const RECORD_SYNCED_SIGNAL = 'recordSynced';

/** One pair of a record a notice concerns, with what the notice knows of it. */
export interface PairWork extends PairRef {
  given?: GivenRecord;
}

/**
 * What a signal tells a Zendesk record's workflow: a change, and the pairs it concerns (none named:
 * every flow of the record, as a Zendesk webhook asks). A ticket's comments flow named with the
 * ticket's id lists its comments; named with `<ticket id>:<comment id>`, syncs that comment.
 */
export interface RecordNotice extends ChangeNotice {
  pairs?: PairWork[];
}

/** A round's report to the poll: the outcome of each pair it synced. */
export interface RecordSynced {
  workflowId: string;
  pairs: PairSynced[];
}

/**
 * What a pair tells those who wait for it after a sync: its parent (a poll, or a pair that needs it
 * as a reference) once, and anyone who asked with `replyTo`.
 */
export interface PairSynced {
  flowId: string;
  zendeskId: string;
  targetId: string | null;
  outcome: SyncOutcome;
  summary: string;
}

/** A record as a change feed returned it, so the pair need not read it again. */
export interface GivenRecord {
  /** The Zendesk record (from a Zendesk feed). */
  record?: ApiRecord;
  /** The linked target record (from a target feed). */
  target?: ApiRecord;
  /** For a comment: its ticket, which the activity's subject names. */
  ticket?: ApiRecord;
  /**
   * The pair's link version when the feed was read (0: no link). A sync since (a webhook, the other
   * side's poll) makes this copy possibly older than what that sync wrote, so it is read again.
   */
  linkVersion?: number;
  /** When the feed read it (ms): a linked pair trusts a copy only this fresh (see COPY_FRESH_MS). */
  readAt?: number;
  /**
   * When the poll brought the flow's target index up to date (no link yet; ms, workflow time): while
   * that is recent, candidates come from the index, a read by id each, not a search per record.
   */
  matchIndexedAt?: number;
  /** The same for the flows of the records it refers to (its department, its company): for the references it creates. */
  referencesIndexedAt?: number;
  /**
   * The records it refers to as the feed's page side-loaded them (a user's organization): a reference
   * this pair creates gets its copy, not a read. Only set while the pair has no link.
   */
  referenced?: GivenReference[];
}

export interface GivenReference {
  flowId: string;
  zendeskId: string;
  /** The page's copy, on the first pair of the page that refers to it; the pairs after it refer to it only. */
  record?: ApiRecord;
}

/** A ticket comment's pair id: comments have no address of their own but their ticket's. */
export function commentPairId(ticketId: string | number, commentId: string | number): string {
  return `${ticketId}:${commentId}`;
}

export function parseCommentPairId(id: string): { ticketId: number; commentId: number } {
  const [ticket, comment] = id.split(':');
  const ticketId = Number(ticket);
  const commentId = Number(comment);
  if (!Number.isInteger(ticketId) || !Number.isInteger(commentId))
    throw new Error(`comment pair id \`${id}\` is not <ticket id>:<comment id>`);
  return { ticketId, commentId };
}
