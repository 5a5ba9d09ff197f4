import { Command } from 'commander';
import { targetAccess } from '../../activities/record-access';
import { getFlow, type FlowId } from '../../flows';
import type { Link, LinkStore } from '../../store';
import {
  closeTemporal,
  configOf,
  connectTemporal,
  openConfigStore,
  readyConfigStore,
  printer,
  runtimeOf,
  withConfigOption,
} from '../context';
import { signalPair } from '../../workers/signal-pair';
import { pairWorkflowId } from '../../protocol/ids';
import { FLOW_CONNECTOR_SECTIONS, flowConnectors } from '../flow-connectors';
import { outputFormat, printJson, withOutputOption } from '../output';
import { flowArgHelp } from '../flow-names';
import { flowIdArg } from '../usage';

function linkLines(link: Link): string[] {
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
    for (const [row, value] of Object.entries(link.base))
      lines.push(`  ${row.padEnd(width)}  ${value === null ? '(empty)' : JSON.stringify(value)}`);
  }
  return lines;
}

interface SetTargetFlags {
  setTarget: string;
  yes?: boolean;
}

/**
 * Links a pair by hand, after the checks a person would make: the target exists, no other pair
 * holds it, and they saw what changes. The pair's base is kept: the next sync then compares each
 * side with the values last agreed, so a difference shows as a change (or a conflict), not as a
 * blind overwrite of one side by the other.
 */
async function setTarget(
  cmd: Command,
  store: LinkStore,
  flowId: FlowId,
  zendeskId: string,
  flags: SetTargetFlags,
): Promise<void> {
  const out = printer(cmd);
  const rt = runtimeOf(cmd);
  const flow = getFlow(flowId);
  const config = configOf(cmd, [...FLOW_CONNECTOR_SECTIONS, 'store', 'temporal']);
  const target = await targetAccess(flowConnectors(config, flowId, store), flow.target.type).get(flags.setTarget);
  if (!target)
    throw new Error(`${flow.target.system} has no ${flow.target.type} record ${flags.setTarget}; nothing was changed`);
  const holder = await store.getByTargetId(flowId, flags.setTarget);
  if (holder && holder.zendeskId !== zendeskId) {
    throw new Error(
      `${flow.target.type} ${flags.setTarget} is already linked to Zendesk ${holder.zendeskId} (${holder.state}); one target record belongs to one pair. ` +
        `Inspect it with \`tandem links ${flow.code} ${holder.zendeskId}\`; nothing was changed`,
    );
  }
  const existing = await store.getByZendeskId(flowId, zendeskId);
  if (existing?.targetId === flags.setTarget && existing.state === 'linked') {
    out(
      `${flow.code} Zendesk ${zendeskId} is already linked to ${flow.target.type} ${flags.setTarget}; nothing to change.`,
    );
    return;
  }
  out(`${flow.code} (${flowId}), Zendesk ${zendeskId}:`);
  out(`  target  ${existing?.targetId ?? '(none)'} -> ${flags.setTarget}`);
  out(`  state   ${existing?.state ?? '(no link)'} -> linked`);
  out(
    `  base    ${existing?.base ? 'kept (the next sync compares both sides with the values last agreed)' : 'none (the next sync merges both as a first match, filling empty values only)'}`,
  );
  if (!flags.yes) {
    if (!rt.confirm) throw new Error('not changed: confirm with --yes (no terminal to ask on)');
    if (!(await rt.confirm('Link them?'))) {
      out('Not changed.');
      return;
    }
  }
  const saved = await store.saveLink(
    {
      flowId,
      zendeskId,
      targetId: flags.setTarget,
      state: 'linked',
      base: existing?.base ?? null,
      lastError: null,
      lastSyncedAt: existing?.lastSyncedAt ?? null,
    },
    existing?.version ?? 0,
  );
  for (const line of linkLines(saved)) out(line);
  // The record's workflow (waiting with the pair's conflict, say) syncs it now and its outcome in the UI moves on.
  try {
    const client = await connectTemporal(config, { timeoutMs: 3000 });
    try {
      await signalPair(client, { flowId, zendeskId }, { side: 'zendesk', via: 'manual' }, undefined, config.tenant);
    } finally {
      await closeTemporal(client);
    }
    out(`Linked; the record's workflow ${pairWorkflowId({ flowId, zendeskId }, config.tenant)} syncs them now.`);
  } catch (err) {
    out(
      `Linked. Temporal could not be reached (${(err as Error).message}): the next change of either record, or \`tandem sync ${flow.code}\`, syncs them.`,
    );
  }
}

export function linksCommand(): Command {
  return withOutputOption(withConfigOption(new Command('links')))
    .description("show a pair's link: found by its Zendesk id or, failing that, by the target record's id")
    .argument('<flow-id>', flowArgHelp(), flowIdArg)
    .argument('<id>', 'a Zendesk id (e.g. 1234, or <ticket id>:<comment id>) or a target id')
    .option(
      '--set-target <target-id>',
      'link the Zendesk record <id> to this target record by hand (e.g. to settle a reported conflict), after checking it exists and is not linked elsewhere',
    )
    .option('-y, --yes', 'with --set-target: do not ask for confirmation')
    .addHelpText(
      'after',
      '\nExample:\n  tandem links P2 381920\n  tandem links zendesk-organizations-to-powerofficego-departments 8000000001 --set-target 10002',
    )
    .action(async (flowId: FlowId, id: string, flags: { setTarget?: string; yes?: boolean }, cmd: Command) => {
      const out = printer(cmd);
      const config = configOf(cmd, ['store']);
      const store = await readyConfigStore(config, openConfigStore(config, { mustExist: true }));
      try {
        if (flags.setTarget)
          return await setTarget(cmd, store, flowId, id, { setTarget: flags.setTarget, yes: flags.yes });
        const byZendesk = await store.getByZendeskId(flowId, id);
        const link = byZendesk ?? (await store.getByTargetId(flowId, id));
        if (!link) throw new Error(`no link in ${flowId} with Zendesk id or target id "${id}"`);
        if (outputFormat(cmd) === 'json') return printJson(cmd, { foundBy: byZendesk ? 'zendesk' : 'target', link });
        out(`Found by ${byZendesk ? 'Zendesk' : 'target'} id ${id}.`);
        for (const line of linkLines(link)) out(line);
      } finally {
        await store.close();
      }
    });
}
