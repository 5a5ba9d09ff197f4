/**
 * The Crmoffice API as Tandem uses it: get, list changed since, create, update and find for
 * contacts, companies and activities; get and list for users. Every call goes through the shared
 * `request`, so failures arrive as the shared error taxonomy; a 401 renews the token and retries once.
 */
import { AxiosInstance } from 'axios';
import { z } from 'zod';
import { PermanentApiError, TransientApiError } from '../errors';
import { RequestSpec, createHttp, request } from '../http';
import type { Pacer } from '../pacer';
import {
  CREATE_METHOD,
  CrmResource,
  PAGING,
  SEARCH_FILTERS,
  UPDATE_METHOD,
  WritableResource,
  collectionPath,
  endpointTemplate,
  hasMorePages,
  listEnvelope,
  listParams,
  recordPath,
  stripReadOnly,
} from './api-assumptions';
import { CrmofficeAuth, CrmofficeAuthOptions, RefreshTokenListener } from './auth';
import { CrmofficeConfig, parseCrmofficeConfig } from './config';
import {
  Activity,
  ActivityFields,
  Company,
  CompanyFields,
  Contact,
  ContactFields,
  CrmUser,
  ListOptions,
  Page,
} from './schemas';

/** Upper bound on pages a find-by follows; an exact-match search answering more is a data problem. */
const MAX_FIND_PAGES = 20;

export class CrmofficeClient {
  private readonly http: AxiosInstance;
  readonly auth: CrmofficeAuth;

  constructor(config: CrmofficeConfig, options: CrmofficeAuthOptions & { pace?: Pacer } = {}) {
    const parsed = parseCrmofficeConfig(config);
    this.http = createHttp({
      system: 'crmoffice',
      baseUrl: parsed.baseUrl,
      timeoutMs: parsed.timeoutMs,
      pace: options.pace,
    });
    this.auth = new CrmofficeAuth(parsed, options);
  }

  /** Called with the new refresh token whenever the login host rotates it; persist it. */
  onRefreshTokenRotated(listener: RefreshTokenListener): () => void {
    return this.auth.onRefreshTokenRotated(listener);
  }

  // --- contacts ---
  getContact(id: string): Promise<Contact> {
    return this.get('contacts', id, Contact);
  }
  listContacts(opts: ListOptions = {}): Promise<Page<Contact>> {
    return this.list('contacts', Contact, opts);
  }
  createContact(fields: ContactFields): Promise<Contact> {
    return this.create('contacts', Contact, fields);
  }
  updateContact(id: string, fields: ContactFields): Promise<Contact> {
    return this.update('contacts', id, Contact, fields);
  }
  /** Exact e-mail match, case-insensitive (server side). */
  findContactsByEmail(email: string): Promise<Contact[]> {
    return this.find('contacts', Contact, email);
  }

  // --- companies ---
  getCompany(id: string): Promise<Company> {
    return this.get('companies', id, Company);
  }
  listCompanies(opts: ListOptions = {}): Promise<Page<Company>> {
    return this.list('companies', Company, opts);
  }
  createCompany(fields: CompanyFields): Promise<Company> {
    return this.create('companies', Company, fields);
  }
  updateCompany(id: string, fields: CompanyFields): Promise<Company> {
    return this.update('companies', id, Company, fields);
  }
  /** Exact name match, case-insensitive (server side). */
  findCompaniesByName(name: string): Promise<Company[]> {
    return this.find('companies', Company, name);
  }

  // --- activities ---
  getActivity(id: string): Promise<Activity> {
    return this.get('activities', id, Activity);
  }
  listActivities(opts: ListOptions = {}): Promise<Page<Activity>> {
    return this.list('activities', Activity, opts);
  }
  createActivity(fields: ActivityFields): Promise<Activity> {
    return this.create('activities', Activity, fields);
  }
  updateActivity(id: string, fields: ActivityFields): Promise<Activity> {
    return this.update('activities', id, Activity, fields);
  }
  /** The activity Tandem created under this key, if any (at most one: the key is unique). */
  findActivitiesByExternalId(externalId: string): Promise<Activity[]> {
    return this.find('activities', Activity, externalId);
  }

