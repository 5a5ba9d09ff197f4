/**
 * Flow names as people type them: the full id, or the short code of docs/flows.md (P1, Z3b, ...),
 * any case. The codes come from the flow definitions, so a new flow needs no edit here.
 */
import { FLOW_IDS, FLOWS, type FlowId } from '../flows';

/** Short code -> id, e.g. `P2` -> `zendesk-users-to-powerofficego-employees` (read when asked: extensions add flows). */
export function flowCodes(): ReadonlyMap<string, FlowId> {
  return new Map(FLOW_IDS.map((id) => [FLOWS[id].code, id]));
}

export function flowCode(id: FlowId): string {
  return FLOWS[id].code;
}

/** The id a name means, or undefined. */
export function resolveFlowName(name: string): FlowId | undefined {
  const lower = name.trim().toLowerCase();
  for (const id of FLOW_IDS) if (id === lower) return id;
  for (const [code, id] of flowCodes()) if (code.toLowerCase() === lower) return id;
  return undefined;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** The closest names to a mistyped one, as `gh` and `git` suggest: near codes and ids, and ids that contain it. */
export function suggestFlowNames(name: string): string[] {
  const lower = name.trim().toLowerCase();
  const scored: { name: string; d: number }[] = [];
  for (const [code, id] of flowCodes()) {
    const dc = distance(lower, code.toLowerCase());
    const di = distance(lower, id);
    const contains = lower.length >= 4 && id.includes(lower);
    const d = Math.min(
      dc <= 1 ? dc : Infinity,
      di <= Math.max(2, Math.floor(id.length / 5)) ? di : Infinity,
      contains ? 1 : Infinity,
    );
    if (d !== Infinity) scored.push({ name: dc <= di ? code : id, d });
  }
  return scored.sort((a, b) => a.d - b.d).map((s) => s.name);
}

/** Every accepted name, for a usage message. */
export function flowNameList(): string {
  return FLOW_IDS.map((id) => `${FLOWS[id].code} (${id})`).join(', ');
}

/** The help text of a flow argument, with the codes of the flows registered when the command is built. */
export function flowArgHelp(): string {
  return `a flow id or its short code (${[...flowCodes().keys()].join(', ')})`;
}
