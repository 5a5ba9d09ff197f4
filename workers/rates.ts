import type { System } from '../workflows/ids';

/** Activities a second per system (its task queue's server-side rate), across every worker. */
export type SystemRates = Record<System, number>;

/**
 * Zendesk 700/min (Enterprise; plans differ, so it is a setting), PowerOffice Go 10/s per
 * subscription key, Crmoffice 20/s (assumed). Temporal dispatches from a token bucket whose burst
 * is its rate, so after a pause one second can see twice the rate, and each worker's sign-in comes on
 * top: (limit - workers) / 2 keeps every second under the limit (test/scenarios/rate-limits.test.ts). Zendesk's limit is per minute, where the
 * burst hardly counts.
 */
export const DEFAULT_RATES: SystemRates = { zendesk: 10, poweroffice: 4, crmoffice: 9 };
