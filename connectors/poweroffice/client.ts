/**
 * PowerOffice Go v2 departments and employees. Every call carries the bearer token and the subscription
 * key; errors follow connectors/errors.ts. The client does not throttle: the 10 requests/s limit per
 * subscription key is held by the worker's task queue rate; a 429 still surfaces as a
 * TransientApiError with `retryAfterMs`.
 */
import { AxiosInstance } from 'axios';
import { z } from 'zod';
import { ApiErrorContext, NotFoundError, PermanentApiError, SchemaError, TransientApiError } from '../errors';
import { createHttp, parseAnswer, request, RequestSpec } from '../http';
import type { Pacer } from '../pacer';
import { PowerOfficeTokenProvider, type PowerOfficeAuthOptions } from './auth';
import { parsePowerOfficeConfig, PowerOfficeConfig } from './config';
import { toJsonPatch } from './json-patch';
import { Department, DepartmentFields, Employee, EmployeeFields, pascalKeys, READ_ONLY_FIELDS } from './schemas';

/** The API's default and, for Tandem, the largest page: fewer, larger pages save requests under the rate limit. */
const MAX_PAGE_SIZE = 5000;

export interface Paging {
  /** 1-based. */
  pageNumber?: number;
  /** At most 5000 (the API default). */
  pageSize?: number;
}

export interface DepartmentFilter extends Paging {
  /** Strictly greater than; pass a record's own `LastChangedDateTimeOffset` string to resume polling. */
  lastChangedAfter?: string;
  createdAfter?: string;
  /** The API's name filter (may match partially; see findDepartmentsByName for an exact match). */
  name?: string;
  isActive?: boolean;
}

export interface EmployeeFilter extends Paging {
  lastChangedAfter?: string;
  createdAfter?: string;
  externalImportReference?: string;
  /** The API's syntax: `"1, 100-200, 500-"`. */
  employeeNos?: string;
}

export interface Page<T> {
  items: T[];
  pageNumber: number;
  /** Another page follows, as the answer's `X-Pagination` header says (without one: the page was full). */
  hasMore: boolean;
}

// A list answers an array, or 204 with no body when nothing matches.
const ListAnswer = z.preprocess((d) => (d === '' || d === null || d === undefined ? [] : d), z.array(z.unknown()));

/** The response header in which a list says where it stands: a JSON object. */
const PAGINATION_HEADER = 'X-Pagination';

/**
 * The `X-Pagination` header's object. Keys are compared without regard to the first letter's case
 * (`currentPage` or `CurrentPage`): the OpenAPI document declares no response headers to settle it.
 */
/** One resource's calls (see PowerOfficeClient.resource). */
export interface PowerOfficeResource<T> {
  get(id: number): Promise<T>;
  /** One page; `params` are the API's query parameters (`lastChangedDateTimeOffsetGreaterThan`, …). */
  list(params?: Record<string, unknown>, paging?: Paging): Promise<Page<T>>;
  listAll(params?: Record<string, unknown>): Promise<T[]>;
  create(fields: Record<string, unknown>): Promise<T>;
  update(id: number, fields: Record<string, unknown>): Promise<T>;
}

export const Pagination = z.preprocess(
  (v) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k.charAt(0).toLowerCase() + k.slice(1), x]))
      : v,
  z.object({
    currentPage: z.number().int().positive(),
    pageSize: z.number().int().positive(),
    totalCount: z.number().int().nonnegative(),
    totalPages: z.number().int().nonnegative(),
    hasNext: z.boolean().optional(),
    hasPrevious: z.boolean().optional(),
  }),
);
export type Pagination = z.infer<typeof Pagination>;

/** The header of an answer, validated; undefined when the answer has none. */
export function paginationOf(ctx: ApiErrorContext, headers: Record<string, unknown>): Pagination | undefined {
  const raw = headers[PAGINATION_HEADER.toLowerCase()];
  if (raw === undefined || raw === null || raw === '') return undefined;
  const field = PAGINATION_HEADER;
  let value: unknown;
  try {
    value = JSON.parse(String(raw));
  } catch {
    throw new SchemaError(ctx, field, 'is not JSON');
  }
  const parsed = Pagination.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new SchemaError(ctx, issue.path.length ? `${field}.${issue.path.join('.')}` : field, issue.message);
}

