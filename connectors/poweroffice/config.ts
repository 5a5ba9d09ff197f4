import { z } from 'zod';

/** Where and as whom Tandem talks to one PowerOffice Go client (one subscription key = one customer). */
export const PowerOfficeConfig = z.object({
  /** API base including `/v2`, e.g. `https://goapi.poweroffice.net/Demo/v2` or `${simulatorUrl}/v2`. */
  baseUrl: z.url(),
  /**
   * Defaults to the base URL without its `/v2`, plus `/OAuth/Token`: the token endpoint sits outside the
   * API version (`…/v2` → `…/OAuth/Token`, `…/Demo/v2` → `…/Demo/OAuth/Token`), in the same
   * environment as the API (demo and production keys do not mix).
   */
  tokenUrl: z.url().optional(),
  applicationKey: z.string().min(1),
  clientKey: z.string().min(1),
  subscriptionKey: z.string().min(1),
  timeoutMs: z.number().int().positive().optional(),
  /** Pacing of this process's requests; 0 = none. Default: the system's published limit. */
});
export type PowerOfficeConfig = z.infer<typeof PowerOfficeConfig>;

/** Parses the config; its error never repeats the keys' values, only which field is wrong. */
export function parsePowerOfficeConfig(input: unknown): PowerOfficeConfig {
  const parsed = PowerOfficeConfig.safeParse(input);
  if (parsed.success) return { ...parsed.data, baseUrl: parsed.data.baseUrl.replace(/\/+$/, '') };
  const issue = parsed.error.issues[0];
  throw new Error(`PowerOffice Go config: \`${issue.path.join('.') || '(config)'}\` ${issue.message}`);
}

/** The token endpoint: `tokenUrl`, or the base URL with its trailing version segment (`/v2`) replaced by `/OAuth/Token`. */
export function tokenUrlOf(config: Pick<PowerOfficeConfig, 'baseUrl' | 'tokenUrl'>): string {
  if (config.tokenUrl) return config.tokenUrl;
  const url = new URL(config.baseUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '').replace(/\/v\d+$/i, '')}/OAuth/Token`;
  url.search = '';
  url.hash = '';
  return url.toString();
}
