import { z } from 'zod';

/**
 * How to reach one Zendesk account. `baseUrl` includes `/api/v2`
 * (e.g. `https://acme.zendesk.com/api/v2`, or `${simulator.url}/api/v2`).
 * Either an API token (with the agent's e-mail) or an OAuth access token must be given.
 */
export const ZendeskConfig = z
  .object({
    baseUrl: z.string().url(),
    email: z.string().min(1).optional(),
    apiToken: z.string().min(1).optional(),
    oauthToken: z.string().min(1).optional(),
    timeoutMs: z.number().int().positive().optional(),
    /** Pacing of this process's requests; 0 = none. Default: the system's published limit. */
  })
  .refine((c) => Boolean(c.oauthToken) || (Boolean(c.email) && Boolean(c.apiToken)), {
    message: 'Zendesk needs either oauthToken, or email together with apiToken',
    path: ['apiToken'],
  });
export type ZendeskConfig = z.infer<typeof ZendeskConfig>;

/** The Authorization header value; OAuth wins when both are configured. */
export function zendeskAuthHeader(config: ZendeskConfig): string {
  if (config.oauthToken) return `Bearer ${config.oauthToken}`;
  return `Basic ${Buffer.from(`${config.email}/token:${config.apiToken}`).toString('base64')}`;
}
