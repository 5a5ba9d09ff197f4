/**
 * The simulated login host: one client, the authorization-code flow (a code from `/connect/authorize`,
 * exchanged once at `/connect/token`), refresh tokens (optionally rotated on every use, the old one
 * then refused) and access tokens that expire. Answers the OAuth2 error shape.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { pkceChallenge, readClientBasicAuth, SCOPES } from '../../connectors/crmoffice/api-assumptions';

export interface TokenOptions {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  accessTokenTtlSeconds: number;
  rotateRefreshTokens: boolean;
  /** Redirect URIs besides loopback ones (which RFC 8252 §7.3 lets a native app use on any port). */
  redirectUris?: string[];
}

type OAuthError = { error: string; error_description: string };
export type TokenResult =
  | {
      status: 200;
      body: { access_token: string; token_type: 'Bearer'; expires_in: number; refresh_token?: string; scope?: string };
    }
  | { status: 400 | 401; body: OAuthError };

/**
 * What `/connect/authorize` does: redirect back to the client (a code, or an error the client may
 * see, RFC 6749 §4.1.2), or, when the client or its redirect URI is not the registered one, show the
 * error to the person instead of redirecting (§4.1.2.1: never redirect to an unchecked URI).
 */
export type AuthorizeResult = { redirect: string } | { status: 400; body: OAuthError };

const TokenForm = z.object({
  grant_type: z.string(),
  refresh_token: z.string().optional(),
  code: z.string().optional(),
  redirect_uri: z.string().optional(),
  code_verifier: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
});

const AuthorizeQuery = z.object({
  response_type: z.string().optional(),
  client_id: z.string().optional(),
  redirect_uri: z.string().optional(),
  scope: z.string().optional(),
  state: z.string().optional(),
  code_challenge: z.string().optional(),
  code_challenge_method: z.string().optional(),
});

/** IdentityServer's default lifetime of an authorization code; RFC 6749 §4.1.2 asks for 10 minutes at most. */
const CODE_TTL_MS = 300_000;

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  challenge: string;
  expiresAt: number;
}

