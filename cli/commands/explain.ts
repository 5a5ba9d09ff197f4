import { Command } from 'commander';
import { explainFlow, getFlow } from '../../flows';
import { printer } from '../context';
import { outputFormat, printJson, withOutputOption } from '../output';
import { flowArgHelp } from '../flow-names';
import { flowIdArg } from '../usage';

export function explainCommand(): Command {
  return withOutputOption(new Command('explain'))
    .description("print a flow's property table: direction, references, read-only fields, condition and match key")
    .argument('<flow-id>', flowArgHelp(), flowIdArg)
    .addHelpText(
      'after',
      '\nExample:\n  tandem explain P2\n  tandem explain zendesk-users-to-powerofficego-employees --output json',
    )
    .action((flowId: string, _flags: unknown, cmd: Command) => {
      const flow = getFlow(flowId);
      // The definition as data: its functions (conditions, transforms) are left out by JSON itself.
      if (outputFormat(cmd) === 'json') return printJson(cmd, flow);
      printer(cmd)(explainFlow(flow));
    });
}
