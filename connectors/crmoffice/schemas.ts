/**
 * Zod schemas of Crmoffice answers. Unknown fields pass through; the fields Tandem relies on
 * (id, timestamps, a company's name, an activity's subject) are required, so a missing one is a
 * SchemaError naming it rather than an undefined deep in the sync engine.
 */
import { z } from 'zod';
import { ACTIVITY_EXTERNAL_ID, CREATED_AT, UPDATED_AT } from './api-assumptions';

const isoDateTime = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'is not an ISO date-time');
const optionalText = z.string().nullish();

const timestamps = { [CREATED_AT]: isoDateTime, [UPDATED_AT]: isoDateTime };

const Address = z.looseObject({
  streetAddress: optionalText,
  postCode: optionalText,
  postalArea: optionalText,
  country: optionalText,
});
type Address = z.infer<typeof Address>;

const contactFields = {
  givenName: optionalText,
  familyName: optionalText,
  email: optionalText,
  mobilePhone: optionalText,
  directPhone: optionalText,
  company: z.looseObject({ id: z.string() }).nullish(),
};
export const Contact = z.looseObject({ id: z.string(), ...timestamps, ...contactFields });
export type Contact = z.infer<typeof Contact>;

const companyFields = {
  name: z.string(),
  orgNr: optionalText,
  postAddress: Address.nullish(),
  visitAddress: Address.nullish(),
};
export const Company = z.looseObject({ id: z.string(), ...timestamps, ...companyFields });
export type Company = z.infer<typeof Company>;

const activityFields = {
  subject: z.string(),
  ownerId: optionalText,
  startsAt: isoDateTime.nullish(),
  endsAt: isoDateTime.nullish(),
  description: optionalText,
  address: z.looseObject({ country: optionalText }).nullish(),
  [ACTIVITY_EXTERNAL_ID]: optionalText,
};
export const Activity = z.looseObject({ id: z.string(), ...timestamps, ...activityFields });
export type Activity = z.infer<typeof Activity>;

/** Users are read-only for Tandem; their fields beyond `id` are not known, so all optional. */
export const CrmUser = z.looseObject({
  id: z.string(),
  name: optionalText,
  email: optionalText,
  [CREATED_AT]: isoDateTime.optional(),
  [UPDATED_AT]: isoDateTime.optional(),
});
export type CrmUser = z.infer<typeof CrmUser>;

/** Writable fields of a record: everything but id and the timestamps; extra fields are sent as given. */
type Writable<S extends z.ZodRawShape> = Partial<z.input<z.ZodObject<S>>> & Record<string, unknown>;
export type ContactFields = Writable<typeof contactFields>;
export type CompanyFields = Writable<typeof companyFields>;
export type ActivityFields = Writable<typeof activityFields>;

/** One page of a list: `hasMore` says whether asking for `page + 1` can return more. */
export interface Page<T> {
  items: T[];
  page: number;
  hasMore: boolean;
}

export interface ListOptions {
  /** ISO date-time; only records changed strictly after it. */
  since?: string;
  page?: number;
  pageSize?: number;
}
