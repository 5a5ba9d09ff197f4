import { Command } from 'commander';
import { startCodecServer } from '../../codec/codec-server';
import { encryptionOf, encryptionOfAll } from '../../codec/data-converter';
import { newKey } from '../../codec/keys';
import { addSubcommand, printer, runtimeOf, withConfigOption, servedTenantConfigs } from '../context';
import { explainingPorts } from '../errors';
import { commandLogger } from '../logging';
import { portArg } from '../usage';

/** `tandem codec`: the codec endpoint the Temporal Web UI decodes Tandem's encrypted payloads with, and new keys. */
export function codecCommand(): Command {
  const codec = new Command('codec')
    .description("payload encryption: the Web UI's codec endpoint, and new keys")
    .addHelpText(
      'after',
      '\nExample:\n  tandem codec new-key > ./tandem-key\n  TANDEM_ENCRYPTION_KEY_FILE=./tandem-key TANDEM_CODEC_TOKEN=$(openssl rand -hex 24) tandem codec serve',
    );
  addSubcommand(codec, serveCommand());
  addSubcommand(codec, newKeyCommand());
  return codec;
}

function serveCommand(): Command {
  return withConfigOption(new Command('serve'))
    .description(
      'run the codec endpoint (POST /encode, /decode) for the Temporal Web UI and CLI; needs TANDEM_ENCRYPTION_KEY and TANDEM_CODEC_TOKEN; stops on Ctrl-C',
    )
    .option(
      '--host <host>',
      'address to listen on (put a TLS proxy in front when the UI is not on this machine)',
      '127.0.0.1',
    )
    .option('--port <port>', 'port to listen on (default: codec.port of the config, TANDEM_CODEC_PORT, 8234)', portArg)
    .addHelpText(
      'after',
      '\nExample:\n  TANDEM_ENCRYPTION_KEY_FILE=/run/secrets/tandem-key TANDEM_CODEC_TOKEN_FILE=/run/secrets/codec-token \\\n' +
        '  TANDEM_CODEC_CORS_ORIGINS=https://temporal-ui.example.com tandem codec serve --host 0.0.0.0\n' +
        'Then in the Web UI: codec endpoint https://<this host>/t/<token> (or the plain URL with "Pass access token" and a proxy that sends the token).',
    )
    .action(async (flags: { host: string; port?: number }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      // Every tenant's histories, disabled ones' too, are read in the one Web UI: every tenant's keys decrypt.
      const tenants = servedTenantConfigs(cmd, ['encryption', 'codec'], { disabled: true });
      const config = tenants[0];
      const encryption =
        tenants.length === 1
          ? encryptionOf(config.encryption, { requireKey: true })
          : encryptionOfAll(tenants.map((t) => t.encryption));
      if (encryption.mode === 'off')
        throw new Error(
          'TANDEM_ENCRYPTION=off: there is nothing for the codec endpoint to decode; set TANDEM_ENCRYPTION_KEY',
        );
      const token = config.codec.token;
      if (!token)
        throw new Error(
          'the codec endpoint hands out decrypted personal data, so it needs a token: set TANDEM_CODEC_TOKEN or TANDEM_CODEC_TOKEN_FILE (at least 16 characters, e.g. `openssl rand -hex 24`)',
        );
      const port = flags.port ?? config.codec.port;
      const log = commandLogger(cmd, 'codec');
      const server = await explainingPorts(
        { [port]: flags.port !== undefined ? '--port' : '--port or set TANDEM_CODEC_PORT' },
        () =>
          startCodecServer({
            port,
            host: flags.host,
            codec: encryption.payloadCodec,
            token,
            corsOrigins: config.codec.corsOrigins,
          }),
      );
      log.info(
        {
          url: server.url,
          corsOrigins: config.codec.corsOrigins,
          keyId: encryption.codec.currentKeyId,
          decrypts: [...encryption.codec.keys.byId.keys()],
        },
        'codec endpoint listening',
      );
      try {
        await rt.waitForStop();
      } finally {
        await server.close();
      }
      log.info('codec endpoint stopped');
    });
}

function newKeyCommand(): Command {
  return new Command('new-key')
    .description(
      'print a new random encryption key (base64 of 32 bytes) for TANDEM_ENCRYPTION_KEY; it is shown once, store it as a secret',
    )
    .addHelpText(
      'after',
      '\nExample:\n  tandem codec new-key > /run/secrets/tandem-key && chmod 600 /run/secrets/tandem-key',
    )
    .action((_flags: unknown, cmd: Command) => {
      printer(cmd)(newKey());
    });
}
