/**
 * The PowerOffice Go simulator's records and rules: departments and employees of one client, with the
 * API's validation, read-only fields, unique ExternalImportReference and change timestamps.
 *
 * Decisions where the API documents are silent (kept here, in one place):
 * - Read-only fields (`Id`, `CreatedDateTimeOffset`, `EmployeeCreatedDateTimeOffset`,
 *   `LastChangedDateTimeOffset`, …) are not part of the create DTOs, so a POST ignores them (as ASP.NET
 *   ignores unknown JSON properties), while a PATCH naming them is refused with 400 "target location …
 *   not found" (as JSON Patch does for a property the DTO lacks). Unknown fields behave the same way.
 * - `LastChangedDateTimeOffset` moves when a write changes a value; a write that changes nothing, or
 *   changes only the nested `MailAddress`, leaves it (the address has its own timestamp).
 * - An unknown `DepartmentId` is a 404 on create (the spec's example) and a 400 on a patch (where 404
 *   would say the employee is missing). ExternalImportReference is unique case-insensitively.
 * - Field names in create bodies are matched case-insensitively, as ASP.NET's JSON binding does.
 * - JSON Patch paths must use the documented casing (`/Name`, `/MailAddress/City`): stricter than
 *   the document's own examples (`/firstname`, `/phoneNumber`), which suggest the real server is
 *   lenient. Being strict here catches a connector that sends any other casing, and code that passes
 *   a case-sensitive server passes a lenient one too.
 * - Nested `MailAddress` keys are answered PascalCase, as the OpenAPI document names them.
 * - A list with no match answers 204 No Content (server.ts), as the OpenAPI document says.
 * - Every list answer, a 204 included, carries the `X-Pagination` header (server.ts): JSON with
 *   `currentPage`, `pageSize`, `totalCount`, `totalPages`, `hasPrevious` and `hasNext`. The OpenAPI
 *   document declares no response headers; the names are camelCase as ASP.NET serialises them.
 */
import { z } from 'zod';
import { Clock, SimulatorState } from '../kit';

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const str = z.string().nullable();
const int = z.number().int().nullable();
const bool = z.boolean().nullable();
const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date (yyyy-mm-dd)')
  .nullable();

/** Canonical (spec) names and types of the writable fields. */
const DEPARTMENT_FIELDS: Record<string, z.ZodType> = { Name: str, Code: str, IsActive: bool, ManagerEmployeeId: int };
const ADDRESS_FIELDS: Record<string, z.ZodType> = {
  AddressLine1: z.string().max(200).nullable(),
  AddressLine2: z.string().max(200).nullable(),
  City: z.string().max(100).nullable(),
  ZipCode: z.string().max(50).nullable(),
  CountryCode: str,
  ExternalCode: z.string().max(50).nullable(),
};
const EMPLOYEE_FIELDS: Record<string, z.ZodType> = {
  FirstName: str,
  LastName: str,
  EmailAddress: str,
  PhoneNumber: str,
  JobTitle: str,
  DepartmentId: int,
  ExternalImportReference: z.string().max(50, 'must be at most 50 characters').nullable(),
  Number: int,
  ManagerEmployeeId: int,
  IsArchived: bool,
  DateOfBirth: date,
  StartDate: date,
  EndDate: date,
  HiredDate: date,
  MailAddress: z.record(z.string(), z.unknown()).nullable(),
};

export type Address = { Id: number; LastChangedDateTimeOffset: string } & Record<string, string | number | null>;

export interface DepartmentRecord {
  Id: number;
  Name: string;
  Code: string | null;
  IsActive: boolean | null;
  ManagerEmployeeId: number | null;
  CreatedDateTimeOffset: string;
  LastChangedDateTimeOffset: string;
}

export interface EmployeeRecord {
  Id: number;
  Number: number | null;
  FirstName: string;
  LastName: string;
  EmailAddress: string | null;
  PhoneNumber: string | null;
  JobTitle: string | null;
  DepartmentId: number | null;
  ExternalImportReference: string | null;
  ManagerEmployeeId: number | null;
  IsArchived: boolean | null;
  DateOfBirth: string | null;
  StartDate: string | null;
  EndDate: string | null;
  HiredDate: string | null;
  MailAddress: Address | null;
  EmployeeCreatedDateTimeOffset: string;
  LastChangedDateTimeOffset: string;
}

