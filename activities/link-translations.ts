/**
 * References (`organization_id` ↔ `DepartmentId`, …) are translated through the links of the
 * referenced flow. Mapping wants a synchronous `Translate`, so the links a record names are read
 * from the store first.
 */
import type { FlowId, Side, Translate } from '../flows';
import type { LinkStore } from '../store';

/**
 * A translator that knows every link the given (pure) builds ask for: each build runs once with a
 * recording translator, the links it named are read, and the returned translator answers them.
 */
export async function translatorFor(
  store: LinkStore,
  builds: ((t: Translate) => unknown)[],
  planned?: PlannedLinks,
): Promise<Translate> {
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

function key(flow: FlowId, from: Side, id: string): string {
  return `${flow}|${from}|${id}`;
}
