import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  continueAsNew,
  defineSignal,
  proxyActivities,
  setHandler,
  sleep,
  upsertMemo,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { SyncPairResult } from '../activities/types';
import { CHANGED_SIGNAL, ChangeNotice, PairRef } from './ids';
import { FLOW, OUTCOME, TARGET_ID, ZENDESK_ID } from './search-attributes';

type Activities = ReturnType<typeof createActivities>;

const { syncPair } = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 20 },
});

export const changedSignal = defineSignal<[ChangeNotice]>(CHANGED_SIGNAL);

export interface RecordTiming {
  /** Changes arriving this close together are synced once. */
  coalesceMs: number;
  /** How long an idle workflow waits for one more change before it ends. */
  lingerMs: number;
}

const DEFAULT_TIMING: RecordTiming = { coalesceMs: 1000, lingerMs: 5000 };
/** Keeps one run's history short; the next run carries on with the same id. */
const SYNCS_PER_RUN = 50;

export interface RecordRunSummary {
  pair: PairRef;
  syncs: number;
  last: SyncPairResult | null;
}

/**
 * The record workflow of one pair, id `<flow id>/<zendesk id>`. Started or woken by signal-with-start,
 * it coalesces a burst of changes into one sync, syncs again while changes keep coming, and ends when
 * none is pending. Its history is the pair's audit trail.
 */
export async function syncRecord(pair: PairRef, timing: RecordTiming = DEFAULT_TIMING): Promise<RecordRunSummary> {
  // Every run starts because of a change: a signal-with-start, a manual start or a continue-as-new.
  let pending = true;
  setHandler(changedSignal, () => {
    pending = true;
  });
  upsertSearchAttributes([
    { key: FLOW, value: pair.flowId },
    { key: ZENDESK_ID, value: pair.zendeskId },
  ]);

  let syncs = 0;
  let last: SyncPairResult | null = null;
  for (;;) {
    if (!pending && !(await condition(() => pending, timing.lingerMs))) break;
    await sleep(timing.coalesceMs);
    pending = false;
    let result: SyncPairResult;
    try {
      result = await syncPair(pair);
    } catch (err) {
      const reason = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause.message : String(err);
      upsertSearchAttributes([{ key: OUTCOME, value: 'failed' }]);
      upsertMemo({ summary: `Failed: ${reason}` });
      // Failed visibly; a later edit signals a fresh run, which heals the pair.
      throw ApplicationFailure.nonRetryable(`${pair.flowId} ${pair.zendeskId}: ${reason}`, 'SyncFailed');
    }
    syncs += 1;
    last = result;
    const attributes = [{ key: OUTCOME, value: result.outcome }];
    upsertSearchAttributes(result.targetId ? [...attributes, { key: TARGET_ID, value: result.targetId }] : attributes);
    upsertMemo({ summary: result.summary });
    if (syncs >= SYNCS_PER_RUN && pending) await continueAsNew<typeof syncRecord>(pair, timing);
  }
  return { pair, syncs, last };
}
