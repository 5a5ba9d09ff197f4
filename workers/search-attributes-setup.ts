/**
 * Tandem's custom search attributes on a namespace: checked at start, registered through the
 * operator service where the cluster allows it, and otherwise a refusal that gives the exact
 * `temporal operator` command to run. Without them every poll workflow fails (BadSearchAttributes).
 * The list is TANDEM_SEARCH_ATTRIBUTES, never restated here.
 */
import type { Client } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { CLI_TYPE, TANDEM_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

/** Temporal's IndexedValueType numbers (the wire protocol's, stable). */
const INDEXED_VALUE_TYPE: Record<SearchAttributeType, number> = {
  TEXT: 1,
  KEYWORD: 2,
  INT: 3,
  DOUBLE: 4,
  BOOL: 5,
  DATETIME: 6,
  KEYWORD_LIST: 7,
};

export interface SearchAttributeReport {
  present: string[];
  registered: string[];
  /** Set when the cluster would not list them (some managed clusters): why, and the command to give its operator. */
  unchecked?: { cause: string; command: string };
}

export class SearchAttributesMissingError extends Error {
  constructor(
    readonly missing: string[],
    readonly command: string,
    cause: string,
  ) {
    super(
      `Tandem's search attributes ${missing.join(', ')} are not registered on this namespace, and registering them failed (${cause}). ` +
        `Ask the cluster's operator to run:\n  ${command}\n(on Temporal Cloud: add them in the namespace's settings, or with tcld). Then start again.`,
    );
    this.name = 'SearchAttributesMissingError';
  }
}

/** The command that registers `names` (every Tandem attribute by default) on a namespace. */
export function createSearchAttributesCommand(opts: { namespace: string; address?: string }, names?: string[]): string {
  const wanted = TANDEM_SEARCH_ATTRIBUTES.filter((a) => !names || names.includes(a.name));
  const args = wanted.map((a) => `--name ${a.name} --type ${CLI_TYPE[a.type]}`).join(' ');
  const address = opts.address ? ` --address ${opts.address}` : '';
  return `temporal operator search-attribute create${address} --namespace ${opts.namespace} ${args}`;
}

/**
 * Makes sure every Tandem attribute exists with its type. `register: false` only checks. Throws
 * SearchAttributesMissingError naming the command when one is missing and cannot be added, and
 * an Error when one exists with another type (that needs a person, not a retry).
 */
export async function ensureSearchAttributes(
  client: Client,
  opts: { namespace: string; address?: string; register: boolean },
): Promise<SearchAttributeReport> {
  const operator = client.connection.operatorService;
  let existing: Record<string, number>;
  try {
    existing = (await operator.listSearchAttributes({ namespace: opts.namespace })).customAttributes ?? {};
  } catch (err) {
    // Not knowing is not a reason to refuse: they may well be there. The caller says what to check.
    return {
      present: [],
      registered: [],
      unchecked: { cause: (err as Error).message, command: createSearchAttributesCommand(opts) },
    };
  }
  const present: string[] = [];
  const missing: string[] = [];
  for (const a of TANDEM_SEARCH_ATTRIBUTES) {
    const want = INDEXED_VALUE_TYPE[a.type];
    if (!(a.name in existing)) missing.push(a.name);
    else if (existing[a.name] !== want) {
      throw new Error(
        `search attribute ${a.name} exists on namespace ${opts.namespace} with another type; Tandem needs ${CLI_TYPE[a.type]}. Remove it (temporal operator search-attribute remove --name ${a.name}) and start again.`,
      );
    } else present.push(a.name);
  }
  if (!missing.length) return { present, registered: [] };
  const command = createSearchAttributesCommand(opts, missing);
  if (!opts.register) throw new SearchAttributesMissingError(missing, command, 'registering was turned off');
  try {
    const searchAttributes = Object.fromEntries(
      TANDEM_SEARCH_ATTRIBUTES.filter((a) => missing.includes(a.name)).map((a) => [a.name, INDEXED_VALUE_TYPE[a.type]]),
    );
    await operator.addSearchAttributes({ namespace: opts.namespace, searchAttributes });
  } catch (err) {
    throw new SearchAttributesMissingError(missing, command, (err as Error).message);
  }
  return { present, registered: missing };
}
