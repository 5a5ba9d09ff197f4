/**
 * A worker's share of a system's rate: a short burst, then evenly paced, so that all workers together
 * never go over the rate in any one second; the workers counted on the system's task queue.
 */
import { spawn } from 'node:child_process';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { pacer } from '../../connectors/pacer';
import { shareRates, workerPace } from '../../workers/rate-share';
import { sharedTemporal } from '../helpers/temporal';

/** The most of `starts` (ms) within any one second. */
const mostInASecond = (starts: number[]) =>
  Math.max(...starts.map((t) => starts.filter((u) => u >= t && u <= t + 1000).length));

describe('workerPace', () => {
  it("a whole worker's second is its steady rate plus its burst, and all workers' together the rate", () => {
    expect(workerPace(19, 1)).toEqual({ perSecond: 17, burst: 2 });
    expect(workerPace(9, 1)).toEqual({ perSecond: 7, burst: 2 });
    for (const [rate, n] of [
      [19, 1],
      [19, 3],
      [9, 2],
      [9, 3],
      [11, 4],
      [4, 4],
    ]) {
      const { perSecond, burst } = workerPace(rate, n);
      expect(n * (Math.floor(perSecond) + burst)).toBeLessThanOrEqual(rate);
    }
  });
  it('a share too small for a burst is paced one at a time, and never stopped outright', () => {
    expect(workerPace(9, 3)).toEqual({ perSecond: 2, burst: 1 });
    expect(workerPace(4, 4)).toEqual({ perSecond: 0.5, burst: 1 });
  });
});

describe('pacer', () => {
  /** When each of `calls` calls made at once may go, in ms, on a fake clock. */
  async function startsOf(calls: number, perSecond: number, burst: number, pauseFirstMs = 0): Promise<number[]> {
    jest.useFakeTimers({ now: 0 });
    try {
      const p = pacer(() => ({ perSecond, burst }));
      if (pauseFirstMs) {
        await p.wait();
        await jest.advanceTimersByTimeAsync(pauseFirstMs);
      }
      const t0 = Date.now();
      const starts: number[] = [];
      const all = Array.from({ length: calls }, () => p.wait().then(() => starts.push(Date.now() - t0)));
      await jest.advanceTimersByTimeAsync(60_000);
      await Promise.all(all);
      return starts;
    } finally {
      jest.useRealTimers();
    }
  }

  it('lets the burst go at once, then spaces calls evenly: no second sees more than rate + burst', async () => {
    const starts = await startsOf(60, 17, 2);
    expect(starts.slice(0, 3)).toEqual([0, 0, expect.closeTo(1000 / 17, -1)]);
    // Timers keep whole milliseconds: 1000 / 17 ms apart is 58 or 59.
    const gaps = starts.slice(3).map((t, i) => t - starts[i + 2]);
    expect(gaps.filter((gap) => gap !== 58 && gap !== 59)).toEqual([]);
    expect(mostInASecond(starts)).toBe(19);
  });
  it('one at a time when the burst is 1: at most rate + 1 in a second', async () => {
    expect(mostInASecond(await startsOf(60, 18, 1))).toBe(19);
  });
  it('after a pause only the burst goes at once: the pause is not saved up', async () => {
    expect(await startsOf(4, 10, 2, 5000)).toEqual([0, 0, 100, 200]);
  });
  it('an urgent call passes the waiting bulk ones; among equals, first come first served', async () => {
    jest.useFakeTimers({ now: 0 });
    try {
      let rank = 4;
      const p = pacer(() => ({ perSecond: 10, burst: 1 }), { rank: () => rank });
      const order: string[] = [];
      const bulk = Array.from({ length: 5 }, (_, i) => p.wait().then(() => order.push(`bulk ${i}`)));
      await jest.advanceTimersByTimeAsync(150);
      rank = 3;
      const urgent = p.wait().then(() => order.push('urgent'));
      await jest.advanceTimersByTimeAsync(1000);
      await Promise.all([...bulk, urgent]);
      expect(order).toEqual(['bulk 0', 'bulk 1', 'urgent', 'bulk 2', 'bulk 3', 'bulk 4']);
    } finally {
      jest.useRealTimers();
    }
  });
  it('a rate of 0 or none at all does not hold calls', async () => {
    for (const perSecond of [0, Infinity]) {
      const p = pacer(() => ({ perSecond, burst: 1 }));
      await expect(
        Promise.race([p.wait().then(() => 'went'), new Promise((r) => setTimeout(() => r('held'), 50))]),
      ).resolves.toBe('went');
    }
  });
});

