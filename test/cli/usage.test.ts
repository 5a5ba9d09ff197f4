import { Command } from 'commander';
import { buildProgram } from '../../cli/main';
import { runCli } from './run-cli';

/** One line naming the problem, then commander's hint line; nothing else. */
function errorLines(err: string): string[] {
  return err.split('\n').filter((l) => l && !l.startsWith('(run with --help'));
}

describe('usage errors exit 2 with one line naming the bad argument', () => {
  it.each([
    [['links', 'no-such-flow', '1'], /flow-id.*unknown flow id "no-such-flow"/],
    [['plan', 'nope'], /unknown flow id "nope"/],
    [['sync', 'nope'], /unknown flow id "nope"/],
    [['sync', 'zendesk-users-to-powerofficego-employees', '--side', 'left'], /--side.*"left" is not a side/],
    [['simulators', '--zendesk-port', '70000'], /--zendesk-port.*"70000" is not a port/],
    [['webhooks', 'serve', '--port', 'http'], /--port.*"http" is not a port/],
    [['webhooks', 'register', 'not a url'], /public-url.*"not a url" is not an http\(s\) URL/],
    [['schedules', 'frob'], /unknown command 'frob'/],
    [['schedules', 'pause', 'nope'], /which.*"nope" is neither a schedule id, a feed nor a flow id/],
    [['links', 'zendesk-users-to-powerofficego-employees'], /missing required argument 'id'/],
    [['plan'], /missing required argument 'flow-id'/],
    [
      ['plan', 'zendesk-users-to-powerofficego-employees', '--limit', '0'],
      /--limit.*"0" is not a positive whole number/,
    ],
    [['status', '--failures', 'x'], /--failures.*"x"/],
  ])('tandem %j', async (args, message) => {
    const r = await runCli(args as string[]);
    expect(r.code).toBe(2);
    const lines = errorLines(r.err);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.out).toBe('');
  });

  it('refuses --side target on a one-way flow before reading any config', async () => {
    const r = await runCli(['sync', 'zendesk-ticketcomments-to-crmoffice-activities', '--side', 'target']);
    expect(r.code).toBe(2);
    expect(errorLines(r.err)).toEqual([expect.stringMatching(/--side target.*one-way/)]);
  });

  it('a config problem is exit 1 naming what to set, not a usage error', async () => {
    // Registering the webhook talks to Zendesk: it is a command that needs the token.
    const r = await runCli(['webhooks', 'register', 'https://tandem.example.com'], { env: {} });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/ZENDESK_API_TOKEN/);
  });
});

describe('--help', () => {
  function allCommands(cmd: Command, path: string[] = []): string[][] {
    return cmd.commands.flatMap((c) => [[...path, c.name()], ...allCommands(c, [...path, c.name()])]);
  }
  const commands = allCommands(buildProgram());

  it('covers the commands of this issue', () => {
    const names = commands.map((c) => c.join(' '));
    for (const n of [
      'worker',
      'webhooks serve',
      'webhooks register',
      'simulators',
      'schedules apply',
      'schedules list',
      'schedules pause',
      'schedules resume',
      'schedules trigger',
      'sync',
      'status',
      'links',
      'plan',
      'codec serve',
      'codec new-key',
    ]) {
      expect(names).toContain(n);
    }
  });

  it.each(commands.map((c) => [c.join(' '), c]))(
    'tandem %s --help shows an example and exits 0',
    async (_name, path) => {
      const r = await runCli([...(path as string[]), '--help']);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/Example:\n {2}(TANDEM|ZENDESK|tandem)/);
    },
  );
});
