/** P1: Zendesk organisations → PowerOffice Go departments (docs/flows.md, P1). */
import type { FlowDefinition } from '../types';

export const zendeskOrganizationsToPowerOfficeGoDepartments: FlowDefinition = {
  id: 'zendesk-organizations-to-powerofficego-departments',
  code: 'P1',
  title: 'Zendesk organisations → PowerOffice Go departments',
  source: { system: 'zendesk', type: 'organizations' },
  target: { system: 'poweroffice', type: 'departments' },
  direction: { mode: 'two-way', description: 'created from Zendesk; once linked, edits flow both ways' },
  condition: {
    id: 'every-organization',
    description: 'every organisation (but created only on demand, see creation)',
    predicate: () => true,
  },
  creation: {
    mode: 'on-demand',
    description:
      'a department is created only when the organisation is referenced by a Zendesk user synced to PowerOffice Go (a P2 employee)',
  },
  match: {
    by: 'name',
    zendesk: 'name',
    target: 'Name',
    caseInsensitive: true,
    exactlyOne: true,
    description: 'Zendesk `name` = department `Name` (ignoring case), exactly one candidate; two or more is a conflict',
  },
  properties: [
    {
      source: 'created_at',
      target: 'CreatedDateTimeOffset',
      dataType: 'string',
      kind: 'timestamp',
      readOnly: { zendesk: true, target: true },
    },
    { source: 'name', target: 'Name', dataType: 'string', kind: 'text', readOnly: {} },
  ],
  extras: [],
  modifiedAt: { zendesk: 'updated_at', target: 'LastChangedDateTimeOffset' },
};
