/**
 * Benchmark: a first sync of P2 (Zendesk users → PowerOffice Go employees) and Z3 (users → Crmoffice
 * contacts) through the real worker, against the simulators with their real rate limits. Prints
 * wall time, records per second, API calls per system, 429s, workflows started and memory.
 *
 *   npm run bench -- [users=2000] [--no-limits]
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FLOWS_CONFIG } from '../flows';
import { openStore } from '../store';
import { startAllSimulators } from '../simulators/all';
import { signalPair } from '../activities/signal-pair';
import { createConnectors } from '../workers/connectors';
import { createWorker, stopWorker } from '../workers/worker';
import { startTemporalDevServer } from '../workers/temporal-dev-server';
import { TANDEM_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { TASK_QUEUE } from '../workflows/ids';
import type { PollTotals } from '../workflows/poll';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function main(): Promise<void> {
  const users = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 2000);
  const limits = !process.argv.includes('--no-limits');
  const dir = mkdtempSync(join(tmpdir(), 'tandem-bench-'));
  const temporal = await startTemporalDevServer({
    dataDir: dir,
    port: await freePort(),
    headless: true,
    searchAttributes: Object.fromEntries(TANDEM_SEARCH_ATTRIBUTES.map((k) => [k.name, 'Keyword'])),
  });
  const sims = await startAllSimulators({ sampleSize: users, realRateLimits: limits });
  const store = openStore(join(dir, 'tandem.db'));
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });
  const native = await NativeConnection.connect({ address: temporal.address });
  const worker = await createWorker({
    connection: native,
    deps: { connectors: createConnectors(sims.configs), store, flows: DEFAULT_FLOWS_CONFIG, signal: (p, n) => signalPair(client, p, n) },
  });
  const running = worker.run();
  try {
    console.log(`first sync of ${users} Zendesk users (${limits ? 'real rate limits' : 'no rate limits'})`);
    for (const flowId of ['zendesk-users-to-powerofficego-employees', 'zendesk-users-to-crmoffice-contacts']) {
      const calls = (s: { requests: Record<string, number> }) => Object.values(s.requests).reduce((a, b) => a + b, 0);
      // Numbers, not the live objects: the counters keep moving.
      const snap = (s: typeof sims.zendesk.stats) => ({ calls: calls(s), rateLimited: s.rateLimited });
      const before = { zd: snap(sims.zendesk.stats), po: snap(sims.poweroffice.stats), crm: snap(sims.crmoffice.stats) };
      const started = Date.now();
      const totals = (await client.workflow.execute('pollFlow', { taskQueue: TASK_QUEUE, workflowId: `bench/${flowId}`, args: [{ flowId, side: 'zendesk', full: true }] })) as PollTotals;
      const seconds = (Date.now() - started) / 1000;
      const o = totals.outcomes;
      const synced = o.created + o.linked + o.updated + o.unchanged;
      console.log(`\n${flowId}`);
      console.log(`  wall time          ${seconds.toFixed(1)} s`);
      console.log(`  records read       ${totals.read} in ${totals.pages} page(s)`);
      console.log(`  synced             ${synced} (${o.created} created, ${o.linked} linked), ${o.skipped} skipped, ${o.failed} failed; ${(synced / seconds).toFixed(1)} records/s`);
      console.log(`  sent to workflows  ${totals.signalled} (the rest synced inside the page activities)`);
      console.log(`  Zendesk calls      ${calls(sims.zendesk.stats) - before.zd.calls}, 429s ${sims.zendesk.stats.rateLimited - before.zd.rateLimited}`);
      console.log(`  PowerOffice calls  ${calls(sims.poweroffice.stats) - before.po.calls}, 429s ${sims.poweroffice.stats.rateLimited - before.po.rateLimited}`);
      console.log(`  Crmoffice calls    ${calls(sims.crmoffice.stats) - before.crm.calls}, 429s ${sims.crmoffice.stats.rateLimited - before.crm.rateLimited}`);
    }
    let workflows = 0;
    for await (const _ of client.workflow.list()) workflows += 1;
    console.log(`\nworkflows started in all: ${workflows}`);
    console.log(`resident memory: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB (worker, simulators and store in one process)`);
  } finally {
    await stopWorker(worker, running);
    await native.close();
    await connection.close();
    await sims.stop();
    await store.close();
    await temporal.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
