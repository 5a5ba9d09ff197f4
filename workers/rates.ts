import type { System } from '../workflows/ids';

/** Activities a second per system (its task queue's server-side rate), across every worker. */
export type SystemRates = Record<System, number>;

/**
 * Zendesk 700/min (Enterprise; plans differ, so it is a setting), PowerOffice Go 10/s per
 * subscription key, Crmoffice 20/s (assumed). Temporal dispatches from a token bucket whose burst
 * is about its rate, so after a pause one second can see rate + burst: half the limit keeps every
 * second under it (test/scenarios/rate-limits.test.ts). Zendesk's limit is per minute, where the
 * burst hardly counts.
 */
export const DEFAULT_RATES: SystemRates = { zendesk: 10, poweroffice: 5, crmoffice: 9 };
