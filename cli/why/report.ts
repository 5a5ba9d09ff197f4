/**
 * `tandem why`'s answer, as JSON (`--output json`) and as text for people: per property, the value
 * on each system now, the sync that last wrote it here, the edit that won and the chain back to
 * where the value was born, each sync with its link into the Web UI.
 */
import { getFlow, type FlowId } from '../../flows';
import { flowCode } from '../flow-names';
import type { PairSync } from './pair-syncs';
import {
  CONTESTS,
  echoesAfter,
  systemName,
  type CopyHop,
  type Hop,
  type Lane,
  type Rule,
  type TracedField,
} from './provenance';
import type { WhyRecord } from './record-arg';

export interface UiLinks {
  /** The Web UI's address, e.g. http://127.0.0.1:8233. */
  base: string;
  namespace: string;
}

/** A run's history page in the Web UI: `<ui>/namespaces/<ns>/workflows/<workflow id>/<run id>/history`. */
function historyUrl(ui: UiLinks, workflowId: string, runId: string): string {
  return `${ui.base.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(ui.namespace)}/workflows/${encodeURIComponent(workflowId)}/${encodeURIComponent(runId)}/history`;
}

export interface RecordName {
  system: 'zendesk' | 'poweroffice' | 'crmoffice';
  type: string;
  id: string | null;
}

export interface CurrentValue extends RecordName {
  field: string;
  value: string | null;
  /** `api`: read from the system now; `base`: as both sides held it after the last sync (not read). */
  read: 'api' | 'base' | 'none';
  note?: string;
}

interface SyncRef {
  flowId: FlowId | null;
  flow: string | null;
  workflowId: string;
  runId: string;
  eventId: number;
  at: string;
  ui: string;
}

const RULE_WORDS: Record<Rule | 'echo', string> = {
  'one-side-changed': 'only this side changed since the last sync',
  'later-wins': 'both changed: the later edit wins (to the whole second)',
  'tie-to-zendesk': 'both changed within the same second: a tie goes to Zendesk',
  'time-unknown-zendesk-wins': 'both changed, a modification time unknown: Zendesk wins',
  'first-match': 'first match: an empty side is filled, else Zendesk wins',
  created: 'created by Tandem from the Zendesk record',
  'same-value': 'both changed to the same value',
  unchanged: 'unchanged',
  'read-only': 'read-only: compared, never written',
  'unresolved-reference': 'a reference with no link: not compared',
  unknown: 'not recorded',
  echo: 'echo: the webhook of a write of ours, nothing to sync',
};

function ruleWords(rule: Rule | 'echo'): string {
  return RULE_WORDS[rule];
}

export interface PropertyReport {
  property: string;
  zendeskField: string;
  now: CurrentValue[];
  /** The sync that last wrote the value on the system asked about; null when it was made there. */
  lastWrite: (SyncRef & { value: string | null; rule: Rule; outcome: string; why: string }) | null;
  /** The edit whose value this is, and the rule it won by. */
  winner: {
    system: string;
    record: RecordName;
    at: string | null;
    rule: Rule | null;
    ruleText: string | null;
    outcome: string | null;
    why: string | null;
    sync: SyncRef | null;
  } | null;
  /** Newest first: each copy Tandem made, then where the value was born. */
  chain: ChainStep[];
  /** Syncs since the last write that were echoes of a write of ours (woken by its webhook, nothing synced). */
  echoes: (SyncRef & { rule: 'echo'; reported: { field: string; value: string | null }[] })[];
  notes: string[];
}

type ChainStep =
  | {
      kind: 'copy';
      from: RecordName;
      to: RecordName;
      value: string | null;
      rule: Rule;
      ruleText: string;
      outcome: string;
      why: string;
      winnerAt: string | null;
      sync: SyncRef;
    }
  | {
      kind: 'born';
      system: string;
      record: RecordName;
      value: string | null;
      at: string | null;
      note: string;
      rule: Rule | null;
      outcome: string | null;
      sync: SyncRef | null;
    };

