/**
 * Serving the tenants as their files change. A process that serves every tenant (the worker, the
 * webhook receiver) reads the tenant files again every few seconds: it starts a tenant added or
 * enabled, stops one removed or disabled, and restarts one whose settings changed, so a partner
 * adds a customer without restarting anything. A tenant whose file does not load keeps running as
 * it was, and one that cannot start is not tried again until its file changes; each is logged once.
 */
import type { Command } from 'commander';
import { secondsArg } from './usage';
import { createHash } from 'node:crypto';
import type { Logger } from '../workers/logger';
import type { Section } from '../workers/config';
import { loadTenantConfig, tenantsOf, type TenantConfig } from './context';

/** `--reload-tenants <seconds>` on a command that serves every tenant. */
export function withReloadOption(cmd: Command): Command {
  return cmd.option(
    '--reload-tenants <seconds>',
    'read the tenant files again this often, serving tenants added, removed, enabled, disabled or changed (0: never; ignored with --tenant)',
    secondsArg,
    10,
  );
}

/** What tells one version of a tenant's settings from another (a hash: the settings hold secrets). */
export function fingerprintOf(config: object): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex');
}

/** Every tenant not disabled, each with its settings or why they do not load; an Error when the tenants cannot be listed. */
export function readTenantConfigs<S extends Section>(
  cmd: Command,
  sections: readonly S[] | undefined,
): ReadonlyMap<string, TenantConfig<S> | Error> | Error {
  try {
    const wanted = new Map<string, TenantConfig<S> | Error>();
    for (const t of tenantsOf(cmd).filter((x) => !x.disabled)) {
      try {
        wanted.set(t.name, loadTenantConfig(cmd, t, sections));
      } catch (err) {
        wanted.set(t.name, err as Error);
      }
    }
    return wanted;
  } catch (err) {
    return err as Error;
  }
}

export interface TenantReloadOptions<S extends Section> {
  /** The tenants wanted now (readTenantConfigs). */
  read(): ReadonlyMap<string, TenantConfig<S> | Error> | Error;
  everyMs: number;
  log: Logger;
  /** The tenants served now, by name, with the fingerprint of the settings each was started with. */
  served(): ReadonlyMap<string, string>;
  start(config: TenantConfig<S>, fingerprint: string): Promise<void>;
  stop(tenant: string): Promise<void>;
}

export function reloadTenants<S extends Section>(opts: TenantReloadOptions<S>): { stop(): Promise<void> } {
  const { log } = opts;
  const reported = new Map<string, string>();
  const failed = new Map<string, string>();
  const once = (key: string, message: string, report: () => void) => {
    if (reported.get(key) === message) return;
    reported.set(key, message);
    report();
  };

  async function round(): Promise<void> {
    const wanted = opts.read();
    if (wanted instanceof Error)
      return once('', wanted.message, () =>
        log.error({ err: wanted.message }, 'cannot read the tenants; serving them as they were'),
      );
    for (const tenant of opts.served().keys())
      if (!wanted.has(tenant)) {
        await opts.stop(tenant);
        log.info({ tenant }, 'tenant removed or disabled: no longer served');
      }
    for (const [tenant, config] of wanted) {
      if (config instanceof Error) {
        once(tenant, config.message, () =>
          log.error({ tenant, err: config.message }, "the tenant's settings do not load; it is served as it was"),
        );
        continue;
      }
      const fingerprint = fingerprintOf(config);
      const served = opts.served().get(tenant);
      if (served === fingerprint || failed.get(tenant) === fingerprint) continue;
      if (served) await opts.stop(tenant);
      try {
        await opts.start(config, fingerprint);
        failed.delete(tenant);
        reported.delete(tenant);
        log.info({ tenant }, served ? "tenant's settings changed: served anew" : 'tenant added: now served');
      } catch (err) {
        failed.set(tenant, fingerprint);
        log.error(
          { tenant, err: (err as Error).message },
          'the tenant cannot be served; it is tried again when its file changes',
        );
      }
    }
  }

  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  let stopped = false;
  const schedule = () => {
    timer = setTimeout(() => {
      current = round().finally(() => {
        if (!stopped) schedule();
      });
    }, opts.everyMs);
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current.catch(() => undefined);
    },
  };
}
