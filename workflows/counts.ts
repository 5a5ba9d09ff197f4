import type { OutcomeCounts } from '../activities/types';

/** Zeroed outcome counts; pure, so both workflows and activities use it. */
export function emptyOutcomes(): OutcomeCounts {
  return { created: 0, linked: 0, updated: 0, unchanged: 0, skipped: 0, conflict: 0, orphaned: 0, failed: 0 };
}
