/**
 * The Node.js flags a worker process runs with (`npm run worker`; the benchmark's and tests' worker
 * processes too). With Node's defaults on a large machine (a heap limit of about 4 GiB) V8 lets
 * garbage pile up: a worker's resident memory peaked at 435 MiB in a first sync of 1,500 users and
 * stayed at 330. A smaller old space makes it collect sooner and small young spaces (in the worker's
 * two isolates: activities, workflows) take less: 245 MiB peak, at the same speed. Nothing a worker
 * keeps grows with the number of links (the store is on disk), so the cap holds at any size.
 */
export const WORKER_NODE_FLAGS = ['--max-old-space-size=192', '--max-semi-space-size=2'] as const;
