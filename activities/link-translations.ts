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

/**
 * A translator that knows every link the given (pure) builds ask for: each build runs once with a
 * recording translator, the links it named are read, and the returned translator answers them.
 */
export async function translatorFor(store: LinkStore, builds: ((t: Translate) => unknown)[], planned?: PlannedLinks): Promise<Translate> {
  const asked = new Map<string, { flow: FlowId; from: Side; id: string }>();
  const record: Translate = (flow, from, id) => {
    asked.set(key(flow, from, id), { flow, from, id });
    return null;
  };
  for (const build of builds) {
    try {
      build(record);
    } catch {
      // A record that cannot be mapped fails where it is mapped for real, with its message.
    }
  }
  const known = new Map<string, string | null>();
  for (const [k, { flow, from, id }] of asked) {
    const plannedId = from === 'zendesk' ? planned?.get(plannedKey(flow, id)) : undefined;
    if (plannedId) {
      known.set(k, plannedId);
      continue;
    }
    const link = from === 'target' ? await store.getByTargetId(flow, id) : await store.getByZendeskId(flow, id);
    const usable = link && link.targetId && (from === 'target' || link.state === 'linked');
    known.set(k, usable ? (from === 'target' ? link.zendeskId : link.targetId) : null);
  }
  return (flow, from, id) => known.get(key(flow, from, id)) ?? null;
}

/** Links a dry run (`tandem plan`) would have made, by `<flow>|<zendesk id>`: nothing is saved. */
export type PlannedLinks = Map<string, string>;

export function plannedKey(flow: string, zendeskId: string): string {
  return `${flow}|${zendeskId}`;
}
