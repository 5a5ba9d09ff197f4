/**
 * Benchmark: a first sync of P2 (Zendesk users → PowerOffice Go employees) and Z3 (users → Crmoffice
 * contacts) on the `tandem dev` stack (real worker, simulators with their real rate limits), without
 * its schedules. Prints wall time, records per second, API calls and 429s per system, workflows
 * started and memory.
 *
 *   npm run bench -- [users=2000]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_DEFAULTS, startDevStack } from '../workers/dev-stack';
import { freePort } from '../workers/free-port';
import type { SimulatorStats } from '../simulators/kit';
import { TASK_QUEUE } from '../workflows/ids';
import type { PollTotals } from '../workflows/poll';

const FLOWS = ['zendesk-users-to-powerofficego-employees', 'zendesk-users-to-crmoffice-contacts'];

/** Numbers, not the live objects: the counters keep moving. */
function snapshot(s: SimulatorStats): { calls: number; rateLimited: number } {
  return { calls: Object.values(s.requests).reduce((a, b) => a + b, 0), rateLimited: s.rateLimited };
}

async function main(): Promise<void> {
  const users = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 2000);
  const stack = await startDevStack({
    ...DEV_DEFAULTS,
    dataDir: mkdtempSync(join(tmpdir(), 'tandem-bench-')),
    temporalPort: await freePort(),
    headless: true,
    webhookPort: await freePort(),
    metricsPort: await freePort(),
    simulatorPorts: { zendesk: await freePort(), poweroffice: await freePort(), crmoffice: await freePort() },
    sampleSize: users,
    schedules: false,
    log: () => undefined,
  });
  const sims = { Zendesk: stack.sims.zendesk, PowerOffice: stack.sims.poweroffice, Crmoffice: stack.sims.crmoffice };
  try {
    console.log(`first sync of ${users} Zendesk users (the simulators' real rate limits)`);
    for (const flowId of FLOWS) {
      const before = Object.fromEntries(Object.entries(sims).map(([name, sim]) => [name, snapshot(sim.stats)]));
      const started = Date.now();
      const totals = (await stack.client.workflow.execute('pollFlow', { taskQueue: TASK_QUEUE, workflowId: `bench/${flowId}`, args: [{ flowId, side: 'zendesk', full: true }] })) as PollTotals;
      const seconds = (Date.now() - started) / 1000;
      const o = totals.outcomes;
      const synced = o.created + o.linked + o.updated + o.unchanged;
      console.log(`\n${flowId}`);
      console.log(`  wall time          ${seconds.toFixed(1)} s`);
      console.log(`  records read       ${totals.read} in ${totals.pages} page(s)`);
      console.log(`  synced             ${synced} (${o.created} created, ${o.linked} linked), ${o.skipped} skipped, ${o.failed} failed; ${(synced / seconds).toFixed(1)} records/s`);
      console.log(`  sent to workflows  ${totals.signalled} (the rest synced inside the page activities)`);
      for (const [name, sim] of Object.entries(sims)) {
        const now = snapshot(sim.stats);
        console.log(`  ${`${name} calls`.padEnd(18)} ${now.calls - before[name].calls}, 429s ${now.rateLimited - before[name].rateLimited}`);
      }
    }
    let workflows = 0;
    for await (const _ of stack.client.workflow.list()) workflows += 1;
    console.log(`\nworkflows started in all: ${workflows}`);
    console.log(`resident memory: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB (worker, simulators and store in one process)`);
  } finally {
    await stack.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
