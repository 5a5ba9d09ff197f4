/**
 * The Node.js flags a worker process runs with (`npm run worker`; the benchmark's and tests' worker
 * processes too). With Node's defaults on a large machine (a heap limit of about 4 GiB) V8 lets
 * garbage pile up before it collects; a smaller old space makes it collect sooner and small young
 * spaces (in the worker's two isolates: activities, workflows) take less. A first sync of 10,000
 * users: 416 MiB peak and 310 at the end with Node's defaults (bench/results/2026-12-05T23-09-29-863Z,
 * before the organisations' side-load), 262 and 241 with these (2026-12-06T02-41-10-188Z), at the
 * same speed. Compare on one commit with `npm run bench -- --workers 1 [--node-defaults]`. Nothing
 * a worker keeps grows with the links (the store is on disk), so the cap holds at any size.
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=2'] as const;
