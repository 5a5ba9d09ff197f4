/**
 * The layers' rule (`npm run lint`): every arrow points down. protocol/ holds what workflows and
 * activities share; flows/ the pure decisions; connectors/, store/ and codec/ the outside world;
 * activities/ the steps between; workflows/ the order; workers/ and cli/ put it together.
 */
const LOWER = '^(protocol|flows|connectors|store|codec|activities)/';
const UPPER = '^(workflows|workers|cli)/';

module.exports = {
  forbidden: [
    {
      name: 'lower-imports-upper',
      comment: 'activities, flows, connectors, store, codec and protocol never import workflows, workers or cli',
      severity: 'error',
      from: { path: LOWER },
      to: { path: UPPER },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    // Type-only imports vanish when compiled; the rule is about what runs.
    tsPreCompilationDeps: false,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