const Dump = z.object({
  departments: z.array(z.looseObject({ Id: z.number().int(), Name: z.string() })),
  employees: z.array(z.looseObject({ Id: z.number().int(), FirstName: z.string(), LastName: z.string() })),
  nextIds: z.object({ department: z.number().int(), employee: z.number().int(), address: z.number().int() }),
});

const PatchOp = z.object({
  op: z.string(),
  path: z.string(),
  value: z.unknown().optional(),
  from: z.string().optional(),
});
const PatchDocument = z.array(PatchOp);

export type Query = Record<string, string | undefined>;

export class PowerOfficeState implements SimulatorState {
  departments = new Map<number, DepartmentRecord>();
  employees = new Map<number, EmployeeRecord>();
  // Separate id ranges, so a department id used as an employee id (or the reverse) is a 404.
  private nextIds = { department: 10001, employee: 1000001, address: 5001 };

  constructor(private readonly clock: Clock) {}

  // ---- departments

  createDepartment(body: unknown): DepartmentRecord {
    const title = 'Department validation error(s)';
    const fields = readBody(body, DEPARTMENT_FIELDS, title);
    const now = this.clock.now().toISOString();
    const rec: DepartmentRecord = {
      Id: this.nextIds.department++,
      Name: fields.Name as string,
      Code: (fields.Code as string | null) ?? null,
      IsActive: fields.IsActive === undefined ? true : (fields.IsActive as boolean | null),
      ManagerEmployeeId: (fields.ManagerEmployeeId as number | null) ?? null,
      CreatedDateTimeOffset: now,
      LastChangedDateTimeOffset: now,
    };
    this.checkDepartment(rec, title, 400);
    this.departments.set(rec.Id, rec);
    return rec;
  }

  patchDepartment(id: number, body: unknown): DepartmentRecord {
    const old = this.department(id);
    const title = 'Department validation error(s)';
    const next = { ...old } as Record<string, unknown>;
    for (const op of readPatch(body, 'DepartmentPatchDto', title)) {
      const [field, sub] = resolvePath(op.path, DEPARTMENT_FIELDS, 'DepartmentPatchDto', title);
      if (sub !== undefined)
        throw new Problem(
          400,
          title,
          `DepartmentPatchDto: The target location specified by path segment '${sub}' was not found.`,
        );
      next[field] = op.op === 'remove' ? null : checkValue(DEPARTMENT_FIELDS[field], field, op.value, title);
    }
    const rec = next as unknown as DepartmentRecord;
    this.checkDepartment(rec, title, 400);
    if (changed(old, rec)) rec.LastChangedDateTimeOffset = this.clock.now().toISOString();
    this.departments.set(id, rec);
    return rec;
  }

  deleteDepartment(id: number): void {
    this.department(id);
    const user = [...this.employees.values()].find((e) => e.DepartmentId === id);
    if (user)
      throw new Problem(
        409,
        'Department conflict',
        `Department with id = ${id} is in use by employee with id = ${user.Id} and cannot be deleted.`,
      );
    this.departments.delete(id);
  }

  department(id: number): DepartmentRecord {
    const rec = this.departments.get(id);
    if (!rec) throw new Problem(404, 'Object(s) not found', `Department with id = ${id} not found.`);
    return rec;
  }

  listDepartments(q: Query): DepartmentRecord[] {
    return this.pageOfDepartments(q).items;
  }

  /** One page of the matching departments, with its `X-Pagination` metadata. */
  pageOfDepartments(q: Query): ListPage<DepartmentRecord> {
    const lastChanged = timeFilter(q, 'lastchangeddatetimeoffsetgreaterthan');
    const created = timeFilter(q, 'createddatetimeoffsetgreaterthan');
    const name = q['name']?.trim().toLowerCase();
    const isActive = boolFilter(q, 'isactive');
    const codes = q['codes']?.trim() ? q['codes'].split(',').map((c) => c.trim()) : undefined;
    const all = [...this.departments.values()].filter(
      (d) =>
        (lastChanged === undefined || Date.parse(d.LastChangedDateTimeOffset) > lastChanged) &&
        (created === undefined || Date.parse(d.CreatedDateTimeOffset) > created) &&
        (!name || d.Name.toLowerCase().includes(name)) &&
        (isActive === undefined || (d.IsActive ?? true) === isActive) &&
        (!codes || (d.Code !== null && codes.includes(d.Code))),
    );
    return page(all, q);
  }

