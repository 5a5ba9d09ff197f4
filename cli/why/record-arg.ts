/**
 * `tandem why <system> <type> <id>`: the record named on one of the three systems, and the Zendesk
 * record (with its workflow) that Tandem syncs it through.
 */
import { DEFAULT_TENANT } from '../../protocol/tenants';
import { InvalidArgumentError } from 'commander';
import {
  COMMENTS_FLOW,
  FLOW_IDS,
  TARGET_RECORD_TYPES,
  TARGET_TYPES,
  ZENDESK_RECORD_TYPES,
  ZENDESK_TYPES,
  getFlow,
  type FlowDefinition,
  type FlowId,
  type TargetSystem,
} from '../../flows';
import type { LinkStore } from '../../store';
import { zendeskRecordWorkflowId, type RecordRef } from '../../protocol/ids';
import { flowCode } from '../flow-names';
import type { Lane } from './provenance';

export type WhySystem = 'zendesk' | TargetSystem;

const SYSTEMS: Record<string, WhySystem> = {
  zendesk: 'zendesk',
  poweroffice: 'poweroffice',
  powerofficego: 'poweroffice',
  crmoffice: 'crmoffice',
};

export function systemArg(value: string): WhySystem {
  const system = SYSTEMS[value.toLowerCase().replace(/[\s_-]/g, '')];
  if (!system) throw new InvalidArgumentError(`"${value}" is not a system; use zendesk, poweroffice or crmoffice`);
  return system;
}

/** The record types of each system, by noun and by plural, as people type them (a ticket's comments have no address of their own). */
function typesBySystem(): Record<WhySystem, Record<string, string>> {
  return {
    zendesk: Object.fromEntries(
      ZENDESK_TYPES.filter((t) => !ZENDESK_RECORD_TYPES[t].listedUnder).flatMap((t) => [
        [ZENDESK_RECORD_TYPES[t].noun, t],
        [t, t],
      ]),
    ),
    ...(Object.fromEntries(
      (['poweroffice', 'crmoffice'] as const).map((system) => [
        system,
        Object.fromEntries(
          TARGET_TYPES.filter((t) => TARGET_RECORD_TYPES[t].system === system).flatMap((t) => [
            [TARGET_RECORD_TYPES[t].noun, t],
            [t, t],
          ]),
        ),
      ]),
    ) as Record<TargetSystem, Record<string, string>>),
  };
}

/** The type's plural name on that system; a usage error naming the types it has otherwise. */
export function recordType(system: WhySystem, value: string): string {
  // The British spelling too: organisation(s).
  const types = typesBySystem()[system];
  const type = types[value.toLowerCase().replace('organis', 'organiz')];
  if (!type)
    throw new InvalidArgumentError(
      `"${value}" is not a ${system} record type Tandem syncs; use one of ${[...new Set(Object.values(types))].join(', ')}`,
    );
  return type;
}

export interface WhyRecord {
  system: WhySystem;
  type: string;
  id: string;
  /** The lane the record is: Zendesk, or the target of the flow that links it. */
  lane: Lane;
  zendesk: RecordRef;
  workflowId: string;
  /** The record's own flows (a ticket's comments aside): the lanes its values travel. */
  flows: FlowDefinition[];
}

export function ownFlows(type: RecordRef['type']): FlowDefinition[] {
  return FLOW_IDS.map(getFlow).filter((f) => f.source.type === type && f.id !== COMMENTS_FLOW);
}

/**
 * The record, found through the link store: a target record by its link, a Zendesk record by any
 * link or by its workflow. An error names the record and where it was looked for.
 */
export async function findRecord(
  store: LinkStore,
  system: WhySystem,
  type: string,
  id: string,
  hasWorkflow: (workflowId: string) => Promise<boolean>,
  tenant = DEFAULT_TENANT,
): Promise<WhyRecord> {
  if (system === 'zendesk') {
    const zendesk = { type, zendeskId: id } as RecordRef;
    const flows = ownFlows(zendesk.type);
    const workflowId = zendeskRecordWorkflowId(zendesk, tenant);
    const linked = await Promise.all(flows.map((f) => store.getByZendeskId(f.id, id)));
    if (!linked.some(Boolean) && !(await hasWorkflow(workflowId))) {
      throw new Error(
        `Tandem does not know zendesk ${type} ${id}: no link in ${flows.map((f) => flowCode(f.id)).join(' or ')} names it and Temporal has no workflow ${workflowId}`,
      );
    }
    return { system, type, id, lane: { system: 'zendesk' }, zendesk, workflowId, flows };
  }
  const candidates = FLOW_IDS.filter((f) => getFlow(f).target.system === system && getFlow(f).target.type === type);
  for (const flowId of candidates) {
    const link = await store.getByTargetId(flowId, id);
    if (!link) continue;
    const zendesk: RecordRef = {
      type:
        getFlow(flowId).source.type === 'ticketComments'
          ? 'tickets'
          : (getFlow(flowId).source.type as RecordRef['type']),
      zendeskId: link.zendeskId.split(':')[0],
    };
    return {
      system,
      type,
      id,
      lane: { system: 'target', flowId: flowId as FlowId },
      zendesk,
      workflowId: zendeskRecordWorkflowId(zendesk, tenant),
      flows: ownFlows(zendesk.type),
    };
  }
  throw new Error(
    `Tandem does not know ${system} ${type} ${id}: no link in ${candidates.map((f) => `${flowCode(f)} (${f})`).join(' or ')} holds it (\`tandem links <flow> <id>\` looks a pair up by either id)`,
  );
}
