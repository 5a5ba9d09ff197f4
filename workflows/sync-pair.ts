/**
 * One sync of one pair, step by step, each step an activity: read Zendesk, read the target (or find
 * candidates), decide, link the references first (child workflows), create or update what differs,
 * save the link. Deterministic: every fact it uses comes back from an activity.
 */
import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/workflow';
import { getFlow } from '../flows/registry';
import { targetIdOf, zendeskLabel, type Reference } from '../flows/decide';
import { isDeletedInZendesk } from '../flows/zendesk-types';
import { modifiedAt } from '../flows/mapping';
import { echoOf, type ReportedValue } from '../flows/echo';
import type { ApiRecord, Canonical, CreateContext, FlowDefinition } from '../flows/types';
import type { SyncDecision, SyncOutcome, SyncPairResult } from '../protocol/outcomes';
import type { ApiActivities } from '../activities/api-steps';
import type { LocalActivities } from '../activities/local-steps';
import { RECORD_MOVED_ON, parseCommentPairId, type GivenRecord, type PairRef, type PairSynced } from '../protocol/ids';
import type { RetryTuning } from './steps';

/** The link as the store holds it (read by an activity). */
type Link = NonNullable<Awaited<ReturnType<LocalActivities['readLink']>>>;

/** The steps a sync takes: activity proxies in a workflow; the activities themselves, writes left out, in `tandem plan`. */
export interface PairSteps {
  zendesk: Pick<ApiActivities, 'readZendesk' | 'updateZendesk'>;
  target: Pick<ApiActivities, 'readTarget' | 'findTargets' | 'createTarget' | 'updateTarget'>;
  local: Omit<LocalActivities, 'saveCheckpoint' | 'getCheckpoint'>;
}

export interface SyncContext {
  pair: PairRef;
  /** Another pair refers to this one: on-demand flows may create it. */
  demanded: boolean;
  /** The Zendesk record as a change feed returned it (first attempt only). */
  given?: GivenRecord;
  /** When the poll whose pair needs this one brought this flow's target index up to date (a reference). */
  matchIndexedAt?: number;
  /** What the webhooks behind this sync report, when only such webhooks are behind it: an echo reads nothing. */
  reported?: readonly ReportedValue[];
  /** Synced only because another pair needs it linked (no change to sync): a linked pair answers at once. */
  asReference?: boolean;
  retry?: RetryTuning;
  /** Waits before a record found gone is read again; false (or absent, in a dry run): read once only. */
  confirmGone?(): Promise<boolean>;
  /** Links a referenced pair through its own workflow; the record workflow knows how. */
  linkReference(ref: Reference, hints?: ReferenceHints): Promise<PairSynced>;
  /** The Zendesk record as its workflow's round read it, and when that read was asked for, shared by the record's flows (first attempt only). */
  zendeskRecord?(): Promise<{ record: ApiRecord | null; readAt: number }>;
}

/** What a pair's first sync knows that spares the reference it creates some calls. */
export interface ReferenceHints {
  /** When its flow's target index was last brought up to date. */
  indexedAt?: number;
  /** Its Zendesk record as the feed's page side-loaded it. */
  given?: GivenRecord;
}

/** A business failure: recorded on the pair, shown in the UI, healed by the next edit. Not a crash. */
export class PairFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PairFailed';
  }
}

/** The reason of a failure that ends a sync as a recorded state; undefined for anything else (a bug). */
export function businessFailure(err: unknown): string | undefined {
  if (err instanceof PairFailed) return err.message;
  if (err instanceof ActivityFailure || err instanceof ChildWorkflowFailure) {
    return err.cause instanceof ApplicationFailure || err.cause instanceof Error ? err.cause.message : err.message;
  }
  return undefined;
}

const MAX_ATTEMPTS = 3;
/** How long after the poll refreshed it a target index may stand in for a search (a page's pairs take less). */
const INDEX_FRESH_MS = 5 * 60 * 1000;
/**
 * How old a feed's copy of a linked pair's record may be and stand in for a read: a poll hands its
 * pairs their copies within a second or so; a copy kept waiting longer (a backlog) is read again.
 */
const COPY_FRESH_MS = 3000;

export async function syncPair(ctx: SyncContext, steps: PairSteps): Promise<SyncPairResult> {
  const run = new PairRun(ctx, steps);
  for (let attempt = 1; ; attempt++) {
    const result = await run.attempt(attempt === 1);
    if (result !== 'moved' && result !== 'stale') return result;
    // Someone (an operator's `links --set-target`) saved the link meanwhile, or a person edited a
    // record a retried write was about to overwrite: read both sides again.
    if (attempt >= MAX_ATTEMPTS)
      throw new PairFailed(
        `${run.label}: the link or its records kept changing while it was synced (${MAX_ATTEMPTS} attempts)`,
      );
    if (result === 'moved')
      run.decide('(record)', 'read-again', 'the link changed while this sync ran; read both sides again');
  }
}

