import { Command } from 'commander';
import { Client, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { applySchedules, listSchedules, plannedSchedules, selectSchedules } from '../../workers/schedules';
import { describeExcess, pollBudgetExcesses } from '../../workers/poll-budgets';
import { ensureSearchAttributes } from '../../workers/search-attributes-setup';
import {
  addSubcommand,
  closeTemporal,
  configOf,
  connectTemporal,
  printer,
  runtimeOf,
  withConfigOption,
  type TenantConfig,
  servedTenantConfigs,
} from '../context';
import { outputFormat, printJson, withOutputOption } from '../output';
import { scheduleWhichArg } from '../usage';

/** Runs `fn` with a client of the command's config, closing the connection afterwards. */
async function withClient<T>(
  cmd: Command,
  fn: (client: Client, config: TenantConfig<'temporal' | 'polling'>) => Promise<T>,
  config = configOf(cmd, ['temporal', 'polling']),
): Promise<T> {
  // Schedules live in Temporal: no API credentials needed.
  const client = await connectTemporal(config);
  try {
    return await fn(client, config);
  } finally {
    await closeTemporal(client);
  }
}

/** One action on each chosen schedule; a schedule not in Temporal yet says how to create it. */
async function eachSchedule(
  cmd: Command,
  which: string | undefined,
  verb: string,
  act: (client: Client, id: string) => Promise<void>,
): Promise<void> {
  const out = printer(cmd);
  await withClient(cmd, async (client, config) => {
    const missing: string[] = [];
    for (const id of selectSchedules(config.polling, which, config.tenant)) {
      try {
        await act(client, id);
        out(`${verb} ${id}`);
      } catch (err) {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
        missing.push(id);
      }
    }
    if (missing.length)
      throw new Error(`not in Temporal: ${missing.join(', ')}; create them with \`tandem schedules apply\``);
  });
}

const WHICH = [
  '[which]',
  'a schedule id (poll/<feed>, e.g. poll/zendesk/users), a feed, or a flow id or code like P2 (the feeds it reads); default: every schedule',
] as const;

export function schedulesCommand(): Command {
  const cmd = new Command('schedules')
    .description(
      'the Temporal Schedules that poll each flow: apply them from the config, list, pause, resume or trigger them',
    )
    .addHelpText(
      'after',
      '\nExample:\n  tandem schedules apply\n  tandem schedules pause zendesk-users-to-powerofficego-employees',
    );

  addSubcommand(
    cmd,
    withConfigOption(new Command('apply'))
      .description(
        "create the schedules that are missing and update the others (workflow, task queue), of every tenant not disabled (or --tenant's); an existing schedule keeps its interval unless --reset-intervals; registers Tandem's search attributes first; safe to repeat",
      )
      .option('--reset-intervals', 'also set existing schedules to the configured intervals (TANDEM_POLL_*_SECONDS)')
      .option('--no-register-search-attributes', "only check Tandem's search attributes, never add them")
      .option('--strict', "refuse intervals that exceed an API's published request budget (otherwise a warning)")
      .addHelpText(
        'after',
        '\nExample:\n  tandem schedules apply\n  TANDEM_POLL_ZENDESK_SECONDS=120 tandem schedules apply --reset-intervals',
      )
      .action(
        async (
          flags: { resetIntervals?: boolean; registerSearchAttributes: boolean; strict?: boolean },
          self: Command,
        ) => {
          const out = printer(self);
          const tenants = servedTenantConfigs(self, ['temporal', 'polling']);
          if (!tenants.length) throw new Error('every tenant of this installation is disabled: no schedule to apply');
          // Polls alone over a budget wait on the API's limit all day: say so (or, --strict, refuse) before anything is set.
          const excesses = tenants.flatMap((t) =>
            pollBudgetExcesses(t.polling).map(
              (e) => `${tenants.length > 1 ? `tenant ${t.tenant}: ` : ''}${describeExcess(e)}`,
            ),
          );
          if (excesses.length && flags.strict)
            throw new Error(`${excesses.join('; ')} (without --strict they are applied with a warning)`);
          for (const line of excesses) runtimeOf(self).stderr.write(`warning: ${line}\n`);
          // A schedule without the attributes starts polls that all fail: say so now, not in the worker log.
          // They are the namespace's, one set for every tenant.
          await withClient(
            self,
            async (client, config) => {
              const { address, namespace } = config.temporal;
              const attrs = await ensureSearchAttributes(client, {
                namespace,
                address,
                register: flags.registerSearchAttributes,
              });
              if (attrs.registered.length)
                out(`registered search attributes ${attrs.registered.join(', ')} on namespace ${namespace}`);
              if (attrs.unchecked)
                runtimeOf(self).stderr.write(
                  `warning: could not check Tandem's search attributes (${attrs.unchecked.cause}); if polls fail with BadSearchAttributes, run: ${attrs.unchecked.command}\n`,
                );
            },
            tenants[0],
          );
          for (const tenant of tenants)
            await withClient(
              self,
              async (client, config) => {
                const { created, updated, kept } = await applySchedules(client, config.polling, config.tenant, {
                  resetIntervals: flags.resetIntervals === true,
                });
                const every = new Map(
                  plannedSchedules(config.polling, config.tenant).map((s) => [s.id, s.everySeconds]),
                );
                for (const id of created) out(`created ${id} (every ${every.get(id)} s)`);
                for (const id of updated) out(`updated ${id} (every ${every.get(id)} s)`);
                for (const id of kept) out(`updated ${id} (interval kept; --reset-intervals sets ${every.get(id)} s)`);
                out(
                  `${tenants.length > 1 ? `tenant ${config.tenant}: ` : ''}${created.length} created, ${updated.length + kept.length} updated${kept.length ? ` (${kept.length} kept their interval)` : ''}`,
                );
              },
              tenant,
            );
        },
      ),
  );

  addSubcommand(
    cmd,
    withOutputOption(withConfigOption(new Command('list')))
      .description("list Tandem's schedules in Temporal: paused or running, next and last run")
      .addHelpText('after', '\nExample:\n  tandem schedules list\n  tandem schedules list -o json')
      .action(async (_flags: unknown, self: Command) => {
        const out = printer(self);
        await withClient(self, async (client, config) => {
          const rows = await listSchedules(client, config.tenant);
          const present = new Set(rows.map((r) => r.id));
          if (outputFormat(self) === 'json') {
            const missing = plannedSchedules(config.polling, config.tenant)
              .filter((s) => !present.has(s.id))
              .map((s) => ({ id: s.id, state: 'missing' }));
            return printJson(self, [
              ...rows.map((r) => ({ ...r, state: r.paused ? 'paused' : 'running' })),
              ...missing,
            ]);
          }
          for (const r of rows) {
            const state = r.paused ? `paused${r.note ? ` (${r.note})` : ''}` : 'running';
            out(`${r.id}  ${state}  next ${r.nextRun?.toISOString() ?? '-'}  last ${r.lastRun?.toISOString() ?? '-'}`);
          }
          const missing = plannedSchedules(config.polling, config.tenant).filter((s) => !present.has(s.id));
          for (const s of missing) out(`${s.id}  missing (run \`tandem schedules apply\`)`);
          if (!rows.length && !missing.length) out('no schedules');
        });
      }),
  );

  addSubcommand(
    cmd,
    withConfigOption(new Command('pause'))
      .description('pause schedules: no poll starts until resumed (webhooks still arrive)')
      .argument(WHICH[0], WHICH[1], scheduleWhichArg)
      .option(
        '--note <text>',
        'why, shown by `schedules list` and in the Temporal UI',
        'paused with tandem schedules pause',
      )
      .addHelpText(
        'after',
        '\nExample:\n  tandem schedules pause poll/zendesk-users-to-powerofficego-employees/target --note "PowerOffice maintenance"',
      )
      .action(async (which: string | undefined, flags: { note: string }, self: Command) => {
        await eachSchedule(self, which, 'paused', (client, id) => client.schedule.getHandle(id).pause(flags.note));
      }),
  );

  addSubcommand(
    cmd,
    withConfigOption(new Command('resume'))
      .description('resume paused schedules')
      .argument(WHICH[0], WHICH[1], scheduleWhichArg)
      .addHelpText('after', '\nExample:\n  tandem schedules resume zendesk-users-to-powerofficego-employees')
      .action(async (which: string | undefined, _flags: unknown, self: Command) => {
        await eachSchedule(self, which, 'resumed', (client, id) =>
          client.schedule.getHandle(id).unpause('resumed with tandem schedules resume'),
        );
      }),
  );

  addSubcommand(
    cmd,
    withConfigOption(new Command('trigger'))
      .description("start schedules' poll now, once (skipped when that poll is already running)")
      .argument(WHICH[0], WHICH[1], scheduleWhichArg)
      .addHelpText('after', '\nExample:\n  tandem schedules trigger poll/zendesk-users-to-crmoffice-contacts/zendesk')
      .action(async (which: string | undefined, _flags: unknown, self: Command) => {
        await eachSchedule(self, which, 'triggered', (client, id) =>
          client.schedule.getHandle(id).trigger(ScheduleOverlapPolicy.SKIP),
        );
      }),
  );
  return cmd;
}
