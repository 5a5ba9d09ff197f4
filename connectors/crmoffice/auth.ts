/**
 * Access tokens for Crmoffice from a refresh token (OAuth2 authorization-code flow, done once by a
 * person; Tandem only holds the refresh token). Tokens are renewed shortly before expiry and when an
 * API call answers 401. The refresh token may rotate: the new one is kept and announced to
 * `onRefreshTokenRotated` listeners, so the app can persist it before the old one stops working.
 *
 * With a shared-token holder (the link store) every worker uses one chain: the newest refresh token
 * and the access token it bought are read from the holder before refreshing and written back with a
 * compare-and-set, so two workers never spend each other's refresh token. The configured refresh
 * token only seeds the chain.
 */
import { AxiosInstance } from 'axios';
import { z } from 'zod';
import { ApiError } from '../errors';
import { createHttp, request } from '../http';
import { sharedTokenName, type SharedTokenHolder } from '../token-sharing';
import { RENEW_BEFORE_EXPIRY_MS, TOKEN_PATH, TokenAnswer, clientBasicAuth, refreshTokenForm } from './api-assumptions';
import { CrmofficeConfig } from './config';

export type RefreshTokenListener = (refreshToken: string) => void | Promise<void>;

export interface CrmofficeAuthOptions {
  /** Milliseconds since the epoch; injectable so expiry can be tested without waiting. */
  now?: () => number;
  /** Where all workers share the refresh token chain (the link store); without it the chain is this process's own. */
  sharedTokens?: SharedTokenHolder;
  /** How long a worker whose refresh token was just spent by another waits for that one's result (default 5 s). */
  sharedWaitMs?: number;
}

/** What the workers share: the chain's newest refresh token and the access token it bought. */
const SharedState = z.object({ refreshToken: z.string().min(1), accessToken: z.string().min(1), renewAt: z.number() });
type SharedState = z.infer<typeof SharedState>;

