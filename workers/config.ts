/**
 * The application config: read once at start-up from environment variables and an optional
 * YAML/JSON file, validated with zod, every problem reported at once naming the key to fix.
 * Secrets come only from the environment (`X` or `X_FILE`), never from the file, and are never printed.
 */
import { readFileSync } from 'node:fs';
import YAML, { LineCounter } from 'yaml';
import { z } from 'zod';
import { ZendeskConfig } from '../connectors/zendesk/config';
import { CrmofficeConfig } from '../connectors/crmoffice/config';
import { PowerOfficeConfig } from '../connectors/poweroffice/config';
import { FlowsConfigSchema } from '../flows/config';
import { redactUrlPasswords } from '../protocol/redact';
import { keyPathAtLine } from './yaml-position';
import { readTemporalProfile } from './temporal-profile';
import { DEFAULT_RATES } from './rates';
import { EncryptionSettings } from '../codec/settings';

const port = z.number().int().min(0).max(65535);
const seconds = z.number().int().positive();

const TemporalSection = z.object({
  address: z.string().min(1).default('127.0.0.1:7233'),
  namespace: z.string().min(1).default('default'),
  taskQueue: z.string().min(1).default('tandem'),
  /** A Temporal CLI profile to take the settings not given here from (see temporal-profile.ts). */
  profile: z.string().min(1).optional(),
  configFile: z.string().min(1).optional(),
  /** TLS on (system roots) or off; any certificate (or an API key) turns it on too. */
  tls: z.boolean().optional(),
  /** PEM files, or their content in the `…Data` keys (as a profile's `*_data`). */
  tlsCa: z.string().min(1).optional(),
  tlsCaData: z.string().min(1).optional(),
  tlsCert: z.string().min(1).optional(),
  tlsCertData: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  tlsKeyData: z.string().min(1).optional(),
  tlsServerName: z.string().min(1).optional(),
  /** Temporal Cloud API key (sent over TLS). */
  apiKey: z.string().min(1).optional(),
  /** The Web UI's address, for the links commands print (`tandem why`); default: the dev server's UI. */
  uiUrl: z.url({ protocol: /^https?$/ }).optional(),
});
const StoreSection = z.object({
  /** A SQLite file path, or a `postgres://` URL. */
  url: z.string().min(1).default('.tandem/tandem.db'),
});
const WebhookSection = z.object({
  port: port.default(8080),
  /** Optional: without it Tandem relies on polling alone and the receiver refuses to start. */
  secret: z.string().min(1).optional(),
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .default(256 * 1024),
});
const MetricsSection = z.object({
  port: port.default(9464),
  /** The Temporal SDK's own metrics; absent: the port after `port`. */
  sdkPort: port.optional(),
});
const PollingSection = z.object({
  // Zendesk's incremental export allows 10 requests a minute, shared by the users, tickets and organizations feeds.
  zendesk: seconds.default(60),
  poweroffice: seconds.default(30),
  crmoffice: seconds.default(60),
});
/** Activities a second per system (its task queue's server-side rate), across every worker. */
const rate = z.number().positive();
const RatesSection = z.object({
  // Zendesk's limit depends on the plan (Team 200/min … Enterprise 700/min): set this to yours.
  zendesk: rate.default(DEFAULT_RATES.zendesk),
  poweroffice: rate.default(DEFAULT_RATES.poweroffice),
  crmoffice: rate.default(DEFAULT_RATES.crmoffice),
});

/** The codec endpoint the Temporal Web UI decodes payloads with (`tandem codec serve`). */
const CodecSection = z.object({
  port: port.default(8234),
  /** Bearer token the endpoint asks for; at least 16 characters, so it cannot be guessed. */
  token: z.string().min(16, 'expected a token of at least 16 characters (e.g. `openssl rand -hex 24`)').optional(),
  /** Origins of the Web UI allowed to call it from a browser (CORS); default: the dev server's UI. */
  corsOrigins: z.array(z.url({ protocol: /^https?$/ })).default(['http://127.0.0.1:8233', 'http://localhost:8233']),
});

const ConfigSchema = z.object({
  temporal: TemporalSection,
  store: StoreSection,
  zendesk: ZendeskConfig,
  /** Absent when no PowerOffice key is set at all: the PowerOffice flows then do not run. */
  poweroffice: PowerOfficeConfig.optional(),
  /** Absent when no Crmoffice key is set at all: the Crmoffice flows then do not run. */
  crmoffice: CrmofficeConfig.optional(),
  webhook: WebhookSection,
  metrics: MetricsSection,
  polling: PollingSection,
  rates: RatesSection,
  flows: FlowsConfigSchema,
  encryption: EncryptionSettings,
  codec: CodecSection,
});
export type Config = z.infer<typeof ConfigSchema>;

