/**
 * The flows Tandem syncs, by id: the six of docs/flows.md, plus any an extension registered
 * (flows/extend.ts) before the first use. Every table of flows is derived from these.
 */
import { zendeskOrganizationsToCrmofficeCompanies } from './definitions/zendesk-organizations-to-crmoffice-companies';
import { zendeskOrganizationsToPowerOfficeGoDepartments } from './definitions/zendesk-organizations-to-powerofficego-departments';
import { zendeskTicketCommentsToCrmofficeActivities } from './definitions/zendesk-ticketcomments-to-crmoffice-activities';
import { zendeskTicketsToCrmofficeActivities } from './definitions/zendesk-tickets-to-crmoffice-activities';
import { zendeskUsersToCrmofficeContacts } from './definitions/zendesk-users-to-crmoffice-contacts';
import { zendeskUsersToPowerOfficeGoEmployees } from './definitions/zendesk-users-to-powerofficego-employees';
import type { FlowDefinition, FlowId } from './types';

const flows: Record<FlowId, FlowDefinition> = {
  'zendesk-ticketcomments-to-crmoffice-activities': zendeskTicketCommentsToCrmofficeActivities,
  'zendesk-tickets-to-crmoffice-activities': zendeskTicketsToCrmofficeActivities,
  'zendesk-users-to-crmoffice-contacts': zendeskUsersToCrmofficeContacts,
  'zendesk-organizations-to-crmoffice-companies': zendeskOrganizationsToCrmofficeCompanies,
  'zendesk-organizations-to-powerofficego-departments': zendeskOrganizationsToPowerOfficeGoDepartments,
  'zendesk-users-to-powerofficego-employees': zendeskUsersToPowerOfficeGoEmployees,
};

export const FLOWS: Readonly<Record<FlowId, FlowDefinition>> = flows;

/** The ids of every flow, in the order they were registered. */
export const FLOW_IDS: readonly FlowId[] = Object.keys(flows);

/** Adds a flow (flows/extend.ts checks it first). */
export function addFlow(flow: FlowDefinition): void {
  flows[flow.id] = flow;
  (FLOW_IDS as FlowId[]).push(flow.id);
}

export function isFlowId(id: string): id is FlowId {
  return Object.hasOwn(flows, id);
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