function parseShared(value: string | undefined): SharedState | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = SharedState.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The login host refused the refresh token itself (invalid_grant): spent, by another worker or for good. */
function refreshTokenRefused(err: unknown): boolean {
  return err instanceof ApiError && err.status === 400 && /invalid_grant/.test(err.message);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class CrmofficeAuth {
  private readonly http: AxiosInstance;
  private readonly now: () => number;
  private refreshToken: string;
  private token?: { value: string; renewAt: number };
  private pending?: Promise<string>;
  private readonly listeners = new Set<RefreshTokenListener>();
  private refreshCount = 0;
  private readonly shared?: { holder: SharedTokenHolder; name: string; waitMs: number };
  /** The last access token an API refused: never taken back from the holder. */
  private rejected?: string;

  constructor(
    private readonly config: CrmofficeConfig,
    options: CrmofficeAuthOptions = {},
  ) {
    this.http = createHttp({ system: 'crmoffice', baseUrl: config.loginBaseUrl, timeoutMs: config.timeoutMs });
    this.now = options.now ?? Date.now;
    this.refreshToken = config.refreshToken;
    if (options.sharedTokens) {
      this.shared = {
        holder: options.sharedTokens,
        name: sharedTokenName('crmoffice', config.loginBaseUrl, config.clientId, config.refreshToken),
        waitMs: options.sharedWaitMs ?? 5000,
      };
    }
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
    this.pending ??= (this.shared ? this.fetchShared(this.shared) : this.fetchToken()).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /**
   * Forgets `rejected` after the API refused it (401), so the next `accessToken()` fetches a new one.
   * A token already replaced by a concurrent caller is left alone.
   */
  invalidate(rejected: string): void {
    this.rejected = rejected;
    if (this.token?.value === rejected) this.token = undefined;
  }

  private async fetchToken(): Promise<string> {
    const answer = await this.refresh(this.refreshToken);
    await this.keepRefreshToken(answer.refresh_token);
    return answer.access_token;
  }

  /**
   * Takes the access token another worker bought if it is still good; else refreshes with the newest
   * shared refresh token and publishes the result. A refresh refused because another worker spent
   * the same refresh token first waits for that worker's result and uses it.
   */
  private async fetchShared(shared: NonNullable<CrmofficeAuth['shared']>): Promise<string> {
    const { holder, name } = shared;
    for (let attempt = 1; ; attempt++) {
      const stored = await holder.getSharedToken(name);
      const state = parseShared(stored?.value);
      if (state && this.now() < state.renewAt && state.accessToken !== this.rejected) {
        this.token = { value: state.accessToken, renewAt: state.renewAt };
        await this.keepRefreshToken(state.refreshToken);
        return state.accessToken;
      }
      const using = state?.refreshToken ?? this.config.refreshToken;
      this.refreshToken = using;
      let answer: TokenAnswer;
      try {
        answer = await this.refresh(using);
      } catch (err) {
        if (attempt < 3 && refreshTokenRefused(err) && (await this.waitForNewer(shared, stored?.value))) continue;
        throw err;
      }
      const next: SharedState = {
        refreshToken: answer.refresh_token ?? using,
        accessToken: answer.access_token,
        renewAt: this.token!.renewAt,
      };
      await this.publish(shared, next, stored?.value ?? null, next.refreshToken !== using);
      await this.keepRefreshToken(next.refreshToken);
      return answer.access_token;
    }
  }

  /** Whether the holder got a value other than `seen` within the wait (another worker's refresh landing). */
  private async waitForNewer(shared: NonNullable<CrmofficeAuth['shared']>, seen: string | undefined): Promise<boolean> {
    const until = Date.now() + shared.waitMs;
    while (Date.now() < until) {
      if ((await shared.holder.getSharedToken(shared.name))?.value !== seen) return true;
      await sleep(50);
    }
    return false;
  }

  /**
   * Writes the new state over the one it was read from. When that fails someone wrote meanwhile; if
   * our refresh rotated the token, ours is still the chain's only live one (theirs came from an
   * older, now spent token), so it goes in over theirs. Without rotation either access token is fine.
   */
  private async publish(
    shared: NonNullable<CrmofficeAuth['shared']>,
    next: SharedState,
    previous: string | null,
    rotated: boolean,
  ): Promise<void> {
    const value = JSON.stringify(next);
    const expiresAt = new Date(next.renewAt).toISOString();
    if (await shared.holder.putSharedToken(shared.name, value, expiresAt, previous)) return;
    if (rotated) await shared.holder.putSharedToken(shared.name, value, expiresAt);
  }

  /** One refresh grant; keeps the access token it buys. */
  private async refresh(refreshToken: string): Promise<TokenAnswer> {
    this.refreshCount += 1;
    let answer: TokenAnswer;
    try {
      ({ data: answer } = await request(this.http, 'crmoffice', {
        endpoint: `POST ${TOKEN_PATH}`,
        method: 'POST',
        url: TOKEN_PATH,
        data: refreshTokenForm(refreshToken),
        headers: {
          Authorization: clientBasicAuth(this.config.clientId, this.config.clientSecret),
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        schema: TokenAnswer,
      }));
    } catch (err) {
      throw this.redact(err);
    }
    const lifetimeMs = answer.expires_in * 1000;
    this.token = {
      value: answer.access_token,
      renewAt: this.now() + lifetimeMs - Math.min(RENEW_BEFORE_EXPIRY_MS, lifetimeMs / 2),
    };
    return answer;
  }

  /** Adopts a newer refresh token and tells the listeners. */
  private async keepRefreshToken(refreshToken: string | undefined): Promise<void> {
    if (!refreshToken || refreshToken === this.refreshToken) return;
    this.refreshToken = refreshToken;
    // Awaited so a failure to persist the new token surfaces instead of being lost silently.
    for (const listener of this.listeners) await listener(refreshToken);
  }

  /** Belt and braces: a login host might echo a credential in its error text; never let it out. */
  redact<E>(err: E): E {
    if (!(err instanceof ApiError)) return err;
    const secrets = [this.config.clientSecret, this.refreshToken, this.config.refreshToken, this.token?.value].filter(
      (s): s is string => !!s && s.length >= 4,
    );
    for (const secret of secrets) {
      if (err.message.includes(secret)) err.message = err.message.split(secret).join('[redacted]');
      if (err.stack?.includes(secret)) err.stack = err.stack.split(secret).join('[redacted]');
    }
    return err;
  }
}

/**
 * Starts the shared chain of a newly authorized refresh token with the access token its code
 * bought, as a worker's refresh would have left it: the first worker then spends neither a sign-in
 * nor the refresh token. Only where no chain of that credential exists yet; returns whether it wrote.
 */
export async function seedSharedTokenChain(
  holder: SharedTokenHolder,
  config: Pick<CrmofficeConfig, 'loginBaseUrl' | 'clientId' | 'refreshToken'>,
  tokens: { accessToken: string; expiresIn: number; obtainedAt: number },
): Promise<boolean> {
  const lifetimeMs = tokens.expiresIn * 1000;
  const state: SharedState = {
    refreshToken: config.refreshToken,
    accessToken: tokens.accessToken,
    renewAt: tokens.obtainedAt + lifetimeMs - Math.min(RENEW_BEFORE_EXPIRY_MS, lifetimeMs / 2),
  };
  const name = sharedTokenName('crmoffice', config.loginBaseUrl, config.clientId, config.refreshToken);
  return holder.putSharedToken(name, JSON.stringify(state), new Date(state.renewAt).toISOString(), null);
}
