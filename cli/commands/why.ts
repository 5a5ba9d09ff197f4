import { Command } from 'commander';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { targetAccess, zendeskAccess } from '../../activities/record-access';
import { encryptionOf } from '../../codec/data-converter';
import { getPath, normalize, pathOptions, rowKey, type FlowId, type PropertyRow } from '../../flows';
import type { Link, LinkStore } from '../../store';
import {
  closeTemporal,
  configOf,
  connectTemporal,
  openConfigStore,
  printer,
  readyConfigStore,
  usageError,
  withConfigOption,
} from '../context';
import { FLOW_CONNECTOR_SECTIONS, flowConnectors } from '../flow-connectors';
import { outputFormat, printJson, withOutputOption } from '../output';
import { positiveIntArg } from '../usage';
import { pairSyncsOf, type PairSync } from '../why/pair-syncs';
import { fieldOf, fieldsOf, traceLane, type Hop, type TracedField } from '../why/provenance';
import { findRecord, recordType, systemArg, type WhyRecord, type WhySystem } from '../why/record-arg';
import { recordRuns } from '../why/record-history';
import {
  laneRecord,
  propertyReport,
  reportLines,
  type CurrentValue,
  type UiLinks,
  type WhyReport,
} from '../why/report';

/** The dev server's Web UI, when TANDEM_UI_URL names no other. */
const DEFAULT_UI = 'http://127.0.0.1:8233';

interface WhyFlags {
  runs: number;
  read: boolean;
}

export function whyCommand(): Command {
  return withOutputOption(withConfigOption(new Command('why')))
    .description(
      "a field's provenance: its value on each system now, the sync that last wrote it, the edit that won (system, change time, rule) and the chain back to where the value was born, with links into the Temporal Web UI",
    )
    .argument('<system>', 'zendesk, poweroffice or crmoffice', systemArg)
    .argument(
      '<type>',
      'the record type on that system: organization, user, ticket; department, employee; company, contact, activity',
    )
    .argument('<id>', "the record's id on that system")
    .argument('[property]', 'one property, by its name on that system (e.g. Name); default: each synced property')
    .option('--runs <n>', "read at most this many runs of the record's workflow, newest first", positiveIntArg, 50)
    .option('--no-read', 'do not read the three systems: show each value as last synced (the link base)')
    .addHelpText(
      'after',
      '\nExample:\n  tandem why poweroffice department 10001 Name\n  tandem why zendesk organization 8000000001 name --output json\n  TANDEM_UI_URL=https://temporal.example.com tandem why crmoffice contact 4411',
    )
    .action(
      async (
        system: WhySystem,
        typeArg: string,
        id: string,
        property: string | undefined,
        flags: WhyFlags,
        cmd: Command,
      ) => {
        let type: string;
        try {
          type = recordType(system, typeArg);
        } catch (err) {
          usageError(cmd, (err as Error).message);
        }
        const config = configOf(cmd, ['temporal', 'store']);
        const store = await readyConfigStore(config, openConfigStore(config, { mustExist: true }));
        let client: Client | undefined;
        try {
          client = await connectTemporal(config);
          const record = await findRecord(
            store,
            system,
            type,
            id,
            (workflowId) => hasWorkflow(client!, workflowId),
            config.tenant,
          );
          let fields: TracedField[];
          if (property === undefined) fields = fieldsOf(record.flows, record.lane);
          else {
            const field = fieldOf(record.flows, record.lane, property);
            if (!field)
              usageError(
                cmd,
                `${system} ${type} has no synced property "${property}"; its properties: ${
                  fieldsOf(record.flows, record.lane)
                    .map((f) => propertyName(record, f))
                    .join(', ') || 'none'
                }`,
              );
            fields = [field];
          }
          const encryption = encryptionOf(config.encryption, { requireKey: false });
          const { syncs, runsRead, olderRunsUnread } = await readSyncs(
            client,
            record,
            fields,
            flags.runs,
            encryption.payloadCodec,
          );
          const links = new Map<FlowId, Link | undefined>();
          for (const flow of record.flows)
            links.set(flow.id, await store.getByZendeskId(flow.id, record.zendesk.zendeskId));
          const targetIds = new Map([...links].map(([flowId, link]) => [flowId, link?.targetId ?? null]));
          const ui: UiLinks = { base: config.temporal.uiUrl ?? DEFAULT_UI, namespace: config.temporal.namespace };
          const now = flags.read ? await liveReader(cmd, store, record, links) : offline('not read (--no-read)');
          const report: WhyReport = {
            record: { system, type, id },
            zendeskRecord: { type: record.zendesk.type, id: record.zendesk.zendeskId },
            workflowId: record.workflowId,
            runsRead,
            olderRunsUnread,
            properties: [],
          };
          for (const field of fields) {
            const values = await currentValues(record, field, links, targetIds, now);
            report.properties.push(
              propertyReport(record, field, propertyName(record, field), traceLane(record.lane, field, syncs), syncs, {
                ui,
                now: values,
                targetIds,
              }),
            );
          }
          if (outputFormat(cmd) === 'json') return printJson(cmd, report);
          const out = printer(cmd);
          for (const line of reportLines(report)) out(line);
        } finally {
          if (client) await closeTemporal(client);
          await store.close();
        }
      },
    );
}