const SECTIONS: Record<Section, z.ZodType> = {
  temporal: TemporalSection,
  store: StoreSection,
  zendesk: ZendeskConfig,
  poweroffice: PowerOfficeConfig,
  crmoffice: CrmofficeConfig,
  webhook: WebhookSection,
  metrics: MetricsSection,
  polling: PollingSection,
  rates: RatesSection,
  flows: FlowsConfigSchema,
  encryption: EncryptionSettings,
  codec: CodecSection,
};
/** Sections that exist only when at least one of their keys is given. */
const OPTIONAL_SECTIONS: ReadonlySet<Section> = new Set(['poweroffice', 'crmoffice']);

interface KeySpec {
  section: Section;
  key: string;
  env?: string;
  /** Read only from the environment (or `<env>_FILE`), refused in the file, shown as `***`. */
  secret?: boolean;
  kind?: 'string' | 'number' | 'list' | 'boolean';
}

/** Every key that has an environment variable, and every secret. */
export const CONFIG_KEYS: readonly KeySpec[] = [
  { section: 'temporal', key: 'address', env: 'TEMPORAL_ADDRESS' },
  { section: 'temporal', key: 'namespace', env: 'TEMPORAL_NAMESPACE' },
  { section: 'temporal', key: 'taskQueue', env: 'TEMPORAL_TASK_QUEUE' },
  { section: 'temporal', key: 'profile', env: 'TEMPORAL_PROFILE' },
  { section: 'temporal', key: 'configFile', env: 'TEMPORAL_CONFIG_FILE' },
  { section: 'temporal', key: 'tls', env: 'TEMPORAL_TLS', kind: 'boolean' },
  { section: 'temporal', key: 'tlsCa', env: 'TEMPORAL_TLS_CA' },
  { section: 'temporal', key: 'tlsCert', env: 'TEMPORAL_TLS_CERT' },
  { section: 'temporal', key: 'tlsKey', env: 'TEMPORAL_TLS_KEY' },
  // Temporal's own names (its CLI and SDKs read them) for the same keys; one of each pair, please.
  { section: 'temporal', key: 'tlsCa', env: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH' },
  { section: 'temporal', key: 'tlsCert', env: 'TEMPORAL_TLS_CLIENT_CERT_PATH' },
  { section: 'temporal', key: 'tlsKey', env: 'TEMPORAL_TLS_CLIENT_KEY_PATH' },
  { section: 'temporal', key: 'tlsCaData', env: 'TEMPORAL_TLS_SERVER_CA_CERT_DATA' },
  { section: 'temporal', key: 'tlsCertData', env: 'TEMPORAL_TLS_CLIENT_CERT_DATA' },
  { section: 'temporal', key: 'tlsKeyData', env: 'TEMPORAL_TLS_CLIENT_KEY_DATA', secret: true },
  { section: 'temporal', key: 'tlsServerName', env: 'TEMPORAL_TLS_SERVER_NAME' },
  { section: 'temporal', key: 'apiKey', env: 'TEMPORAL_API_KEY', secret: true },
  { section: 'temporal', key: 'uiUrl', env: 'TANDEM_UI_URL' },
  { section: 'store', key: 'url', env: 'TANDEM_STORE' },
  { section: 'zendesk', key: 'baseUrl', env: 'ZENDESK_BASE_URL' },
  { section: 'zendesk', key: 'email', env: 'ZENDESK_EMAIL' },
  { section: 'zendesk', key: 'apiToken', env: 'ZENDESK_API_TOKEN', secret: true },
  { section: 'zendesk', key: 'oauthToken', env: 'ZENDESK_OAUTH_TOKEN', secret: true },
  { section: 'poweroffice', key: 'baseUrl', env: 'POWEROFFICE_BASE_URL' },
  { section: 'poweroffice', key: 'tokenUrl', env: 'POWEROFFICE_TOKEN_URL' },
  { section: 'poweroffice', key: 'applicationKey', env: 'POWEROFFICE_APPLICATION_KEY', secret: true },
  { section: 'poweroffice', key: 'clientKey', env: 'POWEROFFICE_CLIENT_KEY', secret: true },
  { section: 'poweroffice', key: 'subscriptionKey', env: 'POWEROFFICE_SUBSCRIPTION_KEY', secret: true },
  { section: 'crmoffice', key: 'baseUrl', env: 'CRMOFFICE_BASE_URL' },
  { section: 'crmoffice', key: 'loginBaseUrl', env: 'CRMOFFICE_LOGIN_BASE_URL' },
  { section: 'crmoffice', key: 'clientId', env: 'CRMOFFICE_CLIENT_ID' },
  { section: 'crmoffice', key: 'clientSecret', env: 'CRMOFFICE_CLIENT_SECRET', secret: true },
  { section: 'crmoffice', key: 'refreshToken', env: 'CRMOFFICE_REFRESH_TOKEN', secret: true },
  { section: 'webhook', key: 'port', env: 'TANDEM_WEBHOOK_PORT', kind: 'number' },
  { section: 'webhook', key: 'secret', env: 'ZENDESK_WEBHOOK_SECRET', secret: true },
  { section: 'webhook', key: 'maxBodyBytes', env: 'TANDEM_WEBHOOK_MAX_BODY_BYTES', kind: 'number' },
  { section: 'metrics', key: 'port', env: 'TANDEM_METRICS_PORT', kind: 'number' },
  { section: 'metrics', key: 'sdkPort', env: 'TANDEM_SDK_METRICS_PORT', kind: 'number' },
  { section: 'polling', key: 'zendesk', env: 'TANDEM_POLL_ZENDESK_SECONDS', kind: 'number' },
  { section: 'polling', key: 'poweroffice', env: 'TANDEM_POLL_POWEROFFICE_SECONDS', kind: 'number' },
  { section: 'polling', key: 'crmoffice', env: 'TANDEM_POLL_CRMOFFICE_SECONDS', kind: 'number' },
  { section: 'rates', key: 'zendesk', env: 'TANDEM_RATE_ZENDESK', kind: 'number' },
  { section: 'rates', key: 'poweroffice', env: 'TANDEM_RATE_POWEROFFICE', kind: 'number' },
  { section: 'rates', key: 'crmoffice', env: 'TANDEM_RATE_CRMOFFICE', kind: 'number' },
  { section: 'flows', key: 'employeeRoles', env: 'TANDEM_EMPLOYEE_ROLES', kind: 'list' },
  { section: 'encryption', key: 'mode', env: 'TANDEM_ENCRYPTION' },
  { section: 'encryption', key: 'key', env: 'TANDEM_ENCRYPTION_KEY', secret: true },
  { section: 'encryption', key: 'keyId', env: 'TANDEM_ENCRYPTION_KEY_ID' },
  { section: 'encryption', key: 'oldKeys', env: 'TANDEM_ENCRYPTION_KEYS_OLD', secret: true },
  { section: 'codec', key: 'port', env: 'TANDEM_CODEC_PORT', kind: 'number' },
  { section: 'codec', key: 'token', env: 'TANDEM_CODEC_TOKEN', secret: true },
  { section: 'codec', key: 'corsOrigins', env: 'TANDEM_CODEC_CORS_ORIGINS', kind: 'list' },
];

/** Every problem found, one per line of the message; the message never holds a secret's value. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Config file path; defaults to `env.TANDEM_CONFIG`. YAML or JSON (JSON is read as YAML, a superset). */
  file?: string;
  /** Sections the file may not give (a tenant's own, read from its tenant file alone); default: none. */
  notFromFile?: readonly Section[];
}

