/**
 * The simulated login host: one client, refresh tokens (optionally rotated on every use, the old one
 * then refused) and access tokens that expire. Answers the OAuth2 error shape.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { readClientBasicAuth } from '../../connectors/crmoffice/api-assumptions';

export interface TokenOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  accessTokenTtlSeconds: number;
  rotateRefreshTokens: boolean;
}

export type TokenResult = { status: 200; body: { access_token: string; token_type: 'Bearer'; expires_in: number; refresh_token?: string } } | { status: 400 | 401; body: { error: string; error_description: string } };

const RefreshForm = z.object({
  grant_type: z.string(),
  refresh_token: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
});

export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(18).toString('base64url')}`;
}

export class TokenStore {
  private readonly refreshTokens = new Set<string>();
  private readonly accessTokens = new Map<string, number>();
  /** When set, every access token is refused (to test that a client retries a 401 only once). */
  rejectAll = false;

  constructor(private readonly opts: TokenOptions) {
    this.refreshTokens.add(opts.refreshToken);
  }

  /**
   * A token for a refresh grant. The client authenticates with HTTP Basic (which RFC 6749 §2.3.1
   * requires every server to accept) or with `client_id`/`client_secret` in the form; never both.
   */
  grant(form: unknown, authorization?: string): TokenResult {
    const parsed = RefreshForm.safeParse(form);
    if (!parsed.success) return { status: 400, body: { error: 'invalid_request', error_description: 'grant_type is required' } };
    const f = parsed.data;
    const basic = readClientBasicAuth(authorization);
    const inBody = f.client_id !== undefined || f.client_secret !== undefined;
    if (basic && inBody) return { status: 400, body: { error: 'invalid_request', error_description: 'use one client authentication method: HTTP Basic or the form body, not both' } };
    if (f.grant_type !== 'refresh_token') return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'only refresh_token is supported' } };
    const client = basic ?? { clientId: f.client_id, clientSecret: f.client_secret };
    if (client.clientId !== this.opts.clientId || client.clientSecret !== this.opts.clientSecret) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'client authentication failed' } };
    }
    if (!f.refresh_token || !this.refreshTokens.has(f.refresh_token)) {
      return { status: 400, body: { error: 'invalid_grant', error_description: 'the refresh token is invalid, expired or already used' } };
    }
    const accessToken = newSecret('at');
    this.accessTokens.set(accessToken, Date.now() + this.opts.accessTokenTtlSeconds * 1000);
    let rotated: string | undefined;
    if (this.opts.rotateRefreshTokens) {
      this.refreshTokens.delete(f.refresh_token);
      rotated = newSecret('rt');
      this.refreshTokens.add(rotated);
    }
    return { status: 200, body: { access_token: accessToken, token_type: 'Bearer', expires_in: this.opts.accessTokenTtlSeconds, ...(rotated ? { refresh_token: rotated } : {}) } };
  }

  /** Whether an `Authorization` header carries a live access token. */
  verify(header: string | undefined): boolean {
    if (this.rejectAll || !header?.startsWith('Bearer ')) return false;
    const expiresAt = this.accessTokens.get(header.slice('Bearer '.length));
    return expiresAt !== undefined && Date.now() < expiresAt;
  }

  /** Ends every access token now, as a server restart or a revocation would. */
  expireAll(): void {
    this.accessTokens.clear();
  }
}
