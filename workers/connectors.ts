import { CrmofficeClient, CrmofficeConfig } from '../connectors/crmoffice';
import { PowerOfficeClient, PowerOfficeConfig } from '../connectors/poweroffice';
import { ZendeskClient, ZendeskConfig } from '../connectors/zendesk';
import type { Connectors } from '../activities/record-access';

export function createConnectors(configs: { zendesk: ZendeskConfig; poweroffice: PowerOfficeConfig; crmoffice: CrmofficeConfig }): Connectors {
  return {
    zendesk: new ZendeskClient(configs.zendesk),
    poweroffice: new PowerOfficeClient(configs.poweroffice),
    crmoffice: new CrmofficeClient(configs.crmoffice),
  };
}
