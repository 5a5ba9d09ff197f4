/**
 * Why a poll shows no progress, in the words of its cause: an activity that keeps failing (an API
 * answering 500, a refused credential) is not the same as no worker at all.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { redactUrlPasswords } from '../protocol/redact';

/** Temporal's TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW (wire protocol). */
const TASK_QUEUE_TYPE_WORKFLOW = 1;

export async function whyNoProgress(
  client: Client,
  handle: WorkflowHandle,
  opts: { namespace: string; taskQueue: string },
): Promise<string> {
  const d = await handle.describe().catch(() => undefined);
  const pending = d?.raw.pendingActivities ?? [];
  const failing = pending.find((a) => a.lastFailure?.message);
  if (failing) {
    const type = failing.activityType?.name ?? 'an activity';
    return `no page done yet: ${type} is retrying (attempt ${failing.attempt ?? '?'}) after: ${redactUrlPasswords(failing.lastFailure!.message!)}`;
  }
  if (pending.length) return `no page done yet: ${pending.length} activity(ies) running; the API may be slow`;
  const tq = await client.workflowService
    .describeTaskQueue({
      namespace: opts.namespace,
      taskQueue: { name: opts.taskQueue },
      taskQueueType: TASK_QUEUE_TYPE_WORKFLOW,
    })
    .catch(() => undefined);
  if (tq && !(tq.pollers ?? []).length)
    return `no page done yet: no worker polls task queue ${opts.taskQueue} (start one with \`tandem worker\`)`;
  return 'no page done yet: the poll has not been picked up; see its history in the Temporal UI';
}
