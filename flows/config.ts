/**
 * Per-installation knobs of the flow conditions. The spec makes P2's condition configurable
 * (which Zendesk roles become PowerOffice employees); everything else is fixed by the spec.
 */
import { z } from 'zod';

const ZENDESK_ROLES = ['end-user', 'agent', 'admin'] as const;

export const FlowsConfigSchema = z
  .object({
    /** Zendesk user roles that become PowerOffice Go employees (P2). */
    employeeRoles: z.array(z.enum(ZENDESK_ROLES)).min(1, 'name at least one role').default(['agent', 'admin']),
  })
  .strict();

export type FlowsConfig = z.infer<typeof FlowsConfigSchema>;

export const DEFAULT_FLOWS_CONFIG: FlowsConfig = Object.freeze({ employeeRoles: ['agent', 'admin'] }) as FlowsConfig;

/** Parses the flows section of the configuration; throws naming each bad field. */
export function parseFlowsConfig(input: unknown, where = 'flows config'): FlowsConfig {
  const parsed = FlowsConfigSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new Error(`${where} is invalid: ${issues.join('; ')}`);
}
