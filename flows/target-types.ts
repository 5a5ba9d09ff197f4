/**
 * The target record types Tandem syncs, each described once: its system and the noun messages and
 * commands name it by. The target unions, the flows' checks and `tandem why`'s type names derive from it.
 */
interface TargetRecordType {
  system: 'poweroffice' | 'crmoffice';
  /** Singular, as people type it (`tandem why poweroffice department 10001`). */
  noun: string;
}

export const TARGET_RECORD_TYPES = {
  employees: { system: 'poweroffice', noun: 'employee' },
  departments: { system: 'poweroffice', noun: 'department' },
  contacts: { system: 'crmoffice', noun: 'contact' },
  companies: { system: 'crmoffice', noun: 'company' },
  activities: { system: 'crmoffice', noun: 'activity' },
} as const satisfies Record<string, TargetRecordType>;

export type TargetType = keyof typeof TARGET_RECORD_TYPES;
export type TargetSystem = (typeof TARGET_RECORD_TYPES)[TargetType]['system'];

export const TARGET_TYPES = Object.keys(TARGET_RECORD_TYPES) as TargetType[];
