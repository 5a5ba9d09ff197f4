import type { System } from '../protocol/ids';

/** Requests a second per system across every worker: the most any one second may see. */
export type SystemRates = Record<System, number>;

/**
 * Zendesk 700/min (Enterprise; plans differ, so it is a setting), PowerOffice Go 10/s per
 * subscription key, Crmoffice 20/s (assumed): one under each, for a sign-in that comes on top. The
 * task queue's server-side rate holds each across workers on average; each worker paces its share
 * evenly (rate-share.ts), since the queue hands out a second's worth at once after a pause.
 * test/scenarios/rate-limits.test.ts checks that no second goes over.
 */
export const DEFAULT_RATES: SystemRates = { zendesk: 11, poweroffice: 9, crmoffice: 19 };
