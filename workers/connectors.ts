import { CrmofficeClient, CrmofficeConfig } from '../connectors/crmoffice';
import { PowerOfficeClient, PowerOfficeConfig } from '../connectors/poweroffice';
import type { SystemName } from '../connectors/errors';
import type { Pacer } from '../connectors/pacer';
import type { SharedTokenHolder } from '../connectors/token-sharing';
import { ZendeskClient, ZendeskConfig } from '../connectors/zendesk';
import type { Connectors } from '../activities/record-access';

/**
 * The API clients of a worker. Pass the link store as `sharedTokens` wherever several processes may
 * run: the Crmoffice refresh token rotates on every use, so workers must spend one shared chain. A
 * worker passes its `pacers` (workers/rate-share.ts); a person's or a test's own calls are not paced.
 */
export function createConnectors(
  configs: { zendesk: ZendeskConfig; poweroffice: PowerOfficeConfig; crmoffice: CrmofficeConfig },
  options: { sharedTokens?: SharedTokenHolder; pacers?: Partial<Record<SystemName, Pacer>> } = {},
): Connectors {
  const { sharedTokens, pacers = {} } = options;
  return {
    zendesk: new ZendeskClient(configs.zendesk, { pace: pacers.zendesk }),
    poweroffice: new PowerOfficeClient(configs.poweroffice, { sharedTokens, pace: pacers.poweroffice }),
    crmoffice: new CrmofficeClient(configs.crmoffice, { sharedTokens, pace: pacers.crmoffice }),
  };
}
