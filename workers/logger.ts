import pino, { DestinationStream, Logger } from 'pino';

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
const SECRET_HEADERS = ['authorization', 'Authorization', 'ocp-apim-subscription-key', 'Ocp-Apim-Subscription-Key', 'cookie'];

/**
 * Redaction paths: a secret key at the top level or up to three objects deep, so
 * `log.info({ config })` and `log.info({ err: { config: { headers } } })` are both covered.
 */
export const REDACT_PATHS: string[] = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]),
  ...SECRET_HEADERS.flatMap((h) => [`headers["${h}"]`, `*.headers["${h}"]`, `*.*.headers["${h}"]`]),
];

export const REDACTED = '***';

/**
 * Structured JSON logger for one component (`name` ends up in every line).
 * `destination` exists for tests and for workers that log to a file; default is stdout.
 */
export function createLogger(name: string, level?: string, destination?: DestinationStream): Logger {
  const options = {
    name,
    level: level ?? process.env.TANDEM_LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: REDACTED },
  };
  return destination ? pino(options, destination) : pino(options);
}
