/**
 * Access tokens for Crmoffice from a refresh token (OAuth2 authorization-code flow, done once by a
 * person; Tandem only holds the refresh token). Tokens are renewed shortly before expiry and when an
 * API call answers 401. The refresh token may rotate: the new one is kept and announced to
 * `onRefreshTokenRotated` listeners, so the app can persist it before the old one stops working.
 */
import { AxiosInstance } from 'axios';
import { ApiError } from '../errors';
import { createHttp, request } from '../http';
import { RENEW_BEFORE_EXPIRY_MS, TOKEN_PATH, TokenAnswer, clientBasicAuth, refreshTokenForm } from './api-assumptions';
import { CrmofficeConfig } from './config';

export type RefreshTokenListener = (refreshToken: string) => void | Promise<void>;

export interface CrmofficeAuthOptions {
  /** Milliseconds since the epoch; injectable so expiry can be tested without waiting. */
  now?: () => number;
}

interface CachedToken {
  value: string;
  renewAt: number;
}

export class CrmofficeAuth {
  private readonly http: AxiosInstance;
  private readonly now: () => number;
  private refreshToken: string;
  private token?: CachedToken;
  private pending?: Promise<string>;
  private readonly listeners = new Set<RefreshTokenListener>();
  private refreshCount = 0;

  constructor(
    private readonly config: CrmofficeConfig,
    options: CrmofficeAuthOptions = {},
  ) {
    this.http = createHttp({ system: 'crmoffice', baseUrl: config.loginBaseUrl, timeoutMs: config.timeoutMs });
    this.now = options.now ?? Date.now;
    this.refreshToken = config.refreshToken;
  }

  /** How many times a token was fetched from the login host (for tests and metrics). */
  get refreshes(): number {
    return this.refreshCount;
  }

  /** Registers a listener for a rotated refresh token; returns a function that unregisters it. */
  onRefreshTokenRotated(listener: RefreshTokenListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A valid access token, fetched when there is none or it is about to expire. Concurrent callers share one fetch. */
  async accessToken(): Promise<string> {
    if (this.token && this.now() < this.token.renewAt) return this.token.value;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /**
   * Forgets `rejected` after the API refused it (401), so the next `accessToken()` fetches a new one.
   * A token already replaced by a concurrent caller is left alone.
   */
  invalidate(rejected: string): void {
    if (this.token?.value === rejected) this.token = undefined;
  }

  private async fetchToken(): Promise<string> {
    this.refreshCount += 1;
    let answer: TokenAnswer;
    try {
      ({ data: answer } = await request(this.http, 'crmoffice', {
        endpoint: `POST ${TOKEN_PATH}`,
        method: 'POST',
        url: TOKEN_PATH,
        data: refreshTokenForm(this.refreshToken),
        headers: { Authorization: clientBasicAuth(this.config.clientId, this.config.clientSecret), 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        schema: TokenAnswer,
      }));
    } catch (err) {
      throw this.redact(err);
    }
    const lifetimeMs = answer.expires_in * 1000;
    this.token = { value: answer.access_token, renewAt: this.now() + lifetimeMs - Math.min(RENEW_BEFORE_EXPIRY_MS, lifetimeMs / 2) };
    if (answer.refresh_token && answer.refresh_token !== this.refreshToken) {
      this.refreshToken = answer.refresh_token;
      // Awaited so a failure to persist the new token surfaces instead of being lost silently.
      for (const listener of this.listeners) await listener(answer.refresh_token);
    }
    return answer.access_token;
  }

  /** Belt and braces: a login host might echo a credential in its error text; never let it out. */
  redact<E>(err: E): E {
    if (!(err instanceof ApiError)) return err;
    const secrets = [this.config.clientSecret, this.refreshToken, this.config.refreshToken, this.token?.value].filter((s): s is string => !!s && s.length >= 4);
    for (const secret of secrets) {
      if (err.message.includes(secret)) err.message = err.message.split(secret).join('[redacted]');
      if (err.stack?.includes(secret)) err.stack = err.stack.split(secret).join('[redacted]');
    }
    return err;
  }
}
