/**
 * `tandem connect zendesk`: signs in with the e-mail and API token (or an OAuth token), checks that
 * the user is an admin (Tandem reads the incremental exports and registers webhooks, which Zendesk
 * allows admins only), and only then saves the credential.
 */
import { ApiError } from '../../connectors/errors';
import { ZendeskClient } from '../../connectors/zendesk';
import type { CliRuntime } from '../context';
import { CredentialToSave } from './saved-credentials';
import { readSecret, required } from './secret-input';

export interface ZendeskConnectFlags {
  subdomain?: string;
  baseUrl?: string;
  email?: string;
  oauth?: boolean;
  timeout?: number;
}

const SUBDOMAIN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

function zendeskBaseUrl(flags: ZendeskConnectFlags, rt: CliRuntime): string {
  if (flags.subdomain !== undefined) {
    if (!SUBDOMAIN.test(flags.subdomain))
      throw new Error(
        `--subdomain "${flags.subdomain}": expected the subdomain alone, e.g. acme for https://acme.zendesk.com`,
      );
    return `https://${flags.subdomain.toLowerCase()}.zendesk.com/api/v2`;
  }
  const url = flags.baseUrl ?? rt.env.ZENDESK_BASE_URL;
  if (!url) throw new Error('--subdomain (or --base-url, or ZENDESK_BASE_URL) is required');
  return url.replace(/\/+$/, '');
}

export async function connectZendesk(
  flags: ZendeskConnectFlags,
  rt: CliRuntime,
  say: (line: string) => void,
): Promise<CredentialToSave> {
  const baseUrl = zendeskBaseUrl(flags, rt);
  const account = new URL(baseUrl).host;
  const email = flags.oauth ? undefined : required(flags.email, rt, 'ZENDESK_EMAIL', '--email');
  const secretName = flags.oauth ? 'ZENDESK_OAUTH_TOKEN' : 'ZENDESK_API_TOKEN';
  const secret = await readSecret(
    rt,
    secretName,
    flags.oauth ? 'Zendesk OAuth access token' : `Zendesk API token for ${email}`,
  );
  const credential = flags.oauth
    ? 'the OAuth token (ZENDESK_OAUTH_TOKEN)'
    : `ZENDESK_EMAIL ${email} with the API token (ZENDESK_API_TOKEN)`;
  const client = new ZendeskClient({
    baseUrl,
    email,
    apiToken: flags.oauth ? undefined : secret,
    oauthToken: flags.oauth ? secret : undefined,
    timeoutMs: flags.timeout,
  });

  say(`Checking ${credential} at ${baseUrl} ...`);
  let me;
  try {
    me = await client.getSignedInUser();
  } catch (err) {
    throw new Error(whatWentWrong(err, { baseUrl, account, credential, oauth: flags.oauth === true }));
  }
  if (me.id === null)
    throw new Error(
      `Zendesk at ${account} did not sign in ${credential}: it answered as an anonymous user; check the credential`,
    );
  if (me.role !== 'admin') {
    throw new Error(
      `${credential} signs in to ${account} as ${me.email ?? me.name ?? `user ${me.id}`}, whose role is ${me.role}, not admin: Tandem reads Zendesk's incremental exports and registers webhooks, which Zendesk allows admins only. ` +
        (flags.oauth
          ? 'Create the OAuth token as an admin.'
          : "Use an admin's e-mail: the API token works with any agent's or admin's."),
    );
  }
  say(`Zendesk: ${account} signs in ${me.name ?? ''} <${me.email ?? email}>, an admin.`);
  return {
    section: 'zendesk',
    settings: [['ZENDESK_BASE_URL', baseUrl], ...(email ? ([['ZENDESK_EMAIL', email]] as [string, string][]) : [])],
    secrets: [{ name: secretName, file: flags.oauth ? 'zendesk-oauth-token' : 'zendesk-api-token', value: secret }],
  };
}

function whatWentWrong(
  err: unknown,
  c: { baseUrl: string; account: string; credential: string; oauth: boolean },
): string {
  if (!(err instanceof ApiError)) return `checking Zendesk at ${c.baseUrl} failed: ${(err as Error).message}`;
  if (err.status === 401) {
    return `Zendesk at ${c.account} refused ${c.credential} (401): ${c.oauth ? 'the token is wrong, revoked or expired' : 'check the e-mail and the token, that the token is active and that token access is on (Admin Center > Apps and integrations > APIs)'}`;
  }
  if (err.status === 403)
    return `Zendesk at ${c.account} forbids ${c.credential} to read who it is (403): ${c.oauth ? 'the token lacks the read scope' : 'API token access may be off for this account'}`;
  // An unclaimed subdomain answers 404 ("no help desk configured at this address"); a wrong host does not answer.
  if (err.status === 404 || (err.status === undefined && /ENOTFOUND|EAI_AGAIN|ECONNREFUSED/.test(err.message))) {
    return `no Zendesk account answers at ${c.baseUrl} (${err.status ? `${err.status}` : err.message.replace(/^.*: /, '')}): check the subdomain (--subdomain, or --base-url ending in /api/v2)`;
  }
  return `checking Zendesk at ${c.baseUrl} failed: ${err.message}`;
}
