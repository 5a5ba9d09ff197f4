/**
 * `tandem connect poweroffice`: signs in with the three keys (client credentials) and reads a
 * department and an employee, the records Tandem syncs, before saving anything.
 */
import { ApiError } from '../../connectors/errors';
import { PowerOfficeClient } from '../../connectors/poweroffice';
import { tokenUrlOf } from '../../connectors/poweroffice/config';
import type { CliRuntime } from '../context';
import { CredentialToSave } from './saved-credentials';
import { readSecret } from './secret-input';

export interface PowerOfficeConnectFlags {
  demo?: boolean;
  baseUrl?: string;
  tokenUrl?: string;
  timeout?: number;
}

const POWEROFFICE_PRODUCTION = 'https://goapi.poweroffice.net/v2';
const POWEROFFICE_DEMO = 'https://goapi.poweroffice.net/Demo/v2';

const KEYS = {
  applicationKey: "POWEROFFICE_APPLICATION_KEY (the integration's application key)",
  clientKey:
    'POWEROFFICE_CLIENT_KEY (the client key the customer got by activating the integration on their Go client)',
  subscriptionKey: 'POWEROFFICE_SUBSCRIPTION_KEY (the product subscription key of the developer portal)',
};

export async function connectPowerOffice(
  flags: PowerOfficeConnectFlags,
  rt: CliRuntime,
  say: (line: string) => void,
): Promise<CredentialToSave> {
  if (flags.demo && flags.baseUrl) throw new Error('give --demo or --base-url, not both');
  const baseUrl = (
    flags.demo ? POWEROFFICE_DEMO : (flags.baseUrl ?? rt.env.POWEROFFICE_BASE_URL ?? POWEROFFICE_PRODUCTION)
  ).replace(/\/+$/, '');
  const tokenUrl = flags.tokenUrl ?? rt.env.POWEROFFICE_TOKEN_URL;
  const applicationKey = await readSecret(rt, 'POWEROFFICE_APPLICATION_KEY', 'PowerOffice Go application key');
  const clientKey = await readSecret(rt, 'POWEROFFICE_CLIENT_KEY', 'PowerOffice Go client key');
  const subscriptionKey = await readSecret(rt, 'POWEROFFICE_SUBSCRIPTION_KEY', 'PowerOffice Go subscription key');
  const config = { baseUrl, tokenUrl, applicationKey, clientKey, subscriptionKey, timeoutMs: flags.timeout };
  const signInAt = tokenUrlOf(config);
  const client = new PowerOfficeClient(config);

  say(`Signing in at ${signInAt} ...`);
  try {
    await client.auth.getToken();
  } catch (err) {
    throw new Error(signInProblem(err, signInAt, baseUrl));
  }
  for (const [what, read] of [
    ['Departments', () => client.listDepartments({ pageSize: 1 })],
    ['Employees', () => client.listEmployees({ pageSize: 1 })],
  ] as const) {
    try {
      await read();
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) {
        throw new Error(
          `PowerOffice Go signed in, but forbids reading ${what} (403): the integration lacks that privilege on this client, or the client has no subscription to the module; the client's administrator can grant it (the API's Client Integration Information lists what is missing)`,
        );
      }
      throw new Error(`PowerOffice Go signed in, but reading ${what} at ${baseUrl} failed: ${(err as Error).message}`);
    }
  }
  say(`PowerOffice Go: signed in at ${signInAt}; departments and employees can be read.`);
  return {
    section: 'poweroffice',
    settings: [
      ['POWEROFFICE_BASE_URL', baseUrl],
      ...(tokenUrl ? ([['POWEROFFICE_TOKEN_URL', tokenUrl]] as [string, string][]) : []),
    ],
    secrets: [
      { name: 'POWEROFFICE_APPLICATION_KEY', file: 'poweroffice-application-key', value: applicationKey },
      { name: 'POWEROFFICE_CLIENT_KEY', file: 'poweroffice-client-key', value: clientKey },
      { name: 'POWEROFFICE_SUBSCRIPTION_KEY', file: 'poweroffice-subscription-key', value: subscriptionKey },
    ],
  };
}

function signInProblem(err: unknown, signInAt: string, baseUrl: string): string {
  if (!(err instanceof ApiError)) return `signing in at ${signInAt} failed: ${(err as Error).message}`;
  // The API gateway checks the subscription key before anything else, in its own words.
  if (err.status === 401 && /subscription key/i.test(err.message)) {
    return `PowerOffice Go refused ${KEYS.subscriptionKey} (401): check it, and that it is for the same environment (demo or production) as ${baseUrl}`;
  }
  if ((err.status === 400 || err.status === 401) && /invalid_client|unauthorized_client/.test(err.message)) {
    return (
      `PowerOffice Go refused the application key and client key (${err.status} invalid_client): check ${KEYS.applicationKey}, and ${KEYS.clientKey}: ` +
      'a client key works only once the integration is activated on that client (Go: Settings > Extensions), and keys of demo and production do not mix'
    );
  }
  if (err.status === 404 || (err.status === undefined && /ENOTFOUND|EAI_AGAIN|ECONNREFUSED/.test(err.message))) {
    return `no PowerOffice Go token endpoint answers at ${signInAt} (${err.status ?? err.message.replace(/^.*: /, '')}): check --base-url (it ends in /v2) or --token-url`;
  }
  return `signing in at ${signInAt} failed: ${err.message}`;
}
