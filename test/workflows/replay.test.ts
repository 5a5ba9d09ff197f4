/**
 * Today's workflow code replays the histories earlier code recorded: an installation upgraded in
 * place finishes its running workflows (test/fixtures/histories/README.md says how they were made).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { createMetrics } from '../../workers/metrics';
import { tandemSinks } from '../../workers/worker';
import { testEncryption } from '../helpers/temporal';
import { workflowBundle } from '../helpers/workflow-bundle';

jest.setTimeout(120_000);

const HISTORIES = join(__dirname, '../fixtures/histories');

/** Each folder of recorded histories, and the workflow types it must hold. */
const RECORDINGS: [string, string[]][] = [
  ['before-gates', ['pollFeed', 'syncRecord', 'syncTicketComments']],
  ['before-later-gates', ['pollFeed', 'syncRecord', 'syncTicketComments']],
  ['before-record-entity', ['pollFeed', 'syncRecord', 'syncTicketComments']],
  ['record-entity', ['pollFeed', 'syncZendeskRecord']],
];

test.each(RECORDINGS)("the histories recorded in %s replay on today's code", async (folder, types) => {
  const dir = join(HISTORIES, folder);
  const files = readdirSync(dir).filter((f) => f.endsWith('.bin.gz'));
  expect([...new Set(files.map((f) => f.replace(/-\d+\.bin\.gz$/, '')))].sort()).toEqual(types);
  const histories = files.map((f) => ({
    workflowId: f,
    history: temporal.api.history.v1.History.decode(gunzipSync(readFileSync(join(dir, f)))),
  }));
  const results = [];
  for await (const r of Worker.runReplayHistories(
    {
      workflowBundle: await workflowBundle(),
      sinks: tandemSinks(createMetrics()),
      dataConverter: testEncryption().dataConverter,
    },
    histories,
  )) {
    results.push({ id: r.workflowId, error: r.error?.message });
  }
  expect(results).toEqual(files.map((id) => ({ id, error: undefined })));
});
