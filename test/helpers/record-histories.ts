/**
 * Keeps the histories a scenario made, for test/workflows/replay.test.ts: set
 * TANDEM_RECORD_HISTORIES=<folder> and every test stack writes its namespace's workflow histories
 * there when it stops (test/fixtures/histories/README.md).
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export const RECORD_HISTORIES_ENV = 'TANDEM_RECORD_HISTORIES';

/** Writes every workflow history of the client's namespace into `dir` as `<type>-<n>.bin.gz`, numbering on from the files there. */
export async function recordHistories(client: Client, dir: string): Promise<number> {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  let n = readdirSync(dir).filter((f) => f.endsWith('.bin.gz')).length;
  let written = 0;
  for await (const w of client.workflow.list()) {
    const history = await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory();
    writeFileSync(
      join(dir, `${w.type}-${++n}.bin.gz`),
      gzipSync(temporal.api.history.v1.History.encode(history).finish()),
    );
    written++;
  }
  return written;
}
