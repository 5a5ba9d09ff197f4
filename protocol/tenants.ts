/**
 * Tenants: the customers one installation serves, each with its own three accounts. A tenant's
 * workflows run on task queues of its own (`tandem@acme`, `zendesk@acme`, …), so each system's rate
 * is held per tenant by the server, and their ids start with the tenant (`acme:zendesk/users/7`).
 * The `default` tenant, an installation's own accounts, keeps the names it had before tenants were
 * there (`tandem`, `zendesk/users/7`): an upgraded installation's workflows and schedules carry on.
 */

export const DEFAULT_TENANT = 'default';

const TENANT_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** The tenant's name, or an error naming what a name may hold. */
export function checkTenantName(name: string): string {
  if (!TENANT_NAME.test(name))
    throw new Error(
      `tenant name "${name}" is not valid: use 1 to 40 lowercase letters, digits and hyphens, starting with a letter`,
    );
  return name;
}

/** A tenant's own copy of a task queue (`tandem`, or a system's). */
export function tenantQueue(queue: string, tenant: string): string {
  return tenant === DEFAULT_TENANT ? queue : `${queue}@${tenant}`;
}

/** The tenant whose task queue this is. */
export function tenantOfQueue(queue: string): string {
  const at = queue.lastIndexOf('@');
  return at < 0 ? DEFAULT_TENANT : queue.slice(at + 1);
}

/** A tenant's id for a workflow or schedule named `id` (ids never hold `:` before their first `/`). */
export function tenantWorkflowId(id: string, tenant: string): string {
  return tenant === DEFAULT_TENANT ? id : `${tenant}:${id}`;
}

/** The tenant a workflow or schedule id belongs to, and the id within it. */
export function splitTenantWorkflowId(id: string): { tenant: string; id: string } {
  const colon = id.indexOf(':');
  const slash = id.indexOf('/');
  if (colon > 0 && (slash < 0 || colon < slash) && TENANT_NAME.test(id.slice(0, colon)))
    return { tenant: id.slice(0, colon), id: id.slice(colon + 1) };
  return { tenant: DEFAULT_TENANT, id };
}
