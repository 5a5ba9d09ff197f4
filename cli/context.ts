/**
 * What every command needs from the world: the environment, the output streams, a way to wait for
 * Ctrl-C, and from those the config, a Temporal client and the link store, each failing with a
 * message that says what to fix. The runtime hangs off the program (not process globals) so a test
 * can run a command in-process with its own env and captured output.
 */
import { Client, Connection } from '@temporalio/client';
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Config, ConfigError, ConfigFor, LoadConfigOptions, Section } from '../workers/config';
import { chooseTenant, listTenants, tenantConfig, tenantsDir, type Tenant } from '../workers/tenants';
import { redactUrlPasswords } from '../protocol/redact';
import { readSettingsFile, SETTINGS_FILE } from '../workers/settings-file';
import { temporalConnectionOptions } from '../workers/temporal-connection';
import { openStore, LinkStore } from '../store';
import { encryptionOf } from '../codec/data-converter';
import { askLineOnTerminal } from './terminal-input';

interface CliOutput {
  write(text: string): unknown;
  /** True when a person watches (progress bars); false for pipes and tests. */
  isTTY?: boolean;
}

export interface CliRuntime {
  env: NodeJS.ProcessEnv;
  /** Where relative paths, and the settings file `.tandem/env`, are found; default: the process's. */
  cwd?: string;
  /** Answers a yes/no question, for confirmations; absent when no person can answer. */
  confirm?(question: string): Promise<boolean>;
  /** Asks a person for a line of text (`secret`: not echoed); absent when no person can answer. */
  ask?(question: string, opts?: { secret?: boolean; signal?: AbortSignal }): Promise<string>;
  stdout: CliOutput;
  stderr: CliOutput;
  /** Resolves when the operator asks a long-running command to stop (SIGINT/SIGTERM by default). */
  waitForStop(): Promise<void>;
  /** Ends the process at once (a stop past its grace period); absent when a command runs in-process. */
  exit?(code: number): void;
}

function processRuntime(): CliRuntime {
  return {
    env: process.env,
    confirm: process.stdin.isTTY && process.stderr.isTTY ? askOnTerminal : undefined,
    ask: process.stdin.isTTY && process.stderr.isTTY ? askLineOnTerminal : undefined,
    stdout: process.stdout,
    stderr: process.stderr,
    waitForStop: processStopRequest,
    exit: (code) => process.exit(code),
  };
}

let stopRequest: Promise<void> | undefined;

/**
 * One stop request per process, whoever asks: SIGTERM (a supervisor), SIGINT (Ctrl-C) and SIGHUP
 * (the terminal closed) alike. SIGHUP's default would end the process at once, leaving `tandem dev`'s
 * Temporal server (a process group of its own) running. The handlers are installed by the first
 * long-running command that asks, so short commands keep the default (a signal ends them). A second
 * signal means "now": the process exits without draining.
 */
function processStopRequest(): Promise<void> {
  stopRequest ??= new Promise<void>((resolve) => {
    let seen = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      seen += 1;
      if (seen === 1) return resolve();
      process.stderr.write(`tandem: ${signal} again: exiting without waiting for running work\n`);
      process.exit(128 + (signal === 'SIGHUP' ? 1 : signal === 'SIGINT' ? 2 : 15));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', onSignal);
  });
  return stopRequest;
}

async function askOnTerminal(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

const runtimes = new WeakMap<Command, CliRuntime>();

/**
 * Binds a runtime to a program: every command under it reads env and writes output through it,
 * including commander's own usage errors and help.
 */
export function attachRuntime(program: Command, runtime: CliRuntime): Command {
  runtimes.set(program, runtime);
  const configure = (cmd: Command) => {
    cmd.configureOutput({
      writeOut: (s) => void runtime.stdout.write(s),
      writeErr: (s) => void runtime.stderr.write(s),
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });
    cmd.commands.forEach(configure);
  };
  configure(program);
  return program;
}

/** The runtime of the program this command belongs to; the real process when none was attached. */
export function runtimeOf(cmd: Command): CliRuntime {
  let c: Command | null = cmd;
  while (c) {
    const rt = runtimes.get(c);
    if (rt) return rt;
    c = c.parent;
  }
  return processRuntime();
}

export function printer(cmd: Command): (line?: string) => void {
  const out = runtimeOf(cmd).stdout;
  return (line = '') => void out.write(`${line}\n`);
}

/**
 * `--config <file>` and `--tenant <name>`, on each command so `tandem status --config x.yaml` works
 * (a global one is read too).
 */
export function withConfigOption(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'config file (YAML or JSON); default: $TANDEM_CONFIG')
    .option('--tenant <name>', 'the tenant to act for; default: $TANDEM_TENANT, else the only one');
}

