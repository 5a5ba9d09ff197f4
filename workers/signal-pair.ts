import { Client } from '@temporalio/client';
import { CHANGED_SIGNAL, ChangeNotice, PairRef, TASK_QUEUE, recordWorkflowId } from '../workflows/ids';
import { recordSearchAttributes } from '../workflows/search-attributes';
import type { RecordOptions } from '../workflows/record';

/**
 * Routes one change to its pair's record workflow with signal-with-start: it starts the workflow when
 * none runs, and otherwise adds to the changes the running one will coalesce.
 */
export async function signalPair(client: Client, pair: PairRef, notice: ChangeNotice, options?: RecordOptions): Promise<void> {
  await client.workflow.signalWithStart('syncRecord', {
    taskQueue: TASK_QUEUE,
    workflowId: recordWorkflowId(pair),
    args: [pair, { ...options, bySignal: true }],
    signal: CHANGED_SIGNAL,
    signalArgs: [notice],
    typedSearchAttributes: recordSearchAttributes(pair),
  });
}