describe('shareRates on a real server', () => {
  let env: TestWorkflowEnvironment | undefined;
  afterAll(async () => {
    await env?.teardown();
  });

  it("counts the worker processes polling a system's queue, itself included, and paces to its share", async () => {
    env = await sharedTemporal();
    const counts: string[] = [];
    const share = shareRates(
      { crmoffice: 19 },
      {
        refreshMs: 200,
        onCount: (system, workers, pace) => counts.push(`${system} ${workers} ${pace.perSecond}+${pace.burst}`),
      },
    );
    // Another process's worker on the Crmoffice queue, under an identity of its own.
    const other = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace,
      taskQueue: 'crmoffice',
      identity: 'other-process@elsewhere',
      activities: { noop: async () => undefined },
    });
    const running = other.run();
    const unwatch = share.watch(env.nativeConnection, env.namespace!);
    try {
      for (let i = 0; i < 50 && share.workers.crmoffice !== 2; i++) await new Promise((r) => setTimeout(r, 200));
      expect(share.workers.crmoffice).toBe(2);
      expect(counts).toContain('crmoffice 2 7.5+2');
      // No one polls Zendesk's queue: this process alone, at the whole rate less one.
      expect(share.workers.zendesk).toBe(1);
    } finally {
      unwatch();
      other.shutdown();
      await running;
    }
  }, 60_000);
  it('does not count a poller of this host whose process is gone, and does count one whose process runs', async () => {
    env = await sharedTemporal();
    const share = shareRates({}, { refreshMs: 200 });
    const here = share.identity.slice(share.identity.indexOf('@'));
    const exited = spawn(process.execPath, ['-e', '']);
    const deadPid = await new Promise<number>((resolve) => exited.once('exit', () => resolve(exited.pid!)));
    // One worker per queue and process: the gone poller on PowerOffice Go's queue, the running one on Zendesk's.
    const polling = { poweroffice: `${deadPid}${here}`, zendesk: `${process.ppid}${here}` };
    const pollers = await Promise.all(
      Object.entries(polling).map(([taskQueue, identity]) =>
        Worker.create({
          connection: env!.nativeConnection,
          namespace: env!.namespace,
          taskQueue,
          identity,
          activities: { noop: async () => undefined },
        }),
      ),
    );
    const running = pollers.map((w) => w.run());
    const listed = async (name: string) =>
      (
        await env!.nativeConnection.workflowService.describeTaskQueue({
          namespace: env!.namespace,
          taskQueue: { name },
          taskQueueType: 2,
        })
      ).pollers?.map((p) => p.identity) ?? [];
    const unwatch = share.watch(env.nativeConnection, env.namespace!);
    try {
      for (let i = 0; i < 50 && (await listed('poweroffice')).length === 0; i++)
        await new Promise((r) => setTimeout(r, 200));
      expect(await listed('poweroffice')).toEqual([polling.poweroffice]);
      for (let i = 0; i < 50 && share.workers.zendesk !== 2; i++) await new Promise((r) => setTimeout(r, 200));
      await new Promise((r) => setTimeout(r, 600));
      expect(share.workers).toMatchObject({ poweroffice: 1, zendesk: 2 });
    } finally {
      unwatch();
      pollers.forEach((w) => w.shutdown());
      await Promise.all(running);
    }
  }, 60_000);
});