  private checkDepartment(rec: DepartmentRecord, title: string, refStatus: number): void {
    if (typeof rec.Name !== 'string' || !rec.Name.trim())
      throw new Problem(400, title, 'Name: The Name field is required.');
    if (rec.Code) {
      const clash = [...this.departments.values()].find((d) => d.Id !== rec.Id && d.Code === rec.Code);
      if (clash)
        throw new Problem(
          400,
          title,
          `Code: Department code '${rec.Code}' is already in use on department with id = ${clash.Id}.`,
        );
    }
    if (rec.ManagerEmployeeId !== null && !this.employees.has(rec.ManagerEmployeeId)) {
      throw new Problem(refStatus, title, `Employee with id = ${rec.ManagerEmployeeId} not found.`);
    }
  }

  // ---- employees

  createEmployee(body: unknown): EmployeeRecord {
    const title = 'Employee validation error(s)';
    const f = readBody(body, EMPLOYEE_FIELDS, title);
    const now = this.clock.now().toISOString();
    const numbers = [...this.employees.values()].map((e) => e.Number ?? 0);
    const rec: EmployeeRecord = {
      Id: this.nextIds.employee++,
      Number: (f.Number as number | null | undefined) ?? Math.max(0, ...numbers) + 1,
      FirstName: f.FirstName as string,
      LastName: f.LastName as string,
      EmailAddress: (f.EmailAddress as string | null) ?? null,
      PhoneNumber: (f.PhoneNumber as string | null) ?? null,
      JobTitle: (f.JobTitle as string | null) ?? null,
      DepartmentId: (f.DepartmentId as number | null) ?? null,
      ExternalImportReference: (f.ExternalImportReference as string | null) ?? null,
      ManagerEmployeeId: (f.ManagerEmployeeId as number | null) ?? null,
      IsArchived: (f.IsArchived as boolean | null) ?? false,
      DateOfBirth: (f.DateOfBirth as string | null) ?? null,
      StartDate: (f.StartDate as string | null) ?? null,
      EndDate: (f.EndDate as string | null) ?? null,
      HiredDate: (f.HiredDate as string | null) ?? null,
      MailAddress: null,
      EmployeeCreatedDateTimeOffset: now,
      LastChangedDateTimeOffset: now,
    };
    if (f.MailAddress)
      rec.MailAddress = this.address(undefined, f.MailAddress as Record<string, unknown>, title, 'whole', now);
    this.checkEmployee(rec, title, 404);
    this.employees.set(rec.Id, rec);
    return rec;
  }

  patchEmployee(id: number, body: unknown): EmployeeRecord {
    const old = this.employee(id);
    const title = 'Employee validation error(s)';
    const next = { ...old, MailAddress: old.MailAddress ? { ...old.MailAddress } : null } as Record<string, unknown>;
    let addressTouched = false;
    for (const op of readPatch(body, 'EmployeePatchDto', title)) {
      const [field, sub] = resolvePath(op.path, EMPLOYEE_FIELDS, 'EmployeePatchDto', title);
      if (field !== 'MailAddress') {
        if (sub !== undefined)
          throw new Problem(
            400,
            title,
            `EmployeePatchDto: The target location specified by path segment '${sub}' was not found.`,
          );
        next[field] = op.op === 'remove' ? null : checkValue(EMPLOYEE_FIELDS[field], field, op.value, title);
        continue;
      }
      addressTouched = true;
      const current = next.MailAddress as Address | null;
      if (sub === undefined) {
        const value =
          op.op === 'remove' ? null : checkValue(EMPLOYEE_FIELDS.MailAddress, 'MailAddress', op.value, title);
        next.MailAddress =
          value === null
            ? null
            : this.address(current ?? undefined, value as Record<string, unknown>, title, 'whole', '');
      } else {
        if (!current)
          throw new Problem(
            400,
            title,
            `EmployeePatchDto: The target location specified by path segment '${sub}' was not found.`,
          );
        next.MailAddress = this.address(current, { [sub]: op.op === 'remove' ? null : op.value }, title, 'merge', '');
      }
    }
    const rec = next as unknown as EmployeeRecord;
    this.checkEmployee(rec, title, 400);
    const now = () => this.clock.now().toISOString();
    if (addressTouched && rec.MailAddress && (!old.MailAddress || changed(old.MailAddress, rec.MailAddress)))
      rec.MailAddress.LastChangedDateTimeOffset = now();
    // Only a change outside the nested address moves the employee's own timestamp.
    if (changed({ ...old, MailAddress: null }, { ...rec, MailAddress: null })) rec.LastChangedDateTimeOffset = now();
    this.employees.set(id, rec);
    return rec;
  }

