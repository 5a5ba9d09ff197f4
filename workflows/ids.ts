/** Names shared by workflows, the worker and the clients that start or signal them. */
export const TASK_QUEUE = 'tandem';

export interface PairRef {
  flowId: string;
  zendeskId: string;
}

/** One workflow per pair: `<flow id>/<zendesk id>`, so the UI's list reads as "which record of which flow". */
export function recordWorkflowId(pair: PairRef): string {
  return `${pair.flowId}/${pair.zendeskId}`;
}

export function pollWorkflowId(flowId: string, side: 'zendesk' | 'target'): string {
  return `poll/${flowId}/${side}`;
}

/** What a signal tells a record workflow: something changed on one side, noticed by whom. */
export interface ChangeNotice {
  side: 'zendesk' | 'target';
  via: 'webhook' | 'poll' | 'manual';
  /** The change's own time when known (ISO), for the audit trail. */
  at?: string;
}

export const CHANGED_SIGNAL = 'changed';

/** A ticket comment's pair id: comments have no address of their own but their ticket's. */
export function commentPairId(ticketId: string | number, commentId: string | number): string {
  return `${ticketId}:${commentId}`;
}
