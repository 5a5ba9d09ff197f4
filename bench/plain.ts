/**
 * The reference a first sync is measured against: a plain script making the minimum calls (the
 * Zendesk users export read once, its organisations side-loaded, one create per record, no lookup, no store; then the
 * tickets export read once, a comments list per ticket, an activity per ticket and per comment) paced at 90 % of each API's
 * published limit (room for its sign-in), waiting out a 429 should one come anyway, on simulators of its own holding the same sample. What Tandem takes
 * beyond it is the price of what the script does not do: exactly-once creation, matching existing
 * records, an audit trail per pair, and pacing that holds across any number of workers.
 */
import { TransientApiError } from '../connectors/errors';
import { startAllSimulators } from '../simulators/all';
import { requestCount } from '../simulators/kit';
import { createConnectors } from '../workers/connectors';
import type { ZendeskOrganization, ZendeskUser } from '../connectors/zendesk';
import type { ActivityFields } from '../connectors/crmoffice/schemas';
import { DEFAULT_FLOWS_CONFIG } from '../flows/config';

type Calls = { zendesk: number; poweroffice: number; crmoffice: number };

export interface PlainResult {
  seconds: number;
  calls: Calls;
  created: { employees: number; departments: number; contacts: number; companies: number };
  /** Then the tickets: the export read once, a comments list per ticket, an activity per ticket and per comment. */
  tickets: { seconds: number; calls: Calls; created: { tickets: number; comments: number } };
}

/** Requests a second at most: the published limits (Zendesk's 700 a minute), as bench/run.ts has them. */
type Limits = { zendesk: number; poweroffice: number; crmoffice: number };

/** Spaces calls evenly at `perSecond`; a 429 waits its Retry-After and goes again (counted, as any call). */
function pacer(perSecond: number): <T>(call: () => Promise<T>) => Promise<T> {
  const gapMs = 1000 / perSecond;
  let next = 0;
  const paced = async <T>(call: () => Promise<T>): Promise<T> => {
    const wait = next - performance.now();
    next = Math.max(performance.now(), next) + gapMs;
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof TransientApiError) || err.status !== 429) throw err;
      await new Promise((r) => setTimeout(r, err.retryAfterMs ?? 1000));
      return paced(call);
    }
  };
  return paced;
}

export async function runPlain(users: number, limits: Limits): Promise<PlainResult> {
  const sims = await startAllSimulators({ sampleSize: users, realRateLimits: true });
  try {
    const { zendesk, poweroffice, crmoffice } = createConnectors(sims.configs);
    const paced = {
      zendesk: pacer(limits.zendesk * 0.9),
      poweroffice: pacer(limits.poweroffice * 0.9),
      crmoffice: pacer(limits.crmoffice * 0.9),
    };
    const started = performance.now();

    const all: ZendeskUser[] = [];
    const orgs = new Map<number, ZendeskOrganization>();
    for (let cursor: string | undefined; ;) {
      const page = await paced.zendesk(() => zendesk.incrementalUsers(cursor ? { cursor } : { startTime: 0 }));
      all.push(...page.items);
      for (const o of page.organizations) orgs.set(o.id, o);
      cursor = page.cursor;
      if (page.endOfStream) break;
    }
    const staff = all.filter((u) => (DEFAULT_FLOWS_CONFIG.employeeRoles as readonly string[]).includes(u.role));
    const orgsOf = (list: ZendeskUser[]) => [
      ...new Set(
        list.map((u) => u.organization_id).filter((id): id is number => typeof id === 'number' && orgs.has(id)),
      ),
    ];
    const first = (name: string) => name.split(' ')[0];
    const last = (name: string) => name.split(' ').slice(1).join(' ') || name;

    // The two targets at once, each at its own pace: departments before the employees in them, companies before contacts.
    const powerOffice = async () => {
      const departments = new Map<number, number>();
      for (const id of orgsOf(staff))
        departments.set(
          id,
          (await paced.poweroffice(() => poweroffice.createDepartment({ Name: orgs.get(id)!.name }))).Id,
        );
      for (const u of staff) {
        const [FirstName, LastName] = [first(u.name), last(u.name)];
        await paced.poweroffice(() =>
          poweroffice.createEmployee({
            FirstName,
            LastName,
            EmailAddress: u.email ?? null,
            DepartmentId: u.organization_id ? (departments.get(u.organization_id) ?? null) : null,
          }),
        );
      }
      return { employees: staff.length, departments: departments.size };
    };
    const contactOf = new Map<number, string>();
    const crm = async () => {
      const companies = new Map<number, string>();
      for (const id of orgsOf(all))
        companies.set(id, (await paced.crmoffice(() => crmoffice.createCompany({ name: orgs.get(id)!.name }))).id);
      for (const u of all) {
        const company = u.organization_id ? companies.get(u.organization_id) : undefined;
        const contact = await paced.crmoffice(() =>
          crmoffice.createContact({
            givenName: first(u.name),
            familyName: last(u.name),
            email: u.email ?? null,
            company: company ? { id: company } : null,
          }),
        );
        contactOf.set(u.id, contact.id);
      }
      return { contacts: all.length, companies: companies.size };
    };
    const [po, cr] = await Promise.all([powerOffice(), crm()]);
    const seconds = (since: number) => Number(((performance.now() - since) / 1000).toFixed(1));
    const callsNow = (): Calls => ({
      zendesk: requestCount(sims.zendesk.stats),
      poweroffice: requestCount(sims.poweroffice.stats),
      crmoffice: requestCount(sims.crmoffice.stats),
    });
    const users = { seconds: seconds(started), calls: callsNow(), created: { ...po, ...cr } };

    // The tickets, their owners the contacts just made: Zendesk lists while Crmoffice creates, each at its pace.
    const ticketsStarted = performance.now();
    const creates: Promise<unknown>[] = [];
    const failures: unknown[] = [];
    const create = (fields: ActivityFields) =>
      creates.push(paced.crmoffice(() => crmoffice.createActivity(fields)).catch((err) => failures.push(err)));
    const created = { tickets: 0, comments: 0 };
    for (let cursor: string | undefined; ;) {
      const page = await paced.zendesk(() => zendesk.incrementalTickets(cursor ? { cursor } : { startTime: 0 }));
      for (const t of page.items) {
        create({
          subject: t.subject ?? `#${t.id}`,
          ownerId: contactOf.get(t.requester_id),
          startsAt: t.created_at,
          description: t.description,
          externalId: `zendesk:ticket:${t.id}`,
        });
        created.tickets += 1;
        for (const c of await paced.zendesk(() => zendesk.listTicketComments(t.id))) {
          create({
            subject: `Comment on #${t.id}`,
            ownerId: contactOf.get(c.author_id),
            startsAt: c.created_at,
            description: c.plain_body ?? c.body,
            externalId: `zendesk:comment:${c.id}`,
          });
          created.comments += 1;
        }
      }
      cursor = page.cursor;
      if (page.endOfStream) break;
    }
    await Promise.all(creates);
    if (failures.length > 0) throw failures[0];
    const after = callsNow();
    const calls = {
      zendesk: after.zendesk - users.calls.zendesk,
      poweroffice: after.poweroffice - users.calls.poweroffice,
      crmoffice: after.crmoffice - users.calls.crmoffice,
    };
    return { ...users, tickets: { seconds: seconds(ticketsStarted), calls, created } };
  } finally {
    await sims.stop();
  }
}
