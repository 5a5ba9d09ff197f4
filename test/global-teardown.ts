import { rmSync } from 'node:fs';
import { RUN_STATE, type RunState } from './run-state';

/** After every suite: the run's dev server stopped (awaited), its folder removed. */
export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<symbol, unknown>)[RUN_STATE] as RunState | undefined;
  if (!state) return;
  try {
    await state.server.stop();
  } finally {
    rmSync(state.dir, { recursive: true, force: true });
  }
}
