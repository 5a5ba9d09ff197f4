/**
 * The chaos run's checks allow nothing the sample data cannot explain: a pair left failed or in
 * conflict is a finding whatever its reason, and so is any 429 for exceeding a limit or a peak of
 * requests over one.
 */
import { rateLimits, stuckPairs, type LimitStats } from '../../bench/chaos/checks';
import type { LinkIndex } from '../../bench/chaos/links';
import type { Snapshot } from '../../bench/chaos/snapshot';
import type { FlowId } from '../../flows';
import type { Link, LinkState } from '../../store';

const P2 = 'zendesk-users-to-powerofficego-employees' as FlowId;

function snapshotOf(links: Pick<Link, 'zendeskId' | 'state' | 'lastError'>[]): Snapshot {
  const all = new Map<FlowId, Link[]>([
    [
      P2,
      links.map((l) => ({
        ...l,
        flowId: P2,
        targetId: l.state === 'linked' ? `t${l.zendeskId}` : null,
        base: null,
        version: 1,
        lastSyncedAt: null,
        updatedAt: '',
      })),
    ],
  ]);
  const index: LinkIndex = { all, target: () => undefined, zendesk: () => undefined, linkedZendeskIds: () => [] };
  return {
    users: new Map(),
    orgs: new Map(),
    targets: { employees: new Map(), departments: new Map(), contacts: new Map(), companies: new Map() },
    links: index,
    retrying: [],
  };
}

describe('stuckPairs', () => {
  it('finds a failed or conflict pair even with its reason recorded; a linked one and an orphaned one with a reason pass', () => {
    const link = (zendeskId: string, state: LinkState, lastError: string | null) => ({ zendeskId, state, lastError });
    const found = stuckPairs(
      snapshotOf([
        link('1', 'linked', null),
        link('2', 'failed', 'name: cannot be mapped'),
        link('3', 'conflict', '2 employees'),
        link('4', 'orphaned', 'gone'),
        link('5', 'orphaned', null),
        link('6', 'pending', null),
      ]),
      [P2],
    );
    expect(found.map((f) => [f.how, f.detail.split(':')[0]])).toEqual([
      ['failed', 'P2 2'],
      ['conflict', 'P2 3'],
      ['orphaned with no last_error', 'P2 5'],
      ['pending', 'P2 6'],
    ]);
    expect(found[0].detail).toContain('name: cannot be mapped');
  });
});

describe('rateLimits', () => {
  const within: LimitStats = {
    rateLimited: 0,
    peakPerSecond: 10,
    peakPerWindow: 10,
    rateLimit: { limit: 10, windowMs: 1000 },
  };

  it('passes a system at its limit, and one without a limit', () => {
    expect(
      rateLimits({
        poweroffice: within,
        zendesk: { rateLimited: 0, peakPerSecond: 500, peakPerWindow: 900, rateLimit: null },
      }),
    ).toEqual([]);
  });

  it('allows no 429 over a limit, not one in a thousand requests', () => {
    expect(rateLimits({ poweroffice: { ...within, rateLimited: 1 } })).toEqual([
      {
        check: 'rate limits',
        how: '429 over the limit',
        detail: 'poweroffice: 1 answers 429 for exceeding a published limit',
      },
    ]);
  });

  it("checks the peak within the limit's window against the limit", () => {
    expect(rateLimits({ crmoffice: { ...within, peakPerSecond: 11, peakPerWindow: 11 } }).map((f) => f.how)).toEqual([
      'peak over the limit',
    ]);
    // A minute's limit: many in one second is fine, more than the limit within the minute is not.
    const minute = { rateLimit: { limit: 700, windowMs: 60_000 }, rateLimited: 0 };
    expect(rateLimits({ zendesk: { ...minute, peakPerSecond: 40, peakPerWindow: 700 } })).toEqual([]);
    expect(rateLimits({ zendesk: { ...minute, peakPerSecond: 40, peakPerWindow: 701 } })[0].detail).toBe(
      'zendesk: 701 requests within 60000 ms, over its limit of 700 (peak in one second 40)',
    );
  });
});