  deleteEmployee(id: number): void {
    this.employee(id);
    const managed = [...this.departments.values()].find((d) => d.ManagerEmployeeId === id);
    if (managed)
      throw new Problem(409, 'Employee conflict', `Employee with id = ${id} is in use and cannot be deleted.`);
    this.employees.delete(id);
  }

  employee(id: number): EmployeeRecord {
    const rec = this.employees.get(id);
    if (!rec) throw new Problem(404, 'Object(s) not found', `Employee with id = ${id} not found.`);
    return rec;
  }

  listEmployees(q: Query): EmployeeRecord[] {
    return this.pageOfEmployees(q).items;
  }

  /** One page of the matching employees, with its `X-Pagination` metadata. */
  pageOfEmployees(q: Query): ListPage<EmployeeRecord> {
    const lastChanged = timeFilter(q, 'lastchangeddatetimeoffsetgreaterthan');
    const created = timeFilter(q, 'employeecreateddatetimeoffsetgreaterthan');
    const ref = q['externalimportreference']?.trim().toLowerCase();
    const nos = numberRanges(q['employeenos']);
    const all = [...this.employees.values()].filter(
      (e) =>
        (lastChanged === undefined || Date.parse(e.LastChangedDateTimeOffset) > lastChanged) &&
        (created === undefined || Date.parse(e.EmployeeCreatedDateTimeOffset) > created) &&
        (!ref || (e.ExternalImportReference ?? '').toLowerCase() === ref) &&
        (!nos || (e.Number !== null && nos(e.Number))),
    );
    return page(all, q);
  }

  private checkEmployee(rec: EmployeeRecord, title: string, refStatus: number): void {
    for (const f of ['FirstName', 'LastName'] as const) {
      if (typeof rec[f] !== 'string' || !rec[f].trim())
        throw new Problem(400, title, `${f}: The ${f} field is required.`);
    }
    const ref = rec.ExternalImportReference?.toLowerCase();
    if (ref) {
      const clash = [...this.employees.values()].find(
        (e) => e.Id !== rec.Id && e.ExternalImportReference?.toLowerCase() === ref,
      );
      if (clash)
        throw new Problem(
          400,
          title,
          `ExternalImportReference is already in use. '${rec.ExternalImportReference}' is used on (contact) Id = ${clash.Id}.`,
        );
    }
    if (rec.DepartmentId !== null && !this.departments.has(rec.DepartmentId))
      throw new Problem(refStatus, title, `Department with id = ${rec.DepartmentId} not found.`);
    if (rec.ManagerEmployeeId !== null && !this.employees.has(rec.ManagerEmployeeId))
      throw new Problem(refStatus, title, `Employee with id = ${rec.ManagerEmployeeId} not found.`);
  }

  /**
   * An address from `input` (any key casing): `whole` replaces every field (keeping the address's id),
   * `merge` changes only the given ones. A whole address needs City and ZipCode (ContactAddressPostDto).
   */
  private address(
    current: Address | undefined,
    input: Record<string, unknown>,
    title: string,
    mode: 'whole' | 'merge',
    now: string,
  ): Address {
    const whole = mode === 'whole';
    const blank = {
      AddressLine1: null,
      AddressLine2: null,
      City: null,
      ZipCode: null,
      CountryCode: null,
      ExternalCode: null,
    };
    const next: Address = current
      ? { ...current, ...(whole ? blank : {}) }
      : ({ Id: this.nextIds.address++, LastChangedDateTimeOffset: now, ...blank } as Address);
    for (const [key, value] of Object.entries(input)) {
      // A whole address (a body) is read in any casing; a patch path must name the documented key.
      const field = whole
        ? Object.keys(ADDRESS_FIELDS).find((f) => f.toLowerCase() === key.toLowerCase())
        : key in ADDRESS_FIELDS
          ? key
          : undefined;
      if (!field) {
        // A whole address (POST body) ignores unknown keys, a patch path naming one is refused.
        if (whole) continue;
        throw new Problem(
          400,
          title,
          `EmployeePatchDto: The target location specified by path segment '${key}' was not found.`,
        );
      }
      next[field] = checkValue(ADDRESS_FIELDS[field], `MailAddress.${field}`, value, title) as string | null;
    }
    if (whole) {
      for (const f of ['City', 'ZipCode'])
        if (!next[f]) throw new Problem(400, title, `MailAddress.${f}: The ${f} field is required.`);
    }
    return next;
  }

