import type { RetryTuning } from '../../workflows/steps';

/** What a chaos run does, with the issue's defaults; `npm run chaos -- --users 1000 …` overrides them. */
export interface ChaosOptions {
  /** Zendesk sample users (organisations in proportion). */
  users: number;
  /** Random edits, spread over `seconds`. */
  edits: number;
  /** The edit window: faults and worker kills last this long after the first sync (edits end with it). */
  seconds: number;
  /** SIGKILL a worker (and start another) every this many seconds, from the first sync on. */
  killEvery: number;
  /** At most this many kills (the jest scenario wants one). */
  maxKills: number;
  seed: number;
  /** Bounds of the first sync and of the drain after the faults stop. */
  firstSyncSeconds: number;
  drainSeconds: number;
  faults: ChaosFaults;
  /** The backoff of the pairs polls and webhooks start; the engine's default (1 s doubling to 60 s, a minute before a record is found gone) when absent. */
  retry?: RetryTuning;
}

/** The simulators' fault switches (`faults` of `simulators/kit.ts`) a chaos run sets on all three. */
interface ChaosFaults {
  errorRate: number;
  tooManyRate: number;
  dropRate: number;
  slowRate: number;
  slowMs: number;
  appliedThenLostRate: number;
  appliedLateRate: number;
  appliedLateMs: number;
  listFailRate: number;
  shortPageRate: number;
  sameSecondTimes: boolean;
}

export const CHAOS_DEFAULTS: ChaosOptions = {
  users: 5000,
  edits: 1000,
  seconds: 300,
  killEvery: 20,
  maxKills: Number.POSITIVE_INFINITY,
  seed: 1,
  firstSyncSeconds: 3600,
  drainSeconds: 900,
  // 10 % 5xx, 5 % 429 under the limit, 2 % without an answer: dropped, or held past the client's 30 s
  // timeout. Of the writes, 1 % applied with the answer lost and 0.5 % held past that timeout, then
  // applied; 5 % of later list pages fail, 5 % of pages with more to follow come back short; PowerOffice
  // Go and Crmoffice hand out whole-second times. Zendesk's exports hold back the last minute (always,
  // with the real limits the chaos stack runs).
  faults: {
    errorRate: 0.1,
    tooManyRate: 0.05,
    dropRate: 0.015,
    slowRate: 0.005,
    slowMs: 35_000,
    appliedThenLostRate: 0.01,
    appliedLateRate: 0.005,
    appliedLateMs: 35_000,
    listFailRate: 0.05,
    shortPageRate: 0.05,
    sameSecondTimes: true,
  },
};

const NAMES: Record<string, keyof ChaosOptions> = {
  users: 'users',
  edits: 'edits',
  seconds: 'seconds',
  'kill-every': 'killEvery',
  'max-kills': 'maxKills',
  seed: 'seed',
  'first-sync-seconds': 'firstSyncSeconds',
  'drain-seconds': 'drainSeconds',
};

/** `--name value` pairs over the defaults; an unknown option or a value that is not a whole number is an error. */
export function parseChaosArgs(argv: readonly string[]): ChaosOptions {
  const out: ChaosOptions = { ...CHAOS_DEFAULTS, faults: { ...CHAOS_DEFAULTS.faults } };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    const key = NAMES[name];
    const value = Number(argv[i + 1]);
    if (!key)
      throw new Error(
        `unknown option ${argv[i]}; options: ${Object.keys(NAMES)
          .map((n) => `--${n}`)
          .join(', ')}`,
      );
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} takes a whole number, got ${argv[i + 1]}`);
    (out[key] as number) = value;
  }
  return out;
}
