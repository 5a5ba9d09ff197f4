/**
 * Three-way merge of one pair, row by row, against the base (the values both sides held after
 * the last sync). Pure and deterministic, so it can run in workflow code; its decisions are
 * written for humans, because they are the audit trail in the Temporal history.
 */
import { timestampMillis } from './normalize';
import { rowKey, type Canonical, type FlowDefinition, type PropertyRow, type Side } from './types';

type MergeOutcome =
  | 'unchanged'
  | 'zendesk-changed'
  | 'target-changed'
  | 'both-changed-zendesk-wins'
  | 'both-changed-target-wins'
  | 'both-changed-same-value'
  | 'first-match-fill-target'
  | 'first-match-fill-zendesk'
  | 'first-match-zendesk-wins'
  | 'read-only-skipped'
  | 'reference-unresolved-skipped'
  /** Record-level note: Zendesk's time used was that of the edits a copy carried (flows/copies.ts). */
  | 'copy-dated';

/**
 * The rule that settled a row, in the words of docs/flows.md: one side changed, the later edit won
 * (to the whole second), a tie went to Zendesk, a first match filled or preferred Zendesk.
 */
type MergeRule =
  | 'unchanged'
  | 'same-value'
  | 'one-side-changed'
  | 'later-wins'
  | 'tie-to-zendesk'
  | 'time-unknown-zendesk-wins'
  | 'first-match'
  | 'read-only'
  | 'unresolved-reference';

export interface MergeDecision {
  row: string;
  outcome: MergeOutcome;
  why: string;
  // What `tandem why` traces a value by. Decisions recorded before these were added lack them.
  /** The rule behind the outcome. */
  rule?: MergeRule;
  /** The side whose value was written to the other; absent when this row wrote nothing. */
  won?: Side;
  /** The values compared: each side's and the base's (`hasBase` false: a first match, no base). */
  values?: { zendesk: string | null; target: string | null; base: string | null; hasBase: boolean };
  /** Each side's modification time as compared (Zendesk's: the copied edits' time when a copy dated it). */
  at?: { zendesk: string | null; target: string | null };
}

export interface MergeInput {
  flow: FlowDefinition;
  /** Values at the last sync, or null when the pair was never linked (first match). */
  base: Canonical | null;
  zendesk: Canonical;
  /** Target values with references already translated to Zendesk ids. */
  target: Canonical;
  zendeskModifiedAt: string | null;
  targetModifiedAt: string | null;
  /** Rows whose reference could not be translated on that side: neither compared nor written. */
  unresolved?: { zendesk?: readonly string[]; target?: readonly string[] };
}

export interface MergeResult {
  /** Row key → value to write on the target (references in Zendesk ids: translate before writing). */
  toTarget: Canonical;
  /** Row key → value to write on Zendesk. */
  toZendesk: Canonical;
  /** What both sides hold after the writes: save it as the link's base. */
  newBase: Canonical;
  decisions: MergeDecision[];
}

const show = (v: string | null): string => (v === null ? 'empty' : JSON.stringify(v));

/** Milliseconds cut to the whole second: the resolution both sides are compared at. */
function wholeSecond(ms: number | null): number | null {
  return ms === null ? null : Math.floor(ms / 1000) * 1000;
}

function targetName(flow: FlowDefinition): string {
  return flow.target.system === 'poweroffice' ? 'PowerOffice Go' : 'Crmoffice';
}

/** Why a write to `side` on this row is not allowed, or null when it is. */
function blocked(flow: FlowDefinition, row: PropertyRow, side: Side): string | null {
  if (side === 'zendesk' && flow.direction.mode === 'one-way')
    return 'the flow is one-way: nothing is written to Zendesk';
  if (row.readOnly[side])
    return `\`${side === 'zendesk' ? row.source : row.target}\` is read-only in ${side === 'zendesk' ? 'Zendesk' : targetName(flow)}`;
  return null;
}

