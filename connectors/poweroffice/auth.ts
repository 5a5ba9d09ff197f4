/**
 * OAuth2 client credentials for PowerOffice Go: a token lives 20 minutes and there is no refresh token,
 * so one is fetched on first use, shared by every call, and fetched again shortly before it expires.
 */
import { AxiosInstance } from 'axios';
import { z } from 'zod';
import { createHttp, request } from '../http';
import { PowerOfficeConfig, tokenUrlOf } from './config';

const TokenAnswer = z.looseObject({
  access_token: z.string().min(1),
  // Seconds; some gateways send it as a string.
  expires_in: z.coerce.number().positive(),
});

/** Renew this long before expiry (capped at a tenth of the lifetime, so short test tokens still get used). */
const MAX_MARGIN_MS = 60_000;

export class PowerOfficeTokenProvider {
  private token?: { value: string; renewAt: number };
  private pending?: Promise<string>;
  private readonly http: AxiosInstance;
  /** Token requests made so far (for metrics and tests). */
  requests = 0;

  constructor(
    private readonly config: PowerOfficeConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.http = createHttp({ system: 'poweroffice', baseUrl: tokenUrlOf(config), timeoutMs: config.timeoutMs });
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
    if (this.token?.value === token) this.token = undefined;
  }

  private async fetchToken(): Promise<string> {
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
    return data.access_token;
  }
}