export type Section = keyof Config;
/** The config a command reads: only the sections it uses are required and validated. */
export type ConfigFor<S extends Section> = Pick<Config, S> & Partial<Config>;

type Raw = Record<string, Record<string, unknown> | undefined>;
/** Where each given value came from, by `section.key`, so a problem names what the user has to edit. */
type Origins = Map<string, string>;

export function loadConfig(opts: LoadConfigOptions = {}): Config {
  return loadConfigFor(Object.keys(SECTIONS) as Section[], opts) as Config;
}

/**
 * The sections a command uses, validated; the others are left out, so a read-only command does
 * not ask for credentials it never uses. Problems in values that were given are still reported.
 */
export function loadConfigFor<S extends Section>(sections: readonly S[], opts: LoadConfigOptions = {}): ConfigFor<S> {
  const wanted = new Set<Section>(sections);
  const env = opts.env ?? process.env;
  const file = opts.file ?? nonEmpty(env.TANDEM_CONFIG);
  const problems: string[] = [];
  const origins: Origins = new Map();
  const raw: Raw = {};
  for (const section of Object.keys(SECTIONS) as Section[]) raw[section] = {};

  if (file) readFile(file, raw, origins, problems);
  for (const section of opts.notFromFile ?? []) {
    raw[section] = {};
    for (const key of [...origins.keys()]) if (key.startsWith(`${section}.`)) origins.delete(key);
  }
  readEnv(env, raw, origins, problems);
  const t = raw.temporal!;
  if (wanted.has('temporal') && (t.profile !== undefined || t.configFile !== undefined))
    readTemporalProfile(t, env, origins, problems);

  for (const section of OPTIONAL_SECTIONS) {
    if (Object.keys(raw[section] ?? {}).length === 0) raw[section] = undefined;
  }
  for (const section of Object.keys(SECTIONS) as Section[]) if (!wanted.has(section)) delete raw[section];
  // Said up front because zod skips an object's refinement once a field is missing: this one
  // should be reported together with the rest, not after the user fixed those.
  const precheck = wanted.has('zendesk') ? zendeskCredentialProblems(raw.zendesk ?? {}, origins) : [];
  problems.push(...precheck.map((p) => p.message));

  const mask = Object.fromEntries([...wanted].map((s) => [s, true])) as Partial<Record<Section, true>>;
  const parsed = ConfigSchema.pick(mask).safeParse(raw);
  if (parsed.success && problems.length === 0) return parsed.data as ConfigFor<S>;
  if (!parsed.success) {
    const prechecked = new Set(precheck.map((p) => p.path));
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String);
      // The schema's own credentials refinement says the same thing as the precheck, in its field names.
      const samePoint = path[0] === 'zendesk' && precheck.length > 0 && issue.code === 'custom';
      if (prechecked.has(path.slice(0, 2).join('.')) || samePoint) continue;
      problems.push(describeIssue(path, issue, raw, origins));
    }
  }
  throw new ConfigError([...new Set(problems.map(redactUrlPasswords))]);
}