export interface WhyReport {
  record: RecordName;
  zendeskRecord: { type: string; id: string };
  workflowId: string;
  runsRead: number;
  /** Set when older runs were left unread (--runs). */
  olderRunsUnread: boolean;
  properties: PropertyReport[];
}

function syncRef(sync: PairSync, ui: UiLinks): SyncRef {
  return {
    flowId: sync.flowId ?? null,
    flow: sync.flowId ? flowCode(sync.flowId) : null,
    workflowId: sync.workflowId,
    runId: sync.runId,
    eventId: sync.decisionEventId ?? sync.eventId,
    at: sync.decidedAt ?? sync.at,
    ui: historyUrl(ui, sync.workflowId, sync.runId),
  };
}

/** How the report names the record of a lane: Zendesk's, or the linked target of the flow. */
export function laneRecord(record: WhyRecord, lane: Lane, targetIds: ReadonlyMap<FlowId, string | null>): RecordName {
  if (lane.system === 'zendesk') return { system: 'zendesk', type: record.zendesk.type, id: record.zendesk.zendeskId };
  const flow = getFlow(lane.flowId);
  return { system: flow.target.system, type: flow.target.type, id: targetIds.get(lane.flowId) ?? null };
}

export function propertyReport(
  record: WhyRecord,
  field: TracedField,
  property: string,
  chain: Hop[],
  syncs: readonly PairSync[],
  ctx: { ui: UiLinks; now: CurrentValue[]; targetIds: ReadonlyMap<FlowId, string | null> },
): PropertyReport {
  const name = (lane: Lane) => laneRecord(record, lane, ctx.targetIds);
  const nowOf = (r: RecordName) =>
    ctx.now.find((v) => v.system === r.system && v.type === r.type && v.id === r.id && v.read !== 'none');
  const steps: ChainStep[] = chain.map((hop) =>
    hop.kind === 'copy'
      ? {
          kind: 'copy',
          from: name(hop.from),
          to: name(hop.to),
          value: hop.value,
          rule: hop.rule,
          ruleText: ruleWords(hop.rule),
          outcome: hop.outcome,
          why: hop.why,
          winnerAt: hop.winnerAt,
          sync: syncRef(hop.sync, ctx.ui),
        }
      : {
          kind: 'born',
          system: systemName(hop.lane),
          record: name(hop.lane),
          // No sync read it: the value it holds (or held at the last sync) is the one born there.
          value: hop.value !== undefined ? hop.value : (nowOf(name(hop.lane))?.value ?? null),
          at: hop.at,
          note: hop.note,
          rule: hop.rule ?? null,
          outcome: hop.outcome ?? null,
          sync: hop.sync ? syncRef(hop.sync, ctx.ui) : null,
        },
  );
  const [first] = chain;
  const lastWrite =
    first?.kind === 'copy'
      ? { ...syncRef(first.sync, ctx.ui), value: first.value, rule: first.rule, outcome: first.outcome, why: first.why }
      : null;
  const born = chain[chain.length - 1];
  // The edit that won is the person's edit where the value was born; the rule, that of the decision
  // where it beat another value on its way here, else that of the last copy (or of its first one out).
  let winner: PropertyReport['winner'] = null;
  const contest = chain.find((h): h is CopyHop => h.kind === 'copy' && CONTESTS.includes(h.rule));
  const decisive = contest ?? (first?.kind === 'copy' ? first : undefined);
  if (born?.kind === 'born' && (decisive || born.sync)) {
    const rule = decisive ? decisive.rule : (born.rule ?? null);
    winner = {
      system: systemName(born.lane),
      record: name(born.lane),
      at: born.at,
      rule,
      ruleText: rule ? ruleWords(rule) : null,
      outcome: decisive ? decisive.outcome : (born.outcome ?? null),
      why: decisive ? decisive.why : (born.why ?? null),
      sync: decisive ? syncRef(decisive.sync, ctx.ui) : born.sync ? syncRef(born.sync, ctx.ui) : null,
    };
  }
  const after = first?.kind === 'copy' ? first.sync : first?.kind === 'born' ? first.sync : undefined;
  const echoes = echoesAfter(syncs, after, field).map((s) => ({
    ...syncRef(s, ctx.ui),
    rule: 'echo' as const,
    reported: s.echo!.reported.filter((r) => r.field === field.zendeskField),
  }));
  const notes: string[] = [];
  const here = ctx.now.find((v) => v.system === record.system && v.read === 'api');
  const traced = steps[0]?.value;
  if (here && traced !== undefined && here.value !== traced) {
    notes.push(
      `${here.system} holds ${show(here.value)} now, not the ${show(traced)} traced: changed since the last sync (its next sync carries it on)`,
    );
  }
  if (born?.kind === 'born' && !born.settled && !born.sync)
    notes.push('where the value was born is older than the history read');
  return { property, zendeskField: field.zendeskField, now: ctx.now, lastWrite, winner, chain: steps, echoes, notes };
}