/** Adds a subcommand with the root's usage-error behaviour (addCommand does not pass it down). */
export function addSubcommand(parent: Command, child: Command): Command {
  parent.addCommand(child.exitOverride().showHelpAfterError('(run with --help for usage)'));
  return parent;
}

/** Exits 2 with one line, like commander's own usage errors; for checks that need several arguments. */
export function usageError(cmd: Command, message: string): never {
  cmd.error(`error: ${message}`, { exitCode: 2, code: 'tandem.usage' });
}

/** The settings file this command reads: TANDEM_ENV_FILE, else `.tandem/env` in the working folder. */
export function settingsFilePath(cmd: Command): string {
  const rt = runtimeOf(cmd);
  const cwd = rt.cwd ?? process.cwd();
  const given = rt.env.TANDEM_ENV_FILE;
  if (given) return isAbsolute(given) ? given : join(cwd, given);
  return join(cwd, SETTINGS_FILE);
}

/**
 * The environment a command sees: the process's, over the settings file `tandem dev` wrote. A
 * config file (--config, TANDEM_CONFIG) means another setup was chosen, so the file is not read then.
 */
function effectiveEnv(cmd: Command): NodeJS.ProcessEnv {
  const { env } = runtimeOf(cmd);
  const flag = (cmd.optsWithGlobals() as { config?: string }).config;
  if (flag || env.TANDEM_CONFIG || env.TANDEM_ENV_FILE === 'none') return env;
  const fromFile = readSettingsFile(settingsFilePath(cmd));
  if (!fromFile) return env;
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  return { ...fromFile, ...given };
}

const ALL_SECTIONS: Section[] = [
  'temporal',
  'store',
  'zendesk',
  'poweroffice',
  'crmoffice',
  'webhook',
  'metrics',
  'polling',
  'flows',
  'encryption',
  'codec',
];

/** Where the installation's own settings come from: the command's env (with the settings file) and config file. */
export function installationOf(cmd: Command): LoadConfigOptions {
  const env = effectiveEnv(cmd);
  const flag = (cmd.optsWithGlobals() as { config?: string }).config;
  return { env, file: flag ?? (env.TANDEM_CONFIG || undefined) };
}

/** The installation's tenants (workers/tenants.ts). */
export function tenantsOf(cmd: Command): Tenant[] {
  const installation = installationOf(cmd);
  return listTenants(tenantsDirOf(cmd), installation);
}

/** The folder of tenant files this command reads. */
export function tenantsDirOf(cmd: Command): string {
  const rt = runtimeOf(cmd);
  const dir = tenantsDir(installationOf(cmd).env!, settingsFilePath(cmd));
  return isAbsolute(dir) ? dir : join(rt.cwd ?? process.cwd(), dir);
}

/** A tenant's config with the name of its tenant. */
export type TenantConfig<S extends Section> = ConfigFor<S> & { tenant: string };

export function loadTenantConfig<S extends Section>(
  cmd: Command,
  tenant: Tenant,
  sections?: readonly S[],
): TenantConfig<S> {
  try {
    // Always read: every command that reaches Temporal encodes and decodes payloads with it.
    const wanted = sections ? [...new Set<Section>([...sections, 'encryption'])] : ALL_SECTIONS;
    return { ...tenantConfig(tenant, wanted as S[], installationOf(cmd)), tenant: tenant.name };
  } catch (err) {
    // ConfigError already lists every problem by the name to edit; nothing to add but where it came from.
    if (err instanceof ConfigError) throw new Error(err.message);
    throw err;
  }
}

/**
 * The config of the tenant the command names (`--tenant`, TANDEM_TENANT; else the only one) from
 * `--config` (this command's or the program's), else TANDEM_CONFIG, plus the env and the settings
 * file; only `sections` are required, so each command asks for what it uses.
 */