export function merge(input: MergeInput): MergeResult {
  const { flow, base } = input;
  const result: MergeResult = { toTarget: {}, toZendesk: {}, newBase: {}, decisions: [] };
  const zName = 'Zendesk';
  const tName = targetName(flow);
  // "Later wins" is decided to the whole second: Zendesk's times have no finer resolution, so a target
  // change at 10:00:00.900 is not later than a Zendesk change stamped 10:00:00 (which may have been at
  // .950). Two changes in the same second are a tie, and a tie goes to Zendesk (docs/flows.md). The
  // winner's value is written to the other side and becomes the base, so the next sync sees both sides
  // equal: a tie costs one write, never a loop.
  const zMs = wholeSecond(timestampMillis(input.zendeskModifiedAt));
  const tMs = wholeSecond(timestampMillis(input.targetModifiedAt));

  for (const row of flow.properties) {
    const key = rowKey(row);
    const z = input.zendesk[key] ?? null;
    const t = input.target[key] ?? null;
    const hasBase = base !== null && Object.prototype.hasOwnProperty.call(base, key);
    const b = hasBase ? (base[key] ?? null) : null;
    const at = { zendesk: input.zendeskModifiedAt, target: input.targetModifiedAt };
    const decide = (outcome: MergeOutcome, why: string, baseValue: string | null, rule: MergeRule, won?: Side) => {
      result.decisions.push({
        row: key,
        outcome,
        why,
        rule,
        ...(won ? { won } : {}),
        values: { zendesk: z, target: t, base: b, hasBase },
        at,
      });
      result.newBase[key] = baseValue;
    };

    const unresolvedOn = (['zendesk', 'target'] as const).find((s) => input.unresolved?.[s]?.includes(key));
    if (unresolvedOn) {
      decide(
        'reference-unresolved-skipped',
        `the ${unresolvedOn === 'zendesk' ? zName : tName} value refers to a record with no link in flow ${row.reference?.flow ?? '?'}: not compared, not written`,
        b,
        'unresolved-reference',
      );
      continue;
    }

    if (z === t) {
      if (hasBase && b !== z)
        decide(
          'both-changed-same-value',
          `both sides changed from ${show(b)} to the same ${show(z)}: nothing to write`,
          z,
          'same-value',
        );
      else
        decide(
          'unchanged',
          hasBase ? `both sides hold ${show(z)} as at the last sync` : `both sides already hold ${show(z)}`,
          z,
          'unchanged',
        );
      continue;
    }

    if (row.readOnly.zendesk && row.readOnly.target) {
      decide(
        'read-only-skipped',
        `read-only on both sides (${zName} ${show(z)}, ${tName} ${show(t)}): compared, never written`,
        z,
        'read-only',
      );
      continue;
    }

    // Work out the winner and the write, then check the write is allowed on that side.
    let outcome: MergeOutcome;
    let why: string;
    let writeTo: Side;
    let rule: MergeRule;
    if (!hasBase) {
      rule = 'first-match';
      if (t === null) {
        [outcome, writeTo, why] = [
          'first-match-fill-target',
          'target',
          `first match: ${tName} is empty, filled with ${zName}'s ${show(z)}`,
        ];
      } else if (z === null) {
        [outcome, writeTo, why] = [
          'first-match-fill-zendesk',
          'zendesk',
          `first match: ${zName} is empty, filled with ${tName}'s ${show(t)} (an empty value never overwrites a filled one)`,
        ];
      } else {
        [outcome, writeTo, why] = [
          'first-match-zendesk-wins',
          'target',
          `first match: values differ (${zName} ${show(z)}, ${tName} ${show(t)}); Zendesk wins`,
        ];
      }
    } else if (z !== b && t === b) {
      rule = 'one-side-changed';
      [outcome, writeTo, why] = [
        'zendesk-changed',
        'target',
        `${zName} changed ${show(b)} → ${show(z)}${z === null ? ' (cleared on purpose)' : ''}; copied to ${tName}`,
      ];
    } else if (t !== b && z === b) {
      rule = 'one-side-changed';
      [outcome, writeTo, why] = [
        'target-changed',
        'zendesk',
        `${tName} changed ${show(b)} → ${show(t)}${t === null ? ' (cleared on purpose)' : ''}; copied to ${zName}`,
      ];
    } else {
      const both = `both changed since ${show(b)} (${zName} ${show(z)} at ${input.zendeskModifiedAt ?? 'unknown time'}, ${tName} ${show(t)} at ${input.targetModifiedAt ?? 'unknown time'})`;
      if (zMs !== null && tMs !== null && tMs > zMs) {
        rule = 'later-wins';
        [outcome, writeTo, why] = [
          'both-changed-target-wins',
          'zendesk',
          `${both}; ${tName} was modified later and wins`,
        ];
      } else {
        rule =
          zMs !== null && tMs !== null ? (zMs > tMs ? 'later-wins' : 'tie-to-zendesk') : 'time-unknown-zendesk-wins';
        const reason =
          rule === 'later-wins'
            ? 'Zendesk was modified later and wins'
            : rule === 'tie-to-zendesk'
              ? 'modified within the same second (a tie, to the whole second Zendesk keeps): Zendesk wins'
              : 'modification time unknown: Zendesk wins';
        [outcome, writeTo, why] = ['both-changed-zendesk-wins', 'target', `${both}; ${reason}`];
      }
    }

    const winner = writeTo === 'target' ? z : t;
    const refused = blocked(flow, row, writeTo);
    if (refused) {
      // Keep the base at the unwritable side's value, so the row does not flap on the next sync.
      const kept = writeTo === 'target' ? t : z;
      decide('read-only-skipped', `${why}; but ${refused}, so not written`, kept, 'read-only');
      continue;
    }
    if (writeTo === 'target') result.toTarget[key] = winner;
    else result.toZendesk[key] = winner;
    decide(outcome, why, winner, rule, writeTo === 'target' ? 'zendesk' : 'target');
  }
  return result;
}
