/**
 * The target record types Tandem syncs, each described once: its system and the noun messages and
 * commands name it by. The flows' checks and `tandem why`'s type names derive from it; an extension adds
 * types (flows/extend.ts).
 */
export type TargetSystem = 'poweroffice' | 'crmoffice';

export interface TargetRecordType {
  system: TargetSystem;
  /** Singular, as people type it (`tandem why poweroffice department 10001`). */
  noun: string;
}

const targetRecordTypes: Record<string, TargetRecordType> = {
  employees: { system: 'poweroffice', noun: 'employee' },
  departments: { system: 'poweroffice', noun: 'department' },
  contacts: { system: 'crmoffice', noun: 'contact' },
  companies: { system: 'crmoffice', noun: 'company' },
  activities: { system: 'crmoffice', noun: 'activity' },
};

export const TARGET_RECORD_TYPES: Readonly<Record<string, TargetRecordType>> = targetRecordTypes;

/** A target record type's key (`employees`, `contacts`, …): a key of TARGET_RECORD_TYPES. */
export type TargetType = string;

export const TARGET_TYPES: readonly TargetType[] = Object.keys(targetRecordTypes);

/** Adds a record type (flows/extend.ts checks it first). */
export function addTargetType(type: TargetType, described: TargetRecordType): void {
  targetRecordTypes[type] = described;
  (TARGET_TYPES as TargetType[]).push(type);
}
