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
    expect(text).toContain('tandem_sync_total{flow="zendesk-users-to-crmoffice-contacts",outcome="created"} 2');
    expect(text).toContain('tandem_sync_total{flow="zendesk-users-to-crmoffice-contacts",outcome="failed"} 1');
    // Read at the scrape: 42 s since the users feed was last read, and growing.
    const lag = Number(/tandem_poll_lag_seconds\{feed="zendesk\/users"\} ([\d.]+)/.exec(text)?.[1]);
    expect(lag).toBeGreaterThanOrEqual(42);
    expect(lag).toBeLessThan(60);
    expect(text).not.toContain('feed="poweroffice/employees"');
    expect(text).toContain('tandem_api_calls_total{system="poweroffice",status="429"} 1');
    expect(text).toContain('tandem_webhooks_total{result="bad_signature"} 1');
  });

  it('keeps separate instances apart', async () => {
    const other = createMetrics();
    other.recordWebhook('accepted');
    expect(await m.registry.metrics()).not.toContain('result="accepted"');
    expect(await other.registry.metrics()).toContain('tandem_webhooks_total{result="accepted"} 1');
  });
});
