/**
 * The tenants of an installation: the `default` tenant, whose accounts are the installation's own
 * settings (as before tenants existed), and each other tenant a file in the tenants folder, `<name>.env`:
 * `KEY=value` lines naming that customer's accounts, secrets, poll intervals, rates, flows and key.
 * A tenant's config is the installation's (Temporal, ports) with none of the installation's own
 * account settings: one tenant never falls back on another's credentials.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { checkTenantName, DEFAULT_TENANT } from '../protocol/tenants';
import {
  CONFIG_KEYS,
  ConfigError,
  loadConfigFor,
  sectionGiven,
  type ConfigFor,
  type LoadConfigOptions,
  type Section,
} from './config';
import { parseSettings, writeSettingsFile, type Settings } from './settings-file';

/** Sections that are wholly a tenant's own. */
const TENANT_SECTIONS: readonly Section[] = [
  'zendesk',
  'poweroffice',
  'crmoffice',
  'polling',
  'rates',
  'flows',
  'encryption',
];
/** Keys of shared sections that are a tenant's own too: its webhook secret and its link store. */
const TENANT_KEYS = new Set(['webhook.secret', 'store.url']);

/** Set in a tenant's file by `tandem tenants disable`: its schedules paused, no worker serves it, webhooks refused. */
export const DISABLED_SETTING = 'TANDEM_TENANT_DISABLED';

/** Every environment name a tenant file may set (with `_FILE` for secrets). */
export const TENANT_ENV_NAMES: ReadonlySet<string> = new Set(
  CONFIG_KEYS.filter((k) => k.env && (TENANT_SECTIONS.includes(k.section) || TENANT_KEYS.has(`${k.section}.${k.key}`)))
    .flatMap((k) => (k.secret ? [k.env!, `${k.env!}_FILE`] : [k.env!]))
    .concat(DISABLED_SETTING),
);

export interface Tenant {
  name: string;
  /** Its file; none for `default`, whose settings are the installation's. */
  file?: string;
  disabled: boolean;
  /** Its settings as the file gives them (none for `default`). */
  settings: Record<string, string>;
}

/** The folder of tenant files: TANDEM_TENANTS_DIR, else `tenants/` beside the settings file. */
export function tenantsDir(env: NodeJS.ProcessEnv, settingsFile: string): string {
  return env.TANDEM_TENANTS_DIR || join(dirname(settingsFile), 'tenants');
}

/** One tenant's file, checked: a name it may not hold is refused with the file and the name. */
function readTenantFile(file: string): Tenant {
  const name = checkTenantName(basename(file, extname(file)));
  if (name === DEFAULT_TENANT) throw new Error(`${file}: "default" is the installation's own tenant; rename the file`);
  const settings = parseSettings(readFileSync(file, 'utf8'), file);
  const refused = Object.keys(settings).filter((k) => !TENANT_ENV_NAMES.has(k));
  if (refused.length)
    throw new Error(
      `${file}: ${refused.join(', ')} ${refused.length === 1 ? 'is' : 'are'} not a tenant's setting (a tenant file names its accounts, secrets, polling, rates, flows, encryption key, webhook secret and store)`,
    );
  return { name, file, disabled: /^(true|1)$/i.test(settings[DISABLED_SETTING] ?? ''), settings };
}

/**
 * Every tenant, by name: `default` first when the installation names Zendesk settings of its own (or
 * when there is no tenant file at all: a single-tenant installation, whatever its settings say).
 */
export function listTenants(dir: string, installation: LoadConfigOptions): Tenant[] {
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.env'))
        .sort()
    : [];
  const tenants = files.map((f) => readTenantFile(join(dir, f)));
  if (!tenants.length || sectionGiven('zendesk', installation))
    tenants.unshift({ name: DEFAULT_TENANT, disabled: false, settings: {} });
  return tenants;
}

/** The tenant a command names (`--tenant`, TANDEM_TENANT), else the only one; an unknown name is refused. */
export function chooseTenant(tenants: readonly Tenant[], named: string | undefined): Tenant {
  const names = tenants.map((t) => t.name).join(', ');
  if (named) {
    const found = tenants.find((t) => t.name === named);
    if (!found) throw new Error(`no tenant "${named}" in this installation (tenants: ${names})`);
    return found;
  }
  if (tenants.length === 1) return tenants[0];
  throw new Error(`this installation serves ${tenants.length} tenants (${names}): name one with --tenant`);
}

/**
 * A tenant's own link store beside the installation's: the SQLite file `<name>.<tenant>.db`, or the
 * schema `tandem_<tenant>` of the PostgreSQL database (libpq's `options=-c search_path=`).
 */
export function tenantStoreUrl(installationUrl: string, tenant: string): string {
  if (tenant === DEFAULT_TENANT) return installationUrl;
  if (/^postgres(ql)?:\/\//i.test(installationUrl)) {
    const url = new URL(installationUrl);
    url.searchParams.set('options', `-c search_path=tandem_${tenant.replace(/-/g, '_')}`);
    return url.toString();
  }
  const path = installationUrl.startsWith('sqlite:') ? installationUrl.slice('sqlite:'.length) : installationUrl;
  if (path === ':memory:') return path;
  const ext = extname(path);
  return `${ext ? path.slice(0, -ext.length) : path}.${tenant}${ext || '.db'}`;
}

/** The tenant's config: the installation's shared sections, its own from its file alone. */
export function tenantConfig<S extends Section>(
  tenant: Tenant,
  sections: readonly S[],
  installation: LoadConfigOptions,
): ConfigFor<S> {
  if (tenant.name === DEFAULT_TENANT) return loadConfigFor(sections, installation);
  const env = installation.env ?? process.env;
  const shared = Object.fromEntries(Object.entries(env).filter(([k]) => !TENANT_ENV_NAMES.has(k)));
  const store = loadConfigFor(['store'], installation).store.url;
  try {
    return loadConfigFor(sections, {
      file: installation.file ?? (env.TANDEM_CONFIG || undefined),
      notFromFile: TENANT_SECTIONS,
      env: { ...shared, TANDEM_STORE: tenantStoreUrl(store, tenant.name), ...tenant.settings },
    });
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(err.problems.map((p) => `tenant ${tenant.name}: ${p}`));
    throw err;
  }
}

/** Writes a tenant's file (mode 600). */
export function writeTenantFile(dir: string, name: string, settings: Settings): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.env`);
  writeSettingsFile(file, settings, `Tandem tenant ${name}: its accounts, secrets and settings (tandem tenants).`);
  return file;
}

/** Deletes a tenant's file, and with it its encryption key. */
export function deleteTenantFile(tenant: Tenant): void {
  if (tenant.file) unlinkSync(tenant.file);
}

/** Deletes a SQLite store's files (a PostgreSQL schema is dropped through the store). */
export function deleteSqliteStore(url: string): void {
  const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
  for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
}