class PairRun {
  private readonly flow: FlowDefinition;
  private readonly zendesk: PairSteps['zendesk'];
  private readonly target: PairSteps['target'];
  private readonly local: PairSteps['local'];
  private readonly decisions: SyncDecision[] = [];
  private readonly written: SyncPairResult['written'] = { target: null, zendesk: null };
  /** When the oldest read this attempt's decision rests on was asked for (workflow time, ms). */
  private readAt?: number;

  constructor(
    private readonly ctx: SyncContext,
    steps: PairSteps,
  ) {
    this.flow = getFlow(ctx.pair.flowId);
    ({ zendesk: this.zendesk, target: this.target, local: this.local } = steps);
  }

  get label(): string {
    return zendeskLabel(this.flow, this.ctx.pair.zendeskId);
  }

  decide(row: string, outcome: string, why: string): void {
    this.decisions.push({ row, outcome, why });
  }

  /** The first attempt may use what the notices told (the feed's copy, the webhooks' values); a later one reads. */
  async attempt(first: boolean): Promise<SyncPairResult | 'moved' | 'stale'> {
    const { pair } = this.ctx;
    const type = this.flow.source.type;
    const given = first ? this.ctx.given : undefined;
    this.readAt = undefined;
    const link = await this.local.readLink(pair);
    // Another pair's first sync found it unlinked a moment ago, and another pair linked it since.
    if (this.ctx.asReference && link?.targetId && link.state === 'linked')
      return this.result('unchanged', link.targetId, `${this.label}: linked already, to ${link.targetId}`);
    if (first && this.ctx.reported && link?.targetId && link.state === 'linked') {
      const echo = echoOf(this.flow, link.base, this.ctx.reported);
      if (echo) {
        this.decide('(record)', 'echo', echo);
        return this.result('unchanged', link.targetId, `${this.label}: ${echo}`);
      }
    }
    const fresh = given !== undefined && this.fresh(given, link);
    const known = fresh && given.record && !isDeletedInZendesk(type, given.record) ? given.record : undefined;
    const knownTarget = fresh && link?.targetId ? given.target : undefined;
    // A linked pair reads both sides at once: one round trip less between a change and its write.
    // The writes look again first when they start long after the oldest of these reads was asked for
    // (not answered: a worker that died meanwhile hands the answer on only when another takes over).
    const readAt = (at: number) => (this.readAt = Math.min(this.readAt ?? at, at));
    const copyAt = given?.readAt ?? Date.now();
    const readZendesk = async () => {
      if (known) return (readAt(copyAt), known);
      const asked = Date.now();
      const shared =
        first && this.ctx.zendeskRecord
          ? await this.ctx.zendeskRecord()
          : { record: await this.zendesk.readZendesk(pair, type, pair.zendeskId), readAt: asked };
      readAt(shared.readAt);
      return shared.record;
    };
    const readLinked = async (targetId: string) => {
      if (knownTarget) return (readAt(copyAt), knownTarget);
      readAt(Date.now());
      return this.target.readTarget(pair, targetId);
    };
    let [zendesk, linkedTarget] = await Promise.all([
      readZendesk(),
      link?.targetId ? readLinked(link.targetId) : undefined,
    ]);
    // An API in trouble can answer "not found" for a record that exists: only a second answer, after
    // a pause, marks the pair orphaned.
    if (link?.targetId && (!zendesk || !linkedTarget) && (await this.ctx.confirmGone?.())) {
      const gone = !zendesk ? 'the Zendesk record' : `the ${this.flow.target.type} record ${link.targetId}`;
      this.decide(
        '(record)',
        'confirm-gone',
        `${gone} answered "not found"; read again after a pause before marking anything`,
      );
      [zendesk, linkedTarget] = await Promise.all([
        zendesk ?? this.zendesk.readZendesk(pair, type, pair.zendeskId),
        linkedTarget ?? this.target.readTarget(pair, link.targetId),
      ]);
    }
    if (!zendesk) {
      if (link?.targetId) {
        const why = 'the Zendesk record is gone; the link is kept for review and nothing is deleted';
        await this.local.markOrphaned(pair, why);
        return this.result('orphaned', link.targetId, why);
      }
      await this.local.clearRetrying(pair);
      return this.result('skipped', null, 'the Zendesk record does not exist');
    }
    if (!link?.targetId) return this.firstSync(zendesk, link, given);
    const target = linkedTarget;
    if (!target) {
      const why = `the ${this.flow.target.type} record ${link.targetId} is gone; the link is kept for review and nothing is deleted`;
      await this.local.markOrphaned(pair, why);
      return this.result('orphaned', link.targetId, why);
    }
    return this.reconcile(zendesk, target, link, 'linked');
  }

