/**
 * The one logger of a long-running command, and the Temporal SDK's logger installed on top of it:
 * JSON by default (for a log shipper), one readable line per entry with TANDEM_LOG_FORMAT=pretty.
 */
import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { Command } from 'commander';
import { createLogger, type LogFormat, type Logger } from '../workers/logger';
import { PinoSdkLogger } from '../workers/sdk-logger';
import { runtimeOf } from './context';

export function commandLogger(cmd: Command, name: string, opts: { format?: LogFormat; level?: string } = {}): Logger {
  const rt = runtimeOf(cmd);
  const format = opts.format ?? (rt.env.TANDEM_LOG_FORMAT === 'pretty' ? 'pretty' : 'json');
  return createLogger(
    name,
    opts.level ?? rt.env.TANDEM_LOG_LEVEL,
    { write: (s: string) => void rt.stdout.write(s) },
    format,
  );
}

/**
 * Installs the SDK runtime once per process with this logger. A second install (a test running
 * commands in one process) keeps the first one's and says so.
 */
export function installSdkRuntime(logger: Logger, telemetryOptions?: RuntimeOptions['telemetryOptions']): void {
  try {
    Runtime.install({
      logger: new PinoSdkLogger(logger.child({ name: 'temporal' })),
      // Signals are the command's (cli/shutdown.ts): it stops the worker within its grace period, and
      // nothing swallows a SIGTERM before the worker runs or after a refusal.
      shutdownSignals: [],
      // The native core's own lines (coloured text on the console by default) go through the same logger.
      telemetryOptions: { ...telemetryOptions, logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
    });
  } catch (err) {
    logger.debug(
      { reason: (err as Error).message },
      'the Temporal runtime was already set up in this process; keeping it',
    );
  }
}
