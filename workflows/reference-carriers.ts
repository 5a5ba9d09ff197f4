/**
 * Which workflow in flight carries a page's copy of a referenced record (an organisation side-loaded
 * with its users; activities/feed-routing.ts gives the copy to the first pair of a page naming it).
 * A later record naming that reference without a copy waits until the carrier is done, and then
 * finds the department or company linked, instead of reading the organisation and racing to create it.
 */
import { condition } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { pairKey, type GivenReference } from '../protocol/ids';

/** How long a record waits for the one carrying its reference's copy before it starts anyway (and reads it). */
export const CARRIER_WAIT: Duration = '10 seconds';

type Wait = (done: () => boolean, timeout: Duration) => Promise<unknown>;

export class ReferenceCarriers {
  /** Reference (`flow/zendeskId`) → the workflow carrying its copy. */
  private readonly carriers = new Map<string, string>();

  /** `inFlight`: the workflows running now; `wait`: the workflow's `condition` (a test's stand-in). */
  constructor(
    private readonly inFlight: ReadonlySet<string>,
    private readonly wait: Wait = condition,
  ) {}

  /**
   * Before `workflowId` starts with `referenced`: waits (at most CARRIER_WAIT: a carrier that keeps
   * retrying must not hold the others) while a workflow in flight carries a copy this one names
   * without one, then notes this one as the carrier of the copies it has.
   */
  async before(workflowId: string, referenced: readonly GivenReference[]): Promise<void> {
    const named = referenced.filter((r) => !r.record).map(pairKey);
    const carried = () => named.some((key) => this.inFlight.has(this.carriers.get(key) ?? ''));
    if (carried()) await this.wait(() => !carried(), CARRIER_WAIT);
    for (const r of referenced) if (r.record) this.carriers.set(pairKey(r), workflowId);
  }
}
