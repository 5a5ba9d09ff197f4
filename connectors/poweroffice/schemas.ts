/**
 * PowerOffice Go answers as Tandem relies on them (names and nullability from the v2 OpenAPI document).
 * Fields the sync uses must be present (null where the API allows null); anything else passes through.
 */
import { z } from 'zod';

const id = z.number().int();
const timestamp = z.string().min(1);

/** First letter lower-cased: nested keys are read the same whether the API answers `City` or `city`. */
function camelKeys(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v]));
}

/**
 * An employee's postal address. The OpenAPI document names its keys in PascalCase, while the project's
 * API notes say the API answers camelCase in nested objects; both are accepted and returned camelCase.
 */
export const MailAddress = z.preprocess(
  camelKeys,
  z.looseObject({
    id: id.optional(),
    addressLine1: z.string().nullish(),
    addressLine2: z.string().nullish(),
    zipCode: z.string().nullish(),
    city: z.string().nullish(),
    countryCode: z.string().nullish(),
    externalCode: z.string().nullish(),
    lastChangedDateTimeOffset: timestamp.optional(),
  }),
);
export type MailAddress = z.infer<typeof MailAddress>;

export const Department = z.looseObject({
  Id: id,
  Code: z.string().nullish(),
  Name: z.string().nullable(),
  IsActive: z.boolean().nullish(),
  CreatedDateTimeOffset: timestamp,
  LastChangedDateTimeOffset: timestamp,
  ManagerEmployeeId: id.nullish(),
});
export type Department = z.infer<typeof Department>;

export const Employee = z.looseObject({
  Id: id,
  Number: id.nullish(),
  FirstName: z.string().nullable(),
  LastName: z.string().nullable(),
  EmailAddress: z.string().nullish(),
  PhoneNumber: z.string().nullish(),
  JobTitle: z.string().nullish(),
  DepartmentId: id.nullish(),
  DepartmentCode: z.string().nullish(),
  MailAddress: MailAddress.nullish(),
  ExternalImportReference: z.string().nullish(),
  IsArchived: z.boolean().nullish(),
  EmployeeCreatedDateTimeOffset: timestamp,
  LastChangedDateTimeOffset: timestamp,
});
export type Employee = z.infer<typeof Employee>;

/** Writable department fields (DepartmentPostDto). Others pass to the API as given; read-only ones are refused by the client. */
export interface DepartmentFields {
  Name?: string;
  Code?: string | null;
  IsActive?: boolean | null;
  ManagerEmployeeId?: number | null;
  [other: string]: unknown;
}

/** Writable employee fields (EmployeePostDto). `MailAddress` keys may be camelCase or PascalCase. */
export interface EmployeeFields {
  FirstName?: string;
  LastName?: string;
  EmailAddress?: string | null;
  PhoneNumber?: string | null;
  JobTitle?: string | null;
  DepartmentId?: number | null;
  ExternalImportReference?: string | null;
  MailAddress?: Record<string, string | null> | null;
  [other: string]: unknown;
}

/** Server-set fields: the client refuses to send them (the API would ignore them on create and refuse them in a patch). */
export const READ_ONLY_FIELDS = ['Id', 'CreatedDateTimeOffset', 'EmployeeCreatedDateTimeOffset', 'ContactCreatedDateTimeOffset', 'LastChangedDateTimeOffset', 'DepartmentCode', 'SubledgerAccountId'] as const;