const show = (v: string | null) => (v === null ? '(empty)' : JSON.stringify(v));
const label = (r: RecordName) =>
  `${r.system === 'poweroffice' ? 'PowerOffice Go' : r.system === 'crmoffice' ? 'Crmoffice' : 'Zendesk'} ${r.type} ${r.id ?? '(no link)'}`;

/** The report in words, one block per property. */
export function reportLines(report: WhyReport): string[] {
  const lines = [
    `${label(report.record)}: synced through Zendesk ${report.zendeskRecord.type} ${report.zendeskRecord.id}, workflow ${report.workflowId}`,
    `(${report.runsRead} run(s) of its history read${report.olderRunsUnread ? '; older runs left unread: raise --runs' : ''})`,
  ];
  if (report.properties.length === 0) lines.push('', 'No synced property: its flow has no property table.');
  for (const p of report.properties) {
    lines.push('', `${p.property}${p.property === p.zendeskField ? '' : ` (Zendesk \`${p.zendeskField}\`)`}`);
    lines.push('  now:');
    const width = Math.max(...p.now.map((v) => label(v).length));
    for (const v of p.now)
      lines.push(
        `    ${label(v).padEnd(width)}  ${v.field} = ${show(v.value)}${v.read === 'api' ? '' : v.read === 'base' ? `  (as last synced; ${v.note ?? 'not read'})` : `  (${v.note ?? 'unknown'})`}`,
      );
    if (p.lastWrite)
      lines.push(
        `  last written here: by ${p.lastWrite.flow ?? '?'} at ${p.lastWrite.at} (${p.lastWrite.outcome})`,
        `    ${p.lastWrite.ui}`,
      );
    else lines.push('  last written here: never by Tandem: the value was made on this system');
    if (p.winner) {
      lines.push(
        `  won: the ${p.winner.system} edit${p.winner.at ? ` of ${p.winner.at}` : ''}; rule: ${p.winner.ruleText ?? 'not recorded'}`,
      );
      if (p.winner.why) lines.push(`    ${p.winner.why}`);
    }
    lines.push('  chain (newest first):');
    p.chain.forEach((s, i) => {
      if (s.kind === 'copy') {
        lines.push(
          `    ${i + 1}. ${show(s.value)} copied ${label(s.from)} → ${label(s.to)} by ${s.sync.flow ?? '?'} at ${s.sync.at} (${s.ruleText})`,
          `       ${s.sync.ui}`,
        );
      } else {
        lines.push(`    ${i + 1}. born in ${s.system}: ${show(s.value)}${s.at ? ` at ${s.at}` : ''}, ${s.note}`);
        if (s.sync) lines.push(`       first carried on by ${s.sync.flow ?? '?'} at ${s.sync.at}: ${s.sync.ui}`);
      }
    });
    for (const e of p.echoes)
      lines.push(
        `  echo: ${e.flow ?? '?'} at ${e.at}: ${ruleWords('echo')} (${e.reported.map((r) => `${r.field} ${show(r.value)}`).join(', ')})`,
        `    ${e.ui}`,
      );
    for (const n of p.notes) lines.push(`  note: ${n}`);
  }
  return lines;
}
