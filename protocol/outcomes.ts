/** What syncs answer: plain JSON, since it is stored in workflow history as the audit trail. */

export type SyncOutcome =
  'created' | 'linked' | 'updated' | 'unchanged' | 'skipped' | 'conflict' | 'orphaned' | 'failed';

export interface SyncDecision {
  row: string;
  outcome: string;
  why: string;
}

export interface SyncPairResult {
  flowId: string;
  zendeskId: string;
  targetId: string | null;
  outcome: SyncOutcome;
  /** One line in words: what was decided and why. */
  summary: string;
  decisions: SyncDecision[];
  /** Bodies actually written, per side; null when nothing was written there. */
  written: { target: Record<string, unknown> | null; zendesk: Record<string, unknown> | null };
}

export type OutcomeCounts = Record<SyncOutcome, number>;