  // ---- answers

  departmentDto(d: DepartmentRecord): Record<string, unknown> {
    const manager = d.ManagerEmployeeId === null ? undefined : this.employees.get(d.ManagerEmployeeId);
    return { ...d, ManagerEmployeeNo: manager?.Number ?? null, CreatedFromImportJournalId: null };
  }

  employeeDto(e: EmployeeRecord): Record<string, unknown> {
    const dep = e.DepartmentId === null ? undefined : this.departments.get(e.DepartmentId);
    const manager = e.ManagerEmployeeId === null ? undefined : this.employees.get(e.ManagerEmployeeId);
    return {
      ...e,
      MailAddress: e.MailAddress && { ...e.MailAddress },
      DepartmentCode: dep?.Code ?? null,
      ManagerEmployeeNo: manager?.Number ?? null,
      ContactCreatedDateTimeOffset: e.EmployeeCreatedDateTimeOffset,
      ContactGroupIds: [],
      CreatedFromImportJournalId: null,
    };
  }

  // ---- seeding and snapshots

  /** Adds records given as (partial) DTOs, e.g. sample data; ids and timestamps are filled in when absent. */
  seed(departments: Array<Record<string, unknown>> = [], employees: Array<Record<string, unknown>> = []): void {
    for (const d of departments) this.insertSeed(this.createDepartment(d), d, 'department');
    for (const e of employees) this.insertSeed(this.createEmployee(e), e, 'employee');
  }

  private insertSeed(
    rec: DepartmentRecord | EmployeeRecord,
    given: Record<string, unknown>,
    kind: 'department' | 'employee',
  ): void {
    const map = (kind === 'department' ? this.departments : this.employees) as Map<number, unknown>;
    const r = rec as unknown as Record<string, unknown>;
    for (const key of ['CreatedDateTimeOffset', 'EmployeeCreatedDateTimeOffset', 'LastChangedDateTimeOffset']) {
      if (key in r && typeof given[key] === 'string') r[key] = given[key];
    }
    if (typeof given.Id === 'number' && given.Id !== rec.Id) {
      if (map.has(given.Id)) throw new Error(`seed: duplicate Id ${given.Id}`);
      map.delete(rec.Id);
      r.Id = given.Id;
      map.set(given.Id, rec);
      this.nextIds[kind] = Math.max(this.nextIds[kind], given.Id + 1);
    }
  }

  dump(): unknown {
    return {
      departments: [...this.departments.values()],
      employees: [...this.employees.values()],
      nextIds: { ...this.nextIds },
    };
  }

  load(data: unknown): void {
    const d = Dump.parse(data);
    this.departments = new Map(d.departments.map((r) => [r.Id, r as unknown as DepartmentRecord]));
    this.employees = new Map(d.employees.map((r) => [r.Id, r as unknown as EmployeeRecord]));
    this.nextIds = { ...d.nextIds };
  }
}

// ---- helpers

function canonical(key: string, fields: Record<string, z.ZodType>): string | undefined {
  return Object.keys(fields).find((f) => f.toLowerCase() === key.toLowerCase());
}

export function checkValue(type: z.ZodType, field: string, value: unknown, title: string): unknown {
  const parsed = type.safeParse(value === undefined ? null : value);
  if (!parsed.success) throw new Problem(400, title, `${field}: ${parsed.error.issues[0].message}`);
  return parsed.data;
}

/** A create body: known fields validated (any casing), the rest ignored. */
export function readBody(body: unknown, fields: Record<string, z.ZodType>, title: string): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new Problem(400, title, 'The request body must be a JSON object.');
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const field = canonical(key, fields);
    if (field) out[field] = checkValue(fields[field], field, value, title);
  }
  return out;
}

export function readPatch(body: unknown, dto: string, title: string): z.infer<typeof PatchOp>[] {
  const parsed = PatchDocument.safeParse(body);
  if (!parsed.success)
    throw new Problem(
      400,
      title,
      `${dto}: the body must be a JSON Patch document (an array of operations with \`op\` and \`path\`).`,
    );
  for (const op of parsed.data) {
    if (!['replace', 'add', 'remove'].includes(op.op))
      throw new Problem(400, title, `${dto}: operation '${op.op}' is not supported.`);
  }
  return parsed.data;
}

