/**
 * Where token providers keep tokens that every worker must share: a rotating refresh token used by
 * one worker kills the copy another worker holds, and each sign-in costs a request against the
 * rate limit. The link store implements it; without one, a provider keeps its tokens to itself.
 */
import { createHash } from 'node:crypto';

export interface SharedToken {
  name: string;
  /** A secret: never log it or put it in an error. */
  value: string;
  /** ISO time after which the value is useless; null when it does not expire on its own. */
  expiresAt: string | null;
  updatedAt: string;
}

export interface SharedTokenHolder {
  getSharedToken(name: string): Promise<SharedToken | undefined>;
  /**
   * Stores `value` under `name`. With `expectedPrevious` it is a compare-and-set: it stores only if the
   * current value is still that one (null: only if there is none yet). Returns whether it stored.
   */
  putSharedToken(
    name: string,
    value: string,
    expiresAt: string | null,
    expectedPrevious?: string | null,
  ): Promise<boolean>;
}

/**
 * The name a credential's tokens are shared under: the system plus a digest of what identifies the
 * credential (never the secret itself). Configuring a new credential (a re-authorised refresh token)
 * thus starts a new chain instead of being ignored in favour of a dead stored one.
 */
export function sharedTokenName(system: string, ...identity: string[]): string {
  return `${system}:${createHash('sha256').update(identity.join('\n')).digest('hex').slice(0, 24)}`;
}
