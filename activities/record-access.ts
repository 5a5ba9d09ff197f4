/**
 * Binds each flow's record types to connector calls, so the sync code speaks only of "the Zendesk
 * record" and "the target record". HTTP stays in connectors/; this file only chooses the call.
 */
import type { CrmofficeClient } from '../connectors/crmoffice';
import { NotFoundError } from '../connectors/errors';
import type { PowerOfficeClient } from '../connectors/poweroffice';
import type { ZendeskClient } from '../connectors/zendesk';
import type { ApiRecord, MatchRule, TargetType, ZendeskType } from '../flows/types';
import { ZENDESK_RECORD_TYPES, isDeletedInZendesk } from '../flows/zendesk-types';
import { parseCommentPairId } from '../protocol/ids';

export interface Connectors {
  zendesk: ZendeskClient;
  poweroffice: PowerOfficeClient;
  crmoffice: CrmofficeClient;
}

/** One page of a target change feed: records changed strictly after `since`, page by page. */
interface TargetPage {
  items: ApiRecord[];
  hasMore: boolean;
}

export interface TargetAccess {
  get(id: string): Promise<ApiRecord | null>;
  create(body: ApiRecord): Promise<ApiRecord>;
  update(id: string, body: ApiRecord): Promise<ApiRecord>;
  /** Candidates for a match rule's value (e-mail, name or external key). */
  find(by: MatchRule['by'], value: string): Promise<ApiRecord[]>;
  listChanged(since: string | null, page: number, pageSize: number): Promise<TargetPage>;
  idOf(record: ApiRecord): string;
}

export interface ZendeskAccess {
  /** Null when the record is gone. Comment ids are `<ticket id>:<comment id>`. */
  get(type: ZendeskType, id: string): Promise<ApiRecord | null>;
  update(type: ZendeskType, id: string, body: ApiRecord): Promise<ApiRecord>;
}

async function orNull<T>(read: Promise<T>): Promise<T | null> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}

const asRecord = (r: unknown) => r as ApiRecord;
const asRecords = (r: unknown[]) => r as ApiRecord[];

/** The calls of one Zendesk record type: its read (null, or a 404, when gone) and, where Zendesk allows it, its update. */
interface ZendeskCalls {
  get(id: string): Promise<ApiRecord | null>;
  update?(id: string, body: ApiRecord): Promise<unknown>;
}

export type MakeZendeskCalls = (zendesk: ZendeskClient) => ZendeskCalls;

/** Each Zendesk record type's calls, keyed by type (an extension adds its own: activities/extend.ts). */
const ZENDESK_CALLS: Record<ZendeskType, MakeZendeskCalls> = {
  users: (z) => ({
    // A deactivated user reads as gone: Zendesk keeps its tombstone readable.
    get: async (id) => {
      const user = asRecord(await z.getUser(Number(id)));
      return isDeletedInZendesk('users', user) ? null : user;
    },
    update: (id, body) => z.updateUser(Number(id), body),
  }),
  organizations: (z) => ({
    get: (id) => z.getOrganization(Number(id)).then(asRecord),
    update: (id, body) => z.updateOrganization(Number(id), body),
  }),
  tickets: (z) => ({
    get: (id) => z.getTicket(Number(id)).then(asRecord),
    update: (id, body) => z.updateTicket(Number(id), body),
  }),
  // Comments have no address of their own: read through their ticket's list, never edited.
  ticketComments: (z) => ({
    get: async (id) => {
      const { ticketId, commentId } = parseCommentPairId(id);
      const comments = await z.listTicketComments(ticketId);
      return (comments.find((c) => c.id === commentId) as ApiRecord | undefined) ?? null;
    },
  }),
};

export function addZendeskCalls(type: ZendeskType, make: MakeZendeskCalls): void {
  ZENDESK_CALLS[type] = make;
}

export function zendeskAccess(zendesk: ZendeskClient): ZendeskAccess {
  const made = new Map<ZendeskType, ZendeskCalls>();
  const calls = (type: ZendeskType): ZendeskCalls => {
    const make = ZENDESK_CALLS[type];
    if (!make) throw new Error(`no connector calls are registered for Zendesk ${type}`);
    if (!made.has(type)) made.set(type, make(zendesk));
    return made.get(type)!;
  };
  return {
    get: (type, id) => orNull(calls(type).get(id)),
    async update(type, id, body) {
      const { update } = calls(type);
      if (!update) throw new Error(`Zendesk ${ZENDESK_RECORD_TYPES[type].noun}s cannot be edited`);
      return asRecord(await update(id, body));
    },
  };
}

