import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { planFlow, type PlanAction, type PlanEntry } from '../../activities/plan';
import type { Connectors } from '../../activities/record-access';
import { CrmofficeClient } from '../../connectors/crmoffice';
import { PowerOfficeClient } from '../../connectors/poweroffice';
import { ZendeskClient } from '../../connectors/zendesk';
import { getFlow, type FlowId } from '../../flows';
import { openStore, type LinkStore } from '../../store';
import type { Config } from '../../workers/config';
import { configOf, openConfigStore, printer, withConfigOption } from '../context';
import { flowIdArg, positiveIntArg } from '../usage';

const ACTION_ORDER: PlanAction[] = ['create', 'link', 'update', 'conflict', 'fail', 'skip', 'unchanged'];

/**
 * Connectors for one flow's plan: a flow touches Zendesk and its own target system only, so the
 * other system may be unconfigured; using it anyway fails loudly rather than with an undefined.
 */
function planConnectors(config: Config, flowId: FlowId): Connectors {
  const system = getFlow(flowId).target.system;
  if (!config[system]) throw new Error(`${flowId} needs the ${system} configuration (set ${system === 'poweroffice' ? 'POWEROFFICE_*' : 'CRMOFFICE_*'})`);
  const unconfigured = <T extends object>(name: string): T =>
    new Proxy({} as T, {
      get: () => {
        throw new Error(`${name} is not configured`);
      },
    });
  return {
    zendesk: new ZendeskClient(config.zendesk),
    poweroffice: config.poweroffice ? new PowerOfficeClient(config.poweroffice) : unconfigured<PowerOfficeClient>('PowerOffice Go'),
    crmoffice: config.crmoffice ? new CrmofficeClient(config.crmoffice) : unconfigured<CrmofficeClient>('Crmoffice'),
  };
}

/** The store to plan against; before the first sync there is none, and an empty one in memory says the same without creating a file. */
function planStore(config: Config): { store: LinkStore; note?: string } {
  const path = config.store.url.startsWith('sqlite:') ? config.store.url.slice('sqlite:'.length) : config.store.url;
  if (path !== ':memory:' && !existsSync(path)) return { store: openStore(':memory:'), note: `no link store at ${config.store.url} yet: planning the first sync` };
  return { store: openConfigStore(config) };
}

function show(value: unknown): string {
  if (value === null || value === undefined || value === '') return '(empty)';
  // The dry run names records it would create `new-<type>-<n>`: a reference to one is created first.
  if (typeof value === 'string' && /^new-[a-z]+-\d+$/.test(value)) return `(the ${value.split('-')[1]} record this sync creates first)`;
  return JSON.stringify(value);
}

export function planLines(entries: PlanEntry[], flowId: string): string[] {
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
  return withConfigOption(new Command('plan'))
    .description('dry run: what the next sync of a flow would create, link and update, field by field, and what it would skip and why; writes nothing')
    .argument('<flow-id>', 'a flow id of docs/flows.md', flowIdArg)
    .option('--limit <n>', 'plan at most this many records', positiveIntArg)
    .addHelpText('after', '\nExample:\n  tandem plan zendesk-users-to-powerofficego-employees --limit 20')
    .action(async (flowId: FlowId, flags: { limit?: number }, cmd: Command) => {
      const out = printer(cmd);
      const config = configOf(cmd);
      const connectors = planConnectors(config, flowId);
      const { store, note } = planStore(config);
      try {
        if (note) out(note);
        const entries = await planFlow({ connectors, store, flows: config.flows }, flowId, { limit: flags.limit });
        for (const line of planLines(entries, flowId)) out(line);
      } finally {
        await store.close();
      }
    });
}
