/**
 * `npm run chaos -- [--users 5000] [--edits 1000] [--seconds 300] [--kill-every 20] [--seed 1]`:
 * the chaos run (run.ts) from the command line. Prints its figures, writes them as JSON under
 * bench/results/, and exits 1 when an invariant broke.
 */
import { join } from 'node:path';
import { parseChaosArgs } from './options';
import { chaosTable, writeChaosResult } from './report';
import { runChaos } from './run';

async function main(): Promise<void> {
  const options = parseChaosArgs(process.argv.slice(2));
  const started = Date.now();
  const result = await runChaos(options, (line) =>
    console.log(`[${Math.round((Date.now() - started) / 1000)} s] ${line}`),
  );
  console.log(`\n${chaosTable(result)}`);
  console.log(`\nwritten to ${writeChaosResult(result, join(__dirname, '..', '..', '..'))}`);
  if (result.violations.length) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
