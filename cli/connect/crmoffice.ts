/**
 * `tandem connect crmoffice`: the OAuth2 authorization-code flow (RFC 6749 §4.1, with PKCE), done once
 * by a person. It checks the client's credentials first, prints the authorize address, takes the
 * code from the browser's redirect to a loopback listener or as pasted (or `--code` in a later run),
 * exchanges it, makes a first API call with the access token, and seeds the shared refresh-token
 * chain the workers spend.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import {
  DEFAULT_API_BASE_URL,
  authorizeUrl,
  pkceChallenge,
  TokenAnswer,
} from '../../connectors/crmoffice/api-assumptions';
import { seedSharedTokenChain } from '../../connectors/crmoffice/auth';
import {
  checkClientCredentials,
  exchangeAuthorizationCode,
  LoginRefused,
} from '../../connectors/crmoffice/authorization';
import { CrmofficeClient } from '../../connectors/crmoffice';
import { ApiError } from '../../connectors/errors';
import type { SharedToken, SharedTokenHolder } from '../../connectors/token-sharing';
import type { CliRuntime } from '../context';
import { listenForRedirect, Redirected } from './redirect-listener';
import { CredentialToSave, writeSecretFile } from './saved-credentials';
import { readSecret, required } from './secret-input';

export interface CrmofficeConnectFlags {
  loginUrl?: string;
  baseUrl?: string;
  clientId?: string;
  redirectUri: string;
  /** False: print the address, keep the pending authorization and stop (`--no-wait`). */
  wait: boolean;
  code?: string;
  waitSeconds: number;
}

export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1:8976/callback';
const PENDING_FILE = 'crmoffice-authorization.json';

/** What a `--no-wait` run leaves for the `--code` run: never the client secret. */
const Pending = z.object({
  loginBaseUrl: z.string(),
  clientId: z.string(),
  redirectUri: z.string(),
  state: z.string(),
  codeVerifier: z.string(),
  createdAt: z.string(),
});
type Pending = z.infer<typeof Pending>;

export interface CrmofficeContext {
  secretsDir: string;
  /** The link store, where the workers share the token chain; undefined when it cannot be opened (said why). */
  openStore(): Promise<{ holder: SharedTokenHolder; close(): Promise<void> } | { unavailable: string }>;
}

/** A holder of this process's own, for the first API call when the link store cannot be opened. */
class OwnTokens implements SharedTokenHolder {
  private readonly tokens = new Map<string, SharedToken>();
  async getSharedToken(name: string) {
    return this.tokens.get(name);
  }
  async putSharedToken(name: string, value: string, expiresAt: string | null, expectedPrevious?: string | null) {
    if (expectedPrevious !== undefined && (this.tokens.get(name)?.value ?? null) !== expectedPrevious) return false;
    this.tokens.set(name, { name, value, expiresAt, updatedAt: new Date().toISOString() });
    return true;
  }
}

