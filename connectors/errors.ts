/**
 * The error taxonomy every connector throws, so workflows can decide without knowing HTTP:
 * transient errors are retried by Temporal, permanent ones fail the pair with a clear reason.
 * Messages carry the system's own words but never a credential.
 */
export type SystemName = 'zendesk' | 'poweroffice' | 'crmoffice';

export interface ApiErrorContext {
  system: SystemName;
  /** Method and path template, e.g. `GET /users/{id}`; never a URL with a query carrying secrets. */
  endpoint: string;
  status?: number;
  recordId?: string | number;
}

export abstract class ApiError extends Error {
  abstract readonly transient: boolean;
  readonly system: SystemName;
  readonly endpoint: string;
  readonly status?: number;
  readonly recordId?: string;

  constructor(ctx: ApiErrorContext, detail: string) {
    const where = `${ctx.system} ${ctx.endpoint}${ctx.recordId !== undefined ? ` (record ${ctx.recordId})` : ''}`;
    super(`${where}${ctx.status ? ` answered ${ctx.status}` : ''}: ${detail}`);
    this.name = new.target.name;
    this.system = ctx.system;
    this.endpoint = ctx.endpoint;
    this.status = ctx.status;
    this.recordId = ctx.recordId === undefined ? undefined : String(ctx.recordId);
  }
}

/** Network failure, timeout, 5xx or 429: worth retrying, after `retryAfterMs` when the server said so. */
export class TransientApiError extends ApiError {
  readonly transient = true;
  constructor(
    ctx: ApiErrorContext,
    detail: string,
    readonly retryAfterMs?: number,
  ) {
    super(ctx, detail);
  }
}

/** A 4xx answer (validation, not found, auth refused): retrying the same call cannot help. */
export class PermanentApiError extends ApiError {
  readonly transient = false;
}

export class NotFoundError extends PermanentApiError {}

/** An answer that lacks, or mistypes, a field the code relies on. */
export class SchemaError extends PermanentApiError {
  constructor(
    ctx: ApiErrorContext,
    readonly field: string,
    reason: string,
  ) {
    super(ctx, `field \`${field}\` ${reason}`);
  }
}
