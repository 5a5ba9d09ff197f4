import { getFlow, referencedFlows } from '../flows/registry';
import type { WorkItem } from '../activities/feed-routing';
import { COMMENTS_FLOW } from '../flows/feeds';

/**
 * The page's pairs without a link each look for an existing target record before creating one. One
 * index of the target per flow, brought up to date from its change list (`refreshPage` until it
 * answers no cursor: a request per page of changes, usually one), stands in for a search per record: a first sync makes a create
 * per record, not a search and a create. So do the indexes of the flows their references belong to
 * (an employee's department), for the references those pairs create. Records created after this (by
 * the page's own pairs) reach the index at the next page. Marks each such pair's copy with when.
 *
 * The poll runs it in its workflow (the refresh an activity); the bench's scale set-up outside one.
 */
export async function matchFromIndex(
  items: WorkItem[],
  refreshPage: (flowId: string, cursor: string | null) => Promise<string | null>,
  opts: { comments?: boolean } = {},
): Promise<void> {
  const unlinked = items.flatMap((item) =>
    item.kind === 'pair' && item.given?.linkVersion === 0 ? [{ flowId: item.flowId, given: item.given }] : [],
  );
  // A ticket's comments are listed by a workflow of their own, which passes these times to their new pairs.
  const tickets = opts.comments ? items.flatMap((item) => (item.kind === 'comments' ? [item] : [])) : [];
  const upToDate = new Map<string, boolean>();
  const refresh = async (flowId: string): Promise<boolean> => {
    if (!upToDate.has(flowId)) {
      try {
        for (let cursor: string | null = null; ;) {
          cursor = await refreshPage(flowId, cursor);
          if (cursor === null) break;
        }
        upToDate.set(flowId, true);
      } catch {
        upToDate.set(flowId, false); // the target is failing: these pairs search it, each retrying on its own
      }
    }
    return upToDate.get(flowId)!;
  };
  /** The flow's index and its references' brought up to date; each of `into` marked with when, for each that is. */
  const stamp = async (flowId: string, into: { matchIndexedAt?: number; referencesIndexedAt?: number }[]) => {
    const own = await refresh(flowId);
    const referenced = referencedFlows(getFlow(flowId));
    let references = referenced.length > 0;
    for (const ref of referenced) references = (await refresh(ref)) && references;
    const at = Date.now();
    for (const x of into) {
      if (own) x.matchIndexedAt = at;
      if (references) x.referencesIndexedAt = at;
    }
  };
  for (const flowId of new Set(unlinked.map((u) => u.flowId)))
    await stamp(
      flowId,
      unlinked.filter((u) => u.flowId === flowId).map((u) => u.given),
    );
  if (tickets.length > 0) await stamp(COMMENTS_FLOW, tickets);
}
