/**
 * Sync of one pair (design.md, "Sync of one pair"): read both sides, link or create when there is
 * no link yet, otherwise merge three-way against the base and write only what differs. Both the
 * record workflow's activity and the bulk page sync call this one function; the link row's version
 * keeps them from overwriting each other.
 */
import {
  ApiRecord,
  Canonical,
  CreateContext,
  FlowDefinition,
  FlowId,
  FlowsConfig,
  Side,
  Translate,
  createBody,
  getFlow,
  matchValue,
  pickMatch,
  merge,
  modifiedAt,
  recordLabel,
  rowKey,
  toCanonical,
  translateCanonical,
  writeBody,
} from '../flows';
import { ZENDESK_NOUN } from '../flows/extras';
import { Link, LinkStore, VersionConflictError } from '../store';
import type { PairRef } from '../workflows/ids';
import type { TargetAccess, ZendeskAccess } from './record-access';
import { LinkTranslations } from './link-translations';
import { isDeletedInZendesk, parseCommentPairId } from './record-access';
import type { SyncDecision, SyncOutcome, SyncPairResult } from './types';

export interface SyncDeps {
  zendesk: ZendeskAccess;
  target(flow: FlowDefinition): TargetAccess;
  store: LinkStore;
  flows: FlowsConfig;
  hooks?: SyncHooks;
  /** Tells Temporal the activity is alive (a dead worker's sync is then retried within the heartbeat timeout). */
  heartbeat?: () => void;
}

/** Points where tests inject a crash, to prove that creation stays exactly-once. */
export interface SyncHooks {
  afterTargetCreate?(pair: PairRef, targetId: string): Promise<void> | void;
}

/** Bad data: retrying cannot help. The message names the record, the field and the reason. */
export class PairFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PairFailure';
  }
}

export interface SyncOptions {
  /** Another pair refers to this one: on-demand flows may create it. */
  demanded?: boolean;
  /** The Zendesk record as a change feed just returned it, to save reading it again. */
  zendeskRecord?: ApiRecord;
}

const MAX_VERSION_RETRIES = 3;
const locks = new Map<string, Promise<unknown>>();

/** One sync at a time per pair in this process; across processes the link version guards. */
async function withPairLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = locks.get(key) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(fn);
  locks.set(key, run);
  try {
    return await run;
  } finally {
    if (locks.get(key) === run) locks.delete(key);
  }
}

export async function syncOnePair(deps: SyncDeps, pair: PairRef, opts: SyncOptions = {}): Promise<SyncPairResult> {
  const flow = getFlow(pair.flowId);
  return withPairLock(`${pair.flowId}/${pair.zendeskId}`, async () => {
    let carried: Written = { target: null, zendesk: null };
    for (let attempt = 1; ; attempt++) {
      // After a version conflict the record is read afresh: the page's copy may be what lost.
      const sync = new PairSync(deps, flow, pair.zendeskId, attempt === 1 ? opts : { ...opts, zendeskRecord: undefined }, carried);
      try {
        return await sync.run();
      } catch (err) {
        // Someone else synced this pair meanwhile: read again and merge against their result,
        // keeping what this attempt already wrote in the record of what was done.
        if (err instanceof VersionConflictError && attempt < MAX_VERSION_RETRIES) {
          carried = sync.written;
          continue;
        }
        throw err;
      }
    }
  });
}

type Written = SyncPairResult['written'];

class PairSync {
  private readonly decisions: SyncDecision[] = [];
  /** Bodies written so far for this pair, this attempt and any earlier one that lost its save. */
  readonly written: Written;
  private readonly target: TargetAccess;
  private readonly links: LinkTranslations;

  constructor(
    private readonly deps: SyncDeps,
    private readonly flow: FlowDefinition,
    private readonly zendeskId: string,
    private readonly opts: SyncOptions,
    carried: Written,
  ) {
    this.target = deps.target(flow);
    this.links = new LinkTranslations(deps.store);
    this.written = { ...carried };
    if (carried.target || carried.zendesk) this.decide('(record)', 'read-again', 'the link moved while this sync ran (another sync of the pair saved first); read both sides again');
  }

  async run(): Promise<SyncPairResult> {
    const { flow, zendeskId, deps } = this;
    deps.heartbeat?.();
    const given = this.opts.zendeskRecord;
    const zendesk = given && !isDeletedInZendesk(flow.source.type, given) ? given : await deps.zendesk.get(flow.source.type, zendeskId);
    const link = await deps.store.getByZendeskId(flow.id, zendeskId);
    if (!zendesk) {
      if (link?.targetId) {
        await deps.store.markOrphaned(flow.id, zendeskId);
        return this.result('orphaned', link.targetId, 'the Zendesk record is gone; the link is kept for review and nothing is deleted');
      }
      return this.result('skipped', null, 'the Zendesk record does not exist');
    }
    if (!link?.targetId) return this.firstSync(zendesk, link);
    const target = await this.target.get(link.targetId);
    if (!target) {
      await deps.store.markOrphaned(flow.id, zendeskId);
      return this.result('orphaned', link.targetId, `the ${flow.target.type} record ${link.targetId} is gone; the link is kept for review and nothing is deleted`);
    }
    return this.reconcile(zendesk, target, link, 'linked');
  }

