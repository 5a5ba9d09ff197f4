import { upsertSearchAttributes } from '@temporalio/workflow';
import type { ApiRecord } from '../flows/types';
import { FEEDS } from '../flows/feeds';
import { getFlow } from '../flows/registry';
import { KIND, ZENDESK_ID } from './search-attributes';
import { apiSteps, type RetryTuning } from './steps';
import { SlidingWindow, emptyCounts, type HandOverCounts } from './hand-over';

export interface TicketCommentsInput {
  ticketId: string;
  /** As the tickets feed returned it; absent when the page was too large to carry records. */
  ticket?: ApiRecord;
  retry?: RetryTuning;
}

/** The comments flow: derived, since comments have no feed of their own but their ticket's. */
const COMMENTS_FLOW = FEEDS.flatMap((f) => f.flows).find((id) => getFlow(id).source.type === 'ticketComments')!;
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
  for (const item of items) await window.add(item);
  await window.drain('10 minutes');
  return counts;
}
