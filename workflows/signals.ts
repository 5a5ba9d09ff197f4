/** The signals record and poll workflows exchange: one definition each, whichever workflow handles it. */
import { defineSignal } from '@temporalio/workflow';
import {
  CHANGED_SIGNAL,
  PAIR_SYNCED_SIGNAL,
  RECORD_SYNCED_SIGNAL,
  type PairSynced,
  type RecordNotice,
  type RecordSynced,
} from '../protocol/ids';

/** Something changed: sync again (coalesced with any change already pending). */
export const changedSignal = defineSignal<[RecordNotice]>(CHANGED_SIGNAL);
/** A pair's answer to one that asked for it (a reference). */
export const pairSyncedSignal = defineSignal<[PairSynced]>(PAIR_SYNCED_SIGNAL);
/** A record workflow's report of a round to the poll that handed it work. */
export const recordSyncedSignal = defineSignal<[RecordSynced]>(RECORD_SYNCED_SIGNAL);
