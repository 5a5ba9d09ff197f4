/** The three simulators together, as `tandem dev`, `tandem simulators` and the scenario tests run them. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CrmofficeConfig } from '../connectors/crmoffice';
import type { PowerOfficeConfig } from '../connectors/poweroffice';
import type { ZendeskConfig } from '../connectors/zendesk';
import type { SimulatorOptions } from './kit';
import { CrmofficeSimulator, startCrmofficeSimulator } from './crmoffice';
import { PowerOfficeSimulator, PowerOfficeSimulatorOptions, startPowerOfficeSimulator } from './poweroffice';
import { ZendeskSimulator, ZendeskSimulatorOptions, startZendeskSimulator } from './zendesk';

export interface AllSimulatorsOptions {
  /** Zendesk sample users (organisations, tickets and comments in proportion); 0 for none. */
  sampleSize?: number;
  seed?: number;
  ports?: { zendesk?: number; poweroffice?: number; crmoffice?: number };
  /** Where the Zendesk simulator sends its signed webhooks. */
  webhookUrl?: string;
  /**
   * Rate limits as the real APIs (default), or off, for tests that are not about them: that also
   * hands out Zendesk's export changes at once, rather than a minute late (see `exportDelaySeconds`).
   */
  realRateLimits?: boolean;
  /**
   * Seconds Zendesk's incremental exports leave out before each request: 60 as the real API, unless
   * `realRateLimits` is false (then 0). A test turns it on again with `POST /_sim/exports`.
   */
  exportDelaySeconds?: number;
  /** Fixed credentials, so a restarted `tandem dev` keeps working with the same settings. */
  fixedCredentials?: boolean;
  /** Keep the records across restarts: loaded from here at start, saved here at stop (by the kit). */
  snapshotDir?: string;
  /** Per simulator: called after each request was handled, before its answer is sent (fault tests). */
  beforeAnswer?: {
    zendesk?: SimulatorOptions['beforeAnswer'];
    poweroffice?: SimulatorOptions['beforeAnswer'];
    crmoffice?: SimulatorOptions['beforeAnswer'];
  };
  /** Per simulator: requests answered with the status it names, every time (a record that keeps failing). */
  failWhen?: {
    zendesk?: SimulatorOptions['failWhen'];
    poweroffice?: SimulatorOptions['failWhen'];
    crmoffice?: SimulatorOptions['failWhen'];
  };
  /** Resources beyond those Tandem ships (an extension's record types). */
  resources?: {
    zendesk?: ZendeskSimulatorOptions['resources'];
    poweroffice?: PowerOfficeSimulatorOptions['resources'];
  };
}

export interface AllSimulators {
  zendesk: ZendeskSimulator;
  poweroffice: PowerOfficeSimulator;
  crmoffice: CrmofficeSimulator;
  /** Connector settings pointing at the simulators (these hold the credentials). */
  configs: { zendesk: ZendeskConfig; poweroffice: PowerOfficeConfig; crmoffice: CrmofficeConfig };
  /** The signing secret of the webhook pointed at `webhookUrl`. */
  webhookSecret: string;
  stop(): Promise<void>;
}

const DEV_SECRET = 'tandem-dev';

export async function startAllSimulators(opts: AllSimulatorsOptions = {}): Promise<AllSimulators> {
  const off = opts.realRateLimits === false ? { rateLimit: { limit: 0, windowMs: 1000 } } : {};
  const fixed = opts.fixedCredentials;
  if (opts.snapshotDir) mkdirSync(opts.snapshotDir, { recursive: true });
  const snapshot = (name: string) => (opts.snapshotDir ? { snapshotPath: join(opts.snapshotDir, `${name}.json`) } : {});
  const zendesk = await startZendeskSimulator({
    port: opts.ports?.zendesk ?? 0,
    seed: opts.seed ?? 1,
    sample: { size: opts.sampleSize ?? 40 },
    webhookUrl: opts.webhookUrl,
    ...(fixed
      ? {
          credentials: { email: 'dev@tandem.example', apiToken: `${DEV_SECRET}-zendesk` },
          webhookSecret: `${DEV_SECRET}-webhook`,
        }
      : {}),
    ...snapshot('zendesk'),
    beforeAnswer: opts.beforeAnswer?.zendesk,
    resources: opts.resources?.zendesk,
    failWhen: opts.failWhen?.zendesk,
    ...off,
    ...(opts.realRateLimits === false ? { exportRateLimit: { limit: 0, windowMs: 60_000 } } : {}),
    // Like the export budget, the minute held back is the exports' own limit: off with the limits,
    // since most scenario tests poll Zendesk right after changing it.
    exportDelaySeconds: opts.exportDelaySeconds ?? (opts.realRateLimits === false ? 0 : 60),
  });
  // One that cannot start (its port in use) stops those started before it: nothing is left listening.
  const started: { stop(): Promise<void> }[] = [zendesk];
  const orStop = async <T extends { stop(): Promise<void> }>(start: Promise<T>): Promise<T> => {
    try {
      const sim = await start;
      started.push(sim);
      return sim;
    } catch (err) {
      await Promise.all(started.map((sim) => sim.stop()));
      throw err;
    }
  };
  const poweroffice = await orStop(
    startPowerOfficeSimulator({
      port: opts.ports?.poweroffice ?? 0,
      seed: opts.seed ?? 1,
      ...(fixed
        ? {
            credentials: {
              applicationKey: `${DEV_SECRET}-app`,
              clientKey: `${DEV_SECRET}-client`,
              subscriptionKey: `${DEV_SECRET}-subscription`,
            },
          }
        : {}),
      ...snapshot('poweroffice'),
      beforeAnswer: opts.beforeAnswer?.poweroffice,
      failWhen: opts.failWhen?.poweroffice,
      resources: opts.resources?.poweroffice,
      ...off,
    }),
  );
  const crmoffice = await orStop(
    startCrmofficeSimulator({
      port: opts.ports?.crmoffice ?? 0,
      seed: opts.seed ?? 1,
      ...(fixed
        ? { clientId: 'tandem-dev', clientSecret: `${DEV_SECRET}-crm`, refreshToken: `${DEV_SECRET}-refresh` }
        : {}),
      ...snapshot('crmoffice'),
      beforeAnswer: opts.beforeAnswer?.crmoffice,
      failWhen: opts.failWhen?.crmoffice,
      ...off,
    }),
  );
  return {
    zendesk,
    poweroffice,
    crmoffice,
    configs: {
      zendesk: {
        baseUrl: `${zendesk.url}/api/v2`,
        email: zendesk.credentials.email,
        apiToken: zendesk.credentials.apiToken,
      },
      poweroffice: { baseUrl: poweroffice.apiUrl, tokenUrl: poweroffice.tokenUrl, ...poweroffice.credentials },
      crmoffice: { baseUrl: crmoffice.url, loginBaseUrl: crmoffice.loginUrl, ...crmoffice.credentials },
    },
    webhookSecret: zendesk.webhookSecret ?? '',
    async stop() {
      await Promise.all([zendesk.stop(), poweroffice.stop(), crmoffice.stop()]);
    },
  };
}
