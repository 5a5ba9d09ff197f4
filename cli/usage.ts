import { InvalidArgumentError } from 'commander';
import { FLOW_IDS, FlowId, isFlowId } from '../flows';

/** Parses a flow id argument; a wrong one is a usage error (exit 2) naming the valid ids. */
export function flowIdArg(value: string): FlowId {
  if (!isFlowId(value)) throw new InvalidArgumentError(`unknown flow id "${value}"; valid: ${FLOW_IDS.join(', ')}`);
  return value;
}

export function portArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a port (0-65535)`);
  return n;
}

export function positiveIntArg(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`"${value}" is not a positive whole number`);
  return n;
}
