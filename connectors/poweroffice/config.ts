import { z } from 'zod';

/** Where and as whom Tandem talks to one PowerOffice Go client (one subscription key = one customer). */
export const PowerOfficeConfig = z.object({
  /** API base including `/v2`, e.g. `https://goapi.poweroffice.net/Demo/v2` or `${simulatorUrl}/v2`. */
  baseUrl: z.url(),
  /** Defaults to `${baseUrl}/OAuth/Token` (same environment as the API: demo and production keys do not mix). */
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

export function tokenUrlOf(config: PowerOfficeConfig): string {
  return config.tokenUrl ?? `${config.baseUrl.replace(/\/+$/, '')}/OAuth/Token`;
}
