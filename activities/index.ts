/**
 * The activities of the worker, made from their dependencies: the API steps (each system's task
 * queue runs them) and the local steps (store and decisions, run by the workflows' worker).
 * Workflows import these modules as types only, so none of it enters the workflow bundle.
 */
import { createApiActivities, type ApiStepDeps } from './api-steps';
import { createLocalActivities } from './local-steps';

export type ActivityDeps = ApiStepDeps;

export function createActivities(deps: ActivityDeps) {
  return { api: createApiActivities(deps), local: createLocalActivities(deps) };
}

export type { SyncHooks } from './api-steps';
