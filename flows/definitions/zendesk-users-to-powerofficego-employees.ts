/** P2: Zendesk users → PowerOffice Go employees (docs/flows.md, P2). */
import { emailExtra, familyNameExtra, givenNameExtra, idOf } from '../extras';
import { normalizeText } from '../normalize';
import type { FlowDefinition } from '../types';

const EXTERNAL_PREFIX = 'zendesk-user-';

function externalImportReference(user: Record<string, unknown>): string {
  const id = idOf(user);
  if (typeof id !== 'string') throw new Error(`user has no id: ${id.problem}`);
  return `${EXTERNAL_PREFIX}${id}`;
}

export const zendeskUsersToPowerOfficeGoEmployees: FlowDefinition = {
  id: 'zendesk-users-to-powerofficego-employees',
  code: 'P2',
  title: 'Zendesk users → PowerOffice Go employees',
  source: { system: 'zendesk', type: 'users' },
  target: { system: 'poweroffice', type: 'employees' },
  direction: { mode: 'two-way', description: 'created from Zendesk; once linked, edits flow both ways' },
  condition: {
    id: 'user-role-in-employee-roles',
    description:
      'users whose `role` is one of the configured employee roles (`employeeRoles`, default agent and admin)',
    predicate: (user, config) => {
      const role = normalizeText(user.role);
      return role !== null && (config.employeeRoles as readonly string[]).includes(role.toLowerCase());
    },
  },
  creation: { mode: 'always', description: 'created when the condition holds and no employee matches' },
  match: {
    by: 'email',
    zendesk: 'email',
    target: 'EmailAddress',
    caseInsensitive: true,
    exactlyOne: true,
    description: 'Zendesk `email` = employee `EmailAddress` (ignoring case), exactly one candidate',
  },
  properties: [
    {
      source: 'created_at',
      target: 'EmployeeCreatedDateTimeOffset',
      dataType: 'string',
      kind: 'timestamp',
      readOnly: { zendesk: true, target: true },
    },
    {
      source: 'created_at',
      target: 'employeeCreatedDateTimeOffset',
      dataType: 'string',
      kind: 'timestamp',
      readOnly: { zendesk: true, target: true },
    },
    {
      source: 'organization_id',
      target: 'DepartmentId',
      dataType: 'string',
      kind: 'id',
      readOnly: {},
      reference: { flow: 'zendesk-organizations-to-powerofficego-departments' },
    },
  ],
  extras: [
    {
      target: 'FirstName',
      from: '`name` without its last word (the whole name when it is one word)',
      beyondTable: true,
      why: 'PowerOffice Go requires FirstName to create an employee',
      value: ({ record }) => givenNameExtra(record, 'FirstName/LastName'),
    },
    {
      target: 'LastName',
      from: 'last word of `name` (the whole name when it is one word)',
      beyondTable: true,
      why: 'PowerOffice Go requires LastName to create an employee',
      // Both names are required there, so a one-word name ("Cher") fills both (flows.md, "Names and references").
      // The FirstName extra reports an empty name; do not report it twice.
      value: ({ record }) => familyNameExtra(record, true),
    },
    {
      target: 'EmailAddress',
      from: '`email`',
      beyondTable: true,
      why: 'the match key: a later run finds the employee by it',
      value: ({ record }) => emailExtra(record),
    },
    {
      target: 'ExternalImportReference',
      from: '`zendesk-user-<id>`',
      beyondTable: true,
      why: 'unique key that makes a created employee findable again (exactly-once creation)',
      value: ({ record }) => {
        const id = idOf(record);
        return typeof id === 'string' ? { value: `${EXTERNAL_PREFIX}${id}` } : id;
      },
    },
  ],
  modifiedAt: { zendesk: 'updated_at', target: 'LastChangedDateTimeOffset' },
  externalKey: { target: 'ExternalImportReference', of: externalImportReference, prefix: EXTERNAL_PREFIX },
};
