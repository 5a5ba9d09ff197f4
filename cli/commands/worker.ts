import { Command } from 'commander';
import { NativeConnection } from '@temporalio/worker';
import { FLOW_IDS, getFlow } from '../../flows';
import { createConnectors } from '../../workers/connectors';
import { shareRates } from '../../workers/rate-share';
import { createWorker, stopWorker, type Workers } from '../../workers/worker';
import { describeConfig, type Config } from '../../workers/config';
import { ensureSearchAttributes } from '../../workers/search-attributes-setup';
import { temporalConnectionOptions } from '../../workers/temporal-connection';
import { commandLogger, installSdkRuntime } from '../logging';
import { explainingPorts } from '../errors';
import { countApiCalls, metrics as tandemMetrics, startMetricsServer } from '../../workers/metrics';
import { TASK_QUEUE } from '../../protocol/ids';
import { encryptionOf, type Encryption } from '../../codec/data-converter';
import {
  closeTemporal,
  connectTemporal,
  openConfigStore,
  readyConfigStore,
  withConfigOption,
  type TenantConfig,
  servedTenantConfigs,
  namedTenant,
} from '../context';
import { watchForStop, withGraceOption } from '../shutdown';
import { fingerprintOf, readTenantConfigs, reloadTenants, withReloadOption } from '../tenant-reload';
import type { LinkStore } from '../../store';

/** A tenant the worker serves: its SDK workers, its store, and the settings it was started with. */
interface ServedTenant {
  fingerprint: string;
  worker: Workers;
  running: Promise<void>;
  store: LinkStore;
  /** Set when the worker stops it on purpose: its end is then no failure. */
  stopped: boolean;
}

/**
 * Why the worker cannot run with this config, or undefined. The worker hosts every flow's
 * workflows, and a flow whose target system has no credentials would fail each of its pairs, so
 * it refuses to start rather than run half of the flows quietly.
 */
function workerConfigProblem(config: Config): string | undefined {
  const missing = (['poweroffice', 'crmoffice'] as const).filter((s) => !config[s]);
  if (missing.length) {
    const flows = FLOW_IDS.filter((id) => missing.includes(getFlow(id).target.system as 'poweroffice' | 'crmoffice'));
    const keys = missing.map((s) => (s === 'poweroffice' ? 'POWEROFFICE_*' : 'CRMOFFICE_*')).join(' and ');
    return `no ${missing.join(' or ')} configuration (set ${keys}), so these flows cannot run: ${flows.join(', ')}; the worker runs every flow and will not start without them`;
  }
  // Webhooks and polls start record workflows on the fixed queue; a worker elsewhere would never run them.
  if (config.temporal.taskQueue !== TASK_QUEUE) {
    return `temporal.taskQueue is "${config.temporal.taskQueue}", but record workflows are started on "${TASK_QUEUE}"; use "${TASK_QUEUE}" (TEMPORAL_TASK_QUEUE) for now`;
  }
  return undefined;
}

