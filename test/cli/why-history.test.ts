/**
 * `tandem why` reads histories recorded before its fields were added to the decision rows (the
 * pair workflows of test/fixtures/histories): the pair from the link read, the rule from the outcome.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { temporal } from '@temporalio/proto';
import { getFlow } from '../../flows';
import { pairSyncsOf } from '../../cli/why/pair-syncs';
import { fieldOf, ruleOf, traceLane } from '../../cli/why/provenance';
import { ownFlows } from '../../cli/why/record-arg';
import { decodeRun, type RunHistory } from '../../cli/why/record-history';
import { testEncryption } from '../helpers/temporal';

const DIR = join(__dirname, '../fixtures/histories/before-record-entity');
const P1 = 'zendesk-organizations-to-powerofficego-departments';
const Z3B = 'zendesk-organizations-to-crmoffice-companies';

async function run(file: string): Promise<RunHistory> {
  const history = temporal.api.history.v1.History.decode(gunzipSync(readFileSync(join(DIR, file))));
  return decodeRun(file, file, history.events ?? [], testEncryption().payloadCodec);
}

test("an old history's syncs: the pair, the decision and the write, decoded through the codec", async () => {
  const [sync] = pairSyncsOf(await run('syncRecord-1.bin.gz'));
  expect(sync).toMatchObject({
    flowId: P1,
    zendeskId: '8000000001',
    targetId: '10001',
    writes: [{ side: 'target', created: false, body: { Name: 'Later Zendesk Name' }, targetId: '10001' }],
  });
  expect(sync.writes[0].doneAt).toEqual(expect.any(String));
  const name = sync.decisions!.find((d) => d.row === 'name->Name')!;
  expect(name.rule).toBeUndefined();
  expect(ruleOf(name)).toBe('later-wins');
});

test('a PowerOffice Go rename carried to Zendesk by P1 and on to Crmoffice by Z3b is traced back to PowerOffice Go', async () => {
  const runs = [await run('syncRecord-13.bin.gz'), await run('syncRecord-14.bin.gz')].sort((a, b) =>
    a.startedAt.localeCompare(b.startedAt),
  );
  expect(runs.map((r) => r.workflowId)).toEqual(['syncRecord-14.bin.gz', 'syncRecord-13.bin.gz']);
  const syncs = runs.flatMap(pairSyncsOf);
  const flows = ownFlows('organizations');
  const lane = { system: 'target' as const, flowId: getFlow(Z3B).id };
  const chain = traceLane(lane, fieldOf(flows, lane, 'name')!, syncs);
  expect(
    chain.map((h) => (h.kind === 'copy' ? `${h.from.system}->${h.to.system} ${h.rule}` : `born ${h.lane.system}`)),
  ).toEqual(['zendesk->target one-side-changed', 'target->zendesk one-side-changed', 'born target']);
  expect(chain[1]).toMatchObject({ from: { system: 'target', flowId: P1 }, value: 'Renamed In PowerOffice AS' });
  expect(chain[2]).toMatchObject({
    lane: { system: 'target', flowId: P1 },
    value: 'Renamed In PowerOffice AS',
    settled: true,
  });
});
