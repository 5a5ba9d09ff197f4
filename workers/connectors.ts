import { CrmofficeClient, CrmofficeConfig } from '../connectors/crmoffice';
import { PowerOfficeClient, PowerOfficeConfig } from '../connectors/poweroffice';
import type { SharedTokenHolder } from '../connectors/token-sharing';
import { ZendeskClient, ZendeskConfig } from '../connectors/zendesk';
import type { Connectors } from '../activities/record-access';

/**
 * The API clients of a worker. Pass the link store as `sharedTokens` wherever several processes may
 * run: the Crmoffice refresh token rotates on every use, so workers must spend one shared chain.
 */
export function createConnectors(
  configs: { zendesk: ZendeskConfig; poweroffice: PowerOfficeConfig; crmoffice: CrmofficeConfig },
  options: { sharedTokens?: SharedTokenHolder } = {},
): Connectors {
  return {
    zendesk: new ZendeskClient(configs.zendesk),
    poweroffice: new PowerOfficeClient(configs.poweroffice, { sharedTokens: options.sharedTokens }),
    crmoffice: new CrmofficeClient(configs.crmoffice, { sharedTokens: options.sharedTokens }),
  };
}