  // --- users (read-only) ---
  getUser(id: string): Promise<CrmUser> {
    return this.get('users', id, CrmUser);
  }
  listUsers(opts: ListOptions = {}): Promise<Page<CrmUser>> {
    return this.list('users', CrmUser, opts);
  }

  // --- the calls ---
  private async get<T>(resource: CrmResource, id: string, schema: z.ZodType<T>): Promise<T> {
    const { data } = await this.call({
      endpoint: endpointTemplate('GET', resource, true),
      recordId: id,
      method: 'GET',
      url: recordPath(resource, id),
      schema,
    });
    return data;
  }

  private async list<T>(
    resource: CrmResource,
    schema: z.ZodType<T>,
    opts: ListOptions,
    filters?: Record<string, string>,
  ): Promise<Page<T>> {
    const page = opts.page ?? PAGING.firstPage;
    const pageSize = Math.min(opts.pageSize ?? PAGING.defaultPageSize, PAGING.maxPageSize);
    const { data } = await this.call({
      endpoint: endpointTemplate('GET', resource, false),
      method: 'GET',
      url: collectionPath(resource),
      params: listParams({ since: opts.since, page, pageSize, filters }),
      schema: listEnvelope(schema) as unknown as z.ZodType<{
        items: T[];
        page?: number;
        pageSize?: number;
        totalCount?: number;
      }>,
    });
    const hasMore = hasMorePages(data, { page, pageSize });
    // A page short of its size with more to follow left records out: moving on would skip them for good.
    if (hasMore && data.items.length < pageSize) {
      throw new TransientApiError(
        { system: 'crmoffice', endpoint: endpointTemplate('GET', resource, false) },
        `page ${page} came back short (${data.items.length} of ${pageSize}) while its total says more follow: read again`,
      );
    }
    return { items: data.items, page, hasMore };
  }

  private async find<T>(resource: WritableResource, schema: z.ZodType<T>, value: string): Promise<T[]> {
    const filter = SEARCH_FILTERS[resource];
    const found: T[] = [];
    for (let page = PAGING.firstPage; page < PAGING.firstPage + MAX_FIND_PAGES; page++) {
      const answer = await this.list(resource, schema, { page }, { [filter.param]: value });
      found.push(...answer.items);
      if (!answer.hasMore) break;
    }
    return found;
  }

  private async create<T>(resource: WritableResource, schema: z.ZodType<T>, fields: object): Promise<T> {
    const { data } = await this.call({
      endpoint: endpointTemplate(CREATE_METHOD, resource, false),
      method: CREATE_METHOD,
      url: collectionPath(resource),
      data: stripReadOnly(fields),
      schema,
    });
    return data;
  }

  private async update<T>(resource: WritableResource, id: string, schema: z.ZodType<T>, fields: object): Promise<T> {
    const { data } = await this.call({
      endpoint: endpointTemplate(UPDATE_METHOD, resource, true),
      recordId: id,
      method: UPDATE_METHOD,
      url: recordPath(resource, id),
      data: stripReadOnly(fields),
      schema,
    });
    return data;
  }

  /** One authenticated call; on 401 the token is dropped and the call tried once more with a new one. */
  private async call<T>(spec: RequestSpec<T>): Promise<{ data: T; status: number }> {
    for (let attempt = 1; ; attempt++) {
      const token = await this.auth.accessToken();
      try {
        return await request(this.http, 'crmoffice', {
          ...spec,
          headers: { ...(spec.headers ?? {}), Authorization: `Bearer ${token}`, Accept: 'application/json' },
        });
      } catch (err) {
        if (attempt === 1 && err instanceof PermanentApiError && err.status === 401) {
          this.auth.invalidate(token);
          continue;
        }
        throw this.auth.redact(err);
      }
    }
  }
}
