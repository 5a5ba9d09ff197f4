/**
 * OAuth2 client credentials for PowerOffice Go: a token lives 20 minutes and there is no refresh token,
 * so one is fetched on first use, shared by every call, and fetched again shortly before it expires.
 * With a shared-token holder (the link store) workers also share it: a worker takes the token another
 * one signed in for while it is good, sparing a sign-in against the rate limit.
 */
import { AxiosInstance } from 'axios';
import { z } from 'zod';
import { createHttp, request } from '../http';
import { sharedTokenName, type SharedTokenHolder } from '../token-sharing';
import { PowerOfficeConfig, tokenUrlOf } from './config';

const TokenAnswer = z.looseObject({
  access_token: z.string().min(1),
  // Seconds; some gateways send it as a string.
  expires_in: z.coerce.number().positive(),
});

/** Renew this long before expiry (capped at a tenth of the lifetime, so short test tokens still get used). */
const MAX_MARGIN_MS = 60_000;

export interface PowerOfficeAuthOptions {
  /** Milliseconds since the epoch; injectable so expiry can be tested without waiting. */
  now?: () => number;
  /** Where all workers share the access token (the link store); without it each process signs in itself. */
  sharedTokens?: SharedTokenHolder;
}

export class PowerOfficeTokenProvider {
  private token?: { value: string; renewAt: number };
  private pending?: Promise<string>;
  private readonly http: AxiosInstance;
  private readonly now: () => number;
  private readonly shared?: { holder: SharedTokenHolder; name: string };
  /** The last token the API refused: never taken back from the holder. */
  private rejected?: string;
  /** Token requests made so far (for metrics and tests). */
  requests = 0;

  constructor(
    private readonly config: PowerOfficeConfig,
    options: PowerOfficeAuthOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    const tokenUrl = tokenUrlOf(config);
    this.http = createHttp({ system: 'poweroffice', baseUrl: tokenUrl, timeoutMs: config.timeoutMs });
    if (options.sharedTokens) {
      this.shared = {
        holder: options.sharedTokens,
        name: sharedTokenName('poweroffice', tokenUrl, config.applicationKey, config.clientKey),
      };
    }
  }

  /** A valid token; concurrent callers share one renewal. */
  async getToken(): Promise<string> {
    if (this.token && this.now() < this.token.renewAt) return this.token.value;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forget `token` after the API refused it (a 401), unless a newer one already replaced it. */
  invalidate(token: string): void {
    this.rejected = token;
    if (this.token?.value === token) this.token = undefined;
  }

  private async fetchToken(): Promise<string> {
    if (this.shared) {
      const stored = await this.shared.holder.getSharedToken(this.shared.name);
      const renewAt = stored?.expiresAt ? Date.parse(stored.expiresAt) : NaN;
      if (stored && this.now() < renewAt && stored.value !== this.rejected) {
        this.token = { value: stored.value, renewAt };
        return stored.value;
      }
    }
    const token = await this.signIn();
    // Stored with its renew time as expiry, so no worker takes it in its last moments. Last writer
    // wins: any token signed in for is as good as another.
    if (this.shared)
      await this.shared.holder.putSharedToken(this.shared.name, token.value, new Date(token.renewAt).toISOString());
    return token.value;
  }

  private async signIn(): Promise<{ value: string; renewAt: number }> {
    this.requests += 1;
    const basic = Buffer.from(`${this.config.applicationKey}:${this.config.clientKey}`).toString('base64');
    const started = this.now();
    const { data } = await request(this.http, 'poweroffice', {
      endpoint: 'POST /OAuth/Token',
      method: 'POST',
      url: '',
      data: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
      headers: {
        Authorization: `Basic ${basic}`,
        'Ocp-Apim-Subscription-Key': this.config.subscriptionKey,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      schema: TokenAnswer,
    });
    const lifetimeMs = data.expires_in * 1000;
    this.token = { value: data.access_token, renewAt: started + lifetimeMs - Math.min(MAX_MARGIN_MS, lifetimeMs / 10) };
    return this.token;
  }
}
