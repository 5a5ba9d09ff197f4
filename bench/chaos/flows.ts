/**
 * The flows the chaos run edits and checks: the records-and-references flows that sync both ways
 * (users and organisations). The ticket flows are left out: a first sync of every ticket and comment
 * would spend Crmoffice's rate on activities the edits never touch.
 */
import type { FlowDefinition, FlowId } from '../../flows';

export const P1: FlowId = 'zendesk-organizations-to-powerofficego-departments';
export const P2: FlowId = 'zendesk-users-to-powerofficego-employees';
export const Z3: FlowId = 'zendesk-users-to-crmoffice-contacts';
export const Z3B: FlowId = 'zendesk-organizations-to-crmoffice-companies';
export const CHAOS_FLOWS: readonly FlowId[] = [P1, P2, Z3, Z3B];

/** The rows a flow writes on at least one side: the synced properties (read-only-both rows are only shown). */
export function syncedRows(flow: FlowDefinition) {
  return flow.properties.filter((row) => !(row.readOnly.zendesk && row.readOnly.target));
}
