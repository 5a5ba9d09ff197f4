/**
 * The Temporal SDK's logger, written through Tandem's pino logger, so the SDK's lines have the same
 * format (JSON, or one-liners in dev) and the same secret redaction as Tandem's own.
 *
 * A workflow or activity that ends with an ApplicationFailure ended on purpose: a conflict, an
 * unmappable name. That is a business outcome, logged as one line with the pair and the reason.
 * Any other error is a bug, and keeps its stack.
 */
import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import type { Logger } from 'pino';

const PINO: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

interface FailureLike {
  name?: string;
  message?: string;
  type?: string | null;
  nonRetryable?: boolean;
  cause?: FailureLike;
}

/**
 * Deliberate failures are ApplicationFailures (possibly wrapped in an ActivityFailure). The error
 * comes from the workflow sandbox, another realm: `instanceof` does not work there, names do.
 */
function businessFailure(err: unknown): FailureLike | undefined {
  let e = err as (FailureLike & { stack?: string }) | undefined;
  for (let i = 0; e && typeof e === 'object' && i < 4; i++, e = e.cause) {
    if (
      e.name === 'ApplicationFailure' ||
      e.constructor?.name === 'ApplicationFailure' ||
      /^ApplicationFailure\b/.test(e.stack ?? '')
    )
      return e;
  }
  return undefined;
}

/** Statements of how a worker was set up (a queue with activities only), not problems: debug, not warn. */
const SETUP_NOTES = /^No (workflows|activities|Nexus services) registered/;

export class PinoSdkLogger implements SdkLogger {
  constructor(private readonly logger: Logger) {}

  log(level: LogLevel, message: string, meta: LogMetadata = {}): void {
    const { error, failure, sdkComponent, ...rest } = meta as Record<string, unknown>;
    void sdkComponent;
    const err = error ?? failure;
    const pair = (rest.workflowId as string | undefined) ?? undefined;
    const outcome = err ? businessFailure(err) : undefined;
    if (outcome) {
      // One line: which pair, what happened, why. No trace: nothing is broken.
      this.logger.info(
        {
          pair,
          workflowType: rest.workflowType,
          activityType: rest.activityType,
          outcome: outcome.type ?? 'failed',
          reason: outcome.message,
        },
        'not synced (an expected outcome, not an error)',
      );
      return;
    }
    const fields = { ...rest, ...(err ? { err } : {}) };
    this.logger[SETUP_NOTES.test(message) ? 'debug' : PINO[level]](fields, message);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
