/** Turns what a step throws into what Temporal should do with it, with a message fit for operators. */
import { ApplicationFailure } from '@temporalio/activity';
import { ApiError, TransientApiError } from '../connectors/errors';
import { MappingError, NormalizeError } from '../flows';

/** Permanent: bad data or a 4xx answer. Retrying the same call cannot help; an edit of the record can. */
function isPermanent(err: unknown): boolean {
  return err instanceof MappingError || err instanceof NormalizeError || (err instanceof ApiError && !err.transient);
}

export function describeFailure(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Transient errors stay retryable, with a 429's Retry-After as the next delay; permanent ones become
 * non-retryable. Connector errors carry no secrets, so their messages are safe for history.
 */
export function asActivityFailure(err: unknown): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const message = describeFailure(err);
  const type = err instanceof Error ? err.name : 'Error';
  if (isPermanent(err)) return ApplicationFailure.create({ message, type, nonRetryable: true });
  const delay = err instanceof TransientApiError ? err.retryAfterMs : undefined;
  return ApplicationFailure.create({ message, type, nonRetryable: false, nextRetryDelay: delay });
}
