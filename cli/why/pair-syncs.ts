/**
 * The syncs of a record's pairs, rebuilt from its decoded history: each attempt reads its link,
 * decides (decideMerge, a local activity whose result is in the history) and writes. Histories are
 * read with zod, loosely: older ones lack the fields `tandem why` added to the decisions.
 */
import { z } from 'zod';
import { FLOW_IDS, type FlowId } from '../../flows';
import type { HistoryStep, RunHistory } from './record-history';

const Value = z.string().nullable();
export const DecisionRow = z.looseObject({
  row: z.string(),
  outcome: z.string(),
  why: z.string(),
  rule: z.string().optional(),
  won: z.enum(['zendesk', 'target']).optional(),
  values: z.object({ zendesk: Value, target: Value, base: Value, hasBase: z.boolean() }).optional(),
  at: z.object({ zendesk: Value, target: Value }).optional(),
});
export type DecisionRow = z.infer<typeof DecisionRow>;

const Plan = z.looseObject({
  decisions: z.array(DecisionRow),
  flowId: z.string().optional(),
  zendeskId: z.string().optional(),
  targetId: z.string().nullable().optional(),
});
const LinkResult = z
  .looseObject({ flowId: z.string(), zendeskId: z.string(), targetId: z.string().nullable() })
  .nullable();
const Pair = z.looseObject({ flowId: z.string(), zendeskId: z.string() });
const Body = z.record(z.string(), z.unknown());
const Reported = z.object({ field: z.string(), value: z.string().nullable() });
const ChangeNotice = z.looseObject({
  via: z.string().optional(),
  reported: Reported.optional(),
  pairs: z.array(Pair).optional(),
});

interface SyncWrite {
  side: 'target' | 'zendesk';
  /** A create's body (the whole new record) or an update's. */
  created: boolean;
  body: Record<string, unknown>;
  targetId: string | null;
  eventId: number;
  /** When the write completed (absent: it did not). */
  doneAt?: string;
}

/** One attempt of one pair's sync, as its history shows it. */
export interface PairSync {
  workflowId: string;
  runId: string;
  /** The event that opens it (its link read) and when. */
  eventId: number;
  at: string;
  flowId?: FlowId;
  zendeskId?: string;
  targetId?: string | null;
  /** The merge's rows, when it decided (its last decision, if it decided twice for references). */
  decisions?: DecisionRow[];
  decidedAt?: string;
  decisionEventId?: number;
  writes: SyncWrite[];
  /** Ended at the link read, woken only by webhooks reporting values its base holds (an echo). */
  echo?: { reported: { field: string; value: string | null }[] };
}

const asFlow = (id: string | undefined): FlowId | undefined =>
  (FLOW_IDS as readonly string[]).includes(id ?? '') ? (id as FlowId) : undefined;

/** A run's pair syncs in their order. */
export function pairSyncsOf(run: RunHistory): PairSync[] {
  const syncs: PairSync[] = [];
  let current: PairSync | undefined;
  /** Webhook values reported since each flow's last sync (`*`: every flow of the record). */
  let reported: { flows: string[] | '*'; value: z.infer<typeof Reported> }[] = [];
  const close = () => {
    if (current && !current.decisions && current.writes.length === 0 && current.flowId && current.targetId) {
      const mine = reported.filter((r) => r.flows === '*' || r.flows.includes(current!.flowId!)).map((r) => r.value);
      if (mine.length) current.echo = { reported: mine };
    }
    if (current?.flowId) reported = reported.filter((r) => r.flows !== '*' && !r.flows.includes(current!.flowId!));
    if (current) syncs.push(current);
    current = undefined;
  };
  for (const step of run.steps) {
    if (step.kind === 'signal') {
      const notice = step.name === 'changed' ? ChangeNotice.safeParse(step.input[0]) : undefined;
      if (notice?.success && notice.data.via === 'webhook' && notice.data.reported) {
        reported.push({
          flows: notice.data.pairs ? notice.data.pairs.map((p) => p.flowId) : '*',
          value: notice.data.reported,
        });
      }
      continue;
    }
    if (step.kind === 'local' && step.activity === 'readLink') {
      close();
      const link = LinkResult.safeParse(step.result);
      current = { workflowId: run.workflowId, runId: run.runId, eventId: step.eventId, at: step.at, writes: [] };
      if (link.success && link.data)
        Object.assign(current, {
          flowId: asFlow(link.data.flowId),
          zendeskId: link.data.zendeskId,
          targetId: link.data.targetId,
        });
      continue;
    }
    current ??= { workflowId: run.workflowId, runId: run.runId, eventId: step.eventId, at: step.at, writes: [] };
    if (step.kind === 'local' && step.activity === 'decideMerge') {
      const plan = Plan.safeParse(step.result);
      if (!plan.success) continue;
      current.decisions = plan.data.decisions;
      current.decidedAt = step.at;
      current.decisionEventId = step.eventId;
      current.flowId ??= asFlow(plan.data.flowId);
      current.zendeskId ??= plan.data.zendeskId;
      if (plan.data.targetId !== undefined) current.targetId = plan.data.targetId;
      continue;
    }
    if (step.kind === 'write') addWrite(current, step);
  }
  close();
  return syncs;
}

function addWrite(sync: PairSync, step: Extract<HistoryStep, { kind: 'write' }>): void {
  const pair = Pair.safeParse(step.input[0]);
  if (pair.success) {
    sync.flowId ??= asFlow(pair.data.flowId);
    sync.zendeskId ??= pair.data.zendeskId;
  }
  const doneAt = step.done && !step.failed ? step.done.at : undefined;
  if (step.activity === 'createTarget') {
    const input = z.looseObject({ body: Body }).safeParse(step.input[1]);
    const created = z.looseObject({ found: z.boolean(), record: Body }).safeParse(step.done?.result);
    // A create that found an earlier one wrote nothing.
    if (!input.success || (created.success && created.data.found)) return;
    sync.writes.push({
      side: 'target',
      created: true,
      body: input.data.body,
      targetId: null,
      eventId: step.eventId,
      doneAt,
    });
    return;
  }
  const side = step.activity === 'updateZendesk' ? 'zendesk' : 'target';
  const body = Body.safeParse(side === 'zendesk' ? step.input[1] : step.input[2]);
  if (!body.success) return;
  const targetId = side === 'target' && typeof step.input[1] === 'string' ? step.input[1] : null;
  sync.writes.push({ side, created: false, body: body.data, targetId, eventId: step.eventId, doneAt });
}