/** Whether the file or the environment gives any value of `section` (before validation). */
export function sectionGiven(section: Section, opts: LoadConfigOptions = {}): boolean {
  const env = opts.env ?? process.env;
  const file = opts.file ?? nonEmpty(env.TANDEM_CONFIG);
  const raw: Raw = {};
  for (const s of Object.keys(SECTIONS) as Section[]) raw[s] = {};
  if (file) readFile(file, raw, new Map(), []);
  readEnv(env, raw, new Map(), []);
  return Object.keys(raw[section] ?? {}).length > 0;
}

function readFile(file: string, raw: Raw, origins: Origins, problems: string[]): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`${file}: cannot read the config file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return;
  }
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter });
  if (doc.errors.length) {
    // Only the position and the key: the parser's own message quotes the offending line, which might hold a secret.
    const e = doc.errors[0];
    const pos = e.linePos?.[0];
    const path = pos ? keyPathAtLine(text, pos.line) : undefined;
    const at = pos ? `line ${pos.line}, column ${pos.col}${path ? `, under ${path}` : ''}: ` : '';
    problems.push(`${file}: ${at}not valid YAML or JSON (${e.code})`);
    return;
  }
  // `file:line: section.key`, so a value the schema refuses points at the line to edit.
  const lineOf = (section: string, key: string): string => {
    const node = doc.getIn([section, key], true) as { range?: [number, number, number] } | undefined;
    return node?.range ? `:${lineCounter.linePos(node.range[0]).line}` : '';
  };
  const content: unknown = doc.toJS();
  if (content === null || content === undefined) return;
  if (!isObject(content)) {
    problems.push(`${file}: expected a mapping of sections (${Object.keys(SECTIONS).join(', ')}) at the top level`);
    return;
  }
  for (const [section, value] of Object.entries(content)) {
    if (!(section in SECTIONS)) {
      problems.push(`${file}: unknown key "${section}" (known: ${Object.keys(SECTIONS).join(', ')})`);
      continue;
    }
    if (!isObject(value)) {
      problems.push(`${file}: ${section}: expected a mapping of keys`);
      continue;
    }
    const known = knownKeys(section as Section);
    for (const [key, v] of Object.entries(value)) {
      const spec = CONFIG_KEYS.find((k) => k.section === section && k.key === key);
      if (spec?.secret) {
        problems.push(
          `${file}: ${section}.${key} is a secret and is not read from the config file; set ${spec.env} or ${spec.env}_FILE in the environment instead`,
        );
        continue;
      }
      // Sections whose schema does not expose its keys (none today) are left to the schema to judge.
      if (known && !known.includes(key)) {
        problems.push(`${file}: unknown key ${section}.${key} (known: ${known.join(', ')})`);
        continue;
      }
      raw[section]![key] = v;
      origins.set(`${section}.${key}`, `${file}${lineOf(section, key)}: ${section}.${key}`);
    }
  }
}

function readEnv(env: NodeJS.ProcessEnv, raw: Raw, origins: Origins, problems: string[]): void {
  const fromEnv = new Map<string, string>();
  for (const spec of CONFIG_KEYS) {
    if (!spec.env) continue;
    let value = nonEmpty(env[spec.env]);
    let origin = spec.env;
    if (spec.secret) {
      const path = nonEmpty(env[`${spec.env}_FILE`]);
      if (path && value !== undefined) {
        problems.push(`${spec.env} and ${spec.env}_FILE are both set; set only one`);
        continue;
      }
      if (path) {
        origin = `${spec.env}_FILE`;
        try {
          // A trailing newline is how editors and `echo` leave files; it is never part of a token.
          value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
        } catch (err) {
          problems.push(`${origin}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
          continue;
        }
      }
    }
    if (value === undefined) continue;
    let parsed: unknown = value;
    if (spec.kind === 'number') {
      if (!/^\s*\d+\s*$/.test(value)) {
        problems.push(`${origin}: expected a whole number, got "${value}"`);
        continue;
      }
      parsed = Number(value);
    } else if (spec.kind === 'list') {
      parsed = value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    } else if (spec.kind === 'boolean') {
      if (!/^(true|false|1|0)$/i.test(value.trim())) {
        problems.push(`${origin}: expected true or false, got "${value}"`);
        continue;
      }
      parsed = /^(true|1)$/i.test(value.trim());
    }
    const path = `${spec.section}.${spec.key}`;
    const other = fromEnv.get(path);
    if (other !== undefined) {
      problems.push(`${other} and ${origin} are both set (the same setting); set only one`);
      continue;
    }
    fromEnv.set(path, origin);
    raw[spec.section]![spec.key] = parsed;
    origins.set(path, origin);
  }
}

