/**
 * The Node.js flags a worker process runs with (`npm run worker`; the benchmark's and tests' worker
 * processes too). With Node's defaults on a large machine (a heap limit of about 4 GiB) V8 lets
 * garbage pile up before it collects; a smaller old space makes it collect sooner and small young
 * spaces (in the worker's two isolates: activities, workflows) take less, at the same speed
 * (docs/benchmarks.md). Nothing a worker keeps grows with the links (the store is on disk), so the
 * cap holds at any size.
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=2'] as const;