/** The calls of one target record type; `targetAccess` makes them a TargetAccess (ids as strings, a 404 as null). */
interface TargetCalls {
  get(id: string): Promise<unknown>;
  create(body: ApiRecord): Promise<unknown>;
  update(id: string, body: ApiRecord): Promise<unknown>;
  find(by: MatchRule['by'], value: string): Promise<unknown[]>;
  list(since: string | undefined, page: number, pageSize: number): Promise<{ items: unknown[]; hasMore: boolean }>;
  /** The field holding the record's id. */
  idField: string;
}

export type MakeTargetCalls = (connectors: Connectors) => TargetCalls;

/** Each target record type's calls, keyed by type (an extension adds its own: activities/extend.ts). */
const TARGET_CALLS: Record<TargetType, MakeTargetCalls> = {
  employees: ({ poweroffice: po }) => ({
    get: (id) => po.getEmployee(Number(id)),
    create: (body) => po.createEmployee(body),
    update: (id, body) => po.updateEmployee(Number(id), body),
    find: async (by, value) =>
      by === 'externalKey'
        ? [await po.findEmployeeByExternalImportReference(value)].filter((e) => e !== null && e !== undefined)
        : po.findEmployeesByEmail(value),
    list: (since, pageNumber, pageSize) => po.listEmployees({ lastChangedAfter: since, pageNumber, pageSize }),
    idField: 'Id',
  }),
  departments: ({ poweroffice: po }) => ({
    get: (id) => po.getDepartment(Number(id)),
    create: (body) => po.createDepartment(body),
    update: (id, body) => po.updateDepartment(Number(id), body),
    find: (_by, value) => po.findDepartmentsByName(value),
    list: (since, pageNumber, pageSize) => po.listDepartments({ lastChangedAfter: since, pageNumber, pageSize }),
    idField: 'Id',
  }),
  contacts: ({ crmoffice: crm }) => ({
    get: (id) => crm.getContact(id),
    create: (body) => crm.createContact(body),
    update: (id, body) => crm.updateContact(id, body),
    find: (_by, value) => crm.findContactsByEmail(value),
    list: (since, page, pageSize) => crm.listContacts({ since, page, pageSize }),
    idField: 'id',
  }),
  companies: ({ crmoffice: crm }) => ({
    get: (id) => crm.getCompany(id),
    create: (body) => crm.createCompany(body),
    update: (id, body) => crm.updateCompany(id, body),
    find: (_by, value) => crm.findCompaniesByName(value),
    list: (since, page, pageSize) => crm.listCompanies({ since, page, pageSize }),
    idField: 'id',
  }),
  activities: ({ crmoffice: crm }) => ({
    get: (id) => crm.getActivity(id),
    create: (body) => crm.createActivity(body),
    update: (id, body) => crm.updateActivity(id, body),
    find: (_by, value) => crm.findActivitiesByExternalId(value),
    list: (since, page, pageSize) => crm.listActivities({ since, page, pageSize }),
    idField: 'id',
  }),
};

export function addTargetCalls(type: TargetType, make: MakeTargetCalls): void {
  TARGET_CALLS[type] = make;
}

export function targetAccess(c: Connectors, type: TargetType): TargetAccess {
  const make = TARGET_CALLS[type];
  if (!make) throw new Error(`no connector calls are registered for target ${type}`);
  const calls = make(c);
  return {
    get: (id) => orNull(calls.get(id).then(asRecord)),
    create: async (body) => asRecord(await calls.create(body)),
    update: async (id, body) => asRecord(await calls.update(id, body)),
    find: async (by, value) => asRecords(await calls.find(by, value)),
    listChanged: async (since, page, pageSize) => {
      const res = await calls.list(since ?? undefined, page, pageSize);
      return { items: asRecords(res.items), hasMore: res.hasMore };
    },
    idOf: (r) => String(r[calls.idField]),
  };
}
