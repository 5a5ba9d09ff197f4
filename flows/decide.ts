/**
 * The decisions of one pair's sync, as pure functions: should the record get a partner, how to find
 * it, what to create, what to write where. The workflow asks them through the decide activities,
 * which read the links they need; nothing here does I/O.
 */
import { copiedAt, laterOf, type ZendeskCopy } from './copies';
import { ZENDESK_RECORD_TYPES } from './zendesk-types';
import { createBody, modifiedAt, recordId, recordLabel, toCanonical, translateCanonical, writeBody } from './mapping';
import { matchValue, pickMatch } from './match';
import { merge, type MergeDecision } from './merge';
import {
  rowKey,
  type ApiRecord,
  type Canonical,
  type CreateContext,
  type FlowDefinition,
  type FlowId,
  type Translate,
} from './types';
import type { FlowsConfig } from './config';

/** A pair of another flow that must be linked before this one can be written (department, company, contact). */
export interface Reference {
  flowId: FlowId;
  zendeskId: string;
  /** The Zendesk field that refers to it, for messages. */
  field: string;
}

export type FirstDecision =
  | { kind: 'skip'; reason: string }
  | { kind: 'fail'; reason: string }
  | {
      kind: 'lookup';
      /** Recorded before any create, so a retry after a crash searches before it creates again. */
      intentKey: string;
      externalKey: string | null;
      /** The match rule's value (e-mail, name); null when the record has none or the rule is the external key. */
      matchValue: string | null;
      /** Referenced pairs the create body needs that are not linked yet. */
      references: Reference[];
    };

/** A Translate that answers every reference, for checking a body before its references exist. */
const PLACEHOLDER_ID = '0';

/**
 * Before anything is written: does the condition hold, may this flow create here, and can the record
 * be mapped at all (references assumed resolvable)? An employee that cannot be created must not cause
 * a department, so this runs before any reference is synced.
 */
export function decideFirst(
  flow: FlowDefinition,
  zendesk: ApiRecord,
  opts: { config: FlowsConfig; demanded: boolean; translate: Translate; context: CreateContext },
): FirstDecision {
  if (!flow.condition.predicate(zendesk, opts.config))
    return { kind: 'skip', reason: `condition not met: ${flow.condition.description}` };
  if (flow.creation.mode === 'on-demand' && !opts.demanded)
    return { kind: 'skip', reason: `not referred to by a synced record: ${flow.creation.description}` };
  const references = missingReferences(flow, (t) => createBody(flow, zendesk, t, opts.context), opts.translate);
  const assumed: Translate = (f, from, id) => opts.translate(f, from, id) ?? PLACEHOLDER_ID;
  const { problems } = createBody(flow, zendesk, assumed, opts.context);
  if (problems.length) return { kind: 'fail', reason: problems.join('; ') };
  const externalKey = flow.externalKey?.of(zendesk) ?? null;
  const value = flow.match.by === 'externalKey' ? null : matchValue(flow, zendesk);
  return {
    kind: 'lookup',
    intentKey: externalKey ?? `${flow.match.by}:${value ?? ''}`,
    externalKey,
    matchValue: value,
    references,
  };
}

export type MatchDecision =
  { kind: 'link'; target: ApiRecord; why: string } | { kind: 'create' } | { kind: 'conflict'; reason: string };

/** An earlier create (found by external key) wins; else exactly one candidate by the match key; two or more is a conflict. */
export function decideMatch(
  flow: FlowDefinition,
  zendesk: ApiRecord,
  zendeskId: string,
  found: { byExternalKey: ApiRecord[]; byMatch: ApiRecord[] },
): MatchDecision {
  const [earlier] = found.byExternalKey;
  if (earlier)
    return {
      kind: 'link',
      target: earlier,
      why: `found ${flow.target.type} ${targetIdOf(flow, earlier)} by its external key`,
    };
  const match = pickMatch(flow, zendesk, found.byMatch);
  if (match.kind === 'many') {
    const ids = match.records.map((c) => targetIdOf(flow, c)).join(', ');
    return {
      kind: 'conflict',
      reason: `${recordLabel(flow, 'zendesk', zendesk)}: ${match.why} (ids ${ids}); link one by hand: tandem links ${flow.id} ${zendeskId} --set-target <id>`,
    };
  }
  if (match.kind === 'one')
    return {
      kind: 'link',
      target: match.record,
      why: `found ${flow.target.type} ${targetIdOf(flow, match.record)} (${flow.match.description})`,
    };
  return { kind: 'create' };
}

export type CreateDecision = { kind: 'create'; body: ApiRecord } | { kind: 'fail'; reason: string };

