/**
 * The activity proxies of every workflow, with the timeouts and retry policy each kind of step needs.
 * Transient failures are retried without an attempt limit: an outage of any length delays a change,
 * never loses it. Permanent ones come back non-retryable and end the sync as a recorded failure.
 */
import type { Priority } from '@temporalio/common';
import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ApiActivities } from '../activities/api-steps';
import type { LocalActivities } from '../activities/local-steps';
import type { System } from '../protocol/ids';
import { tenantQueue } from '../protocol/tenants';
import { currentTenant } from './tenant';

/** Backoff between retries (capped, never ending); tests shorten it. */
export interface RetryTuning {
  initialIntervalMs?: number;
  maximumIntervalMs?: number;
  /** The pause before a record that answered "not found" is read again (default 60 s). */
  goneConfirmMs?: number;
  /** How long a pair waits for a referenced record's workflow to answer (default 10 minutes). */
  referenceWaitMs?: number;
}

function retryPolicy(tuning: RetryTuning = {}) {
  return {
    initialInterval: tuning.initialIntervalMs ?? 1000,
    maximumInterval: tuning.maximumIntervalMs ?? 60_000,
    backoffCoefficient: 2,
  };
}

/**
 * Bulk work (a first sync, a full pass: a poll reading its feed from the start) is dispatched after
 * everything else waiting on the same task queue, so a person's edit made meanwhile does not queue
 * behind thousands of records. Temporal's task priority: 1 goes first, 3 is the default, 5 last; a
 * pair workflow and its activities inherit the priority of the poll that started it.
 */
export const BULK: Priority = { priorityKey: 4 };

/**
 * Steps that call a system, on that system's task queue of the workflow's tenant (its activity rate
 * is the limit of the tenant's account).
 */
export function apiSteps(system: System, tuning?: RetryTuning, priority?: Priority) {
  return proxyActivities<ApiActivities>({
    taskQueue: tenantQueue(system, currentTenant()),
    priority,
    // One HTTP call (the connectors time out after 30 s): past this, a worker that died mid-call is
    // given up on and the step retried elsewhere.
    startToCloseTimeout: '40 seconds',
    retry: retryPolicy(tuning),
  });
}

/** The link store and the decisions: quick, local, retried without limit (a busy store is transient). */
export function localSteps(tuning?: RetryTuning) {
  return proxyLocalActivities<LocalActivities>({ startToCloseTimeout: '30 seconds', retry: retryPolicy(tuning) });
}

/**
 * Bringing a target index up to date (poll.ts): a few attempts only, for the index saves calls but
 * is not needed: while a target is down, its pairs search as they did, and the pages of a feed that
 * also serves another system's flows are not held back.
 */
export function indexSteps(system: System, tuning?: RetryTuning, priority?: Priority) {
  return proxyActivities<Pick<ApiActivities, 'refreshTargetIndex'>>({
    taskQueue: tenantQueue(system, currentTenant()),
    priority,
    startToCloseTimeout: '40 seconds',
    retry: { ...retryPolicy(tuning), maximumAttempts: 3 },
  });
}

/** The steps of a pair's sync in a workflow: its target system's queue for the target's calls. */
export function pairSteps(targetSystem: System, tuning?: RetryTuning) {
  return { zendesk: apiSteps('zendesk', tuning), target: apiSteps(targetSystem, tuning), local: localSteps(tuning) };
}
