/**
 * A running `tandem worker` serves, at /metrics, every metric the shipped alert rules and dashboard
 * use (ops/): scraped after a poll and a webhook-carried write (a renamed organisation), so the counters and the latency
 * histogram have samples, not only their declarations.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulatorEnvLines } from '../../cli/commands/simulators';
import { AllSimulators, startAllSimulators } from '../../simulators/all';
import { openStore } from '../../store';
import { freePort } from '../../workers/free-port';
import { runCli, startCli, type RunningCli } from '../cli/run-cli';
import { shippedMetricNames } from '../helpers/promql';
import { startTemporal, testEncryption, TEST_ENCRYPTION_ENV } from '../helpers/temporal';

jest.setTimeout(180_000);

const P2 = 'zendesk-users-to-powerofficego-employees';
/** Its department's name follows the organisation's (what `tandem dev` suggests to try). */
const DEPARTMENTS = 'zendesk-organizations-to-powerofficego-departments';

/** The names with at least one sample in a scrape (a histogram's as _bucket, _sum, _count). */
function sampled(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)![0]),
  );
}

describe('the metrics the shipped rules and dashboard use', () => {
  let env: TestWorkflowEnvironment;
  let sims: AllSimulators;
  const running: { cli: RunningCli; stop: () => void }[] = [];

  function start(args: string[], cliEnv: NodeJS.ProcessEnv) {
    let stop!: () => void;
    const cli = startCli(args, { env: cliEnv, stop: new Promise<void>((r) => (stop = r)) });
    running.push({ cli, stop });
    return cli;
  }

  beforeAll(async () => {
    env = await startTemporal(testEncryption());
  }, 120_000);
  afterAll(async () => {
    for (const r of running) r.stop();
    await Promise.all(running.map((r) => r.cli.done));
    await sims?.stop();
    await env?.teardown();
  });

  it('are all served by a running worker', async () => {
    const receiverPort = await freePort();
    const metricsPort = await freePort();
    // The simulator's webhook points at the receiver, so an edit of a user reaches the worker as in production.
    sims = await startAllSimulators({
      sampleSize: 12,
      realRateLimits: false,
      webhookUrl: `http://127.0.0.1:${receiverPort}/webhooks/zendesk`,
    });
    const storePath = join(mkdtempSync(join(tmpdir(), 'tandem-metrics-')), 'tandem.db');
    const simEnv = Object.fromEntries(
      simulatorEnvLines(sims).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const cliEnv = {
      ...simEnv,
      TEMPORAL_ADDRESS: env.address,
      TANDEM_STORE: storePath,
      TANDEM_METRICS_PORT: String(metricsPort),
      TANDEM_LOG_LEVEL: 'warn',
      ...TEST_ENCRYPTION_ENV,
    };

    start(['worker'], cliEnv);
    start(['webhooks', 'serve', '--port', String(receiverPort)], {
      ...cliEnv,
      ZENDESK_WEBHOOK_SECRET: sims.webhookSecret,
    });
    // Its metrics endpoint answers once the worker is created: only then start the poll.
    for (
      const until = Date.now() + 60_000;
      !(await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then(
        (r) => r.ok,
        () => false,
      ));
    ) {
      if (Date.now() > until) throw new Error('the worker did not serve /metrics within 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const sync = await runCli(['sync', P2, '--full'], { env: cliEnv });
    expect(sync).toMatchObject({ code: 0, err: '' });

    // An organisation (linked as the agents' department) renamed in Zendesk: its webhook makes the worker write the department.
    const store = openStore(storePath);
    let zendeskId: string | undefined;
    try {
      for (let i = 0; i < 200 && !zendeskId; i++) {
        zendeskId = (await store.listLinks(DEPARTMENTS, { state: 'linked', limit: 1 }))[0]?.zendeskId;
        if (!zendeskId) await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await store.close();
    }
    expect(zendeskId).toBeDefined();
    const zendesk = sims.configs.zendesk;
    const put = await fetch(`${zendesk.baseUrl}/organizations/${zendeskId}.json`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${zendesk.email}/token:${zendesk.apiToken}`).toString('base64')}`,
      },
      body: JSON.stringify({ organization: { name: 'Renamed For Metrics AS' } }),
    });
    expect(put.status).toBe(200);

    const wanted = [...shippedMetricNames().keys()];
    expect(wanted.length).toBeGreaterThan(5);
    let missing: string[] = wanted;
    for (const until = Date.now() + 60_000; missing.length && Date.now() < until;) {
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).catch(() => undefined);
      const names = res?.ok ? sampled(await res.text()) : new Set<string>();
      missing = wanted.filter((n) => !names.has(n));
      if (missing.length) await new Promise((r) => setTimeout(r, 250));
    }
    expect(missing).toEqual([]);
  });
});
