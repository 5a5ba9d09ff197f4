/**
 * The Zendesk record types Tandem syncs, each described once: what messages and webhook events call
 * one, and when Zendesk counts it deleted. Routing, labels and the store derive from this.
 */
import type { ApiRecord, ZendeskType } from './types';

interface ZendeskRecordType {
  /** Singular, as messages ("zendesk user 123") and webhook event types (`zen:event-type:user.…`) name it. */
  noun: string;
  /** Deleted, or as good as: Zendesk keeps such records readable. */
  isDeleted(record: ApiRecord): boolean;
}

export const ZENDESK_RECORD_TYPES = {
  users: { noun: 'user', isDeleted: (r) => r.active === false },
  organizations: { noun: 'organization', isDeleted: (r) => r.deleted_at !== undefined && r.deleted_at !== null },
  tickets: { noun: 'ticket', isDeleted: (r) => r.status === 'deleted' },
  ticketComments: { noun: 'comment', isDeleted: () => false },
} as const satisfies Record<ZendeskType, ZendeskRecordType>;

/** What a Zendesk webhook event is about: a record type's noun. */
export type ZendeskKind = (typeof ZENDESK_RECORD_TYPES)[ZendeskType]['noun'];

export const ZENDESK_TYPES = Object.keys(ZENDESK_RECORD_TYPES) as ZendeskType[];

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
