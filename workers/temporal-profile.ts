/**
 * A Temporal CLI profile (`temporal config set --profile …`, a TOML file) as the lowest layer of the
 * `temporal` settings: a key given in Tandem's config file or the environment wins over the profile.
 * Read only when TEMPORAL_PROFILE or TEMPORAL_CONFIG_FILE names one, so a developer's default CLI
 * profile (often Temporal Cloud) never redirects a worker or the dev stack unasked.
 */
import { accessSync, constants } from 'node:fs';
import { loadClientConfigProfile, type ClientConfigProfile } from '@temporalio/envconfig';

type Origins = Map<string, string>;

/** Fills the keys of `temporal` (raw, before validation) that nothing else gave, from the named profile. */
export function readTemporalProfile(
  temporal: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  origins: Origins,
  problems: string[],
): void {
  const name = typeof temporal.profile === 'string' ? temporal.profile : 'default';
  const file = typeof temporal.configFile === 'string' ? temporal.configFile : undefined;
  let profile: ClientConfigProfile;
  try {
    // The loader takes a missing file for an empty one; a file named on purpose must exist.
    if (file) accessSync(file, constants.R_OK);
    profile = loadClientConfigProfile({
      profile: name,
      ...(file ? { configSource: { path: file } } : {}),
      // Where the CLI's default file is (HOME, XDG_CONFIG_HOME) comes from the environment given.
      overrideEnvVars: env as Record<string, string>,
      // Tandem applies the environment itself, above its own config file.
      disableEnv: true,
      configFileStrict: true,
    });
  } catch (err) {
    problems.push(describeLoadError(err, name, origins));
    return;
  }
  const where = `${file ?? 'the Temporal CLI config file'} [profile.${name}]`;
  const set = (key: string, value: unknown, tomlKey: string) => {
    if (value === undefined || temporal[key] !== undefined) return;
    temporal[key] = value;
    origins.set(`temporal.${key}`, `${where} ${tomlKey}`);
  };
  set('address', profile.address, 'address');
  set('namespace', profile.namespace, 'namespace');
  set('apiKey', profile.apiKey, 'api_key');
  if (profile.grpcMeta && Object.keys(profile.grpcMeta).length > 0)
    problems.push(`${where} grpc_meta: not supported by Tandem; remove it or use another profile`);
  const tls = profile.tls;
  if (!tls) return;
  if (tls.disabled !== undefined) set('tls', !tls.disabled, 'tls.disabled');
  set('tlsServerName', tls.serverName, 'tls.server_name');
  const sources = [
    ['tlsCa', tls.serverCACert, 'tls.server_ca_cert'],
    ['tlsCert', tls.clientCert, 'tls.client_cert'],
    ['tlsKey', tls.clientKey, 'tls.client_key'],
  ] as const;
  for (const [key, source, tomlKey] of sources) {
    // A file or its content given elsewhere wins over either in the profile.
    if (!source || temporal[key] !== undefined || temporal[`${key}Data`] !== undefined) continue;
    // A `*_path` goes to the path key, a `*_data` to the `…Data` key, as their environment variables do.
    if ('data' in source) {
      set(
        `${key}Data`,
        typeof source.data === 'string' ? source.data : Buffer.from(source.data).toString('utf8'),
        `${tomlKey}_data`,
      );
      continue;
    }
    try {
      accessSync(source.path, constants.R_OK);
    } catch (err) {
      problems.push(
        `${where} ${tomlKey}_path: cannot read ${source.path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    set(key, source.path, `${tomlKey}_path`);
  }
}

function describeLoadError(err: unknown, name: string, origins: Origins): string {
  const e = err as NodeJS.ErrnoException;
  const fileOrigin = origins.get('temporal.configFile') ?? 'TEMPORAL_PROFILE (the Temporal CLI config file)';
  if (e.code && e.path) return `${fileOrigin}: cannot read ${e.path} (${e.code})`;
  if (/^Profile '.*' not found/.test(e.message))
    return `${origins.get('temporal.profile') ?? 'TEMPORAL_CONFIG_FILE'}: no profile "${name}" in the Temporal CLI config file`;
  // Only the first line: a TOML parser's message goes on to quote the file, which may hold an API key.
  return `${fileOrigin}: not a valid Temporal CLI config file (${e.message.split('\n')[0]})`;
}
