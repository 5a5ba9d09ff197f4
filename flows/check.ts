/** What an extension's flow must satisfy before the tables take it: every name it uses is known. */
import { FLOWS, FLOW_IDS } from './registry';
import { TARGET_RECORD_TYPES } from './target-types';
import type { FlowDefinition } from './types';
import { ZENDESK_RECORD_TYPES } from './zendesk-types';

/** Throws naming the flow and what in it is wrong. */
export function checkFlowDefinition(flow: FlowDefinition): void {
  const problems: string[] = [];
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(flow.id)) problems.push('its id is not lower-case words joined by "-"');
  if (!Object.hasOwn(ZENDESK_RECORD_TYPES, flow.source.type))
    problems.push(`source type "${flow.source.type}" is not a registered Zendesk record type`);
  const target = TARGET_RECORD_TYPES[flow.target.type];
  if (!target) problems.push(`target type "${flow.target.type}" is not a registered target record type`);
  else if (target.system !== flow.target.system)
    problems.push(`target type "${flow.target.type}" belongs to ${target.system}, not ${flow.target.system}`);
  const taken = FLOW_IDS.find((id) => FLOWS[id].code.toLowerCase() === flow.code.toLowerCase());
  if (taken) problems.push(`code "${flow.code}" is already ${taken}'s`);
  for (const row of [...flow.properties, ...flow.extras])
    if (row.reference && row.reference.flow !== flow.id && !Object.hasOwn(FLOWS, row.reference.flow))
      problems.push(`row "${row.target}" refers to unknown flow "${row.reference.flow}"`);
  if (problems.length) throw new Error(`flow "${flow.id}" cannot be registered: ${problems.join('; ')}`);
}