/** The create body, with every reference now linked. */
export function decideCreate(
  flow: FlowDefinition,
  zendesk: ApiRecord,
  translate: Translate,
  context: CreateContext,
): CreateDecision {
  const { body, problems } = createBody(flow, zendesk, translate, context);
  return problems.length ? { kind: 'fail', reason: problems.join('; ') } : { kind: 'create', body };
}

export interface MergePlan {
  decisions: MergeDecision[];
  /** Bodies to write, in each API's shape; null when nothing is to be written there. */
  toTarget: ApiRecord | null;
  toZendesk: ApiRecord | null;
  newBase: Canonical;
  /** Referenced pairs the target write needs that are not linked yet: link them, then decide again. */
  references: Reference[];
  /** When the edits the Zendesk write carries were made (the later side's time): noted with the copy. */
  copyOriginAt: string | null;
  /** Whose decision this is, for a reader of the history (`tandem why`); absent in older histories. */
  flowId?: FlowId;
  targetId?: string | null;
}

/**
 * Three-way merge against the base; write bodies for what differs on each side. `copy` is the last
 * copy Tandem wrote into the Zendesk record: while the record holds it, it dates from its edits.
 */
export function decideMerge(
  flow: FlowDefinition,
  zendesk: ApiRecord,
  target: ApiRecord,
  base: Canonical | null,
  translate: Translate,
  copy?: ZendeskCopy,
): MergePlan {
  const targetRaw = toCanonical(flow, 'target', target);
  const { values, unresolved } = translateCanonical(flow, 'target', targetRaw, translate);
  const copied = copiedAt(flow, zendesk, copy);
  const zendeskModifiedAt = copied ?? modifiedAt(flow, 'zendesk', zendesk);
  const targetModifiedAt = modifiedAt(flow, 'target', target);
  const merged = merge({
    flow,
    base,
    zendesk: toCanonical(flow, 'zendesk', zendesk),
    target: values,
    zendeskModifiedAt,
    targetModifiedAt,
    // A reference we cannot read back is not a clear: merge leaves such rows alone.
    unresolved: { target: unresolved },
  });
  const references: Reference[] = [];
  for (const row of flow.properties) {
    const value = merged.toTarget[rowKey(row)];
    if (!row.reference || value === undefined || value === null) continue;
    if (translate(row.reference.flow, 'zendesk', value) === null)
      references.push({ flowId: row.reference.flow, zendeskId: value, field: row.source });
  }
  const nonEmpty = (body: ApiRecord) => (Object.keys(body).length ? body : null);
  const toTarget = references.length ? null : nonEmpty(writeBody(flow, 'target', merged.toTarget, translate));
  const toZendesk = flow.direction.mode === 'two-way' ? nonEmpty(writeBody(flow, 'zendesk', merged.toZendesk)) : null;
  const decisions = merged.decisions;
  if (
    copied &&
    decisions.some((d) => d.outcome === 'both-changed-zendesk-wins' || d.outcome === 'both-changed-target-wins')
  ) {
    decisions.unshift({
      row: '(record)',
      outcome: 'copy-dated',
      why: `Zendesk holds values Tandem copied at ${modifiedAt(flow, 'zendesk', zendesk)} from edits made at ${copied}: they count as made then`,
    });
  }
  return {
    decisions,
    toTarget,
    toZendesk,
    newBase: merged.newBase,
    references,
    copyOriginAt: laterOf(zendeskModifiedAt, targetModifiedAt),
    flowId: flow.id,
    targetId: recordId(flow, 'target', target),
  };
}

/** The references of other flows that `build` asks for from the Zendesk side and that have no link. */
function missingReferences(flow: FlowDefinition, build: (t: Translate) => unknown, translate: Translate): Reference[] {
  const wanted: Reference[] = [];
  build((refFlow, from, id) => {
    const known = translate(refFlow, from, id);
    if (known === null && from === 'zendesk' && !wanted.some((w) => w.flowId === refFlow && w.zendeskId === id)) {
      wanted.push({ flowId: refFlow, zendeskId: id, field: referenceField(flow, refFlow) });
    }
    return known;
  });
  return wanted;
}

/** The Zendesk field through which a flow refers to another flow's records, for messages. */
function referenceField(flow: FlowDefinition, refFlow: FlowId): string {
  const row = flow.properties.find((r) => r.reference?.flow === refFlow);
  if (row) return row.source;
  return flow.extras.find((e) => e.reference?.flow === refFlow)?.from ?? refFlow;
}

export function targetIdOf(flow: FlowDefinition, record: ApiRecord): string {
  const id = recordId(flow, 'target', record);
  if (id === null) throw new Error(`${flow.id}: a ${flow.target.type} record without an id`);
  return id;
}

/** "zendesk user 123": how messages name the Zendesk side of a pair. */
export function zendeskLabel(flow: FlowDefinition, zendeskId: string): string {
  return `zendesk ${ZENDESK_RECORD_TYPES[flow.source.type].noun} ${zendeskId}`;
}