  /** No link yet: check the condition, match an existing record, or create one exactly once. */
  private async firstSync(zendesk: ApiRecord, link: Link | undefined): Promise<SyncPairResult> {
    const { flow, deps, zendeskId } = this;
    if (!flow.condition.predicate(zendesk, deps.flows)) {
      return this.result('skipped', null, `condition not met: ${flow.condition.description}`);
    }
    if (flow.creation.mode === 'on-demand' && !this.opts.demanded) {
      return this.result('skipped', null, `not referred to by a synced record: ${flow.creation.description}`);
    }
    const context = await this.createContext();
    const translate = await this.prepareTranslate((t) => createBody(flow, zendesk, t, context));

    const externalKey = flow.externalKey?.of(zendesk);
    // Recorded before any create, so a retry after a crash searches before it creates again.
    const intent = await deps.store.recordIntent(flow.id, zendeskId, externalKey ?? `${flow.match.by}:${matchValue(flow, zendesk) ?? ''}`);

    let existing: ApiRecord | undefined;
    // When the key is only a safety net beside another match rule, only an earlier attempt (an intent
    // found, not new) can have created a record under it: skip the lookup on the first try.
    if (externalKey && (flow.match.by === 'externalKey' || !intent.isNew)) [existing] = await this.target.find('externalKey', externalKey);
    const value = flow.match.by === 'externalKey' ? null : matchValue(flow, zendesk);
    if (!existing && value !== null) {
      const match = pickMatch(flow, zendesk, await this.target.find(flow.match.by, value));
      if (match.kind === 'many') {
        const message = `${recordLabel(flow, 'zendesk', zendesk)}: ${match.why} (ids ${match.records.map((c) => this.target.idOf(c)).join(', ')}); link one by hand: tandem links ${flow.id} ${zendeskId} --set-target <id>`;
        await deps.store.saveLink({ ...this.blankLink(link), state: 'conflict', lastError: message }, link?.version ?? 0);
        return this.result('conflict', null, message);
      }
      if (match.kind === 'one') existing = match.record;
    }

    if (existing) {
      this.decide('(record)', 'matched', `found ${flow.target.type} ${this.target.idOf(existing)} (${flow.match.description})`);
      return this.reconcile(zendesk, existing, link, 'linked');
    }

    const { body, problems } = createBody(flow, zendesk, translate, context);
    if (problems.length) throw new PairFailure(problems.join('; '));
    deps.heartbeat?.();
    const created = await this.target.create(body);
    const targetId = this.target.idOf(created);
    this.decide('(record)', 'created', `created ${flow.target.type} ${targetId}`);
    await deps.hooks?.afterTargetCreate?.({ flowId: flow.id, zendeskId }, targetId);
    return this.reconcile(zendesk, created, link, 'created', body);
  }

  /** Three-way merge against the base, write what differs on each side, save the new base. */
  private async reconcile(zendesk: ApiRecord, target: ApiRecord, link: Link | undefined, outcome: 'linked' | 'created', createdWith?: ApiRecord): Promise<SyncPairResult> {
    const { flow, deps, zendeskId } = this;
    const targetId = this.target.idOf(target);
    const base = link?.targetId ? link.base : null;
    const zendeskValues = toCanonical(flow, 'zendesk', zendesk);
    const targetRaw = toCanonical(flow, 'target', target);
    await this.links.load(flow, 'target', targetRaw);
    const { values: targetValues, unresolved } = translateCanonical(flow, 'target', targetRaw, this.links.translate);
    const merged = merge({
      flow,
      base,
      zendesk: zendeskValues,
      target: targetValues,
      zendeskModifiedAt: modifiedAt(flow, 'zendesk', zendesk),
      targetModifiedAt: modifiedAt(flow, 'target', target),
      // A reference we cannot read back is not a clear: merge leaves such rows alone.
      unresolved: { target: unresolved },
    });
    for (const d of merged.decisions) this.decide(d.row, d.outcome, d.why);

    const toTarget = await this.ensureReferencesFor(merged.toTarget);
    deps.heartbeat?.();
    if (Object.keys(toTarget).length) {
      const body = writeBody(flow, 'target', toTarget, this.links.translate);
      if (Object.keys(body).length) {
        await this.target.update(targetId, body);
        this.written.target = { ...this.written.target, ...body };
      }
    }
    if (Object.keys(merged.toZendesk).length && flow.direction.mode === 'two-way') {
      const body = writeBody(flow, 'zendesk', merged.toZendesk);
      if (Object.keys(body).length) {
        await deps.zendesk.update(flow.source.type, zendeskId, body);
        this.written.zendesk = { ...this.written.zendesk, ...body };
      }
    }

    await deps.store.saveLink(
      { ...this.blankLink(link), targetId, state: 'linked', base: merged.newBase, lastError: null, lastSyncedAt: new Date().toISOString() },
      link?.version ?? 0,
    );
    await deps.store.clearIntent(flow.id, zendeskId);

    const { target: wroteTarget, zendesk: wroteZendesk } = this.written;
    const final: SyncOutcome = outcome === 'created' ? 'created' : !link?.targetId ? 'linked' : wroteTarget || wroteZendesk ? 'updated' : 'unchanged';
    const parts = [
      createdWith ? `created with ${Object.keys(createdWith).join(', ')}` : '',
      wroteTarget ? `wrote ${Object.keys(wroteTarget).join(', ')} to ${flow.target.type} ${targetId}` : '',
      wroteZendesk ? `wrote ${Object.keys(wroteZendesk).join(', ')} to Zendesk ${flow.source.type} ${zendeskId}` : '',
    ].filter(Boolean);
    const summary = `${final}: ${recordLabel(flow, 'zendesk', zendesk)} ↔ ${flow.target.type} ${targetId}${parts.length ? `; ${parts.join('; ')}` : '; nothing to write'}`;
    return { ...this.result(final, targetId, summary), written: { target: createdWith ?? wroteTarget, zendesk: wroteZendesk } };
  }

