/**
 * Temporal's time-skipping test server for workflow tests whose timers and retry backoffs pass in
 * test time. It is the Java SDK's test server: the SDK would download a native build of it from a
 * release site, so it is fetched instead, once per machine, from Maven Central with Maven into the
 * cache beside the Temporal CLI's (`~/.cache/tandem/temporal-test-server-<version>/`), with a
 * launcher script the SDK starts as `<launcher> <port>`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { isExecutable, onPath, tandemCacheDir } from '../../workers/executables';
import { freePort } from '../../workers/free-port';
import { TANDEM_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { requireDependency } from './dependencies';

/** The newest release when this was written; its gRPC API is the one SDK 1.24's core speaks. */
const TEST_SERVER_VERSION = '1.38.0';
const ARTIFACT = `io.temporal:temporal-test-server:${TEST_SERVER_VERSION}`;
const MAIN_CLASS = 'io.temporal.testserver.TestServer';
// Pinned, so every Maven version copies the same way (its default binding differs between versions).
const COPY_GOAL = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies';
/** A small JVM that starts fast: the SDK gives the server five seconds to answer. */
const JVM_FLAGS = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', '-Xmx512m', '-Xlog:cds*=off'];
/** An executable to start instead of the cached one (a native build of the same server, say). */
const TEST_SERVER_VARIABLE = 'TEMPORAL_TEST_SERVER';

function testServerCacheDir(): string {
  return tandemCacheDir(`temporal-test-server-${TEST_SERVER_VERSION}`);
}

/** The server's launcher: TEMPORAL_TEST_SERVER, or the cache's once it is complete. Undefined when absent. */
export function findTestServer(): string | undefined {
  const fromEnv = process.env[TEST_SERVER_VARIABLE];
  if (fromEnv) {
    if (!isExecutable(fromEnv))
      throw new Error(`${TEST_SERVER_VARIABLE} is set to ${fromEnv}, which is not an executable file`);
    return fromEnv;
  }
  // The launcher is written last: its presence means the jars are all there.
  const launcher = join(testServerCacheDir(), 'temporal-test-server');
  return isExecutable(launcher) ? launcher : undefined;
}

/** Whether the suites can run the server: TEMPORAL_TEST_SERVER, or Java with the cached server or Maven to fetch it. */
export function testServerRunnable(): boolean {
  if (process.env[TEST_SERVER_VARIABLE]) return findTestServer() !== undefined;
  return onPath('java') !== undefined && (findTestServer() !== undefined || onPath('mvn') !== undefined);
}

/**
 * Finds the server, or fetches it into the cache (tens of seconds, the first time only). Throws
 * when Java or Maven is missing, saying which.
 */
