/**
 * Binds each flow's record types to connector calls, so the sync code speaks only of "the Zendesk
 * record" and "the target record". HTTP stays in connectors/; this file only chooses the call.
 */
import type { CrmofficeClient } from '../connectors/crmoffice';
import { NotFoundError } from '../connectors/errors';
import type { PowerOfficeClient } from '../connectors/poweroffice';
import type { ZendeskClient } from '../connectors/zendesk';
import type { ApiRecord, MatchRule, TargetType, ZendeskType } from '../flows/types';
import { isDeletedInZendesk } from '../flows/zendesk-types';
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

export function zendeskAccess(zendesk: ZendeskClient): ZendeskAccess {
  return {
    async get(type, id) {
      switch (type) {
        case 'users': {
          const user = await orNull(zendesk.getUser(Number(id)).then(asRecord));
          return user && !isDeletedInZendesk('users', user) ? user : null;
        }
        case 'organizations':
          return orNull(zendesk.getOrganization(Number(id)).then(asRecord));
        case 'tickets':
          return orNull(zendesk.getTicket(Number(id)).then(asRecord));
        case 'ticketComments': {
          const { ticketId, commentId } = parseCommentPairId(id);
          const comments = await orNull(zendesk.listTicketComments(ticketId));
          return (comments?.find((c) => c.id === commentId) as ApiRecord | undefined) ?? null;
        }
      }
    },
    async update(type, id, body) {
      switch (type) {
        case 'users':
          return asRecord(await zendesk.updateUser(Number(id), body));
        case 'organizations':
          return asRecord(await zendesk.updateOrganization(Number(id), body));
        case 'tickets':
          return asRecord(await zendesk.updateTicket(Number(id), body));
        case 'ticketComments':
          throw new Error('Zendesk ticket comments cannot be edited');
      }
    },
  };
}

export function targetAccess(c: Connectors, type: TargetType): TargetAccess {
  const po = c.poweroffice;
  const crm = c.crmoffice;
  switch (type) {
    case 'employees':
      return {
        get: (id) => orNull(po.getEmployee(Number(id)).then(asRecord)),
        create: async (body) => asRecord(await po.createEmployee(body)),
        update: async (id, body) => asRecord(await po.updateEmployee(Number(id), body)),
        async find(by, value) {
          if (by === 'externalKey') {
            const found = await po.findEmployeeByExternalImportReference(value);
            return found ? [asRecord(found)] : [];
          }
          return asRecords(await po.findEmployeesByEmail(value));
        },
        listChanged: async (since, page, pageSize) => {
          const res = await po.listEmployees({ lastChangedAfter: since ?? undefined, pageNumber: page, pageSize });
          return { items: asRecords(res.items), hasMore: res.hasMore };
        },
        idOf: (r) => String(r.Id),
      };
    case 'departments':
      return {
        get: (id) => orNull(po.getDepartment(Number(id)).then(asRecord)),
        create: async (body) => asRecord(await po.createDepartment(body)),
        update: async (id, body) => asRecord(await po.updateDepartment(Number(id), body)),
        find: async (_by, value) => asRecords(await po.findDepartmentsByName(value)),
        listChanged: async (since, page, pageSize) => {
          const res = await po.listDepartments({ lastChangedAfter: since ?? undefined, pageNumber: page, pageSize });
          return { items: asRecords(res.items), hasMore: res.hasMore };
        },
        idOf: (r) => String(r.Id),
      };
    case 'contacts':
      return {
        get: (id) => orNull(crm.getContact(id).then(asRecord)),
        create: async (body) => asRecord(await crm.createContact(body)),
        update: async (id, body) => asRecord(await crm.updateContact(id, body)),
        find: async (_by, value) => asRecords(await crm.findContactsByEmail(value)),
        listChanged: async (since, page, pageSize) => {
          const res = await crm.listContacts({ since: since ?? undefined, page, pageSize });
          return { items: asRecords(res.items), hasMore: res.hasMore };
        },
        idOf: (r) => String(r.id),
      };
    case 'companies':
      return {
        get: (id) => orNull(crm.getCompany(id).then(asRecord)),
        create: async (body) => asRecord(await crm.createCompany(body)),
        update: async (id, body) => asRecord(await crm.updateCompany(id, body)),
        find: async (_by, value) => asRecords(await crm.findCompaniesByName(value)),
        listChanged: async (since, page, pageSize) => {
          const res = await crm.listCompanies({ since: since ?? undefined, page, pageSize });
          return { items: asRecords(res.items), hasMore: res.hasMore };
        },
        idOf: (r) => String(r.id),
      };
    case 'activities':
      return {
        get: (id) => orNull(crm.getActivity(id).then(asRecord)),
        create: async (body) => asRecord(await crm.createActivity(body)),
        update: async (id, body) => asRecord(await crm.updateActivity(id, body)),
        find: async (_by, value) => asRecords(await crm.findActivitiesByExternalId(value)),
        listChanged: async (since, page, pageSize) => {
          const res = await crm.listActivities({ since: since ?? undefined, page, pageSize });
          return { items: asRecords(res.items), hasMore: res.hasMore };
        },
        idOf: (r) => String(r.id),
      };
  }
}
