/** Which flows a record feeds, derived from the flow definitions: used to route changes to the pairs they touch. */
import { normalizeText } from './normalize';
import { FLOWS, FLOW_IDS } from './registry';
import { type ApiRecord, type FlowId, type TargetSystem, type TargetType } from './types';
import { ZENDESK_RECORD_TYPES, ZENDESK_TYPES, zendeskTypeOfKind, type ZendeskKind } from './zendesk-types';

export function flowsForZendesk(kind: ZendeskKind): readonly FlowId[] {
  const type = zendeskTypeOfKind(kind);
  if (!type) {
    const known = ZENDESK_TYPES.map((t) => ZENDESK_RECORD_TYPES[t].noun);
    throw new Error(`unknown Zendesk record kind "${String(kind)}"; known: ${known.join(', ')}`);
  }
  return FLOW_IDS.filter((id) => FLOWS[id].source.type === type);
}

export function flowsForTarget(system: TargetSystem, type: TargetType): readonly FlowId[] {
  const flows = FLOW_IDS.filter((id) => FLOWS[id].target.system === system && FLOWS[id].target.type === type);
  if (!flows.length) {
    const known = [...new Set(FLOW_IDS.map((id) => `${FLOWS[id].target.system}/${FLOWS[id].target.type}`))];
    throw new Error(`no flow syncs ${system} ${type}; known: ${known.join(', ')}`);
  }
  return flows;
}

/**
 * The one flow a target record belongs to: the only flow of its type, or, where several share it
 * (Crmoffice activities: tickets and comments), the one whose external key it carries. Null when it
 * cannot tell (an activity not created by Tandem).
 */
export function flowForTargetRecord(system: TargetSystem, type: TargetType, record: ApiRecord): FlowId | null {
  const flows = flowsForTarget(system, type);
  if (flows.length === 1) return flows[0];
  return (
    flows.find((id) => {
      const key = FLOWS[id].externalKey;
      const value = key ? record[key.target] : undefined;
      return !!key && typeof value === 'string' && !!normalizeText(value)?.startsWith(key.prefix);
    }) ?? null
  );
}
