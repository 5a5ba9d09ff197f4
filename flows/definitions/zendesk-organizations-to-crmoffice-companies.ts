/** Z3b: Zendesk organisations → Crmoffice companies (docs/flows.md, Z3 decision). */
import type { FlowDefinition } from '../types';

export const zendeskOrganizationsToCrmofficeCompanies: FlowDefinition = {
  id: 'zendesk-organizations-to-crmoffice-companies',
  code: 'Z3b',
  title: 'Zendesk organisations → Crmoffice companies',
  source: { system: 'zendesk', type: 'organizations' },
  target: { system: 'crmoffice', type: 'companies' },
  direction: { mode: 'two-way', description: 'created from Zendesk; once linked, edits flow both ways' },
  condition: {
    id: 'every-organization',
    description: 'every organisation (but created only on demand, see creation)',
    predicate: () => true,
  },
  creation: {
    mode: 'on-demand',
    description:
      'a company is created only when the organisation is referenced by a Zendesk user synced to Crmoffice (a Z3 contact)',
  },
  match: {
    by: 'name',
    zendesk: 'name',
    target: 'name',
    caseInsensitive: true,
    exactlyOne: true,
    description: 'Zendesk `name` = company `name` (ignoring case), exactly one candidate; two or more is a conflict',
  },
  properties: [{ source: 'name', target: 'name', dataType: 'string', kind: 'text', readOnly: {} }],
  extras: [],
  modifiedAt: { zendesk: 'updated_at', target: 'updatedAt' },
};
