/**
 * The shape of a flow: the tables of docs/flows.md as data. Pure types and constants only,
 * so workflow code may import this file.
 */
import type { FlowsConfig } from './config';
import type { TargetSystem, TargetType } from './target-types';
import type { ZendeskType } from './zendesk-types';

/**
 * A flow's documented id (`zendesk-users-to-powerofficego-employees`): one of the six of docs/flows.md,
 * or one an extension registered (flows/extend.ts). `FLOW_IDS` lists those known.
 */
export type FlowId = string;

export type { ZendeskType } from './zendesk-types';
export type { TargetSystem, TargetType } from './target-types';
/** The two ends of a pair: Zendesk, and the flow's other system. */
export type Side = 'zendesk' | 'target';

/** A record as its API returns it (Zendesk snake_case, PowerOffice PascalCase, Crmoffice camelCase). */
export type ApiRecord = Record<string, unknown>;

/** A row's values in normal form, by row key (see `rowKey`): what merge compares and the base stores. */
export type Canonical = Record<string, string | null>;

/** How a value is compared and written: ids as strings, timestamps as UTC instants, text trimmed. */
export type ValueKind = 'id' | 'timestamp' | 'text';

/** One row of a flow's property table, exactly as the spec gives it. */
export interface PropertyRow {
  /** Zendesk path (dotted for nested). */
  source: string;
  /** Target path (dotted for nested; case-insensitive on PowerOffice). */
  target: string;
  /** "Data type" column of the spec: the type on the target side. */
  dataType: 'string';
  kind: ValueKind;
  /** A read-only row is compared and shown but never written on that side. */
  readOnly: { zendesk?: boolean; target?: boolean };
  /** The value is an id of a record of another flow, translated through that flow's links. */
  reference?: { flow: FlowId };
  /**
   * How the target API takes this row cleared, when not as null at `target`: Crmoffice clears a
   * contact's company with `"company": null` and refuses `{"company": {"id": null}}`.
   */
  clearOnTarget?: { path: string };
}

/**
 * Translates an id through the links of `flow`: from a Zendesk id to the target id (`from` =
 * 'zendesk') or back (`from` = 'target'). Null when there is no link. Supplied by the caller,
 * who has read the links, so mapping stays pure and synchronous.
 */
export type Translate = (flow: FlowId, from: Side, id: string) => string | null;

/** What an extra's value function receives. */
interface ExtraInput {
  record: ApiRecord;
  translate: Translate;
  context: CreateContext;
}

/** Records a create needs beyond the one being mapped (e.g. the ticket of a comment). */
export interface CreateContext {
  ticket?: ApiRecord;
}

/** A computed value (undefined/null = leave the field out), or why none could be made. */
export type ExtraResult = { value: unknown } | { problem: string };

/** A target field filled at creation only, beyond the spec's table (documented as such). */
interface ExtraField {
  target: string;
  /** Human description of where the value comes from, for `tandem explain`. */
  from: string;
  beyondTable: true;
  /** One line: why this field is written although the spec's table does not list it. */
  why: string;
  reference?: { flow: FlowId };
  value(input: ExtraInput): ExtraResult;
}

interface FlowCondition {
  id: string;
  description: string;
  /** Does this Zendesk record get a linked record on the other side? */
  predicate(record: ApiRecord, config: FlowsConfig): boolean;
}

interface FlowDirection {
  mode: 'two-way' | 'one-way';
  description: string;
}

interface FlowCreation {
  /** 'on-demand': created only when a record of another flow refers to it. */
  mode: 'always' | 'on-demand';
  description: string;
}

/** How an existing target record is found before creating one. */
export interface MatchRule {
  by: 'email' | 'name' | 'externalKey';
  /** Zendesk path of the value to match (absent for externalKey: see FlowDefinition.externalKey). */
  zendesk?: string;
  target: string;
  /** Compare ignoring case (e-mail, names). */
  caseInsensitive: boolean;
  /** Two or more candidates is a reported conflict, never a guess. */
  exactlyOne: true;
  description: string;
}

export interface FlowDefinition {
  id: FlowId;
  /** Short name used in the spec: Z1, Z2, Z3, Z3b, P1, P2. */
  code: string;
  title: string;
  source: { system: 'zendesk'; type: ZendeskType };
  target: { system: TargetSystem; type: TargetType };
  direction: FlowDirection;
  condition: FlowCondition;
  creation: FlowCreation;
  match: MatchRule;
  properties: readonly PropertyRow[];
  extras: readonly ExtraField[];
  /** Path of each side's last-modified time. */
  modifiedAt: { zendesk: string; target: string };
  /** A key written on create that makes the created record findable again (exactly-once creation). */
  externalKey?: {
    target: string;
    of(zendeskRecord: ApiRecord): string;
    /** What every key of this flow starts with: tells its target records from another flow's of the same type. */
    prefix: string;
  };
}

/** Stable key of a table row: both P2 `created_at` rows stay distinct. */
export function rowKey(row: Pick<PropertyRow, 'source' | 'target'>): string {
  return `${row.source}->${row.target}`;
}
