/**
 * Programs some suites need beyond Node (PostgreSQL, openssl, Java, promtool). A missing one fails
 * its suite, saying what to install, so CI cannot pass by skipping; a local run may opt out with
 * `TANDEM_TEST_SKIP=postgres,openssl,java,promtool` (the suites then skip, saying so).
 */
const SKIP_VARIABLE = 'TANDEM_TEST_SKIP';

const DEPENDENCIES = {
  postgres:
    'PostgreSQL (initdb and pg_ctl, on PATH or in /usr/lib/postgresql/<version>/bin; e.g. apt-get install postgresql)',
  openssl: 'openssl (e.g. apt-get install openssl)',
  java: "Java 17 or newer and Maven (java and mvn, to fetch and run Temporal's time-skipping test server; e.g. apt-get install default-jre-headless maven)",
  promtool: "promtool, Prometheus's rule checker (e.g. apt-get install prometheus, or only its promtool)",
} as const;
export type TestDependency = keyof typeof DEPENDENCIES;

/** The dependencies named in TANDEM_TEST_SKIP; an unknown name is an error, not a silent no-op. */
export function optedOut(env: NodeJS.ProcessEnv = process.env): Set<TestDependency> {
  const names = (env[SKIP_VARIABLE] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names)
    if (!(n in DEPENDENCIES))
      throw new Error(`${SKIP_VARIABLE}: unknown "${n}" (known: ${Object.keys(DEPENDENCIES).join(', ')})`);
  return new Set(names as TestDependency[]);
}

/**
 * True when `dependency` is present. When it is not: false if the run opted out of it (with a
 * warning), else throws, which fails the suite that asked.
 */
export function requireDependency(
  dependency: TestDependency,
  present: boolean,
  what: string,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (present) return true;
  const needed = `${what} needs ${DEPENDENCIES[dependency]}, which is not installed`;
  if (optedOut(env).has(dependency)) {
    console.warn(`${needed}: skipped, as ${SKIP_VARIABLE} says`);
    return false;
  }
  throw new Error(`${needed}. Install it, or set ${SKIP_VARIABLE}=${dependency} to skip this on a local run.`);
}