export class PowerOfficeClient {
  readonly config: PowerOfficeConfig;
  readonly auth: PowerOfficeTokenProvider;
  private readonly http: AxiosInstance;

  constructor(config: PowerOfficeConfig, options: PowerOfficeAuthOptions & { pace?: Pacer } = {}) {
    this.config = parsePowerOfficeConfig(config);
    this.auth = new PowerOfficeTokenProvider(this.config, options);
    this.http = createHttp({
      system: 'poweroffice',
      baseUrl: this.config.baseUrl,
      timeoutMs: this.config.timeoutMs,
      pace: options.pace,
    });
  }

  // ---- any resource

  /**
   * A resource of the API read and written as the others are: `GET path/{id}`, a paged `GET path` with
   * the API's own query names, `POST path`, and a JSON Patch on `PATCH path/{id}`. The record types
   * below are such resources; an extension's record type declares its own.
   */
  resource<T extends { Id: number }>(path: string, schema: z.ZodType<T>): PowerOfficeResource<T> {
    const get = (id: number) =>
      this.call({ endpoint: `GET ${path}/{id}`, recordId: id, method: 'GET', url: `${path}/${id}`, schema });
    const list = (params: Record<string, unknown> = {}, paging: Paging = {}) =>
      this.list(`GET ${path}`, path, params, paging, schema);
    return {
      get,
      list,
      listAll: (params = {}) => this.all((pageNumber) => list(params, { pageNumber })),
      create: (fields) => {
        assertWritable(fields, { system: 'poweroffice', endpoint: `POST ${path}` });
        return this.create(`POST ${path}`, path, fields, schema);
      },
      update: (id, fields) => this.patch(`PATCH ${path}/{id}`, `${path}/${id}`, id, fields, schema, () => get(id)),
    };
  }

  // ---- departments

  private readonly departments = this.resource('/Departments', Department);

  async getDepartment(id: number): Promise<Department> {
    return this.departments.get(id);
  }

  async listDepartments(filter: DepartmentFilter = {}): Promise<Page<Department>> {
    const params = {
      lastChangedDateTimeOffsetGreaterThan: filter.lastChangedAfter,
      createdDateTimeOffsetGreaterThan: filter.createdAfter,
      name: filter.name,
      isActive: filter.isActive,
    };
    return this.departments.list(params, filter);
  }

  async listAllDepartments(filter: Omit<DepartmentFilter, 'pageNumber'> = {}): Promise<Department[]> {
    return this.all((pageNumber) => this.listDepartments({ ...filter, pageNumber }));
  }

  async createDepartment(fields: DepartmentFields): Promise<Department> {
    return this.departments.create({ ...fields });
  }

  async updateDepartment(id: number, fields: DepartmentFields): Promise<Department> {
    return this.departments.update(id, { ...fields });
  }

  /** Departments whose name equals `name` case-insensitively (after trimming); the API filter narrows the read. */
  async findDepartmentsByName(name: string): Promise<Department[]> {
    const wanted = name.trim().toLowerCase();
    const found = await this.listAllDepartments({ name: name.trim() });
    return found.filter((d) => (d.Name ?? '').trim().toLowerCase() === wanted);
  }

  // ---- employees

  async getEmployee(id: number): Promise<Employee> {
    return this.call({
      endpoint: 'GET /Employees/{employeeId}',
      recordId: id,
      method: 'GET',
      url: `/Employees/${id}`,
      schema: Employee,
    });
  }

  async listEmployees(filter: EmployeeFilter = {}): Promise<Page<Employee>> {
    const params = {
      lastChangedDateTimeOffsetGreaterThan: filter.lastChangedAfter,
      employeeCreatedDateTimeOffsetGreaterThan: filter.createdAfter,
      externalImportReference: filter.externalImportReference,
      employeeNos: filter.employeeNos,
    };
    return this.list('GET /Employees', '/Employees', params, filter, Employee);
  }

