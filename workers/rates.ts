import type { System } from '../workflows/ids';

/** Activities a second per system (its task queue's server-side rate), across every worker. */
export type SystemRates = Record<System, number>;

/**
 * Zendesk 700/min (Enterprise; plans differ, so it is a setting), PowerOffice Go 10/s per
 * subscription key, Crmoffice 20/s (assumed). Set a little under each: the server's token bucket
 * allows short bursts, and a few calls (sign-in) do not go through the queues.
 */
export const DEFAULT_RATES: SystemRates = { zendesk: 10, poweroffice: 8, crmoffice: 16 };
