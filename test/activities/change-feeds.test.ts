/**
 * The target feed moves on past what its index read only where that is safe: the index read every
 * change in between and none asked its pair to sync, and the feed had read up to there itself.
 */
import {
  feedCheckpointAfterIndex,
  readTargetFeed,
  readTargetIndexPage,
  sinceFilter,
} from '../../activities/change-feeds';
import type { TargetAccess } from '../../activities/record-access';
import { getFlow, type ApiRecord } from '../../flows';

const Z3 = getFlow('zendesk-users-to-crmoffice-contacts');
const NOW = new Date('2026-12-05T12:00:00Z');
const at = (since: string | null, more: object = {}) =>
  JSON.stringify({ since, page: 1, maxSeen: null, pass: null, fullAt: '2026-12-05T08:00:00.000Z', ...more });
const parse = (s: string | null) => (s === null ? null : JSON.parse(s));

describe('feedCheckpointAfterIndex', () => {
  const T1 = '2026-12-05T10:00:00.000Z';
  const T2 = '2026-12-05T11:00:00Z';
  const T3 = '2026-12-05T11:30:00Z';

  it('a feed never polled, after an index that read the whole target: its first pass is done', () => {
    expect(parse(feedCheckpointAfterIndex(null, { from: null, to: T2 }, NOW))).toEqual({
      since: T2,
      page: 1,
      maxSeen: null,
      pass: null,
      fullAt: NOW.toISOString(),
    });
  });
  it('a feed never polled, after an index that read only part of the target: left to read it all', () => {
    expect(feedCheckpointAfterIndex(null, { from: T1, to: T2 }, NOW)).toBeNull();
  });
  it('a feed that read into the stretch moves to its end, keeping when its last pass was', () => {
    expect(parse(feedCheckpointAfterIndex(at(T1), { from: T1, to: T3 }))).toEqual(parse(at(T3)));
    expect(parse(feedCheckpointAfterIndex(at(T2), { from: T1, to: T3 }))).toEqual(parse(at(T3)));
    expect(parse(feedCheckpointAfterIndex(at(null), { from: null, to: T3 }))).toEqual(parse(at(T3)));
  });
  it('a feed behind the stretch stays: what lies between was read by no one', () => {
    expect(feedCheckpointAfterIndex(at(T1), { from: T2, to: T3 })).toBeNull();
    expect(feedCheckpointAfterIndex(at(null), { from: T2, to: T3 })).toBeNull();
  });
  it('a feed already past the stretch, or a stretch that saw nothing, changes nothing', () => {
    expect(feedCheckpointAfterIndex(at(T3), { from: T1, to: T2 })).toBeNull();
    expect(feedCheckpointAfterIndex(at(T2), { from: T1, to: T2 })).toBeNull();
    expect(feedCheckpointAfterIndex(at(T1), { from: T1, to: null })).toBeNull();
  });
  it('a feed in the middle of a pass is left to finish it', () => {
    expect(feedCheckpointAfterIndex(at(T1, { page: 3 }), { from: T1, to: T3 })).toBeNull();
    expect(feedCheckpointAfterIndex(at(null, { pass: { id: 'p', resume: T1 } }), { from: null, to: T3 })).toBeNull();
  });
  it('the moved checkpoint is one the feed reads from, without starting a pass', async () => {
    const moved = feedCheckpointAfterIndex(null, { from: null, to: T2 }, NOW)!;
    const calls: (string | null)[] = [];
    const target = fakeTarget([[]], (since) => calls.push(since));
    const page = await readTargetFeed(target, Z3, moved, new Date(NOW.getTime() + 60_000));
    expect(calls).toEqual([sinceFilter(T2)]);
    expect(page.pass).toBeUndefined();
  });
});

describe('readTargetIndexPage', () => {
  const contact = (id: string, updatedAt: string): ApiRecord => ({ id, email: `${id}@example.no`, updatedAt });

  it('a refresh where no record asks to sync says which stretch it read, over all its pages', async () => {
    const target = fakeTarget([[contact('a', '2026-12-05T10:00:00.000Z')], [contact('b', '2026-12-05T10:05:00.000Z')]]);
    const first = await readTargetIndexPage(target, Z3, null, async () => false);
    expect(first.done).toBe(false);
    expect(first.quiet).toBeUndefined();
    const last = await readTargetIndexPage(target, Z3, first.checkpoint, async () => false);
    expect(last.done).toBe(true);
    expect(last.quiet).toEqual({ from: null, to: '2026-12-05T10:05:00.000Z' });
    expect(last.entries).toEqual([{ targetId: 'b', matchValue: 'b@example.no' }]);
  });
  it('one record that asks to sync, on any page, and the refresh says nothing of the feed', async () => {
    const target = fakeTarget([[contact('a', '2026-12-05T10:00:00.000Z')], [contact('b', '2026-12-05T10:05:00.000Z')]]);
    const first = await readTargetIndexPage(target, Z3, null, async (id) => id === 'a');
    const last = await readTargetIndexPage(target, Z3, first.checkpoint, async () => false);
    expect(last.done).toBe(true);
    expect(last.quiet).toBeUndefined();
    // What the index keeps carries no trace of the refresh in flight.
    expect(JSON.parse(last.checkpoint)).toEqual({ since: '2026-12-05T10:05:00.000Z', page: 1, maxSeen: null });
  });
  it('without a feed to ask for (a one-way flow), nothing is said', async () => {
    const last = await readTargetIndexPage(fakeTarget([[contact('a', '2026-12-05T10:00:00.000Z')]]), Z3, null);
    expect(last.quiet).toBeUndefined();
  });
});

/** A target whose change list answers the given pages in turn, noting the `since` each was asked with. */
function fakeTarget(pages: ApiRecord[][], seen: (since: string | null) => void = () => undefined): TargetAccess {
  const unused = () => Promise.reject(new Error('not used'));
  return {
    get: unused,
    create: unused,
    update: unused,
    find: unused,
    idOf: (r) => String(r.id),
    async listChanged(since, page) {
      seen(since);
      return { items: pages[page - 1] ?? [], hasMore: page < pages.length };
    },
  };
}
