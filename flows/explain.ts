/** `tandem explain <flow>`: a flow's contract as plain text, straight from its definition. */
import { DEFAULT_FLOWS_CONFIG, type FlowsConfig } from './config';
import type { FlowDefinition, PropertyRow } from './types';

function systemName(system: string): string {
  return system === 'poweroffice' ? 'PowerOffice Go' : system === 'crmoffice' ? 'Crmoffice' : 'Zendesk';
}

function notes(flow: FlowDefinition, row: PropertyRow): string {
  const out: string[] = [];
  if (row.readOnly.zendesk) out.push('read-only in Zendesk');
  if (row.readOnly.target) out.push(`read-only in ${systemName(flow.target.system)}`);
  if (row.readOnly.zendesk && row.readOnly.target) out.push('compared, never written');
  if (row.reference) out.push(`reference via ${row.reference.flow}`);
  return out.join('; ');
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`.trimEnd();
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)];
}

export function explainFlow(flow: FlowDefinition, config: FlowsConfig = DEFAULT_FLOWS_CONFIG): string {
  const target = systemName(flow.target.system);
  const arrow = flow.direction.mode === 'one-way' ? '→' : '↔';
  const lines: string[] = [
    `${flow.code}. ${flow.title}`,
    `id:        ${flow.id}`,
    `direction: ${flow.direction.mode}: ${flow.direction.description}`,
    `condition: ${flow.condition.description} [${flow.condition.id}]`,
  ];
  if (flow.id === 'zendesk-users-to-powerofficego-employees')
    lines.push(`           configured employee roles: ${config.employeeRoles.join(', ')}`);
  lines.push(`match:     ${flow.match.description}`);
  lines.push(`creation:  ${flow.creation.mode}: ${flow.creation.description}`);
  if (flow.externalKey) lines.push(`found again after creation by: ${flow.externalKey.target}`);
  lines.push('');
  if (flow.properties.length === 0) {
    lines.push('Synchronised properties: none listed by the spec.');
  } else {
    lines.push('Synchronised properties:');
    lines.push(
      ...table(
        [`Zendesk ${flow.source.type}`, arrow, `${target} ${flow.target.type}`, 'type', 'notes'],
        flow.properties.map((r) => [r.source, arrow, r.target, r.dataType, notes(flow, r)]),
      ),
    );
  }
  if (flow.extras.length > 0) {
    lines.push('', 'Written on create only, beyond the table:');
    for (const e of flow.extras) {
      const ref = e.reference ? ` (reference via ${e.reference.flow})` : '';
      lines.push(`  ${e.target} ← ${e.from}${ref}: beyond the table: ${e.why}`);
    }
  }
  lines.push('', `last modified: Zendesk \`${flow.modifiedAt.zendesk}\`, ${target} \`${flow.modifiedAt.target}\``);
  return lines.join('\n');
}