  /**
   * May the feed's copy stand in for a read? Not when the pair synced after the feed was read: that
   * sync may have written the record, and the copy would undo it. (A copy older than a later edit is
   * safe: each write is conditional on the record being as read, and the edit's own change comes next.)
   */
  private fresh(given: GivenRecord, link: Link | null): boolean {
    if (given.linkVersion !== undefined && given.linkVersion !== (link?.version ?? 0)) {
      this.decide(
        '(record)',
        'read-again',
        "the pair synced after the change feed was read: the record is read again rather than trusting the feed's copy",
      );
      return false;
    }
    // A linked pair writes the side it read: an edit there after an old copy was read would be overwritten unseen.
    if (link?.targetId && given.readAt !== undefined && Date.now() - given.readAt > COPY_FRESH_MS) {
      this.decide(
        '(record)',
        'read-again',
        `the change feed's copy is over ${COPY_FRESH_MS / 1000} s old: the record is read again`,
      );
      return false;
    }
    return true;
  }

  /** No link yet: decide before anything is written, match an existing record, or create one exactly once. */
  private async firstSync(
    zendesk: ApiRecord,
    link: Link | null,
    given: GivenRecord | undefined,
  ): Promise<SyncPairResult | 'moved' | 'stale'> {
    const { pair, demanded } = this.ctx;
    const { flow } = this;
    const context = await this.createContext(given);
    const first = await this.local.decideFirst(pair, zendesk, demanded, context);
    if (first.kind === 'skip') {
      await this.local.clearRetrying(pair);
      return this.result('skipped', null, first.reason);
    }
    if (first.kind === 'fail') throw new PairFailed(first.reason);

    const intent = await this.local.recordIntent(pair, first.intentKey);
    // A record an earlier attempt created, or one made since a while, may be newer than the index:
    // those looks go to the API.
    const indexedAt = given?.matchIndexedAt ?? this.ctx.matchIndexedAt;
    const indexed = indexedAt !== undefined && Date.now() - indexedAt < INDEX_FRESH_MS && intent.isNew;
    // When the external key is only a safety net beside another match rule, only an earlier attempt
    // (an intent found, not new) can have created a record under it.
    const byExternalKey =
      first.externalKey && (flow.match.by === 'externalKey' || !intent.isNew)
        ? await this.candidates('externalKey', first.externalKey, indexed)
        : [];
    const byMatch =
      byExternalKey.length === 0 && first.matchValue !== null
        ? await this.candidates(flow.match.by, first.matchValue, indexed)
        : [];
    const match = await this.local.decideMatch(pair, zendesk, { byExternalKey, byMatch });
    if (match.kind === 'conflict') {
      await this.local.markConflict(pair, match.reason);
      return this.result('conflict', null, match.reason);
    }
    if (match.kind === 'link') {
      this.decide('(record)', 'matched', match.why);
      return this.reconcile(zendesk, match.target, link, 'linked');
    }

    // Only now, with the record known to be creatable, are the records it refers to made to exist.
    for (const ref of first.references) {
      const copy = given?.referenced?.find((r) => r.flowId === ref.flowId && r.zendeskId === ref.zendeskId);
      // linkVersion 0: the copy stands in only while the reference has no link (else it is read).
      await this.linkReference(ref, {
        indexedAt: given?.referencesIndexedAt,
        given: copy?.record && { record: copy.record, linkVersion: 0 },
      });
    }
    const create = await this.local.decideCreate(pair, zendesk, context);
    if (create.kind === 'fail') throw new PairFailed(create.reason);
    const created = await this.target.createTarget(pair, {
      body: create.body,
      zendesk,
      externalKey: first.externalKey,
      matchValue: first.matchValue,
      lookFirst: !intent.isNew,
    });
    const targetId = targetIdOf(flow, created.record);
    if (created.found) {
      this.decide('(record)', 'found-earlier', `found ${flow.target.type} ${targetId}, created by an earlier attempt`);
      return this.reconcile(zendesk, created.record, link, 'linked');
    }
    this.decide('(record)', 'created', `created ${flow.target.type} ${targetId}`);
    return this.reconcile(zendesk, created.record, link, 'created', create.body);
  }

  /** The target records matching by the key: from the index (a read by id each), or the API's search. */
  private async candidates(by: FlowDefinition['match']['by'], value: string, indexed: boolean): Promise<ApiRecord[]> {
    const { pair } = this.ctx;
    if (!indexed) return this.target.findTargets(pair, by, value);
    const found: ApiRecord[] = [];
    for (const id of await this.local.indexedTargets(pair, value)) {
      const record = await this.target.readTarget(pair, id);
      if (record) found.push(record);
    }
    return found;
  }