/** `/Name` → ['Name'], `/MailAddress/City` → ['MailAddress', 'City']; unknown, read-only or other casing → 400. */
export function resolvePath(
  path: string,
  fields: Record<string, z.ZodType>,
  dto: string,
  title: string,
): [string, string | undefined] {
  const segments = path
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const field =
    segments[0] !== undefined && Object.prototype.hasOwnProperty.call(fields, segments[0]) ? segments[0] : undefined;
  if (!path.startsWith('/') || !field || segments.length > 2) {
    throw new Problem(
      400,
      title,
      `${dto}: The target location specified by path segment '${segments[segments.length - 1] ?? path}' was not found.`,
    );
  }
  return [field, segments[1]];
}

export function changed(a: object, b: object): boolean {
  return JSON.stringify(sorted(a)) !== JSON.stringify(sorted(b));
}

function sorted(o: object): unknown {
  return Object.fromEntries(Object.entries(o).sort(([x], [y]) => x.localeCompare(y)));
}

/**
 * The API takes `2021-09-25 08:03:00.1234567 -00:00` as well as ISO 8601; both are read to the
 * millisecond. Unreadable → 400.
 */
export function parseTimestamp(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?\s*(Z|[+-]\d{2}:?\d{2})?$/i.exec(text.trim());
  if (!m) return NaN;
  const frac = (m[3] ?? '').padEnd(3, '0').slice(0, 3);
  const zone = !m[4] || m[4].toUpperCase() === 'Z' ? 'Z' : m[4].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  return Date.parse(`${m[1]}T${m[2].length === 5 ? `${m[2]}:00` : m[2]}.${frac}${zone}`);
}

export function timeFilter(q: Query, name: string): number | undefined {
  const raw = q[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const t = parseTimestamp(raw);
  if (Number.isNaN(t))
    throw new Problem(400, 'One or more validation errors occurred.', `${name}: The value '${raw}' is not valid.`);
  return t;
}

function boolFilter(q: Query, name: string): boolean | undefined {
  const raw = q[name]?.trim().toLowerCase();
  if (!raw) return undefined;
  if (raw !== 'true' && raw !== 'false')
    throw new Problem(400, 'One or more validation errors occurred.', `${name}: The value '${q[name]}' is not valid.`);
  return raw === 'true';
}

/** `1, 100-200, 500-` as the API's employeeNos filter reads it. */
function numberRanges(raw: string | undefined): ((n: number) => boolean) | undefined {
  if (!raw?.trim()) return undefined;
  const tests = raw.split(',').map((part) => {
    const m = /^\s*(\d+)\s*(?:(-)\s*(\d+)?)?\s*$/.exec(part);
    if (!m)
      throw new Problem(400, 'Unable to cast object(s)', `employeeNos: '${part.trim()}' is not a number or a range.`);
    const from = Number(m[1]);
    const to = m[2] ? (m[3] ? Number(m[3]) : Infinity) : from;
    return (n: number) => n >= from && n <= to;
  });
  return (n) => tests.some((t) => t(n));
}

/** What the API reports of a list in its `X-Pagination` header (JSON). */
interface Pagination {
  currentPage: number;
  pageSize: number;
  totalCount: number;
  totalPages: number;
  hasPrevious: boolean;
  hasNext: boolean;
}

export interface ListPage<T> {
  items: T[];
  pagination: Pagination;
}

/** Ordered by Id; `PageNumber` (1-based) and `PageSize` (default 5000). */
export function page<T extends { Id: number }>(items: T[], q: Query): ListPage<T> {
  const size = intParam(q, 'pagesize', 5000);
  const number = intParam(q, 'pagenumber', 1);
  if (size < 1 || number < 1)
    throw new Problem(400, 'One or more validation errors occurred.', 'PageNumber and PageSize must be at least 1.');
  const totalPages = Math.ceil(items.length / size);
  return {
    items: items.sort((a, b) => a.Id - b.Id).slice((number - 1) * size, number * size),
    pagination: {
      currentPage: number,
      pageSize: size,
      totalCount: items.length,
      totalPages,
      hasPrevious: number > 1,
      hasNext: number < totalPages,
    },
  };
}

function intParam(q: Query, name: string, fallback: number): number {
  const raw = q[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n))
    throw new Problem(400, 'One or more validation errors occurred.', `${name}: The value '${raw}' is not valid.`);
  return n;
}
