import { workflowInfo } from '@temporalio/workflow';
import { tenantOfQueue } from '../protocol/tenants';

/** The tenant this workflow serves: its task queue's (protocol/tenants.ts). */
export function currentTenant(): string {
  return tenantOfQueue(workflowInfo().taskQueue);
}