/** The property's name on the system asked about. */
function propertyName(record: WhyRecord, field: TracedField): string {
  if (record.lane.system === 'zendesk') return field.zendeskField;
  const flowId = record.lane.flowId;
  return field.rows.find((r) => r.flowId === flowId)?.row.target ?? field.zendeskField;
}

async function hasWorkflow(client: Client, workflowId: string): Promise<boolean> {
  try {
    await client.workflow.getHandle(workflowId).describe();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/**
 * The record's pair syncs, oldest first, from its runs read newest first: only as far back as the
 * traces need (every value's birth settled), at most `maxRuns`.
 */
async function readSyncs(
  client: Client,
  record: WhyRecord,
  fields: TracedField[],
  maxRuns: number,
  codec: Parameters<typeof recordRuns>[2],
) {
  const syncs: PairSync[] = [];
  let runsRead = 0;
  let olderRunsUnread = false;
  for await (const run of recordRuns(client, [record.workflowId], codec)) {
    if (runsRead >= maxRuns) {
      olderRunsUnread = true;
      break;
    }
    runsRead += 1;
    syncs.unshift(...pairSyncsOf(run));
    if (fields.every((f) => settled(traceLane(record.lane, f, syncs), run.startedAt))) break;
  }
  return { syncs, runsRead, olderRunsUnread };
}

/**
 * Does the chain end in a birth no older run can change? A Zendesk value made after the oldest run
 * read began cannot have been copied by a run before it (a record's runs never overlap).
 */
function settled(chain: Hop[], oldestRunStart: string): boolean {
  const born = chain[chain.length - 1];
  if (born?.kind !== 'born') return false;
  if (born.settled) return true;
  return born.lane.system === 'zendesk' && born.at !== null && Date.parse(born.at) >= Date.parse(oldestRunStart);
}

type Reader = (lane: 'zendesk' | FlowId) => Promise<{ record: Record<string, unknown> | null } | { error: string }>;

function offline(reason: string): Reader {
  return async () => ({ error: reason });
}

/** Reads each record once, from the systems whose settings are there; a system that cannot be read says why. */
async function liveReader(
  cmd: Command,
  store: LinkStore,
  record: WhyRecord,
  links: ReadonlyMap<FlowId, Link | undefined>,
): Promise<Reader> {
  let config: ReturnType<typeof configOf<(typeof FLOW_CONNECTOR_SECTIONS)[number]>>;
  try {
    config = configOf(cmd, FLOW_CONNECTOR_SECTIONS);
  } catch (err) {
    return offline(`not read: ${(err as Error).message.split('\n').slice(0, 2).join(' ')}`);
  }
  const cache = new Map<string, ReturnType<Reader>>();
  const read = async (lane: 'zendesk' | FlowId) => {
    try {
      if (lane === 'zendesk')
        return {
          record: await zendeskAccess(flowConnectors(config, record.flows[0].id, store).zendesk).get(
            record.zendesk.type,
            record.zendesk.zendeskId,
          ),
        };
      const targetId = links.get(lane)?.targetId;
      if (!targetId) return { error: 'no linked record' };
      const flow = record.flows.find((f) => f.id === lane)!;
      return { record: await targetAccess(flowConnectors(config, lane, store), flow.target.type).get(targetId) };
    } catch (err) {
      return { error: `not read: ${(err as Error).message}` };
    }
  };
  return (lane) => {
    if (!cache.has(lane)) cache.set(lane, read(lane));
    return cache.get(lane)!;
  };
}

/** The field's value on Zendesk and on each linked target: read now, or else as last synced. */
async function currentValues(
  record: WhyRecord,
  field: TracedField,
  links: ReadonlyMap<FlowId, Link | undefined>,
  targetIds: ReadonlyMap<FlowId, string | null>,
  read: Reader,
): Promise<CurrentValue[]> {
  const values: CurrentValue[] = [];
  const asSynced = (
    row: PropertyRow,
    flowId: FlowId | undefined,
    note: string,
  ): Pick<CurrentValue, 'value' | 'read' | 'note'> => {
    const base = (flowId ? [links.get(flowId)] : field.rows.map((r) => links.get(r.flowId))).find(
      (l) => l?.base && rowKey(row) in l.base,
    )?.base;
    return base ? { value: base[rowKey(row)] ?? null, read: 'base', note } : { value: null, read: 'none', note };
  };
  const zendeskRow = field.rows[0]?.row;
  if (zendeskRow) {
    const got = await read('zendesk');
    const name = laneRecord(record, { system: 'zendesk' }, targetIds);
    if ('record' in got && got.record)
      values.push({
        ...name,
        field: field.zendeskField,
        value: normalize(zendeskRow.kind, getPath(got.record, zendeskRow.source)),
        read: 'api',
      });
    else
      values.push({
        ...name,
        field: field.zendeskField,
        ...asSynced(zendeskRow, undefined, 'error' in got ? got.error : 'the record is gone'),
      });
  }
  for (const { flowId, row } of field.rows) {
    const flow = record.flows.find((f) => f.id === flowId);
    if (!flow) continue;
    const name = laneRecord(record, { system: 'target', flowId }, targetIds);
    const got = await read(flowId);
    if ('record' in got && got.record)
      values.push({
        ...name,
        field: row.target,
        value: normalize(row.kind, getPath(got.record, row.target, pathOptions(flow, 'target'))),
        read: 'api',
      });
    else
      values.push({
        ...name,
        field: row.target,
        ...asSynced(row, flowId, 'error' in got ? got.error : 'the record is gone'),
      });
  }
  return values;
}
