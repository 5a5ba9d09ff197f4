/** The grace period of a long-running command's stop (cli/shutdown.ts), in-process with a fake runtime. */
import { Command } from 'commander';
import { attachRuntime } from '../../cli/context';
import { DEFAULT_GRACE_SECONDS, watchForStop, withGraceOption } from '../../cli/shutdown';

function commandWith(stop: Promise<void>) {
  let err = '';
  const exits: number[] = [];
  const cmd = attachRuntime(new Command('x'), {
    env: {},
    stdout: { write: () => true },
    stderr: { write: (s: string) => (err += s) },
    waitForStop: () => stop,
    exit: (code) => void exits.push(code),
  });
  return { cmd, exits, err: () => err };
}

describe("a long-running command's stop", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('ends the process with status 1 when draining outlasts the grace period', async () => {
    let ask!: () => void;
    const { cmd, exits, err } = commandWith(new Promise<void>((r) => (ask = r)));
    const stopping = watchForStop(cmd, 'the worker', 3);
    jest.advanceTimersByTime(10_000);
    expect(exits).toEqual([]); // no deadline before a stop is asked for
    ask();
    await stopping.requested;
    jest.advanceTimersByTime(2_999);
    expect(exits).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(exits).toEqual([1]);
    expect(err()).toBe('tandem: the worker did not stop within 3 s of the stop request; exiting\n');
  });

  it('does not end a process that drained in time', async () => {
    const { cmd, exits, err } = commandWith(Promise.resolve());
    const stopping = watchForStop(cmd, 'the worker', 3);
    await stopping.requested;
    jest.advanceTimersByTime(1_000);
    stopping.done();
    jest.advanceTimersByTime(60_000);
    expect(exits).toEqual([]);
    expect(err()).toBe('');
  });

  it('takes --grace in whole seconds, 25 by default', () => {
    const parse = (args: string[]) =>
      withGraceOption(new Command('x').exitOverride().configureOutput({ writeErr: () => undefined }))
        .parse(args, { from: 'user' })
        .opts<{ grace: number }>().grace;
    expect(parse([])).toBe(DEFAULT_GRACE_SECONDS);
    expect(parse(['--grace', '7'])).toBe(7);
    expect(() => parse(['--grace', '0'])).toThrow(/not a positive whole number/);
  });
});
