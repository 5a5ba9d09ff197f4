import { createMetrics, startMetricsServer, MetricsServer } from '../../workers/metrics';

describe('metrics', () => {
  const m = createMetrics();
  let server: MetricsServer;

  beforeAll(async () => {
    server = await startMetricsServer({ port: 0, registry: m.registry });
  });
  afterAll(async () => {
    await server.close();
  });

  it('listens on 127.0.0.1 only', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves the recorded counters and gauges at /metrics', async () => {
    m.recordSync('zendesk-users-to-crmoffice-contacts', 'created');
    m.recordSync('zendesk-users-to-crmoffice-contacts', 'created');
    m.recordSync('zendesk-users-to-crmoffice-contacts', 'failed');
    const saved = new Date(Date.now() - 42_000).toISOString();
    m.watchPollLag({ getCheckpoint: async (feed) => (feed === 'zendesk/users' ? { updatedAt: saved } : undefined) });
    m.recordApiCall('poweroffice', 429);
    m.recordWebhook('bad_signature');

    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain(
      'tandem_sync_total{tenant="default",flow="zendesk-users-to-crmoffice-contacts",outcome="created"} 2',
    );
    expect(text).toContain(
      'tandem_sync_total{tenant="default",flow="zendesk-users-to-crmoffice-contacts",outcome="failed"} 1',
    );
    // Read at the scrape: 42 s since the users feed was last read, and growing.
    const lag = Number(/tandem_poll_lag_seconds\{tenant="default",feed="zendesk\/users"\} ([\d.]+)/.exec(text)?.[1]);
    expect(lag).toBeGreaterThanOrEqual(42);
    expect(lag).toBeLessThan(60);
    expect(text).not.toContain('feed="poweroffice/employees"');
    expect(text).toContain('tandem_api_calls_total{tenant="default",system="poweroffice",status="429"} 1');
    expect(text).toContain('tandem_webhooks_total{tenant="default",result="bad_signature"} 1');
  });

  it('reads the store at each scrape: pairs retrying (the longest for how long) and pairs needing review, by flow', async () => {
    const m2 = createMetrics();
    const since = new Date(Date.now() - 20 * 60_000).toISOString();
    let failed = 2;
    m2.watchStore({
      getCheckpoint: async () => undefined,
      countRetrying: async (flow) => (flow === 'zendesk-users-to-crmoffice-contacts' ? 3 : 0),
      listRetrying: async (flow) =>
        flow === 'zendesk-users-to-crmoffice-contacts'
          ? [{ flowId: flow, zendeskId: '1', lastError: 'x', since, updatedAt: since }]
          : [],
      counts: async (flow) => ({
        linked: 5,
        pending: 1,
        failed: flow === 'zendesk-users-to-crmoffice-contacts' ? failed : 0,
        orphaned: 0,
        conflict: 1,
      }),
    });
    const text = await m2.registry.metrics();
    expect(text).toContain('tandem_pairs_retrying{tenant="default",flow="zendesk-users-to-crmoffice-contacts"} 3');
    expect(text).toContain('tandem_pairs_retrying{tenant="default",flow="zendesk-users-to-powerofficego-employees"} 0');
    const longest = Number(
      /tandem_pair_retrying_longest_seconds\{tenant="default",flow="zendesk-users-to-crmoffice-contacts"\} ([\d.]+)/.exec(
        text,
      )?.[1],
    );
    expect(longest).toBeGreaterThanOrEqual(1200);
    expect(longest).toBeLessThan(1260);
    expect(text).toContain(
      'tandem_pair_retrying_longest_seconds{tenant="default",flow="zendesk-users-to-powerofficego-employees"} 0',
    );
    expect(text).toContain(
      'tandem_pairs_needing_review{tenant="default",flow="zendesk-users-to-crmoffice-contacts",state="failed"} 2',
    );
    expect(text).toContain(
      'tandem_pairs_needing_review{tenant="default",flow="zendesk-users-to-crmoffice-contacts",state="conflict"} 1',
    );
    expect(text).not.toMatch(/tandem_pairs_needing_review\{[^}]*state="linked"/);
    // Read again at the next scrape, not kept from the first.
    failed = 0;
    expect(await m2.registry.metrics()).toContain(
      'tandem_pairs_needing_review{tenant="default",flow="zendesk-users-to-crmoffice-contacts",state="failed"} 0',
    );
  });

  it('serves the poll intervals by feed, the API rates, the pollers and the webhook-to-write latency', async () => {
    const m2 = createMetrics();
    m2.setPollIntervals({ zendesk: 60, poweroffice: 30, crmoffice: 45 });
    m2.setApiRates({ zendesk: 11, poweroffice: 9 });
    let polling = true;
    m2.watchPollers(() => [
      { taskQueue: 'tandem', kind: 'workflow', polling: true },
      { taskQueue: 'poweroffice', kind: 'activity', polling },
    ]);
    m2.recordWebhookWrite('zendesk-users-to-crmoffice-contacts', new Date(Date.now() - 3_000).toISOString());
    m2.recordWebhookWrite('zendesk-users-to-crmoffice-contacts', 'not a time');
    let text = await m2.registry.metrics();
    expect(text).toContain('tandem_poll_interval_seconds{tenant="default",feed="zendesk/users"} 60');
    expect(text).toContain('tandem_poll_interval_seconds{tenant="default",feed="poweroffice/employees"} 30');
    expect(text).toContain('tandem_api_rate_limit_per_second{tenant="default",system="poweroffice"} 9');
    expect(text).toContain('tandem_worker_polling{tenant="default",task_queue="poweroffice",kind="activity"} 1');
    // 3 s ago: in the 5 s bucket, not the 2 s one; the unparsable time is left out.
    expect(text).toContain(
      'tandem_webhook_to_write_seconds_bucket{le="2",tenant="default",flow="zendesk-users-to-crmoffice-contacts"} 0',
    );
    expect(text).toContain(
      'tandem_webhook_to_write_seconds_bucket{le="5",tenant="default",flow="zendesk-users-to-crmoffice-contacts"} 1',
    );
    expect(text).toContain(
      'tandem_webhook_to_write_seconds_count{tenant="default",flow="zendesk-users-to-crmoffice-contacts"} 1',
    );
    polling = false;
    text = await m2.registry.metrics();
    expect(text).toContain('tandem_worker_polling{tenant="default",task_queue="poweroffice",kind="activity"} 0');
  });

  it("labels each tenant's figures with its name: its store, its intervals, its pollers, its syncs", async () => {
    const m2 = createMetrics();
    const store = (retrying: number) => ({
      getCheckpoint: async () => undefined,
      countRetrying: async () => retrying,
      listRetrying: async () => [],
      counts: async () => ({ linked: 0, pending: 0, failed: 0, orphaned: 0, conflict: 0 }),
    });
    m2.watchStore(store(1));
    m2.watchStore(store(4), 'acme');
    m2.setPollIntervals({ zendesk: 60, poweroffice: 30, crmoffice: 45 }, 'acme');
    m2.watchPollers(() => [{ taskQueue: 'poweroffice@acme', kind: 'activity', polling: true }]);
    m2.recordSync('zendesk-users-to-crmoffice-contacts', 'updated', 1, 'acme');
    m2.recordWebhook('accepted', 'acme');
    const text = await m2.registry.metrics();
    expect(text).toContain('tandem_pairs_retrying{tenant="default",flow="zendesk-users-to-crmoffice-contacts"} 1');
    expect(text).toContain('tandem_pairs_retrying{tenant="acme",flow="zendesk-users-to-crmoffice-contacts"} 4');
    expect(text).toContain('tandem_poll_interval_seconds{tenant="acme",feed="poweroffice/employees"} 30');
    expect(text).not.toContain('tandem_poll_interval_seconds{tenant="default"');
    expect(text).toContain('tandem_worker_polling{tenant="acme",task_queue="poweroffice@acme",kind="activity"} 1');
    expect(text).toContain(
      'tandem_sync_total{tenant="acme",flow="zendesk-users-to-crmoffice-contacts",outcome="updated"} 1',
    );
    expect(text).toContain('tandem_webhooks_total{tenant="acme",result="accepted"} 1');
  });

  it('keeps separate instances apart', async () => {
    const other = createMetrics();
    other.recordWebhook('accepted');
    expect(await m.registry.metrics()).not.toContain('result="accepted"');
    expect(await other.registry.metrics()).toContain('tandem_webhooks_total{tenant="default",result="accepted"} 1');
  });
});