export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(18).toString('base64url')}`;
}

function isLoopback(uri: string): boolean {
  try {
    const u = new URL(uri);
    return u.protocol === 'http:' && ['127.0.0.1', '[::1]', 'localhost'].includes(u.hostname) && !u.hash;
  } catch {
    return false;
  }
}

export class TokenStore {
  private readonly refreshTokens = new Set<string>();
  private readonly accessTokens = new Map<string, number>();
  private readonly codes = new Map<string, IssuedCode>();
  /** When set, every access token is refused (to test that a client retries a 401 only once). */
  rejectAll = false;
  /** When set, the person declines at the login host: `/connect/authorize` redirects with `access_denied`. */
  denyAuthorization = false;

  constructor(private readonly opts: TokenOptions) {
    this.refreshTokens.add(opts.refreshToken);
  }

  /**
   * The authorization endpoint without a login page: the simulated person approves at once (or
   * declines, `denyAuthorization`). PKCE with S256 is required, as IdentityServer requires it of
   * every client by default.
   */
  authorize(query: unknown): AuthorizeResult {
    const q = AuthorizeQuery.safeParse(query).data ?? {};
    if (q.client_id !== this.opts.clientId)
      return { status: 400, body: { error: 'unauthorized_client', error_description: 'unknown client_id' } };
    if (!q.redirect_uri || !(isLoopback(q.redirect_uri) || this.opts.redirectUris?.includes(q.redirect_uri))) {
      return {
        status: 400,
        body: {
          error: 'invalid_request',
          error_description: 'redirect_uri is missing or not registered for this client',
        },
      };
    }
    const back = (params: Record<string, string>) => {
      const url = new URL(q.redirect_uri!);
      for (const [k, v] of Object.entries({ ...params, ...(q.state !== undefined ? { state: q.state } : {}) }))
        url.searchParams.set(k, v);
      return { redirect: url.toString() };
    };
    if (q.response_type !== 'code')
      return back({ error: 'unsupported_response_type', error_description: 'only response_type=code is supported' });
    const scopes = (q.scope ?? '').split(' ').filter(Boolean);
    const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (!scopes.includes('crmoffice') || unknown.length)
      return back({
        error: 'invalid_scope',
        error_description: unknown.length ? `unknown scope ${unknown.join(' ')}` : 'scope crmoffice is required',
      });
    if (!q.code_challenge || q.code_challenge_method !== 'S256')
      return back({
        error: 'invalid_request',
        error_description: 'code_challenge with code_challenge_method=S256 is required',
      });
    if (this.denyAuthorization) return back({ error: 'access_denied', error_description: 'the user declined' });
    const code = newSecret('code');
    this.codes.set(code, {
      clientId: q.client_id,
      redirectUri: q.redirect_uri,
      scopes,
      challenge: q.code_challenge,
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    return back({ code });
  }

  /**
   * A token for a grant: `authorization_code` or `refresh_token`. The client authenticates with HTTP
   * Basic (which RFC 6749 §2.3.1 requires every server to accept) or with `client_id`/`client_secret`
   * in the form; never both. The client is checked before the grant, so a wrong secret is told as
   * such whatever the code or refresh token.
   */
  grant(form: unknown, authorization?: string): TokenResult {
    const parsed = TokenForm.safeParse(form);
    if (!parsed.success)
      return { status: 400, body: { error: 'invalid_request', error_description: 'grant_type is required' } };
    const f = parsed.data;
    const basic = readClientBasicAuth(authorization);
    const inBody = f.client_id !== undefined || f.client_secret !== undefined;
    if (basic && inBody)
      return {
        status: 400,
        body: {
          error: 'invalid_request',
          error_description: 'use one client authentication method: HTTP Basic or the form body, not both',
        },
      };
    if (f.grant_type !== 'refresh_token' && f.grant_type !== 'authorization_code') {
      return {
        status: 400,
        body: {
          error: 'unsupported_grant_type',
          error_description: 'only authorization_code and refresh_token are supported',
        },
      };
    }
    const client = basic ?? { clientId: f.client_id, clientSecret: f.client_secret };
    if (client.clientId !== this.opts.clientId || client.clientSecret !== this.opts.clientSecret) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'client authentication failed' } };
    }
    return f.grant_type === 'authorization_code' ? this.redeemCode(f) : this.refresh(f);
  }

  private redeemCode(f: z.infer<typeof TokenForm>): TokenResult {
    const invalid = (why: string): TokenResult => ({
      status: 400,
      body: { error: 'invalid_grant', error_description: why },
    });
    const issued = f.code === undefined ? undefined : this.codes.get(f.code);
    // A code is good for one try (RFC 6749 §4.1.2), whatever that try's outcome.
    if (f.code !== undefined) this.codes.delete(f.code);
    if (!issued || issued.expiresAt <= Date.now() || issued.clientId !== this.opts.clientId)
      return invalid('the authorization code is invalid, expired or already used');
    if (f.redirect_uri !== issued.redirectUri) return invalid('redirect_uri does not match the authorization request');
    if (!f.code_verifier || pkceChallenge(f.code_verifier) !== issued.challenge)
      return invalid('code_verifier does not match the code_challenge');
    return this.issue(issued.scopes.includes('offline_access') ? newSecret('rt') : undefined, issued.scopes.join(' '));
  }

  private refresh(f: z.infer<typeof TokenForm>): TokenResult {
    if (!f.refresh_token || !this.refreshTokens.has(f.refresh_token)) {
      return {
        status: 400,
        body: { error: 'invalid_grant', error_description: 'the refresh token is invalid, expired or already used' },
      };
    }
    let rotated: string | undefined;
    if (this.opts.rotateRefreshTokens) {
      this.refreshTokens.delete(f.refresh_token);
      rotated = newSecret('rt');
    }
    return this.issue(rotated);
  }

  private issue(refreshToken: string | undefined, scope?: string): TokenResult {
    const accessToken = newSecret('at');
    this.accessTokens.set(accessToken, Date.now() + this.opts.accessTokenTtlSeconds * 1000);
    if (refreshToken) this.refreshTokens.add(refreshToken);
    return {
      status: 200,
      body: {
        access_token: accessToken,
        token_type: 'Bearer',
        expires_in: this.opts.accessTokenTtlSeconds,
        ...(refreshToken ? { refresh_token: refreshToken } : {}),
        ...(scope ? { scope } : {}),
      },
    };
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
