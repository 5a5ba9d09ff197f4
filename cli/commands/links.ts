import { Command } from 'commander';
import type { FlowId } from '../../flows';
import type { Link } from '../../store';
import { configOf, openConfigStore, printer, withConfigOption } from '../context';
import { flowIdArg } from '../usage';

export function linkLines(link: Link): string[] {
  const lines = [
    `flow          ${link.flowId}`,
    `zendesk id    ${link.zendeskId}`,
    `target id     ${link.targetId ?? '(none yet)'}`,
    `state         ${link.state}`,
    `version       ${link.version}`,
    `last synced   ${link.lastSyncedAt ?? 'never'}`,
    `updated       ${link.updatedAt}`,
    `last error    ${link.lastError ?? '-'}`,
  ];
  if (!link.base) lines.push('base          (none: not synced yet)');
  else {
    lines.push('base (values both sides held after the last sync):');
    const width = Math.max(...Object.keys(link.base).map((k) => k.length));
    for (const [row, value] of Object.entries(link.base)) lines.push(`  ${row.padEnd(width)}  ${value === null ? '(empty)' : JSON.stringify(value)}`);
  }
  return lines;
}

export function linksCommand(): Command {
  return withConfigOption(new Command('links'))
    .description("show a pair's link: found by its Zendesk id or, failing that, by the target record's id")
    .argument('<flow-id>', 'a flow id of docs/flows.md', flowIdArg)
    .argument('<id>', 'a Zendesk id (e.g. 1234, or <ticket id>:<comment id>) or a target id')
    .option('--set-target <target-id>', 'link the Zendesk record <id> to this target record by hand (e.g. to settle a reported conflict); the next sync merges the two as a first match')
    .addHelpText('after', '\nExample:\n  tandem links zendesk-users-to-powerofficego-employees 381920\n  tandem links zendesk-organizations-to-powerofficego-departments 8000000001 --set-target 10002')
    .action(async (flowId: FlowId, id: string, flags: { setTarget?: string }, cmd: Command) => {
      const out = printer(cmd);
      const store = openConfigStore(configOf(cmd), { mustExist: true });
      try {
        if (flags.setTarget) {
          const existing = await store.getByZendeskId(flowId, id);
          // No base: the next sync compares both records as at a first match, so no filled value is lost.
          const saved = await store.saveLink(
            { flowId, zendeskId: id, targetId: flags.setTarget, state: 'linked', base: null, lastError: null, lastSyncedAt: existing?.lastSyncedAt ?? null },
            existing?.version ?? 0,
          );
          out(`Linked ${flowId} Zendesk ${id} to target ${flags.setTarget}${existing ? ` (was ${existing.state}${existing.targetId ? `, target ${existing.targetId}` : ''})` : ''}.`);
          out('The next change of either record, or `tandem sync`, merges them.');
          for (const line of linkLines(saved)) out(line);
          return;
        }
        const byZendesk = await store.getByZendeskId(flowId, id);
        const link = byZendesk ?? (await store.getByTargetId(flowId, id));
        if (!link) throw new Error(`no link in ${flowId} with Zendesk id or target id "${id}"`);
        out(`Found by ${byZendesk ? 'Zendesk' : 'target'} id ${id}.`);
        for (const line of linkLines(link)) out(line);
      } finally {
        await store.close();
      }
    });
}
