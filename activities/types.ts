/** What activities answer: plain JSON, since it is stored in workflow history as the audit trail. */

export type SyncOutcome = 'created' | 'linked' | 'updated' | 'unchanged' | 'skipped' | 'conflict' | 'orphaned' | 'failed';

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

export type PollSide = 'zendesk' | 'target';

export interface PollPageInput {
  flowId: string;
  side: PollSide;
  /** Start from the beginning instead of the saved checkpoint (first page of a `--full` run only). */
  fromStart?: boolean;
}

export type OutcomeCounts = Record<SyncOutcome, number>;

export interface PollPageResult {
  flowId: string;
  side: PollSide;
  /** Records the page held. */
  read: number;
  /** Records handed to their record workflow by signal-with-start. */
  signalled: number;
  /** Records whose content matched the link's base: nothing to do, nothing started. */
  unchangedSkipped: number;
  /** Outcomes of records synced inside this activity (large pages). */
  outcomes: OutcomeCounts;
  /** The latest failures of this page, `<zendesk id>: <reason>`. */
  failures: string[];
  checkpoint: string | null;
  done: boolean;
}