function zendeskCredentialProblems(z: Record<string, unknown>, origins: Origins): { path: string; message: string }[] {
  if (z.oauthToken !== undefined) return [];
  if (z.apiToken === undefined) {
    return [
      {
        path: 'zendesk.apiToken',
        message:
          'ZENDESK_API_TOKEN (or ZENDESK_API_TOKEN_FILE) is required, with ZENDESK_EMAIL, unless ZENDESK_OAUTH_TOKEN is set',
      },
    ];
  }
  if (z.email === undefined) {
    return [
      {
        path: 'zendesk.email',
        message: `${whereToSet('zendesk', 'email', origins)}: is required with ZENDESK_API_TOKEN`,
      },
    ];
  }
  return [];
}

function describeIssue(path: string[], issue: z.core.$ZodIssue, raw: Raw, origins: Origins): string {
  const [section, key] = path;
  const where =
    key === undefined ? (section ?? '(config)') : whereToSet(section as Section, key, origins, path.slice(2));
  const missing = key !== undefined && raw[section]?.[key] === undefined;
  if (key === undefined && raw[section] === undefined) {
    return `${section}: section is required (set its keys in the environment or the config file)`;
  }
  return `${where}: ${missing ? 'is required' : issue.message}`;
}

/** The name the user edits: the env var (or file key) that gave the value, else where it can be set. */
function whereToSet(section: Section, key: string, origins: Origins, rest: string[] = []): string {
  const suffix = rest.length ? `[${rest.join('][')}]` : '';
  const origin = origins.get(`${section}.${key}`);
  if (origin) return `${origin}${suffix}`;
  const spec = CONFIG_KEYS.find((k) => k.section === section && k.key === key);
  if (spec?.secret) return `${spec.env} (or ${spec.env}_FILE)`;
  if (spec?.env) return `${spec.env} (or ${section}.${key} in the config file)`;
  return `${section}.${key}${suffix} (config file)`;
}

function knownKeys(section: Section): string[] | undefined {
  const schema = SECTIONS[section] as unknown as { shape?: Record<string, unknown> };
  return schema.shape ? Object.keys(schema.shape) : undefined;
}

const SECRET_PATHS = new Set(CONFIG_KEYS.filter((k) => k.secret).map((k) => `${k.section}.${k.key}`));

/** The config as YAML for a start-up banner or `tandem config`: every secret that is set shows as `***`. */
export function describeConfig(config: Partial<Config>): string {
  const shown: Record<string, unknown> = {};
  for (const [section, value] of Object.entries(config)) {
    if (!isObject(value)) {
      shown[section] = value;
      continue;
    }
    shown[section] = Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        SECRET_PATHS.has(`${section}.${k}`) && v !== undefined
          ? '***'
          : typeof v === 'string'
            ? redactUrlPasswords(v)
            : v,
      ]),
    );
  }
  return YAML.stringify(shown);
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
