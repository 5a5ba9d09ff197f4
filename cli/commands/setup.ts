import { Command } from 'commander';
import { createSearchAttributesCommand, ensureSearchAttributes } from '../../workers/search-attributes-setup';
import { closeTemporal, configOf, connectTemporal, printer, withConfigOption } from '../context';

export function setupCommand(): Command {
  return withConfigOption(new Command('setup'))
    .description(
      "prepare the Temporal namespace for Tandem: register Tandem's custom search attributes (idempotent); `tandem worker` does the same at start",
    )
    .option('--print', 'only print the `temporal operator` command that registers them, for an operator to run')
    .addHelpText(
      'after',
      '\nExample:\n  tandem setup\n  TEMPORAL_ADDRESS=temporal.internal:7233 TEMPORAL_NAMESPACE=tandem tandem setup --print',
    )
    .action(async (flags: { print?: boolean }, cmd: Command) => {
      const out = printer(cmd);
      const config = configOf(cmd, ['temporal']);
      const { address, namespace } = config.temporal;
      if (flags.print) {
        out(createSearchAttributesCommand({ namespace, address }));
        return;
      }
      const client = await connectTemporal(config);
      try {
        const report = await ensureSearchAttributes(client, { namespace, address, register: true });
        if (report.unchecked)
          throw new Error(
            `cannot list the search attributes of namespace ${namespace} (${report.unchecked.cause}); have the cluster's operator run:\n  ${report.unchecked.command}`,
          );
        for (const name of report.registered) out(`registered ${name}`);
        for (const name of report.present) out(`present    ${name}`);
        out(
          `Namespace ${namespace} at ${address} is ready for Tandem (${report.registered.length} registered, ${report.present.length} already there).`,
        );
      } finally {
        await closeTemporal(client);
      }
    });
}
