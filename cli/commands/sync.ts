import { tenantQueue, tenantWorkflowId } from '../../protocol/tenants';
import { Command } from 'commander';
import { SingleBar } from 'cli-progress';
import {
  CancelledFailure,
  TerminatedFailure,
  TimeoutFailure,
  WorkflowFailedError,
  WorkflowHandle,
} from '@temporalio/client';
import { feedOf, getFlow, type FlowId, type Side } from '../../flows';
import type { PollTotals } from '../../workflows/poll';
import { closeTemporal, configOf, connectTemporal, printer, runtimeOf, usageError, withConfigOption } from '../context';
import { flowArgHelp } from '../flow-names';
import { flowIdArg, sideArg } from '../usage';
import { whyNoProgress } from '../sync-diagnosis';

const REFRESH_MS = 500;
/** No page after this long: find out why (a failing API, no worker) and say it. */
const NO_WORKER_HINT_MS = 15_000;

function syncWorkflowId(feed: string, at: Date): string {
  return `sync/${feed}/${at.toISOString()}`;
}

/**
 * The counts the progress shows, from the poll workflow's memo (or its result), each in its own
 * unit so nothing reads as a sum that does not add up: records read, of them dropped as unchanged;
 * pairs handed to record workflows (a record of a feed may feed several flows); and the outcomes of
 * the record workflows that finished.
 */
function progressCounts(t: PollTotals | undefined) {
  const o = t?.outcomes;
  const c = {
    pages: t?.pages ?? 0,
    read: t?.read ?? 0,
    unchangedDropped: t?.unchanged ?? 0,
    handed: (t?.started ?? 0) + (t?.signalled ?? 0),
    linked: o?.linked ?? 0,
    created: o?.created ?? 0,
    updated: o?.updated ?? 0,
    unchanged: o?.unchanged ?? 0,
    skipped: o?.skipped ?? 0,
    conflict: o?.conflict ?? 0,
    orphaned: o?.orphaned ?? 0,
    failed: o?.failed ?? 0,
  };
  return c;
}

function progressLine(t: PollTotals | undefined): string {
  const c = progressCounts(t);
  const rare = [c.conflict ? `${c.conflict} conflict` : '', c.orphaned ? `${c.orphaned} orphaned` : '']
    .filter(Boolean)
    .map((x) => `, ${x}`)
    .join('');
  return `${c.pages} page(s): ${c.read} record(s) read (${c.unchangedDropped} unchanged, dropped); ${c.handed} pair(s) handed to record workflows; finished: ${c.linked} linked, ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.skipped} skipped${rare}, ${c.failed} failed`;
}

/** Why the workflow ended badly, in words: a terminate or cancel reason alone reads like a failure message. */
function failureText(err: WorkflowFailedError): string {
  const c = err.cause;
  if (c instanceof TerminatedFailure) return `terminated (${c.message})`;
  if (c instanceof CancelledFailure) return `cancelled (${c.message})`;
  if (c instanceof TimeoutFailure) return `timed out (${c.message})`;
  return c?.message ?? err.message;
}

async function memoProgress(handle: WorkflowHandle): Promise<PollTotals | undefined> {
  const d = await handle.describe();
  return d.memo?.progress as PollTotals | undefined;
}

export function syncCommand(): Command {
  return withConfigOption(new Command('sync'))
    .description(
      "poll one flow's change feed now (the same poll the schedules run) and show its progress until it ends",
    )
    .argument('<flow-id>', flowArgHelp(), flowIdArg)
    .option('--full', 'read the whole feed from the beginning, not from the saved checkpoint')
    .option(
      '--side <side>',
      'which change feed: zendesk, or target (the other system, two-way flows only)',
      sideArg,
      'zendesk',
    )
    .addHelpText('after', '\nExample:\n  tandem sync zendesk-users-to-powerofficego-employees --full')
    .action(async (flowId: FlowId, flags: { full?: boolean; side: Side }, cmd: Command) => {
      const flow = getFlow(flowId);
      if (flags.side === 'target' && flow.direction.mode !== 'two-way') {
        usageError(
          cmd,
          `option '--side target' is not available for ${flowId}: it is one-way, only its Zendesk side is polled`,
        );
      }
      const rt = runtimeOf(cmd);
      const out = printer(cmd);
      const config = configOf(cmd, ['temporal']);
      const client = await connectTemporal(config);
      try {
        const feed = feedOf(flow, flags.side);
        const workflowId = tenantWorkflowId(syncWorkflowId(feed, new Date()), config.tenant);
        const taskQueue = tenantQueue(config.temporal.taskQueue, config.tenant);
        const handle = await client.workflow.start('pollFeed', {
          taskQueue,
          workflowId,
          args: [{ feed, full: flags.full === true }],
          memo: { summary: `tandem sync ${flowId} (${flags.side} side${flags.full ? ', full' : ''})` },
        });
        out(`Started ${workflowId} on task queue ${taskQueue}.`);

        const tty = rt.stdout.isTTY === true;
        const bar = tty
          ? new SingleBar({
              format:
                '{bar} {value}/{total} read | linked {linked} created {created} updated {updated} failed {failed}',
              stream: rt.stdout as NodeJS.WritableStream,
              hideCursor: true,
              noTTYOutput: false,
            })
          : undefined;
        bar?.start(0, 0, progressCounts(undefined));
        let lastLine = '';
        const show = (t: PollTotals | undefined) => {
          const c = progressCounts(t);
          if (bar) {
            // The feed's length is unknown until it ends: the bar fills as far as has been read.
            bar.setTotal(Math.max(c.read, 1));
            bar.update(c.read, c);
          } else {
            const line = progressLine(t);
            if (line !== lastLine) out(line);
            lastLine = line;
          }
        };

        const started = Date.now();
        let hinted = false;
        let done = false;
        const result = handle.result().finally(() => {
          done = true;
        });
        result.catch(() => undefined);
        while (!done) {
          await new Promise((r) => setTimeout(r, REFRESH_MS));
          if (done) break;
          const progress = await memoProgress(handle).catch(() => undefined);
          show(progress);
          if (!hinted && !progress && Date.now() - started > NO_WORKER_HINT_MS) {
            hinted = true;
            const hint = await whyNoProgress(client, handle, {
              namespace: config.temporal.namespace,
              taskQueue,
            });
            if (bar) bar.stop();
            rt.stderr.write(`${hint}\n`);
            if (bar) bar.start(0, 0, progressCounts(undefined));
          }
        }
        let totals: PollTotals;
        try {
          totals = (await result) as PollTotals;
        } catch (err) {
          bar?.stop();
          const cause = err instanceof WorkflowFailedError ? failureText(err) : (err as Error).message;
          throw new Error(`sync ${workflowId} failed: ${cause}`);
        }
        show(totals);
        bar?.stop();
        out(`Done: ${progressLine(totals)}.`);
        // Those run on their own after the poll ends; their outcome lands in the link store.
        const running = totals.started + totals.signalled - Object.values(totals.outcomes).reduce((a, b) => a + b, 0);
        if (running > 0)
          out(
            `${running} record(s) are still syncing in their own workflows: see \`tandem status\` or the Temporal UI (workflow id ${flowId}/<zendesk id>).`,
          );
        if (totals.failures.length) {
          out('Failures (latest first):');
          for (const f of totals.failures) out(`  ${f}`);
        }
      } finally {
        await closeTemporal(client);
      }
    });
}
