/**
 * References (`organization_id` ↔ `DepartmentId`, …) are translated through the links of the
 * referenced flow. Mapping wants a synchronous `Translate`, so the links a record names are read
 * from the store first, into this cache.
 */
import { rowKey, type Canonical, type FlowDefinition, type FlowId, type Side, type Translate } from '../flows';
import type { LinkStore } from '../store';

export class LinkTranslations {
  private readonly known = new Map<string, string | null>();

  constructor(private readonly store: LinkStore) {}

  /** Reads the links named by the reference rows of `values` (ids of side `from`). */
  async load(flow: FlowDefinition, from: Side, values: Canonical): Promise<void> {
    for (const row of flow.properties) {
      const id = values[rowKey(row)];
      if (!row.reference || !id || this.known.has(key(row.reference.flow, from, id))) continue;
      const link = from === 'target' ? await this.store.getByTargetId(row.reference.flow, id) : await this.store.getByZendeskId(row.reference.flow, id);
      this.known.set(key(row.reference.flow, from, id), link ? (from === 'target' ? link.zendeskId : link.targetId) : null);
    }
  }

  /** Records a link just made (a referenced record synced on demand). */
  remember(flow: FlowId, zendeskId: string, targetId: string): void {
    this.known.set(key(flow, 'zendesk', zendeskId), targetId);
  }

  readonly translate: Translate = (flow, from, id) => this.known.get(key(flow, from, id)) ?? null;
}

function key(flow: FlowId, from: Side, id: string): string {
  return `${flow}|${from}|${id}`;
}
