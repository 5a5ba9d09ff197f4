/** Z3: Zendesk users → Crmoffice contacts (docs/flows.md, Z3). */
import { emailExtra, familyNameExtra, givenNameExtra, textExtra } from '../extras';
import type { FlowDefinition } from '../types';

export const zendeskUsersToCrmofficeContacts: FlowDefinition = {
  id: 'zendesk-users-to-crmoffice-contacts',
  code: 'Z3',
  title: 'Zendesk users → Crmoffice contacts',
  source: { system: 'zendesk', type: 'users' },
  target: { system: 'crmoffice', type: 'contacts' },
  direction: { mode: 'two-way', description: 'created from Zendesk; once linked, edits flow both ways' },
  condition: { id: 'every-user', description: 'every user', predicate: () => true },
  creation: { mode: 'always', description: 'created when no contact matches' },
  match: {
    by: 'email',
    zendesk: 'email',
    target: 'email',
    caseInsensitive: true,
    exactlyOne: true,
    description: 'Zendesk `email` = contact `email` (ignoring case), exactly one candidate',
  },
  properties: [
    {
      source: 'organization_id',
      target: 'company.id',
      dataType: 'string',
      kind: 'id',
      readOnly: {},
      reference: { flow: 'zendesk-organizations-to-crmoffice-companies' },
      // No company is `"company": null` in Crmoffice (connectors/crmoffice/api-assumptions.ts).
      clearOnTarget: { path: 'company' },
    },
  ],
  extras: [
    {
      target: 'givenName',
      from: '`name` without its last word (the whole name when it is one word)',
      beyondTable: true,
      why: 'a contact needs a name to be usable in Crmoffice',
      value: ({ record }) => givenNameExtra(record, 'givenName/familyName'),
    },
    {
      target: 'familyName',
      from: 'last word of `name`',
      beyondTable: true,
      why: 'a contact needs a name to be usable in Crmoffice',
      value: ({ record }) => familyNameExtra(record, false),
    },
    {
      target: 'email',
      from: '`email`',
      beyondTable: true,
      why: 'the match key: a later run finds the contact by it',
      value: ({ record }) => emailExtra(record),
    },
    {
      target: 'mobilePhone',
      from: '`phone`',
      beyondTable: true,
      why: 'the spec asks for the phone on a new contact',
      value: ({ record }) => textExtra(record, 'phone'),
    },
  ],
  modifiedAt: { zendesk: 'updated_at', target: 'updatedAt' },
};