  /** Three-way merge against the base, write what differs on each side, save the new base. */
  private async reconcile(
    zendesk: ApiRecord,
    target: ApiRecord,
    link: Link | null,
    how: 'linked' | 'created',
    createdWith?: ApiRecord,
  ): Promise<SyncPairResult | 'moved' | 'stale'> {
    const { pair } = this.ctx;
    const { flow } = this;
    const targetId = targetIdOf(flow, target);
    const base: Canonical | null = link?.targetId ? link.base : null;
    let plan = await this.local.decideMerge(pair, zendesk, target, base);
    if (plan.references.length) {
      for (const ref of plan.references) await this.linkReference(ref);
      plan = await this.local.decideMerge(pair, zendesk, target, base);
      if (plan.references.length)
        throw new PairFailed(
          `${this.label}: field \`${plan.references[0].field}\`: ${plan.references[0].zendeskId} has no linked record in ${plan.references[0].flowId}`,
        );
    }
    for (const d of plan.decisions) this.decide(d.row, d.outcome, d.why);
    try {
      if (plan.toTarget) {
        await this.target.updateTarget(pair, targetId, plan.toTarget, modifiedAt(flow, 'target', target), this.readAt);
        this.written.target = { ...this.written.target, ...plan.toTarget };
      }
      if (plan.toZendesk) {
        await this.zendesk.updateZendesk(
          pair,
          plan.toZendesk,
          plan.copyOriginAt,
          modifiedAt(flow, 'zendesk', zendesk),
          this.readAt,
        );
        this.written.zendesk = { ...this.written.zendesk, ...plan.toZendesk };
      }
    } catch (err) {
      // A retried write found its record edited since it was read: decide again from both sides.
      if (!(
        err instanceof ActivityFailure &&
        err.cause instanceof ApplicationFailure &&
        err.cause.type === RECORD_MOVED_ON
      ))
        throw err;
      this.decide('(record)', 'read-again', err.cause.message);
      return 'stale';
    }
    if (!(await this.local.saveLink(pair, { targetId, base: plan.newBase, expectedVersion: link?.version ?? 0 })))
      return 'moved';

    const { target: wroteTarget, zendesk: wroteZendesk } = this.written;
    const outcome: SyncOutcome =
      how === 'created'
        ? 'created'
        : !link?.targetId
          ? 'linked'
          : wroteTarget || wroteZendesk
            ? 'updated'
            : 'unchanged';
    const parts = [
      createdWith ? `created with ${Object.keys(createdWith).join(', ')}` : '',
      wroteTarget ? `wrote ${Object.keys(wroteTarget).join(', ')} to ${flow.target.type} ${targetId}` : '',
      wroteZendesk
        ? `wrote ${Object.keys(wroteZendesk).join(', ')} to Zendesk ${flow.source.type} ${pair.zendeskId}`
        : '',
    ].filter(Boolean);
    const summary = `${outcome}: ${this.label} ↔ ${flow.target.type} ${targetId}${parts.length ? `; ${parts.join('; ')}` : '; nothing to write'}`;
    return {
      ...this.result(outcome, targetId, summary),
      written: { target: createdWith ?? wroteTarget, zendesk: wroteZendesk },
    };
  }

  /** A referenced pair (department, company, contact) linked through its own workflow, or a failure naming it. */
  private async linkReference(ref: Reference, hints?: ReferenceHints): Promise<void> {
    const ready = await this.ctx.linkReference(ref, hints);
    if (!ready.targetId || !['created', 'linked', 'updated', 'unchanged'].includes(ready.outcome)) {
      throw new PairFailed(
        `${this.label}: field \`${ref.field}\`: the referenced record ${ref.zendeskId} could not be linked in ${ref.flowId}: ${ready.summary}`,
      );
    }
    this.decide(ref.field, 'reference-synced', `${ref.flowId} ${ref.zendeskId} → ${ready.targetId} (${ready.outcome})`);
  }

  /** A comment's activity names its ticket: given by the feed, or read. */
  private async createContext(given: GivenRecord | undefined): Promise<CreateContext> {
    if (this.flow.source.type !== 'ticketComments') return {};
    if (given?.ticket) return { ticket: given.ticket };
    const { ticketId } = parseCommentPairId(this.ctx.pair.zendeskId);
    return { ticket: (await this.zendesk.readZendesk(this.ctx.pair, 'tickets', String(ticketId))) ?? undefined };
  }

  private result(outcome: SyncOutcome, targetId: string | null, summary: string): SyncPairResult {
    const { pair } = this.ctx;
    return {
      flowId: pair.flowId,
      zendeskId: pair.zendeskId,
      targetId,
      outcome,
      summary,
      decisions: this.decisions,
      written: { target: null, zendesk: null },
    };
  }
}
