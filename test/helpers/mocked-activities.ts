/**
 * Workflow tests with mocked activities on a real dev server: the workers of every task queue, each
 * step answering what the test says, and the records they answer with.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { ApiActivities } from '../../activities/api-steps';
import type { LocalActivities } from '../../activities/local-steps';
import type { Link } from '../../store';
import { createMetrics } from '../../workers/metrics';
import { tandemSinks } from '../../workers/worker';
import { SYSTEMS, TASK_QUEUE } from '../../protocol/ids';
import { PRODUCTION_WORKFLOWS, workflowBundle } from './workflow-bundle';

export const Z3 = 'zendesk-users-to-crmoffice-contacts' as const;
export const user = {
  id: 42,
  name: 'Ada Lovelace',
  email: 'ada@example.no',
  role: 'end-user',
  updated_at: '2024-01-01T10:00:00Z',
};
export const contact = {
  id: 'c-1',
  givenName: 'Ada',
  familyName: 'Lovelace',
  email: 'ada@example.no',
  updatedAt: '2024-01-01T10:00:00Z',
};

/** The Z3 link of a Zendesk user to `contact`, as the store answers it. */
export function linkedContact(zendeskId: string): Link {
  return {
    flowId: Z3,
    zendeskId,
    targetId: contact.id,
    state: 'linked',
    base: {},
    version: 1,
    lastError: null,
    lastSyncedAt: null,
    updatedAt: '',
  };
}

export type Mocks = { api: Partial<ApiActivities>; local: Partial<LocalActivities> };

/**
 * Runs `fn` while workers poll every task queue of `env`'s namespace: the workflows with `m.local`,
 * each system's queue with `m.api`. The workflows (and interceptors) are bundled once a run.
 */
export async function withWorkers<T>(
  env: TestWorkflowEnvironment,
  m: Mocks,
  fn: () => Promise<T>,
  {
    workflowsPath = PRODUCTION_WORKFLOWS,
    workflowInterceptors = [],
  }: { workflowsPath?: string; workflowInterceptors?: string[] } = {},
): Promise<T> {
  const { nativeConnection: connection, namespace } = env;
  const workers = [
    await Worker.create({
      connection,
      namespace,
      taskQueue: TASK_QUEUE,
      workflowBundle: await workflowBundle(workflowsPath, workflowInterceptors),
      activities: m.local,
      sinks: tandemSinks(createMetrics()),
    }),
    ...(await Promise.all(
      SYSTEMS.map((taskQueue) => Worker.create({ connection, namespace, taskQueue, activities: m.api })),
    )),
  ];
  const [first, ...rest] = workers;
  return first.runUntil(async () => {
    const running = rest.map((w) => w.run());
    try {
      return await fn();
    } finally {
      for (const w of rest) w.shutdown();
      await Promise.all(running);
    }
  });
}
