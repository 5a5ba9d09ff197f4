import pino, { DestinationStream, Logger } from 'pino';
import { compactDestination } from './log-format';
import { redactUrlPasswords } from '../protocol/redact';

export type { Logger } from 'pino';

/** Field names that hold credentials anywhere in Tandem's config, connectors and HTTP traffic. */
const SECRET_KEYS = [
  'apiToken',
  'oauthToken',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'secret',
  'webhookSecret',
  'clientSecret',
  'client_secret',
  'clientKey',
  'applicationKey',
  'subscriptionKey',
  'password',
];

/** Header names that carry credentials (pino-http and axios both keep headers under `headers`). */
const SECRET_HEADERS = [
  'authorization',
  'Authorization',
  'ocp-apim-subscription-key',
  'Ocp-Apim-Subscription-Key',
  'cookie',
];

/**
 * Redaction paths: a secret key at the top level or up to three objects deep, so
 * `log.info({ config })` and `log.info({ err: { config: { headers } } })` are both covered.
 */
const REDACT_PATHS: string[] = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]),
  ...SECRET_HEADERS.flatMap((h) => [`headers["${h}"]`, `*.headers["${h}"]`, `*.*.headers["${h}"]`]),
];

const REDACTED = '***';

/** Strings anywhere in a logged object lose their URL passwords (a store URL, an error quoting one). */
function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactUrlPasswords(value);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  // `instanceof Error` misses errors from the workflow sandbox (another realm); their fields are not enumerable.
  if (value instanceof Error || Object.prototype.toString.call(value) === '[object Error]') {
    const e = value as Error & { type?: string; code?: unknown };
    return {
      type: e.name,
      message: redactUrlPasswords(e.message),
      ...(e.code !== undefined ? { code: e.code } : {}),
      stack: e.stack ? redactUrlPasswords(e.stack) : undefined,
    };
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, depth + 1)]));
}

export type LogFormat = 'json' | 'pretty';

/**
 * Structured logger for one component (`name` ends up in every line): JSON for machines, or
 * `pretty`, one readable line per entry, for a person at a terminal (`TANDEM_LOG_FORMAT`).
 * `destination` exists for tests and for workers that log to a file; default is stdout.
 */
export function createLogger(
  name: string,
  level?: string,
  destination?: DestinationStream,
  format?: LogFormat,
): Logger {
  const options = {
    name,
    level: level ?? process.env.TANDEM_LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    formatters: { log: (obj: Record<string, unknown>) => scrub(obj) as Record<string, unknown> },
    hooks: {
      logMethod(this: Logger, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? redactUrlPasswords(a) : a)),
        );
      },
    },
  };
  const fmt = format ?? (process.env.TANDEM_LOG_FORMAT === 'pretty' ? 'pretty' : 'json');
  const dest = destination ?? pino.destination({ dest: 1, sync: true });
  return pino(options, fmt === 'pretty' ? compactDestination(dest) : dest);
}
