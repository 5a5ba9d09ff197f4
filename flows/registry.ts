/** The flows of docs/flows.md, by id. */
import { zendeskOrganizationsToCrmofficeCompanies } from './definitions/zendesk-organizations-to-crmoffice-companies';
import { zendeskOrganizationsToPowerOfficeGoDepartments } from './definitions/zendesk-organizations-to-powerofficego-departments';
import { zendeskTicketCommentsToCrmofficeActivities } from './definitions/zendesk-ticketcomments-to-crmoffice-activities';
import { zendeskTicketsToCrmofficeActivities } from './definitions/zendesk-tickets-to-crmoffice-activities';
import { zendeskUsersToCrmofficeContacts } from './definitions/zendesk-users-to-crmoffice-contacts';
import { zendeskUsersToPowerOfficeGoEmployees } from './definitions/zendesk-users-to-powerofficego-employees';
import { FLOW_IDS, type FlowDefinition, type FlowId } from './types';

export const FLOWS: Readonly<Record<FlowId, FlowDefinition>> = Object.freeze({
  'zendesk-ticketcomments-to-crmoffice-activities': zendeskTicketCommentsToCrmofficeActivities,
  'zendesk-tickets-to-crmoffice-activities': zendeskTicketsToCrmofficeActivities,
  'zendesk-users-to-crmoffice-contacts': zendeskUsersToCrmofficeContacts,
  'zendesk-organizations-to-crmoffice-companies': zendeskOrganizationsToCrmofficeCompanies,
  'zendesk-organizations-to-powerofficego-departments': zendeskOrganizationsToPowerOfficeGoDepartments,
  'zendesk-users-to-powerofficego-employees': zendeskUsersToPowerOfficeGoEmployees,
});

export function isFlowId(id: string): id is FlowId {
  return (FLOW_IDS as readonly string[]).includes(id);
}

/** The flows whose records this flow's records refer to (an employee's department), from its rows. */
export function referencedFlows(flow: FlowDefinition): FlowId[] {
  return [
    ...new Set([...flow.properties, ...flow.extras].flatMap((row) => (row.reference ? [row.reference.flow] : []))),
  ];
}

/** The flow of that id; throws listing the valid ids otherwise. */
export function getFlow(id: string): FlowDefinition {
  if (!isFlowId(id)) throw new Error(`unknown flow "${id}"; valid flow ids: ${FLOW_IDS.join(', ')}`);
  return FLOWS[id];
}