  async listAllEmployees(filter: Omit<EmployeeFilter, 'pageNumber'> = {}): Promise<Employee[]> {
    return this.all((pageNumber) => this.listEmployees({ ...filter, pageNumber }));
  }

  async createEmployee(fields: EmployeeFields): Promise<Employee> {
    assertWritable(fields, { system: 'poweroffice', endpoint: 'POST /Employees' });
    return this.create('POST /Employees', '/Employees', documentedCase(fields), Employee);
  }

  async updateEmployee(id: number, fields: EmployeeFields): Promise<Employee> {
    return this.patch('PATCH /Employees/{employeeId}', `/Employees/${id}`, id, documentedCase(fields), Employee, () =>
      this.getEmployee(id),
    );
  }

  /** The employee Tandem created with this reference (unique in PowerOffice Go), if any. */
  async findEmployeeByExternalImportReference(ref: string): Promise<Employee | undefined> {
    const page = await this.listEmployees({ externalImportReference: ref });
    return page.items.find((e) => e.ExternalImportReference === ref);
  }

  /**
   * Employees whose e-mail equals `email` case-insensitively. The API has no e-mail filter, so this
   * reads every employee: one request per 5000 employees, i.e. one call for almost every customer,
   * but callers matching many users should list once and match locally instead.
   */
  async findEmployeesByEmail(email: string): Promise<Employee[]> {
    const wanted = email.trim().toLowerCase();
    if (!wanted) return [];
    const all = await this.listAllEmployees();
    return all.filter((e) => (e.EmailAddress ?? '').trim().toLowerCase() === wanted);
  }

  // ---- plumbing

  /** One call with auth; a 401 renews the token once and repeats the call once. */
  private async call<T>(spec: RequestSpec<T>): Promise<T> {
    return (await this.answer(spec)).data;
  }

  /** As `call`, with the answer's headers. */
  private async answer<T>(spec: RequestSpec<T>): Promise<{ data: T; headers: Record<string, unknown> }> {
    for (let attempt = 0; ; attempt += 1) {
      const token = await this.auth.getToken();
      try {
        return await request(this.http, 'poweroffice', {
          ...spec,
          headers: {
            Accept: 'application/json',
            ...spec.headers,
            Authorization: `Bearer ${token}`,
            'Ocp-Apim-Subscription-Key': this.config.subscriptionKey,
          },
        });
      } catch (err) {
        if (attempt === 0 && err instanceof PermanentApiError && err.status === 401) {
          this.auth.invalidate(token);
          continue;
        }
        throw err;
      }
    }
  }

  private async list<T>(
    endpoint: string,
    url: string,
    params: Record<string, unknown>,
    paging: Paging,
    schema: z.ZodType<T>,
  ): Promise<Page<T>> {
    const pageNumber = paging.pageNumber ?? 1;
    const pageSize = Math.min(Math.max(1, paging.pageSize ?? MAX_PAGE_SIZE), MAX_PAGE_SIZE);
    const query: Record<string, unknown> = { PageNumber: pageNumber, PageSize: pageSize };
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') query[k] = v;
    const { data: raw, headers } = await this.answer({
      endpoint,
      method: 'GET',
      url,
      params: query,
      schema: ListAnswer,
    });
    const pagination = paginationOf({ system: 'poweroffice', endpoint }, headers);
    // A server that ignored PageNumber would hand out page 1 forever.
    if (pagination && pagination.currentPage !== pageNumber) {
      throw new PermanentApiError(
        { system: 'poweroffice', endpoint },
        `asked for page ${pageNumber}, answered page ${pagination.currentPage}: PageNumber is not honoured`,
      );
    }
    // Items one by one, so a SchemaError names the record it is about.
    const items = raw.map((item) => {
      const recordId =
        typeof item === 'object' && item !== null && 'Id' in item ? (item as { Id: unknown }).Id : undefined;
      return parseAnswer(
        {
          system: 'poweroffice',
          endpoint,
          recordId: typeof recordId === 'number' || typeof recordId === 'string' ? recordId : undefined,
        },
        schema,
        item,
      );
    });
    // The header says whether more follow; only an answer without one is judged by its length.
    const hasMore = pagination
      ? (pagination.hasNext ?? pagination.currentPage < pagination.totalPages)
      : items.length >= pageSize;
    // A page short of its size with more to follow left records out: moving on would skip them for good.
    if (hasMore && items.length < pageSize) {
      throw new TransientApiError(
        { system: 'poweroffice', endpoint },
        `page ${pageNumber} came back short (${items.length} of ${pageSize}) while X-Pagination says more follow: read again`,
      );
    }
    return { items, pageNumber, hasMore };
  }

