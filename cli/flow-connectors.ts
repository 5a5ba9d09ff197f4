/**
 * Connectors for one flow: a flow touches Zendesk and its own target system only, so the other
 * system may be unconfigured; using it anyway fails loudly rather than with an undefined.
 */
import type { Connectors } from '../activities/record-access';
import { CrmofficeClient } from '../connectors/crmoffice';
import { PowerOfficeClient } from '../connectors/poweroffice';
import { ZendeskClient } from '../connectors/zendesk';
import { getFlow, type FlowId } from '../flows';
import type { SharedTokenHolder } from '../connectors/token-sharing';
import type { Config } from '../workers/config';

export const FLOW_CONNECTOR_SECTIONS = ['zendesk', 'poweroffice', 'crmoffice'] as const;

/** Pass the link store as `sharedTokens` so a command spends the workers' Crmoffice refresh token chain, not a stale copy. */
export function flowConnectors(
  config: Pick<Config, 'zendesk'> & Partial<Config>,
  flowId: FlowId,
  sharedTokens?: SharedTokenHolder,
): Connectors {
  const system = getFlow(flowId).target.system;
  if (!config[system])
    throw new Error(
      `${flowId} needs the ${system} configuration (set ${system === 'poweroffice' ? 'POWEROFFICE_*' : 'CRMOFFICE_*'})`,
    );
  const unconfigured = <T extends object>(name: string): T =>
    new Proxy({} as T, {
      get: () => {
        throw new Error(`${name} is not configured`);
      },
    });
  return {
    zendesk: new ZendeskClient(config.zendesk),
    poweroffice: config.poweroffice
      ? new PowerOfficeClient(config.poweroffice, { sharedTokens })
      : unconfigured<PowerOfficeClient>('PowerOffice Go'),
    crmoffice: config.crmoffice
      ? new CrmofficeClient(config.crmoffice, { sharedTokens })
      : unconfigured<CrmofficeClient>('Crmoffice'),
  };
}