export async function connectCrmoffice(
  flags: CrmofficeConnectFlags,
  rt: CliRuntime,
  say: (line: string) => void,
  ctx: CrmofficeContext,
): Promise<CredentialToSave | undefined> {
  const loginBaseUrl = required(flags.loginUrl, rt, 'CRMOFFICE_LOGIN_BASE_URL', '--login-url').replace(/\/+$/, '');
  const baseUrl = (flags.baseUrl ?? rt.env.CRMOFFICE_BASE_URL ?? DEFAULT_API_BASE_URL).replace(/\/+$/, '');
  const clientId = required(flags.clientId, rt, 'CRMOFFICE_CLIENT_ID', '--client-id');
  const pendingPath = join(ctx.secretsDir, PENDING_FILE);
  const pending = flags.code !== undefined ? readPending(pendingPath, loginBaseUrl, clientId) : undefined;
  const clientSecret = await readSecret(rt, 'CRMOFFICE_CLIENT_SECRET', `Crmoffice client secret of ${clientId}`);
  const client = { loginBaseUrl, clientId, clientSecret };

  say(`Checking the client ${clientId} at ${loginBaseUrl} ...`);
  if (
    (await checkClientCredentials(client).catch((err) => Promise.reject(loginUnreachable(err, loginBaseUrl)))) ===
    'refused'
  )
    throw new Error(clientRefused(loginBaseUrl, clientId));

  let code: string;
  let authorization: Pick<Pending, 'redirectUri' | 'codeVerifier'>;
  if (pending) {
    code = codeOf(parsePasted(flags.code!, pending.state));
    authorization = pending;
  } else {
    const state = randomBytes(16).toString('base64url');
    const codeVerifier = randomBytes(32).toString('base64url');
    if (!flags.wait) {
      const saved: Pending = {
        loginBaseUrl,
        clientId,
        redirectUri: flags.redirectUri,
        state,
        codeVerifier,
        createdAt: new Date().toISOString(),
      };
      writeSecretFile(pendingPath, JSON.stringify(saved));
      say('Open this address in a browser, sign in to Crmoffice as a user who may give Tandem access, and approve:');
      say(
        `  ${authorizeUrl(loginBaseUrl, { clientId, redirectUri: flags.redirectUri, state, codeChallenge: pkceChallenge(codeVerifier) })}`,
      );
      say(
        `The browser is then sent to ${flags.redirectUri}?code=…; run again with --code and that whole address (or the code alone), within a few minutes:`,
      );
      say("  tandem connect crmoffice --code '<address or code>' (with the same --login-url and --client-id)");
      return undefined;
    }
    const got = await receiveCode(flags, rt, say, { loginBaseUrl, clientId, state, codeVerifier });
    code = got.code;
    authorization = { redirectUri: got.redirectUri, codeVerifier };
  }

  let answer: TokenAnswer;
  const obtainedAt = Date.now();
  try {
    answer = await exchangeAuthorizationCode(client, {
      code,
      redirectUri: authorization.redirectUri,
      codeVerifier: authorization.codeVerifier,
    });
  } catch (err) {
    throw new Error(exchangeProblem(err, loginBaseUrl, clientId));
  } finally {
    // The code was good for this one try, whatever came of it.
    if (pending) rmSync(pendingPath, { force: true });
  }
  if (!answer.refresh_token)
    throw new Error(
      `the login host ${loginBaseUrl} gave an access token but no refresh token: the client ${clientId} must be allowed the offline_access scope (offline access) there`,
    );
  const refreshToken = answer.refresh_token;

  // The first API call goes as a worker's would: through the shared chain, seeded with what the code bought.
  const config = { baseUrl, loginBaseUrl, clientId, clientSecret, refreshToken };
  const store = await ctx.openStore();
  const holder = 'holder' in store ? store.holder : new OwnTokens();
  try {
    await seedSharedTokenChain(holder, config, {
      accessToken: answer.access_token,
      expiresIn: answer.expires_in,
      obtainedAt,
    });
    const crm = new CrmofficeClient(config, { sharedTokens: holder });
    try {
      await crm.listUsers({ pageSize: 1 });
    } catch (err) {
      throw new Error(
        `the login host authorized Tandem, but the Crmoffice API at ${baseUrl} refused its first call (${err instanceof ApiError ? err.message : (err as Error).message}): check --base-url (CRMOFFICE_BASE_URL)`,
      );
    }
    say(`Crmoffice: authorized; the API at ${baseUrl} answered the first call (users).`);
    if ('unavailable' in store)
      say(
        `Note: the link store could not be opened (${store.unavailable}), so its token chain was not seeded; the first worker starts it from the saved refresh token.`,
      );
    else say('The link store now holds the token chain the workers share (seeded with this authorization).');
  } finally {
    if ('close' in store) await store.close();
  }
  return {
    section: 'crmoffice',
    settings: [
      ['CRMOFFICE_BASE_URL', baseUrl],
      ['CRMOFFICE_LOGIN_BASE_URL', loginBaseUrl],
      ['CRMOFFICE_CLIENT_ID', clientId],
    ],
    secrets: [
      { name: 'CRMOFFICE_CLIENT_SECRET', file: 'crmoffice-client-secret', value: clientSecret },
      { name: 'CRMOFFICE_REFRESH_TOKEN', file: 'crmoffice-refresh-token', value: refreshToken },
    ],
  };
}

