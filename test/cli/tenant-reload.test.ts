import { Writable } from 'node:stream';
import { reloadTenants, fingerprintOf } from '../../cli/tenant-reload';
import type { TenantConfig } from '../../cli/context';
import { createLogger } from '../../workers/logger';

type Config = TenantConfig<'temporal'>;
const config = (tenant: string, namespace = 'default') =>
  ({ tenant, temporal: { address: '127.0.0.1:7233', namespace, taskQueue: 'tandem' } }) as unknown as Config;

/** A reload loop over tenants the test sets, with what it started and stopped, and what it logged. */
function harness(initial: Record<string, Config>) {
  let wanted: Map<string, Config | Error> | Error = new Map(Object.entries(initial));
  const served = new Map(Object.entries(initial).map(([name, c]) => [name, fingerprintOf(c)]));
  const events: string[] = [];
  const lines: string[] = [];
  const failing = new Set<string>();
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const log = createLogger('test', 'info', destination, 'json');
  let reads = 0;
  const reload = reloadTenants<'temporal'>({
    read: () => {
      reads += 1;
      return wanted;
    },
    everyMs: 5,
    log,
    served: () => served,
    async start(c, fingerprint) {
      events.push(`start ${c.tenant}`);
      if (failing.has(c.tenant)) throw new Error(`${c.tenant} has no key`);
      served.set(c.tenant, fingerprint);
    },
    async stop(tenant) {
      events.push(`stop ${tenant}`);
      served.delete(tenant);
    },
  });
  return {
    set: (next: Record<string, Config | Error> | Error) => {
      wanted = next instanceof Error ? next : new Map(Object.entries(next));
    },
    events,
    lines,
    failing,
    served,
    /** Until a whole round has run since now: a round reads the tenants as it begins. */
    async rounds() {
      const until = reads + 2;
      while (reads < until) await new Promise((r) => setTimeout(r, 5));
    },
    stop: () => reload.stop(),
  };
}

test('starts a tenant added, stops one removed, restarts one changed, and leaves the rest alone', async () => {
  const h = harness({ acme: config('acme'), beta: config('beta') });
  try {
    await h.rounds();
    expect(h.events).toEqual([]);
    h.set({ acme: config('acme'), beta: config('beta', 'other'), gamma: config('gamma') });
    await h.rounds();
    expect(h.events).toEqual(['stop beta', 'start beta', 'start gamma']);
    h.set({ beta: config('beta', 'other'), gamma: config('gamma') });
    await h.rounds();
    expect(h.events.slice(3)).toEqual(['stop acme']);
    expect([...h.served.keys()].sort()).toEqual(['beta', 'gamma']);
  } finally {
    await h.stop();
  }
});

test('a tenant whose file breaks is served as it was; one that cannot start waits for its file to change; each logged once', async () => {
  const h = harness({ acme: config('acme') });
  try {
    h.set({ acme: new Error('tenant acme: ZENDESK_API_TOKEN is required') });
    await h.rounds();
    expect(h.events).toEqual([]);
    expect(h.lines.filter((l) => l.includes('ZENDESK_API_TOKEN is required'))).toHaveLength(1);

    h.failing.add('beta');
    h.set({ acme: config('acme'), beta: config('beta') });
    await h.rounds();
    expect(h.events).toEqual(['start beta']);
    expect(h.lines.filter((l) => l.includes('beta has no key'))).toHaveLength(1);

    h.failing.delete('beta');
    h.set({ acme: config('acme'), beta: config('beta', 'fixed') });
    await h.rounds();
    expect(h.events).toEqual(['start beta', 'start beta']);
    expect(h.served.has('beta')).toBe(true);

    h.set(new Error('cannot read /etc/tandem/tenants'));
    await h.rounds();
    expect(h.events).toHaveLength(2);
    expect(h.lines.filter((l) => l.includes('cannot read /etc/tandem/tenants'))).toHaveLength(1);
  } finally {
    await h.stop();
  }
});
