/**
 * PowerOffice Go answers as Tandem relies on them (names and nullability from the v2 OpenAPI document).
 * Fields the sync uses must be present (null where the API allows null); anything else passes through.
 */
import { z } from 'zod';

const id = z.number().int();
const timestamp = z.string().min(1);

/** First letter upper-cased, as the OpenAPI document names every key (`city` → `City`). */
function pascalKey(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

/** An object's keys in the documented PascalCase; anything else is returned as it is. */
export function pascalKeys(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [pascalKey(k), v]));
}

/**
 * An employee's postal address (ContactAddressDto). The OpenAPI document names its keys PascalCase and
 * is the reference; an answer in camelCase is read too, and either way the keys come back PascalCase.
 */
const MailAddress = z.preprocess(
  pascalKeys,
  z.looseObject({
    Id: id.optional(),
    AddressLine1: z.string().nullish(),
    AddressLine2: z.string().nullish(),
    ZipCode: z.string().nullish(),
    City: z.string().nullish(),
    CountryCode: z.string().nullish(),
    ExternalCode: z.string().nullish(),
    LastChangedDateTimeOffset: timestamp.optional(),
  }),
);
type MailAddress = z.infer<typeof MailAddress>;

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

/** Writable employee fields (EmployeePostDto). `MailAddress` keys are sent PascalCase whatever the casing given. */
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
export const READ_ONLY_FIELDS = [
  'Id',
  'CreatedDateTimeOffset',
  'EmployeeCreatedDateTimeOffset',
  'ContactCreatedDateTimeOffset',
  'LastChangedDateTimeOffset',
  'DepartmentCode',
  'SubledgerAccountId',
] as const;
