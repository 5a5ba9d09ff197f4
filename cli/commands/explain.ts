import { Command } from 'commander';
import { explainFlow, getFlow } from '../../flows';
import { flowIdArg } from '../usage';

export function explainCommand(): Command {
  return new Command('explain')
    .description("print a flow's property table: direction, references, read-only fields, condition and match key")
    .argument('<flow-id>', 'a flow id of docs/flows.md', flowIdArg)
    .addHelpText('after', '\nExample:\n  tandem explain zendesk-users-to-powerofficego-employees')
    .action((flowId: string) => {
      process.stdout.write(`${explainFlow(getFlow(flowId))}\n`);
    });
}
