import type { DevServer } from '../workers/temporal-dev-server';

/** What global-setup.ts leaves for global-teardown.ts (they run in jest's own process). */
export interface RunState {
  dir: string;
  server: DevServer;
}

export const RUN_STATE = Symbol.for('tandem.test.run');
