/**
 * How a long-running command (worker, webhook receiver, dev stack) stops like a service: SIGTERM and
 * SIGINT both ask it to drain and stop; if it has not stopped within its grace period, or a second
 * signal arrives, the process ends at once rather than outlive a supervisor's patience.
 */
import { Command, Option } from 'commander';
import { runtimeOf } from './context';
import { positiveIntArg } from './usage';

/** Under Kubernetes' default 30 s before SIGKILL, so the command's own exit is the one seen. */
export const DEFAULT_GRACE_SECONDS = 25;

export function withGraceOption(cmd: Command): Command {
  return cmd.addOption(
    new Option(
      '--grace <seconds>',
      'after SIGTERM or SIGINT, how long running work may take to finish before the process ends anyway',
    )
      .argParser(positiveIntArg)
      .default(DEFAULT_GRACE_SECONDS),
  );
}

export interface Stopping {
  /** Resolves when a stop is asked for; listen from the start so a signal during startup is not lost. */
  requested: Promise<void>;
  /** The command has drained: no forced exit after this. */
  done(): void;
}

/**
 * Watches for the stop request of `what` (named in the message of a forced exit). From the request
 * on, the grace period runs: past it, the process exits with status 1 (in-process, as in tests,
 * only the message is written).
 */
export function watchForStop(cmd: Command, what: string, graceSeconds: number): Stopping {
  const rt = runtimeOf(cmd);
  let timer: NodeJS.Timeout | undefined;
  let finished = false;
  const requested = rt.waitForStop().then(() => {
    if (finished) return;
    timer = setTimeout(() => {
      rt.stderr.write(`tandem: ${what} did not stop within ${graceSeconds} s of the stop request; exiting\n`);
      rt.exit?.(1);
    }, graceSeconds * 1000);
    // A drain that ends sooner must not be held up by its own deadline.
    timer.unref();
  });
  return {
    requested,
    done() {
      finished = true;
      if (timer) clearTimeout(timer);
    },
  };
}
