/** Which flows a record feeds: pure tables, used to route changes to the pairs they touch. */
import { COMMENT_EXTERNAL_PREFIX } from './definitions/zendesk-ticketcomments-to-crmoffice-activities';
import { TICKET_EXTERNAL_PREFIX } from './definitions/zendesk-tickets-to-crmoffice-activities';
import { normalizeText } from './normalize';
import type { ApiRecord, FlowId, TargetSystem, TargetType } from './types';

export type ZendeskKind = 'user' | 'organization' | 'ticket' | 'comment';

const FLOWS_BY_ZENDESK_KIND: Readonly<Record<ZendeskKind, readonly FlowId[]>> = {
  user: ['zendesk-users-to-powerofficego-employees', 'zendesk-users-to-crmoffice-contacts'],
  organization: ['zendesk-organizations-to-powerofficego-departments', 'zendesk-organizations-to-crmoffice-companies'],
  ticket: ['zendesk-tickets-to-crmoffice-activities'],
  comment: ['zendesk-ticketcomments-to-crmoffice-activities'],
};

export function flowsForZendesk(kind: ZendeskKind): readonly FlowId[] {
  const flows = FLOWS_BY_ZENDESK_KIND[kind];
  if (!flows)
    throw new Error(
      `unknown Zendesk record kind "${String(kind)}"; known: ${Object.keys(FLOWS_BY_ZENDESK_KIND).join(', ')}`,
    );
  return flows;
}

type TargetKey = `${TargetSystem}/${TargetType}`;

/** Crmoffice activities are fed by two flows (Z1 and Z2): told apart by their externalId. */
const FLOWS_BY_TARGET: Readonly<Partial<Record<TargetKey, readonly FlowId[]>>> = {
  'poweroffice/employees': ['zendesk-users-to-powerofficego-employees'],
  'poweroffice/departments': ['zendesk-organizations-to-powerofficego-departments'],
  'crmoffice/contacts': ['zendesk-users-to-crmoffice-contacts'],
  'crmoffice/companies': ['zendesk-organizations-to-crmoffice-companies'],
  'crmoffice/activities': ['zendesk-tickets-to-crmoffice-activities', 'zendesk-ticketcomments-to-crmoffice-activities'],
};

export function flowsForTarget(system: TargetSystem, type: TargetType): readonly FlowId[] {
  const flows = FLOWS_BY_TARGET[`${system}/${type}`];
  if (!flows) throw new Error(`no flow syncs ${system} ${type}; known: ${Object.keys(FLOWS_BY_TARGET).join(', ')}`);
  return flows;
}

/**
 * The one flow a target record belongs to, or null when it cannot tell (an activity not
 * created by Tandem, whose externalId names neither a ticket nor a comment).
 */
export function flowForTargetRecord(system: TargetSystem, type: TargetType, record: ApiRecord): FlowId | null {
  const flows = flowsForTarget(system, type);
  if (flows.length === 1) return flows[0];
  const externalId = typeof record.externalId === 'string' ? normalizeText(record.externalId) : null;
  if (externalId?.startsWith(TICKET_EXTERNAL_PREFIX)) return 'zendesk-tickets-to-crmoffice-activities';
  if (externalId?.startsWith(COMMENT_EXTERNAL_PREFIX)) return 'zendesk-ticketcomments-to-crmoffice-activities';
  return null;
}
