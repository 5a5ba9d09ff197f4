/**
 * The alert rules and the dashboard Tandem ships (ops/): promtool accepts the rules and their unit
 * tests, the dashboard parses, and every metric either names is one Tandem declares.
 * (test/ops/shipped-metrics.temporal.test.ts scrapes a running worker for them.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMetrics } from '../../workers/metrics';
import { requireDependency } from '../helpers/dependencies';
import { RULES_FILE, dashboardQueries, metricNamesOf, shippedMetricNames, shippedRules } from '../helpers/promql';

const hasPromtool = requireDependency(
  'promtool',
  spawnSync('promtool', ['--version']).status === 0,
  'the alert rules check',
);
const withPromtool = hasPromtool ? it : it.skip;

function promtool(...args: string[]) {
  const r = spawnSync('promtool', args, { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Every series name Tandem's registry declares (a histogram's as Prometheus stores them). */
async function declaredNames(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const m of await createMetrics().registry.getMetricsAsJSON()) {
    if (String(m.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(m.name + suffix);
    else names.add(m.name);
  }
  return names;
}

describe('metricNamesOf', () => {
  it('finds the metrics, not the functions, labels, groupings, ranges or numbers', () => {
    expect(
      metricNamesOf('max by (feed) (tandem_poll_lag_seconds) > 3 * max by (feed) (tandem_poll_interval_seconds)'),
    ).toEqual(['tandem_poll_lag_seconds', 'tandem_poll_interval_seconds']);
    expect(
      metricNamesOf(
        'histogram_quantile(0.95, sum by (le, flow) (rate(tandem_webhook_to_write_seconds_bucket{flow=~"a|b"}[5m])))',
      ),
    ).toEqual(['tandem_webhook_to_write_seconds_bucket']);
    expect(
      metricNamesOf(
        'sum(increase(x_total{status="429"}[10m])) by (system) > 1e3 and on (system) absent(up == 1) offset 5m',
      ),
    ).toEqual(['x_total', 'up']);
  });
});

describe('the shipped alert rules', () => {
  withPromtool('pass `promtool check rules`', () => {
    const r = promtool('check', 'rules', RULES_FILE);
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  withPromtool('(the check refuses a rule file with a broken expression, so it is not passing by default)', () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'tandem-rules-')), 'bad.yml');
    writeFileSync(
      bad,
      'groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: max by (feed (tandem_poll_lag_seconds)\n',
    );
    expect(promtool('check', 'rules', bad).status).not.toBe(0);
  });

  withPromtool('fire as their unit tests say (`promtool test rules`)', () => {
    const r = promtool('test', 'rules', join(__dirname, '..', '..', 'ops/prometheus/tandem-rules.test.yml'));
    expect(r.output).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('cover what the operator is to be told of', () => {
    expect(shippedRules().map((r) => r.name)).toEqual(
      expect.arrayContaining([
        'TandemFeedNotPolled',
        'TandemPairRetryingLong',
        'TandemPairsNeedReview',
        'TandemApiRateLimited',
        'TandemWorkerNotPolling',
        'TandemNoWorkerPolling',
      ]),
    );
  });
});

describe('the shipped dashboard', () => {
  it("shows the tenants chosen in its Tenant selector: every series of Tandem's is filtered by it", () => {
    for (const { name, expr } of dashboardQueries())
      for (const metric of metricNamesOf(expr).filter((m) => m.startsWith('tandem_')))
        expect({ name, selected: new RegExp(`${metric}\\{tenant=~"\\$tenant"`).test(expr) }).toEqual({
          name,
          selected: true,
        });
  });

  it('parses, and has the panels asked for', () => {
    const titles = dashboardQueries().map((q) => q.name);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Throughput per flow',
        'Latency webhook → write',
        'Pairs retrying',
        'Pairs needing review',
        'API calls against each limit',
      ]),
    );
  });
});

describe('the metrics the rules and the dashboard use', () => {
  it('are each one Tandem declares', async () => {
    const declared = await declaredNames();
    const used = shippedMetricNames();
    expect(used.size).toBeGreaterThan(5);
    const unknown = [...used]
      .filter(([name]) => !declared.has(name))
      .map(([name, where]) => `${name} (in ${where.join(', ')})`);
    expect(unknown).toEqual([]);
  });
});