export async function ensureTestServer(
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<string> {
  const found = findTestServer();
  if (found) return found;
  const java = onPath('java');
  const mvn = onPath('mvn');
  if (!java || !mvn) {
    throw new Error(
      `Temporal's time-skipping test server is not in ${testServerCacheDir()}, and ${!java ? 'Java (java)' : 'Maven (mvn)'} is not installed to fetch it. ` +
        'Install Java 17 or newer and Maven (e.g. apt-get install default-jre-headless maven) and run again.',
    );
  }
  const dir = testServerCacheDir();
  mkdirSync(dirname(dir), { recursive: true });
  if (!existsSync(join(dir, 'lib'))) await fetchJars(mvn, dir, log);
  const classpath = readdirSync(join(dir, 'lib'))
    .filter((f) => f.endsWith('.jar'))
    .sort()
    .map((f) => join(dir, 'lib', f))
    .join(':');
  await archiveClasses(dir, classpath, log);
  return writeLauncher(dir, classpath);
}

/** The server and what it needs, copied by Maven (from its default repository, Maven Central). */
async function fetchJars(mvn: string, dir: string, log: (line: string) => void): Promise<void> {
  // Made aside and renamed into place, so a run beside this one never sees half the jars.
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const [groupId, artifactId, version] = ARTIFACT.split(':');
  writeFileSync(
    join(staging, 'pom.xml'),
    `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>tandem.test</groupId>
  <artifactId>time-skipping-test-server</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>${groupId}</groupId><artifactId>${artifactId}</artifactId><version>${version}</version></dependency>
    <!-- The server logs through SLF4J; this prints its warnings and errors (see the launcher). -->
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-simple</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
`,
  );
  log(
    `Fetching Temporal's time-skipping test server ${TEST_SERVER_VERSION} (${ARTIFACT}) with Maven into ${dir} (first run only)...`,
  );
  const result = spawnSync(
    mvn,
    [
      '-B',
      '-q',
      '-f',
      join(staging, 'pom.xml'),
      COPY_GOAL,
      `-DoutputDirectory=${join(staging, 'lib')}`,
      '-DincludeScope=runtime',
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`Maven could not fetch ${ARTIFACT} (exit ${result.status ?? result.signal}); see its output above`);
  }
  try {
    renameSync(staging, dir);
  } catch (err) {
    // Another run put it there first: keep that one.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(dir, 'lib'))) throw err;
  }
}

/**
 * Records the classes the server loads at start in a class-data archive (Java's AppCDS), which cuts
 * its start roughly threefold: a busy machine otherwise nears the SDK's five-second limit. Without
 * the archive it starts all the same, only slower.
 */
async function archiveClasses(dir: string, classpath: string, log: (line: string) => void): Promise<void> {
  const archive = join(dir, 'classes.jsa');
  if (existsSync(archive)) return;
  const partial = `${archive}.${process.pid}`;
  const port = await freePort();
  const server = spawn(
    'java',
    [`-XX:ArchiveClassesAtExit=${partial}`, ...JVM_FLAGS, '-cp', classpath, MAIN_CLASS, String(port)],
    { stdio: 'ignore' },
  );
  let gone = false;
  const exited = new Promise<void>((resolve) => server.once('exit', () => ((gone = true), resolve())));
  // The archive is written when the JVM exits normally, which a SIGTERM makes it do.
  if (await listening(port, 60_000, () => gone)) server.kill('SIGTERM');
  else server.kill('SIGKILL');
  // Unref'd, so a JVM that exits at once does not keep jest's process waiting for the bound.
  await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000).unref())]);
  if (existsSync(partial)) renameSync(partial, archive);
  else log(`Temporal's test server: no class archive was made (${partial}); it starts without one, more slowly`);
}

/** Whether the port takes connections within the time, polled until then or until `gone()`. */
async function listening(port: number, withinMs: number, gone: () => boolean): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until && !gone()) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** The script the SDK starts as `<launcher> <port> [--enable-time-skipping]`; written last, in one rename. */
function writeLauncher(dir: string, classpath: string): string {
  const archive = join(dir, 'classes.jsa');
  const flags = [
    ...(existsSync(archive) ? [`-XX:SharedArchiveFile=${archive}`] : []),
    ...JVM_FLAGS,
    '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
    '-cp',
    classpath,
  ];
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const launcher = join(dir, 'temporal-test-server');
  const partial = `${launcher}.${process.pid}`;
  writeFileSync(
    partial,
    `#!/bin/sh
# Temporal's time-skipping test server ${TEST_SERVER_VERSION} (${ARTIFACT}), as the SDK starts it.
# Written by Tandem's test/helpers/time-skipping.ts; delete this folder to fetch it again.
exec java ${flags.map(quote).join(' ')} ${MAIN_CLASS} "$@"
`,
    { mode: 0o755 },
  );
  renameSync(partial, launcher);
  return launcher;
}

/**
 * Fails the calling suite when the server can neither be found nor fetched (or skips it, when the
 * run opted out with TANDEM_TEST_SKIP=java): `describe` to use for it.
 */
export function describeWithTimeSkipping(what: string): jest.Describe {
  return requireDependency('java', testServerRunnable(), what) ? describe : describe.skip;
}

/**
 * A time-skipping test server with Tandem's search attributes registered (it knows only its own
 * otherwise, and refuses a workflow that sets another). Its time stands still until a test awaits a
 * workflow's result or calls `env.sleep`, then jumps to the next timer whenever nothing is running.
 */
export async function startTimeSkipping(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: await ensureTestServer() } },
  });
  const { IndexedValueType } = temporal.api.enums.v1;
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      TANDEM_SEARCH_ATTRIBUTES.map((k) => [k.name, IndexedValueType[`INDEXED_VALUE_TYPE_${k.type}`]]),
    ),
  });
  return env;
}