/** Waits for the browser's redirect to the loopback listener, or a code or address pasted at the terminal. */
async function receiveCode(
  flags: CrmofficeConnectFlags,
  rt: CliRuntime,
  say: (line: string) => void,
  a: { loginBaseUrl: string; clientId: string; state: string; codeVerifier: string },
): Promise<{ code: string; redirectUri: string }> {
  const listener = await listenForRedirect(flags.redirectUri, a.state);
  const pasting = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  try {
    say('Open this address in a browser, sign in to Crmoffice as a user who may give Tandem access, and approve:');
    say(
      `  ${authorizeUrl(a.loginBaseUrl, { clientId: a.clientId, redirectUri: listener.redirectUri, state: a.state, codeChallenge: pkceChallenge(a.codeVerifier) })}`,
    );
    say(
      `Waiting up to ${flags.waitSeconds} s for the browser to come back to ${listener.redirectUri}${rt.ask ? ', or paste the address it was sent to (or the code) here' : ''} ...`,
    );
    const waits: Promise<Redirected>[] = [listener.result];
    if (rt.ask) {
      waits.push(
        rt.ask('Address or code: ', { signal: pasting.signal }).then(
          (typed) => parsePasted(typed, a.state),
          // Aborted once the browser's redirect came first: that one wins.
          () => new Promise<Redirected>(() => undefined),
        ),
      );
    }
    waits.push(
      new Promise<Redirected>(
        (_, reject) =>
          (timer = setTimeout(
            () =>
              reject(
                new Error(
                  `no authorization code came within ${flags.waitSeconds} s (--wait-seconds); run again, or use --no-wait and then --code`,
                ),
              ),
            flags.waitSeconds * 1000,
          )),
      ),
    );
    return { code: codeOf(await Promise.race(waits)), redirectUri: listener.redirectUri };
  } finally {
    clearTimeout(timer);
    pasting.abort();
    await listener.close();
  }
}

/** A pasted code, or the whole address the browser was sent to (its `state` then checked). */
function parsePasted(text: string, state: string): Redirected {
  const typed = text.trim();
  if (!typed) throw new Error('nothing was pasted: expected the address the browser was sent to, or the code in it');
  if (!/^https?:\/\//i.test(typed)) return { code: typed };
  const q = new URL(typed).searchParams;
  if (q.get('state') !== state)
    throw new Error(
      'the pasted address belongs to another authorization than this one (its state differs); start again',
    );
  const code = q.get('code');
  if (code) return { code };
  return {
    error: q.get('error') ?? 'invalid_request',
    description: q.get('error_description') ?? (q.get('error') ? undefined : 'the address has neither code nor error'),
  };
}

function codeOf(r: Redirected): string {
  if ('code' in r) return r.code;
  if (r.error === 'access_denied')
    throw new Error(
      `the authorization was declined at the login host (access_denied${r.description ? `: ${r.description}` : ''}); run again and approve`,
    );
  throw new Error(`the login host answered ${r.error}${r.description ? ` (${r.description})` : ''} instead of a code`);
}

function readPending(path: string, loginBaseUrl: string, clientId: string): Pending {
  if (!existsSync(path))
    throw new Error(
      `--code: no authorization was started here (${path} is missing); run \`tandem connect crmoffice --no-wait\` first, which prints the address to open`,
    );
  chmodSync(path, 0o600);
  const parsed = Pending.safeParse(
    (() => {
      try {
        return JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        return undefined;
      }
    })(),
  );
  if (!parsed.success)
    throw new Error(`--code: ${path} is not a pending authorization; run \`tandem connect crmoffice --no-wait\` again`);
  if (parsed.data.loginBaseUrl !== loginBaseUrl || parsed.data.clientId !== clientId) {
    throw new Error(
      `--code: the authorization started here was for the client ${parsed.data.clientId} at ${parsed.data.loginBaseUrl}, not ${clientId} at ${loginBaseUrl}`,
    );
  }
  return parsed.data;
}

function clientRefused(loginBaseUrl: string, clientId: string): string {
  return `the login host ${loginBaseUrl} refused the client (invalid_client): the client secret (CRMOFFICE_CLIENT_SECRET) is wrong for the client id ${clientId}, or that client id (CRMOFFICE_CLIENT_ID) is unknown there`;
}

function loginUnreachable(err: unknown, loginBaseUrl: string): Error {
  if (err instanceof ApiError && (err.status === 404 || err.status === undefined)) {
    return new Error(
      `no OAuth2 login host answers at ${loginBaseUrl} (${err.status ?? err.message.replace(/^.*: /, '')}): check --login-url (CRMOFFICE_LOGIN_BASE_URL), the customer's login host, where /connect/token lives`,
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}

function exchangeProblem(err: unknown, loginBaseUrl: string, clientId: string): string {
  if (err instanceof LoginRefused && err.error === 'invalid_client') return clientRefused(loginBaseUrl, clientId);
  if (err instanceof LoginRefused && err.error === 'invalid_grant') {
    return `the login host ${loginBaseUrl} refused the code (invalid_grant): it was already used, has expired (a code lives minutes), or was issued for another redirect URI or authorization; run again`;
  }
  return `exchanging the code at ${loginBaseUrl} failed: ${(err as Error).message}`;
}
