/**
 * The person the chaos run plays: edits and reads made through the simulators' HTTP APIs, as someone
 * working in Zendesk, PowerOffice Go and Crmoffice would make them. Each request carries the
 * simulators' person header, so it is neither held to the integration's rate limit nor failed on
 * purpose, and the simulators' figures stay Tandem's own.
 */
import axios from 'axios';
import { PowerOfficeTokenProvider } from '../../connectors/poweroffice';
import { zendeskAuthHeader } from '../../connectors/zendesk';
import type { AllSimulators } from '../../simulators/all';
import { PERSON_HEADER } from '../../simulators/kit';
import { createConnectors } from '../../workers/connectors';
import type { Connectors } from '../../activities/record-access';

export interface Person extends Connectors {
  deleteZendeskUser(id: string): Promise<void>;
  deleteEmployee(id: string): Promise<void>;
}

export function personAt(sims: AllSimulators): Person {
  // Connectors build their axios instances from the defaults: this process's requests are the person's
  // (the workers are other processes and do not carry it).
  axios.defaults.headers.common[PERSON_HEADER] = 'person';
  const connectors = createConnectors(sims.configs);
  const tokens = new PowerOfficeTokenProvider(sims.configs.poweroffice);
  const send = async (url: string, init: RequestInit) => {
    const res = await fetch(url, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), [PERSON_HEADER]: 'person' },
    });
    if (!res.ok) throw new Error(`${init.method} ${url}: ${res.status} ${await res.text()}`);
  };
  return {
    ...connectors,
    deleteZendeskUser: (id) =>
      send(`${sims.configs.zendesk.baseUrl}/users/${id}`, {
        method: 'DELETE',
        headers: { Authorization: zendeskAuthHeader(sims.configs.zendesk) },
      }),
    deleteEmployee: async (id) =>
      send(`${sims.configs.poweroffice.baseUrl}/Employees/${id}`, {
        method: 'DELETE',
        headers: {
          Authorization: `Bearer ${await tokens.getToken()}`,
          'Ocp-Apim-Subscription-Key': sims.configs.poweroffice.subscriptionKey,
        },
      }),
  };
}
