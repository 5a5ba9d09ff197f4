/**
 * What a feed page asks for: each changed record routed to every flow the feed serves, minus what
 * needs nothing (content equal to the link's base, outside the flow's condition, created on demand
 * only, a target record without a link). What is left are the pairs the poll hands over.
 */
import {
  ApiRecord,
  FlowDefinition,
  Side,
  getFlow,
  isDeletedInZendesk,
  rowKey,
  toCanonical,
  translateCanonical,
  flowForTargetRecord,
  zendeskReferences,
  type Feed,
} from '../flows';
import type { FlowsConfig } from '../flows';
import type { Link, LinkStore } from '../store';
import type { GivenRecord, GivenReference } from '../protocol/ids';
import type { Sideloaded } from './change-feeds';
import { translatorFor } from './link-translations';
import { ticketForComments } from '../flows/definitions/zendesk-ticketcomments-to-crmoffice-activities';

/**
 * One thing the poll hands over: a pair to sync, or a ticket whose comments are to be listed (with
 * when the poll brought the comments flow's target index, and its references', up to date).
 */
export type WorkItem =
  | { kind: 'pair'; flowId: string; zendeskId: string; given?: GivenRecord }
  | { kind: 'comments'; ticketId: string; ticket?: ApiRecord; matchIndexedAt?: number; referencesIndexedAt?: number };

/** Temporal refuses payloads over 2 MB; past this, a page's last records are handed over by id instead. */
const MAX_PAGE_BYTES = 1_500_000;

/**
 * The items as they fit in one activity result: with the records the feed returned (saving each pair
 * a read), or, as far as those are too large together, the last ones without them (those pairs then
 * read their own).
 */
export function fitPayload(items: WorkItem[]): WorkItem[] {
  const size = (item: WorkItem) => Buffer.byteLength(JSON.stringify(item)) + 1;
  let bytes = Buffer.byteLength(JSON.stringify(items));
  if (bytes <= MAX_PAGE_BYTES) return items;
  const out = [...items];
  for (let i = out.length - 1; i >= 0 && bytes > MAX_PAGE_BYTES; i--) {
    const item = out[i];
    const byId: WorkItem =
      item.kind === 'pair'
        ? { kind: 'pair', flowId: item.flowId, zendeskId: item.zendeskId }
        : { kind: 'comments', ticketId: item.ticketId };
    bytes -= size(item) - size(byId);
    out[i] = byId;
  }
  return out;
}

export async function routeZendeskRecord(
  store: LinkStore,
  config: FlowsConfig,
  feed: Feed,
  id: string,
  record: ApiRecord,
  sideloaded: Sideloaded = {},
): Promise<WorkItem[]> {
  const out: WorkItem[] = [];
  for (const flowId of feed.flows) {
    const flow = getFlow(flowId);
    if (flow.source.type === 'ticketComments') {
      // Comments have no feed: a ticket that moved may have new ones, listed by their own step.
      out.push({ kind: 'comments', ticketId: id, ticket: ticketForComments(record) });
      continue;
    }
    const given = await zendeskGiven(store, config, flow, id, record);
    if (!given) continue;
    const referenced = given.linkVersion === 0 ? givenReferences(flow, record, sideloaded) : [];
    out.push({ kind: 'pair', flowId, zendeskId: id, given: referenced.length ? { ...given, referenced } : given });
  }
  return out;
}

/**
 * Each side-loaded record on the first pair of the page that refers to it: that pair's first sync
 * creates the reference, so copies on the pairs after it would only weigh on the page's payload and
 * history. Those name the reference only, and the poll starts them once the first is done
 * (hand-over.ts): they find it linked, where starting together they might read it first.
 */
