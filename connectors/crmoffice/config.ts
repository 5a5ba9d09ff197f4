import { z } from 'zod';

/** What the Crmoffice connector needs. The refresh token may rotate: see `onRefreshTokenRotated`. */
export const CrmofficeConfig = z.object({
  /** API base, e.g. `https://api.crmoffice.no` (resource paths are appended, see api-assumptions). */
  baseUrl: z.url(),
  /** The customer's login host, where `/connect/token` lives. */
  loginBaseUrl: z.url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  refreshToken: z.string().min(1),
  timeoutMs: z.number().int().positive().optional(),
  /** Pacing of this process's requests; 0 = none. Default: the system's published limit. */
});
export type CrmofficeConfig = z.infer<typeof CrmofficeConfig>;

/**
 * Validates a config; the error names the fields only, never a value (values include secrets).
 */
export function parseCrmofficeConfig(input: unknown): CrmofficeConfig {
  const parsed = CrmofficeConfig.safeParse(input);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((i) => i.path.join('.') || '(config)');
  throw new Error(`crmoffice config: invalid or missing ${[...new Set(fields)].join(', ')}`);
}

/** Reads `CRMOFFICE_*` variables; undefined when none of them is set. */
export function crmofficeConfigFromEnv(env: NodeJS.ProcessEnv = process.env): CrmofficeConfig | undefined {
  const raw = {
    baseUrl: env.CRMOFFICE_BASE_URL,
    loginBaseUrl: env.CRMOFFICE_LOGIN_BASE_URL,
    clientId: env.CRMOFFICE_CLIENT_ID,
    clientSecret: env.CRMOFFICE_CLIENT_SECRET,
    refreshToken: env.CRMOFFICE_REFRESH_TOKEN,
    timeoutMs: env.CRMOFFICE_TIMEOUT_MS ? Number(env.CRMOFFICE_TIMEOUT_MS) : undefined,
  };
  if (Object.values(raw).every((v) => v === undefined || v === '')) return undefined;
  return parseCrmofficeConfig(raw);
}
