/** `tandem why`'s record types: each system's types, by noun or plural, derived from the type descriptors. */
import { recordType } from '../../cli/why/record-arg';

test.each([
  ['zendesk', 'user', 'users'],
  ['zendesk', 'Organisations', 'organizations'],
  ['zendesk', 'organization', 'organizations'],
  ['zendesk', 'tickets', 'tickets'],
  ['poweroffice', 'Department', 'departments'],
  ['poweroffice', 'employees', 'employees'],
  ['crmoffice', 'company', 'companies'],
  ['crmoffice', 'activity', 'activities'],
  ['crmoffice', 'contacts', 'contacts'],
] as const)('%s %s is %s', (system, typed, type) => {
  expect(recordType(system, typed)).toBe(type);
});

test("a type of another system, or a comment (no address of its own), is refused with the system's types", () => {
  expect(() => recordType('poweroffice', 'contact')).toThrow(
    '"contact" is not a poweroffice record type Tandem syncs; use one of employees, departments',
  );
  expect(() => recordType('zendesk', 'comment')).toThrow('use one of users, organizations, tickets');
});
