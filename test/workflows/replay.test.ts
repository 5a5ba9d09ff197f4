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

const DIR = join(__dirname, '../fixtures/histories/before-record-entity');

test('the histories recorded before the Zendesk record became the entity replay on today\'s code', async () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.bin.gz'));
  const types = new Set(files.map((f) => f.replace(/-\d+\.bin\.gz$/, '')));
  expect([...types].sort()).toEqual(['pollFeed', 'syncRecord', 'syncTicketComments']);
  const histories = files.map((f) => ({ workflowId: f, history: temporal.api.history.v1.History.decode(gunzipSync(readFileSync(join(DIR, f)))) }));
  const results = [];
  for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle(), sinks: tandemSinks(createMetrics()), dataConverter: testEncryption().dataConverter }, histories)) {
    results.push({ id: r.workflowId, error: r.error?.message });
  }
  expect(results).toEqual(files.map((id) => ({ id, error: undefined })));
});
