import { upsertSearchAttributes } from '@temporalio/workflow';
import type { ApiRecord } from '../flows/types';
import { COMMENTS_FLOW } from '../flows/feeds';
import { KIND, ZENDESK_ID } from './search-attributes';
import { apiSteps, type RetryTuning } from './steps';
import { SlidingWindow, emptyCounts, type HandOverCounts } from './hand-over';

export interface TicketCommentsInput {
  ticketId: string;
  /** What the comments take from it (`ticketForComments`), as the tickets feed returned it; absent when its page could not carry it. */
  ticket?: ApiRecord;
  retry?: RetryTuning;
  /** When the poll brought the comments flow's target index (and its references') up to date: its new pairs look there, not in the API. */
  matchIndexedAt?: number;
  referencesIndexedAt?: number;
}

const WINDOW = 10;

/**
 * Lists one ticket's comments (one call) and hands each that asks to sync to its pair workflow
 * (`<comments flow>/<ticket id>:<comment id>`), so every comment has its own history.
 */
export async function syncTicketComments(input: TicketCommentsInput): Promise<HandOverCounts> {
  upsertSearchAttributes([
    { key: KIND, value: 'comments' },
    { key: ZENDESK_ID, value: input.ticketId },
  ]);
  const items = await apiSteps('zendesk', input.retry).listTicketComments(COMMENTS_FLOW, input.ticketId, input.ticket);
  const counts = emptyCounts();
  const window = new SlidingWindow(WINDOW, counts, input.retry, 'zendesk');
  const { matchIndexedAt, referencesIndexedAt } = input;
  for (const item of items) {
    if (item.kind === 'pair' && item.given?.linkVersion === 0)
      item.given = { ...item.given, matchIndexedAt, referencesIndexedAt };
    await window.add(item);
  }
  await window.drain('10 minutes');
  return counts;
}