export function referencedOnce(items: WorkItem[]): WorkItem[] {
  const seen = new Set<string>();
  return items.map((item) => {
    if (item.kind !== 'pair' || !item.given?.referenced) return item;
    const referenced = item.given.referenced.map((r) => {
      const key = `${r.flowId}/${r.zendeskId}`;
      if (seen.has(key)) return { flowId: r.flowId, zendeskId: r.zendeskId };
      seen.add(key);
      return r;
    });
    return { ...item, given: { ...item.given, referenced } };
  });
}

/**
 * The records this one refers to through its flow's rows that the page side-loaded: for a pair not
 * linked yet, whose first sync may create them (a user's organization, as a department or company).
 */
function givenReferences(flow: FlowDefinition, record: ApiRecord, sideloaded: Sideloaded): GivenReference[] {
  return zendeskReferences(flow, record).flatMap((ref) => {
    const referenced = sideloaded[getFlow(ref.flowId).source.type]?.get(ref.zendeskId);
    return referenced ? [{ ...ref, record: referenced }] : [];
  });
}

export async function routeTargetRecord(
  store: LinkStore,
  config: FlowsConfig,
  feed: Feed,
  id: string,
  record: ApiRecord,
): Promise<WorkItem[]> {
  const target = getFlow(feed.flows[0]).target;
  const flowId = flowForTargetRecord(target.system, target.type, record);
  if (!flowId || !feed.flows.includes(flowId)) return [];
  const link = await store.getByTargetId(flowId, id);
  if (!link) return [];
  if (!(await needsSync(store, config, getFlow(flowId), 'target', record, link))) return [];
  // A linked pair gets the copy (it would read it again otherwise); a failed one reads its own.
  return [
    {
      kind: 'pair',
      flowId,
      zendeskId: link.zendeskId,
      ...(link.targetId === id ? { given: { target: record, linkVersion: link.version, readAt: Date.now() } } : {}),
    },
  ];
}

/**
 * A Zendesk record (or a comment listed on its ticket, `ticket` its context) as its pair's workflow
 * gets it, when it asks the pair to sync; undefined when it does not.
 */
export async function zendeskGiven(
  store: LinkStore,
  config: FlowsConfig,
  flow: FlowDefinition,
  id: string,
  record: ApiRecord,
  ticket?: ApiRecord,
): Promise<GivenRecord | undefined> {
  const link = await store.getByZendeskId(flow.id, id);
  if (!(await needsSync(store, config, flow, 'zendesk', record, link))) return undefined;
  return { record, ...(ticket ? { ticket } : {}), linkVersion: link?.version ?? 0, readAt: Date.now() };
}

/**
 * Does this changed record ask its pair to sync? No when its content equals the link's base (an
 * echo, or a change of fields the flow does not carry), or when it is not ours to sync.
 */
async function needsSync(
  store: LinkStore,
  config: FlowsConfig,
  flow: FlowDefinition,
  side: Side,
  record: ApiRecord,
  link: Link | undefined,
): Promise<boolean> {
  if (!link?.targetId || link.state !== 'linked' || !link.base) {
    if (side === 'target') return link !== undefined;
    if (link) return true; // failed or conflicting: a change may heal it
    return flow.creation.mode !== 'on-demand' && flow.condition.predicate(record, config);
  }
  // A deletion changes no synced field, yet the pair must hear of it (to be marked orphaned).
  if (side === 'zendesk' && isDeletedInZendesk(flow.source.type, record)) return true;
  let values;
  try {
    values = toCanonical(flow, side, record);
  } catch {
    return true; // unreadable: let the sync report it
  }
  if (side === 'target') {
    const raw = values;
    const translate = await translatorFor(store, [(t) => translateCanonical(flow, 'target', raw, t)]);
    values = translateCanonical(flow, 'target', raw, translate).values;
  }
  const base = link.base;
  // Rows read-only on both sides are never written, so they may differ for ever: not a change.
  return flow.properties.some(
    (row) =>
      !(row.readOnly.zendesk && row.readOnly.target) && (base[rowKey(row)] ?? null) !== (values[rowKey(row)] ?? null),
  );
}
