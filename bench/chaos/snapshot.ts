/** Every record of the chaos flows on the three systems, read once after the drain, indexed by id. */
import type { ApiRecord } from '../../flows';
import type { LinkStore, Retrying } from '../../store';
import { readLinks, type LinkIndex } from './links';
import type { Person } from './person';

export interface Snapshot {
  /** Active Zendesk users and live organisations, by id. */
  users: Map<string, ApiRecord>;
  orgs: Map<string, ApiRecord>;
  targets: Record<'employees' | 'departments' | 'contacts' | 'companies', Map<string, ApiRecord>>;
  links: LinkIndex;
  retrying: Retrying[];
}

const byId = (records: ApiRecord[], key: string) => new Map(records.map((r) => [String(r[key]), r]));

async function allPages<T>(page: (n: number) => Promise<{ items: T[]; hasMore: boolean }>): Promise<T[]> {
  const out: T[] = [];
  for (let n = 1; ; n++) {
    const p = await page(n);
    out.push(...p.items);
    if (!p.hasMore || p.items.length === 0) return out;
  }
}

async function allCursor<T>(page: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string }>): Promise<T[]> {
  const out: T[] = [];
  for (let cursor: string | undefined; ;) {
    const p = await page(cursor);
    out.push(...p.items);
    if (!p.nextCursor) return out;
    cursor = p.nextCursor;
  }
}

export async function readZendesk(person: Person): Promise<Pick<Snapshot, 'users' | 'orgs'>> {
  const users = await allCursor((cursor) => person.zendesk.listUsers({ cursor, pageSize: 100 }));
  const orgs = await allCursor((cursor) => person.zendesk.listOrganizations({ cursor, pageSize: 100 }));
  return { users: byId(users as ApiRecord[], 'id'), orgs: byId(orgs as ApiRecord[], 'id') };
}

export async function readSnapshot(person: Person, store: LinkStore): Promise<Snapshot> {
  const { users, orgs } = await readZendesk(person);
  const employees = await person.poweroffice.listAllEmployees({});
  const departments = await person.poweroffice.listAllDepartments({});
  const contacts = await allPages((page) => person.crmoffice.listContacts({ page, pageSize: 100 }));
  const companies = await allPages((page) => person.crmoffice.listCompanies({ page, pageSize: 100 }));
  return {
    users,
    orgs,
    targets: {
      employees: byId(employees as ApiRecord[], 'Id'),
      departments: byId(departments as ApiRecord[], 'Id'),
      contacts: byId(contacts as ApiRecord[], 'id'),
      companies: byId(companies as ApiRecord[], 'id'),
    },
    links: await readLinks(store),
    retrying: await store.listRetrying(undefined, 100_000),
  };
}