  /** Reference rows going to the target need their referenced pair linked: sync it first (on demand). */
  private async ensureReferencesFor(changes: Canonical): Promise<Canonical> {
    const out: Canonical = { ...changes };
    for (const row of this.flow.properties) {
      const key = rowKey(row);
      if (!(key in changes) || !row.reference || changes[key] === null) continue;
      const id = changes[key] as string;
      await this.ensureReference(row.reference.flow, id, row.source);
    }
    return out;
  }

  private async ensureReference(refFlow: FlowId, zendeskId: string, field: string): Promise<string> {
    const existing = await this.deps.store.getByZendeskId(refFlow, zendeskId);
    if (existing?.targetId && existing.state === 'linked') {
      this.links.remember(refFlow, zendeskId, existing.targetId);
      return existing.targetId;
    }
    const result = await syncOnePair(this.deps, { flowId: refFlow, zendeskId }, { demanded: true });
    if (!result.targetId || !['created', 'linked', 'updated', 'unchanged'].includes(result.outcome)) {
      throw new PairFailure(`${this.label}: field \`${field}\`: the referenced record ${zendeskId} could not be linked in ${refFlow}: ${result.summary}`);
    }
    this.decide(field, 'reference-synced', `${refFlow} ${zendeskId} → ${result.targetId} (${result.outcome})`);
    this.links.remember(refFlow, zendeskId, result.targetId);
    return result.targetId;
  }

  /**
   * Runs `build` with a recording translator to learn which references it needs, links those
   * (syncing referenced pairs on demand), and returns a translator that knows them all.
   */
  private async prepareTranslate(build: (t: Translate) => unknown): Promise<Translate> {
    const wanted: { flow: FlowId; from: Side; id: string }[] = [];
    build((flow, from, id) => {
      wanted.push({ flow, from, id });
      return null;
    });
    for (const w of wanted) {
      if (w.from === 'zendesk') await this.ensureReference(w.flow, w.id, referenceField(this.flow, w.flow));
    }
    return this.links.translate;
  }

  private async createContext(): Promise<CreateContext> {
    if (this.flow.source.type !== 'ticketComments') return {};
    const { ticketId } = parseCommentPairId(this.zendeskId);
    return { ticket: (await this.deps.zendesk.get('tickets', String(ticketId))) ?? undefined };
  }

  private blankLink(link: Link | undefined): Link {
    const now = new Date().toISOString();
    return link ?? { flowId: this.flow.id, zendeskId: this.zendeskId, targetId: null, state: 'pending', base: null, version: 0, lastError: null, lastSyncedAt: null, updatedAt: now };
  }

  private get label(): string {
    return `zendesk ${ZENDESK_NOUN[this.flow.source.type]} ${this.zendeskId}`;
  }

  private decide(row: string, outcome: string, why: string): void {
    this.decisions.push({ row, outcome, why });
  }

  private result(outcome: SyncOutcome, targetId: string | null, summary: string): SyncPairResult {
    return { flowId: this.flow.id, zendeskId: this.zendeskId, targetId, outcome, summary, decisions: this.decisions, written: { target: null, zendesk: null } };
  }
}

/** The Zendesk field through which a flow refers to another flow's records, for messages. */
function referenceField(flow: FlowDefinition, refFlow: FlowId): string {
  const row = flow.properties.find((r) => r.reference?.flow === refFlow);
  if (row) return row.source;
  return flow.extras.find((e) => e.reference?.flow === refFlow)?.from ?? refFlow;
}
