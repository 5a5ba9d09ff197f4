import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { planFlow, type PlanAction, type PlanEntry } from '../plan';
import { getFlow, type FlowId } from '../../flows';
import { openStore, type LinkStore } from '../../store';
import type { Config } from '../../workers/config';
import { configOf, openConfigStore, printer, withConfigOption } from '../context';
import { FLOW_CONNECTOR_SECTIONS, flowConnectors } from '../flow-connectors';
import { outputFormat, printJson, withOutputOption } from '../output';
import { flowArgHelp } from '../flow-names';
import { flowIdArg, positiveIntArg } from '../usage';

const ACTION_ORDER: PlanAction[] = ['create', 'link', 'update', 'conflict', 'fail', 'skip', 'unchanged'];

/** The store to plan against; before the first sync there is none, and an empty one in memory says the same without creating a file. */
function planStore(config: Pick<Config, 'store'>): { store: LinkStore; note?: string } {
  const path = config.store.url.startsWith('sqlite:') ? config.store.url.slice('sqlite:'.length) : config.store.url;
  // A server URL (postgres://…) names no file: that store is always there to read.
  const isFile = path !== ':memory:' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(path);
  if (isFile && !existsSync(path))
    return { store: openStore(':memory:'), note: `no link store at ${config.store.url} yet: planning the first sync` };
  return { store: openConfigStore(config) };
}

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  // The dry run names records it would create `new-<type>-<n>`: a reference to one is created first.
  if (typeof value === 'string' && /^new-[a-z]+-\d+$/.test(value))
    return `(the ${value.split('-')[1]} record this sync creates first)`;
  return JSON.stringify(value);
}

function planLines(entries: PlanEntry[], flowId: string): string[] {
  const lines: string[] = [];
  const flow = getFlow(flowId);
  for (const action of ACTION_ORDER) {
    const of = entries.filter((e) => e.action === action);
    if (!of.length || action === 'unchanged') continue;
    lines.push(`${action} (${of.length}):`);
    for (const e of of) {
      const target = e.targetId && !e.targetId.startsWith('new-') ? ` -> ${flow.target.type} ${e.targetId}` : '';
      lines.push(`  zendesk ${e.zendeskId}${target}: ${e.reason}`);
      for (const [side, body] of [
        [flow.target.system, e.changes.target],
        ['zendesk', e.changes.zendesk],
      ] as const) {
        for (const [field, value] of Object.entries(body ?? {})) lines.push(`      ${side}.${field} = ${show(value)}`);
      }
      // Why a record is left alone is the useful part of a skip, conflict or failure.
      if (action === 'skip' || action === 'conflict' || action === 'fail') {
        for (const d of e.decisions) lines.push(`      ${d.row}: ${d.outcome} (${d.why})`);
      }
    }
  }
  const counts = ACTION_ORDER.map((a) => `${entries.filter((e) => e.action === a).length} ${a}`).join(', ');
  lines.push(`${entries.length} record(s) read: ${counts}. Nothing was written.`);
  return lines;
}

export function planCommand(): Command {
  return withOutputOption(withConfigOption(new Command('plan')))
    .description(
      'dry run: what the next sync of a flow would create, link and update, field by field, and what it would skip and why; writes nothing',
    )
    .argument('<flow-id>', flowArgHelp(), flowIdArg)
    .option('--limit <n>', 'plan at most this many records', positiveIntArg)
    .option('--all', 'preview a full re-read (as `tandem sync --full`), not only the changes since the last checkpoint')
    .addHelpText(
      'after',
      '\nExample:\n  tandem plan P2 --limit 20\n  tandem plan zendesk-users-to-powerofficego-employees --all --output json',
    )
    .action(async (flowId: FlowId, flags: { limit?: number; all?: boolean }, cmd: Command) => {
      const out = printer(cmd);
      const json = outputFormat(cmd) === 'json';
      const config = configOf(cmd, [...FLOW_CONNECTOR_SECTIONS, 'store', 'flows']);
      const { store, note } = planStore(config);
      const connectors = flowConnectors(config, flowId, store);
      try {
        if (note && !json) out(note);
        const entries = await planFlow({ connectors, store, flows: config.flows }, flowId, {
          limit: flags.limit,
          all: flags.all,
        });
        if (json) return printJson(cmd, { flowId, from: flags.all ? 'start' : 'checkpoint', entries });
        for (const line of planLines(entries, flowId)) out(line);
      } finally {
        await store.close();
      }
    });
}
