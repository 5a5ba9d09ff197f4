/**
 * The authorization-code flow's calls to the login host (RFC 6749 §4.1, PKCE as RFC 7636), done once
 * by a person through `tandem connect crmoffice`: whether the login host takes the client's
 * credentials, and the code's exchange for the first access and refresh tokens.
 */
import { ApiError } from '../errors';
import { createHttp, request } from '../http';
import { TOKEN_PATH, TokenAnswer, authorizationCodeForm, clientBasicAuth } from './api-assumptions';
import { CrmofficeConfig } from './config';

export type LoginClient = Pick<CrmofficeConfig, 'loginBaseUrl' | 'clientId' | 'clientSecret' | 'timeoutMs'>;

/** A login host's refusal, with its OAuth2 error code (`invalid_client`, `invalid_grant`, …) when it gave one. */
export class LoginRefused extends Error {
  constructor(
    readonly status: number | undefined,
    readonly error: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'LoginRefused';
  }
}

async function tokenCall(client: LoginClient, form: string): Promise<TokenAnswer> {
  const http = createHttp({ system: 'crmoffice', baseUrl: client.loginBaseUrl, timeoutMs: client.timeoutMs });
  try {
    const { data } = await request(http, 'crmoffice', {
      endpoint: `POST ${TOKEN_PATH}`,
      method: 'POST',
      url: TOKEN_PATH,
      data: form,
      headers: {
        Authorization: clientBasicAuth(client.clientId, client.clientSecret),
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      schema: TokenAnswer,
    });
    return data;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    // The OAuth2 error code (RFC 6749 §5.2) is in the message's copy of the body; a login host
    // might echo a credential there, so the secret never leaves in it.
    const code = /"error"\s*:\s*"([a-z_]+)"/.exec(err.message)?.[1];
    throw new LoginRefused(err.status, code, err.message.split(client.clientSecret).join('[redacted]'));
  }
}

/**
 * Whether the login host accepts the client id and secret, asked before a person is sent to sign in:
 * an exchange of a code that cannot exist. RFC 6749 §3.2.1 has the client authenticated first, so
 * `invalid_client` means its credentials, and `invalid_grant` that they passed.
 */
export async function checkClientCredentials(client: LoginClient): Promise<'accepted' | 'refused'> {
  try {
    await tokenCall(
      client,
      authorizationCodeForm({
        code: 'tandem-connect-client-check',
        redirectUri: 'http://127.0.0.1/',
        codeVerifier: 'tandem-connect-client-check-0000000000000000',
      }),
    );
  } catch (err) {
    if (err instanceof LoginRefused && err.error === 'invalid_client') return 'refused';
    if (err instanceof LoginRefused && err.status === 400) return 'accepted';
    throw err;
  }
  throw new Error(
    `the login host ${client.loginBaseUrl} issued tokens for a code that does not exist; it is not an OAuth2 login host`,
  );
}

/** The code's exchange: the first access token and, with `offline_access`, the refresh token. */
export function exchangeAuthorizationCode(
  client: LoginClient,
  p: { code: string; redirectUri: string; codeVerifier: string },
): Promise<TokenAnswer> {
  return tokenCall(client, authorizationCodeForm(p));
}
