/**
 * Echoes: when Tandem writes a Zendesk record (a change polled from the target), Zendesk sends a
 * webhook for that write to every flow of the record, the writer's own included. The event names the
 * field it changed and its value then; a pair whose base holds that value already has nothing to sync.
 */
import { normalize } from './normalize';
import { rowKey, type Canonical, type FlowDefinition } from './types';

/** One field of a Zendesk record as a webhook event reports it (`organization_id`, `name`). */
export interface ReportedValue {
  field: string;
  /** The field's value as the event reports it; null when the event says it is empty. */
  value: string | null;
}

/**
 * Why the reported changes are nothing new to this linked pair, or null when it must sync: every
 * reported field is a row of the flow and the base (what both sides held after the last sync) holds
 * that value. A field the flow has no row for (a name a creation copies, a condition's role) syncs.
 */
export function echoOf(
  flow: FlowDefinition,
  base: Canonical | null,
  reported: readonly ReportedValue[],
): string | null {
  if (!base || reported.length === 0) return null;
  const held: string[] = [];
  for (const { field, value } of reported) {
    const rows = flow.properties.filter((row) => row.source === field);
    if (rows.length === 0) return null;
    for (const row of rows) {
      const want = normalize(row.kind, value);
      if ((base[rowKey(row)] ?? null) !== want) return null;
    }
    held.push(`\`${field}\` ${value ?? '(empty)'}`);
  }
  return `the webhook reports ${held.join(', ')}, which this pair holds since its last sync (an echo of its own write): nothing to sync`;
}
