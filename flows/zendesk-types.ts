/**
 * The Zendesk record types Tandem syncs, each described once: what messages and webhook events call
 * one, which webhook events report its changes, and when Zendesk counts it deleted. Routing, labels,
 * the webhook subscription and the store derive from this. An extension adds types (flows/extend.ts).
 */
import type { ApiRecord } from './types';

export interface ZendeskRecordType {
  /** Singular, as messages ("zendesk user 123") and webhook event types (`zen:event-type:user.…`) name it. */
  noun: string;
  /** Deleted, or as good as: Zendesk keeps such records readable. */
  isDeleted(record: ApiRecord): boolean;
  /** The webhook events that report a change to one (names as Zendesk publishes them): Tandem subscribes to these. */
  events: readonly string[];
  /** The domain of those events' subject (`zen:<domain>:<id>`): a comment's event is about its ticket. */
  subject: string;
  /** A type with no export of its own, read under another's: a new comment moves its ticket's `updated_at`. */
  listedUnder?: string;
}

const zendeskRecordTypes: Record<string, ZendeskRecordType> = {
  users: {
    noun: 'user',
    isDeleted: (r) => r.active === false,
    events: [
      'zen:event-type:user.created',
      'zen:event-type:user.deleted',
      'zen:event-type:user.name_changed',
      'zen:event-type:user.identity_created',
      'zen:event-type:user.identity_changed',
      'zen:event-type:user.identity_deleted',
      'zen:event-type:user.role_changed',
      'zen:event-type:user.organization_membership_created',
      'zen:event-type:user.organization_membership_deleted',
      'zen:event-type:user.active_changed',
    ],
    subject: 'user',
  },
  organizations: {
    noun: 'organization',
    isDeleted: (r) => r.deleted_at !== undefined && r.deleted_at !== null,
    events: [
      'zen:event-type:organization.created',
      'zen:event-type:organization.name_changed',
      'zen:event-type:organization.deleted',
    ],
    subject: 'organization',
  },
  tickets: {
    noun: 'ticket',
    isDeleted: (r) => r.status === 'deleted',
    events: [
      'zen:event-type:ticket.created',
      'zen:event-type:ticket.subject_changed',
      'zen:event-type:ticket.requester_changed',
      'zen:event-type:ticket.organization_changed',
      'zen:event-type:ticket.status_changed',
      'zen:event-type:ticket.soft_deleted',
      'zen:event-type:ticket.permanently_deleted',
    ],
    subject: 'ticket',
  },
  ticketComments: {
    noun: 'comment',
    isDeleted: () => false,
    events: ['zen:event-type:ticket.comment_added'],
    subject: 'ticket',
    listedUnder: 'tickets',
  },
};

export const ZENDESK_RECORD_TYPES: Readonly<Record<string, ZendeskRecordType>> = zendeskRecordTypes;

/** A Zendesk record type's key (`users`, `organizations`, …): a key of ZENDESK_RECORD_TYPES. */
export type ZendeskType = string;

/** What a Zendesk webhook event is about: a record type's noun. */
export type ZendeskKind = string;

/** A type with an export (a change feed) of its own: not `listedUnder` another. */
export type ZendeskFeedType = ZendeskType;

export const ZENDESK_TYPES: readonly ZendeskType[] = Object.keys(zendeskRecordTypes);

/** The export a type's changes are read from: its own, or the one it is listed under. */
export function zendeskFeedTypeOf(type: ZendeskType): ZendeskFeedType {
  return ZENDESK_RECORD_TYPES[type].listedUnder ?? type;
}

/** The record type of a noun; undefined for one Tandem does not sync. */
export function zendeskTypeOfKind(kind: string): ZendeskType | undefined {
  return ZENDESK_TYPES.find((type) => ZENDESK_RECORD_TYPES[type].noun === kind);
}

/**
 * Whether Zendesk reports the record deleted (its tombstone is still readable): a user with
 * `active: false`, an organisation with `deleted_at`, a ticket with status `deleted`.
 */
export function isDeletedInZendesk(type: ZendeskType, record: ApiRecord): boolean {
  return ZENDESK_RECORD_TYPES[type].isDeleted(record);
}

/** Every webhook event type Tandem subscribes to. */
export const ZENDESK_EVENT_TYPES: readonly string[] = ZENDESK_TYPES.flatMap((t) => ZENDESK_RECORD_TYPES[t].events);

/** The record type a webhook event reports on; undefined for an event Tandem does not subscribe to. */
export function zendeskTypeOfEvent(eventType: string): ZendeskType | undefined {
  return ZENDESK_TYPES.find((t) => ZENDESK_RECORD_TYPES[t].events.includes(eventType));
}

/** Adds a record type (flows/extend.ts checks it first). */
export function addZendeskType(type: ZendeskType, described: ZendeskRecordType): void {
  zendeskRecordTypes[type] = described;
  (ZENDESK_TYPES as ZendeskType[]).push(type);
  (ZENDESK_EVENT_TYPES as string[]).push(...described.events);
}
