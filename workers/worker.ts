/** The Tandem worker: the workflows bundle and the activities, on the Tandem task queue. */
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, ActivityDeps } from '../activities';
import { TASK_QUEUE } from '../workflows/ids';

export interface WorkerOptions {
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  deps: ActivityDeps;
}

export async function createWorker(opts: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace ?? 'default',
    taskQueue: opts.taskQueue ?? TASK_QUEUE,
    workflowsPath: require.resolve('../workflows'),
    activities: createActivities(opts.deps),
  });
}

/**
 * Stops a running worker and waits for it to finish its tasks. The SDK already begins shutting down
 * by itself on SIGINT/SIGTERM, so asking again is only for a worker that is still running.
 */
export async function stopWorker(worker: Worker, running: Promise<void>): Promise<void> {
  if (worker.getState() === 'RUNNING') worker.shutdown();
  await running;
}