  private async all<T extends { Id: number }>(page: (n: number) => Promise<Page<T>>): Promise<T[]> {
    const out: T[] = [];
    let previousFirst: number | undefined;
    for (let n = 1; ; n += 1) {
      const p = await page(n);
      // A server that ignored PageNumber would otherwise be read forever.
      if (n > 1 && p.items.length && p.items[0].Id === previousFirst) {
        throw new PermanentApiError(
          { system: 'poweroffice', endpoint: 'GET (paging)' },
          `page ${n} repeats page ${n - 1}: PageNumber is not honoured`,
        );
      }
      // An empty page that promises more would otherwise be read forever too.
      if (p.hasMore && !p.items.length) {
        throw new PermanentApiError(
          { system: 'poweroffice', endpoint: 'GET (paging)' },
          `page ${n} is empty but its X-Pagination says more follow`,
        );
      }
      previousFirst = p.items[0]?.Id;
      out.push(...p.items);
      if (!p.hasMore) return out;
    }
  }

  private async create<T>(
    endpoint: string,
    url: string,
    fields: Record<string, unknown>,
    schema: z.ZodType<T>,
  ): Promise<T> {
    try {
      return await this.call({
        endpoint,
        method: 'POST',
        url,
        data: fields,
        headers: { 'Content-Type': 'application/json' },
        schema,
      });
    } catch (err) {
      // On a create, 404 means a referenced record (e.g. the department) is missing, not the new one.
      if (err instanceof NotFoundError)
        throw new PermanentApiError({ system: err.system, endpoint: err.endpoint, status: err.status }, detailOf(err));
      throw err;
    }
  }

  /**
   * A JSON Patch of the given fields. The answer's body is not documented in the OpenAPI file, so when
   * it is not the record (empty body), the record is read back.
   */
  private async patch<T>(
    endpoint: string,
    url: string,
    id: number,
    fields: Record<string, unknown>,
    schema: z.ZodType<T>,
    readBack: () => Promise<T>,
  ): Promise<T> {
    assertWritable(fields, { system: 'poweroffice', endpoint, recordId: id });
    const ops = toJsonPatch(fields);
    if (ops.length === 0) return readBack();
    const answer = await this.call({
      endpoint,
      recordId: id,
      method: 'PATCH',
      url,
      data: JSON.stringify(ops),
      headers: { 'Content-Type': 'application/json-patch+json' },
      schema: z.unknown(),
    });
    if (answer === '' || answer === null || answer === undefined) return readBack();
    return parseAnswer({ system: 'poweroffice', endpoint, recordId: id }, schema, answer);
  }
}

/**
 * Nested keys in the documented casing (`MailAddress.City`): JSON Patch paths are built from them, and
 * a server that matches paths case-sensitively would refuse `/MailAddress/city`.
 */
function documentedCase(fields: EmployeeFields): EmployeeFields {
  const mail = fields.MailAddress;
  return mail && typeof mail === 'object'
    ? { ...fields, MailAddress: pascalKeys(mail) as EmployeeFields['MailAddress'] }
    : fields;
}

function assertWritable(fields: Record<string, unknown>, ctx: ApiErrorContext): void {
  const readOnly = Object.keys(fields).filter((k) => (READ_ONLY_FIELDS as readonly string[]).includes(k));
  if (readOnly.length)
    throw new PermanentApiError(
      ctx,
      `read-only field(s) ${readOnly.map((f) => `\`${f}\``).join(', ')} cannot be written`,
    );
}

/** The system's words of an error, without the `system endpoint answered N:` prefix ApiError adds. */
function detailOf(err: Error): string {
  const at = err.message.indexOf(': ');
  return at < 0 ? err.message : err.message.slice(at + 2);
}