export function workerCommand(): Command {
  return withReloadOption(withGraceOption(withConfigOption(new Command('worker'))))
    .description(
      'run the Tandem worker from the config: every flow, its metrics endpoint and JSON logs; SIGTERM or Ctrl-C lets running activities finish (--grace), then stops',
    )
    .option('--metrics-host <host>', 'address the metrics endpoint binds to', '127.0.0.1')
    .option(
      '--no-register-search-attributes',
      "only check Tandem's search attributes, never add them (a cluster where the operator adds them: `tandem setup --print`)",
    )
    .addHelpText(
      'after',
      '\nExample:\n  TANDEM_CONFIG=/etc/tandem.yaml ZENDESK_API_TOKEN_FILE=/run/secrets/zendesk tandem worker',
    )
    .action(
      async (
        flags: { metricsHost: string; registerSearchAttributes: boolean; grace: number; reloadTenants: number },
        cmd: Command,
      ) => {
        // Every tenant not disabled (or --tenant's alone), each checked before anything starts.
        const tenants = servedTenantConfigs(cmd) as TenantConfig<keyof Config>[];
        if (!tenants.length) throw new Error('every tenant of this installation is disabled: nothing to serve');
        const several = tenants.length > 1;
        const config = tenants[0] as TenantConfig<keyof Config> & Config;
        const log = commandLogger(cmd, 'worker');
        // A tenant's settings checked, and its key read: before the SDK runtime and any connection, no key, no worker.
        const checked = (t: TenantConfig<keyof Config>, named: boolean): Encryption => {
          const problem = workerConfigProblem(t as Config);
          try {
            if (problem) throw new Error(problem);
            // The banner first: it shows what was read, also when the key then fails.
            log.info(
              { ...(named && { tenant: t.tenant }), config: describeConfig(t as Config) },
              'starting the worker',
            );
            const encryption = encryptionOf(t.encryption, { requireKey: true });
            const tenant = named ? { tenant: t.tenant } : {};
            if (encryption.mode === 'off')
              log.warn(tenant, 'TANDEM_ENCRYPTION=off: names, e-mails and records are stored in Temporal in clear');
            else
              log.info(
                { ...tenant, keyId: encryption.codec.currentKeyId, decrypts: [...encryption.codec.keys.byId.keys()] },
                'payloads are encrypted',
              );
            return encryption;
          } catch (err) {
            throw new Error(named ? `tenant ${t.tenant}: ${(err as Error).message}` : (err as Error).message);
          }
        };
        const encryptions = tenants.map((t) => checked(t, several));
        // The SDK's own metrics (task latencies, pollers, ...) beside Tandem's: TANDEM_SDK_METRICS_PORT, else the next port.
        const sdkPort = config.metrics.sdkPort ?? config.metrics.port + 1;
        installSdkRuntime(log, { metrics: { prometheus: { bindAddress: `${flags.metricsHost}:${sdkPort}` } } });
        // From here a signal is a stop request, also while the worker is still starting.
        const stopping = watchForStop(cmd, 'the worker', flags.grace);

        const stops: (() => Promise<unknown>)[] = [];
        const stop = async () => {
          for (const s of stops.reverse()) await s().catch((err: Error) => log.error({ err }, 'while stopping'));
        };
        try {
          const client = await connectTemporal(config);
          stops.push(() => closeTemporal(client));
          const { address, namespace } = config.temporal;
          // Without them every poll fails with BadSearchAttributes: check (and add) before taking any task.
          const attrs = await ensureSearchAttributes(client, {
            namespace,
            address,
            register: flags.registerSearchAttributes,
          });
          if (attrs.registered.length)
            log.info({ namespace, registered: attrs.registered }, 'registered the search attributes');
          if (attrs.unchecked)
            log.warn(
              { namespace, reason: attrs.unchecked.cause, command: attrs.unchecked.command },
              'could not check the search attributes; if polls fail with BadSearchAttributes, have them registered',
            );
          const connection = await NativeConnection.connect(temporalConnectionOptions(config.temporal));
          stops.push(() => connection.close());
          // The tenants served now; one whose worker fails ends the process rather than leave it unserved quietly.
          const served = new Map<string, ServedTenant>();
          let fail!: (err: Error) => void;
          const failed = new Promise<never>((_resolve, reject) => (fail = reject));
          const startTenant = async (t: TenantConfig<keyof Config>, encryption: Encryption, fingerprint: string) => {
            const named = served.size > 0 || several;
            const store = openConfigStore(t);
            try {
              await readyConfigStore(t, store);
              // Each tenant's rates are its own accounts' limits, held on its own task queues.
              const share = shareRates(t.rates, {
                onCount: (system, workers, pace) =>
                  log.info(
                    {
                      ...(named && { tenant: t.tenant }),
                      system,
                      workers,
                      perSecond: Number(pace.perSecond.toFixed(2)),
                      burst: pace.burst,
                    },
                    "pacing this worker's share of the rate",
                  ),
              });
              // Tokens go through the store: every worker spends one Crmoffice refresh token chain.
              const connectors = createConnectors(
                { zendesk: t.zendesk, poweroffice: t.poweroffice!, crmoffice: t.crmoffice! },
                { sharedTokens: store, pacers: share.pacers },
              );
              const worker = await createWorker({
                connection,
                namespace,
                tenant: t.tenant,
                share,
                deps: { connectors, store, flows: t.flows },
                dataConverter: encryption.dataConverter,
                // Most of the grace for running activities; the rest for closing connections and the store.
                shutdownGraceMs: Math.floor(flags.grace * 800),
              });
              const entry: ServedTenant = { fingerprint, worker, store, stopped: false, running: Promise.resolve() };
              entry.running = worker.run().then(
                () => {
                  if (!entry.stopped) fail(new Error(`tenant ${t.tenant}: its worker stopped`));
                },
                (err: Error) => {
                  if (!entry.stopped) fail(err);
                },
              );
              served.set(t.tenant, entry);
              tandemMetrics.watchStore(store, t.tenant);
              tandemMetrics.setPollIntervals(t.polling, t.tenant);
              tandemMetrics.setApiRates(share.rates, t.tenant);
            } catch (err) {
              await store.close();
              throw err;
            }
          };
          const stopTenant = async (tenant: string) => {
            const entry = served.get(tenant);
            if (!entry) return;
            entry.stopped = true;
            await stopWorker(entry.worker, entry.running);
            served.delete(tenant);
            tandemMetrics.forgetTenant(tenant);
            await entry.store.close();
          };
          stops.push(() => Promise.all([...served.keys()].map(stopTenant)));
          for (const [i, t] of tenants.entries()) await startTenant(t, encryptions[i], fingerprintOf(t));
          const stopCounting = countApiCalls();
          stops.push(async () => stopCounting());
          tandemMetrics.watchPollers(() => [...served.values()].flatMap((s) => s.worker.pollers()));
          const metrics = await explainingPorts(
            { [config.metrics.port]: 'TANDEM_METRICS_PORT (or metrics.port in the config file)' },
            () => startMetricsServer({ port: config.metrics.port, host: flags.metricsHost }),
          );
          stops.push(() => metrics.close());
          // Serving every tenant: the tenant files are read again, so a tenant added or removed needs no restart.
          if (!namedTenant(cmd) && flags.reloadTenants > 0) {
            const reload = reloadTenants({
              read: () => readTenantConfigs(cmd, undefined),
              everyMs: flags.reloadTenants * 1000,
              log,
              served: () => new Map([...served].map(([name, s]) => [name, s.fingerprint])),
              start: (t, fingerprint) => startTenant(t, checked(t, true), fingerprint),
              stop: stopTenant,
            });
            stops.push(() => reload.stop());
          }
          log.info(
            {
              tenants: tenants.map((t) => t.tenant),
              taskQueue: config.temporal.taskQueue,
              namespace: config.temporal.namespace,
              metrics: `${metrics.url}/metrics`,
            },
            'worker running',
          );
          // The worker ends on its own only when it fails (e.g. the server went away for good).
          const ended = await Promise.race([failed, stopping.requested.then(() => 'stop' as const)]);
          if (ended === 'stop') log.info('stopping: letting running activities finish');
          log.info('worker stopped');
        } finally {
          await stop();
          stopping.done();
        }
      },
    );
}