export function configOf<S extends Section = Section>(cmd: Command, sections?: readonly S[]): TenantConfig<S> {
  return loadTenantConfig(cmd, chooseTenant(tenantsOf(cmd), namedTenant(cmd)), sections);
}

/** The tenant the command names: `--tenant` (this command's or the program's), else TANDEM_TENANT. */
export function namedTenant(cmd: Command): string | undefined {
  return (cmd.optsWithGlobals() as { tenant?: string }).tenant || runtimeOf(cmd).env.TANDEM_TENANT || undefined;
}

/**
 * The configs a command serving many tenants acts for (worker, webhooks, schedules, codec): the
 * named tenant's alone, else every tenant's (`disabled`: the disabled ones too).
 */
export function servedTenantConfigs<S extends Section = Section>(
  cmd: Command,
  sections?: readonly S[],
  opts: { disabled?: boolean } = {},
): TenantConfig<S>[] {
  return namedTenant(cmd) ? [configOf(cmd, sections)] : tenantConfigsOf(cmd, sections, opts);
}

/** Every tenant's config, for the processes that serve them all (worker, webhooks, schedules); disabled ones left out. */
export function tenantConfigsOf<S extends Section = Section>(
  cmd: Command,
  sections?: readonly S[],
  opts: { disabled?: boolean } = {},
): TenantConfig<S>[] {
  return tenantsOf(cmd)
    .filter((t) => opts.disabled || !t.disabled)
    .map((t) => loadTenantConfig(cmd, t, sections));
}

/**
 * A Temporal client for the config, with Tandem's codec (payloads encrypted with the configured key,
 * plain without one), or an error naming the address and namespace it tried.
 */
export async function connectTemporal(
  config: Pick<Config, 'temporal'> & Partial<Pick<Config, 'encryption'>>,
  opts: { timeoutMs?: number } = {},
): Promise<Client> {
  const { address, namespace } = config.temporal;
  const options = temporalConnectionOptions(config.temporal);
  const { dataConverter } = encryptionOf(config.encryption, { requireKey: false });
  try {
    const connection = await Connection.connect({ ...options, connectTimeout: opts.timeoutMs ?? 10_000 });
    return new Client({ connection, namespace, dataConverter });
  } catch (err) {
    throw new Error(
      `cannot reach Temporal at ${address} (namespace ${namespace}): ${(err as Error).message}; ` +
        'set TEMPORAL_ADDRESS (or temporal.address in the config file), or start one with `tandem dev`',
    );
  }
}

export async function closeTemporal(client: Client): Promise<void> {
  await client.connection.close();
}

/**
 * The link store of the config, or an error naming the URL (SQLite path) it tried. Commands that only
 * read pass `mustExist`, so a mistyped path is reported instead of answered from a fresh empty file.
 */
export function openConfigStore(config: Pick<Config, 'store'>, opts: { mustExist?: boolean } = {}): LinkStore {
  const path = config.store.url.startsWith('sqlite:') ? config.store.url.slice('sqlite:'.length) : config.store.url;
  // A postgres:// URL may carry a password: only its redacted form goes into a message.
  const shown = redactUrlPasswords(config.store.url);
  if (opts.mustExist && path !== ':memory:' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(path) && !existsSync(path)) {
    throw new Error(
      `the link store "${shown}" does not exist (no sync has run with this config?); set TANDEM_STORE (or store.url in the config file), or start the dev stack with \`tandem dev\``,
    );
  }
  try {
    return openStore(config.store.url);
  } catch (err) {
    throw new Error(
      `cannot open the link store "${shown}": ${redactUrlPasswords((err as Error).message)}; set TANDEM_STORE (or store.url in the config file)`,
    );
  }
}

/** The store once reachable and migrated (a PostgreSQL store connects lazily): a long-running command fails at start, not at its first sync. */
export async function readyConfigStore(config: Pick<Config, 'store'>, store: LinkStore): Promise<LinkStore> {
  try {
    await store.ready();
    return store;
  } catch (err) {
    throw new Error(
      `cannot open the link store "${redactUrlPasswords(config.store.url)}": ${redactUrlPasswords((err as Error).message)}; set TANDEM_STORE (or store.url in the config file)`,
    );
  }
}
