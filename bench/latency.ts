/** Latency samples summed up as the bench prints them: p50, p95, p99 and max, in whole ms. */

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export interface LatencySummary {
  samples: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

export function summary(ms: number[]): LatencySummary {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? Math.round(percentile(sorted, p)) : null);
  return { samples: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: at(100) };
}
