import { Command } from 'commander';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { FLOW_IDS, getFlow } from '../../flows';
import { createConnectors } from '../../workers/connectors';
import { createWorker, stopWorker } from '../../workers/worker';
import { createLogger } from '../../workers/logger';
import { describeConfig, type Config } from '../../workers/config';
import { countApiCalls, metrics as tandemMetrics, startMetricsServer } from '../../workers/metrics';
import { TASK_QUEUE } from '../../workflows/ids';
import { closeTemporal, configOf, connectTemporal, openConfigStore, runtimeOf, withConfigOption } from '../context';

/**
 * Why the worker cannot run with this config, or undefined. The worker hosts every flow's
 * workflows, and a flow whose target system has no credentials would fail each of its pairs, so
 * it refuses to start rather than run half of the flows quietly.
 */
export function workerConfigProblem(config: Config): string | undefined {
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
  return withConfigOption(new Command('worker'))
    .description('run the Tandem worker from the config: every flow, its metrics endpoint and JSON logs; stops on Ctrl-C')
    .option('--metrics-host <host>', 'address the metrics endpoint binds to', '127.0.0.1')
    .addHelpText('after', '\nExample:\n  TANDEM_CONFIG=/etc/tandem.yaml ZENDESK_API_TOKEN_FILE=/run/secrets/zendesk tandem worker')
    .action(async (flags: { metricsHost: string }, cmd: Command) => {
      const rt = runtimeOf(cmd);
      const config = configOf(cmd);
      const problem = workerConfigProblem(config);
      if (problem) throw new Error(problem);
      const log = createLogger('worker', rt.env.TANDEM_LOG_LEVEL);
      // The SDK's own metrics (task latencies, pollers, ...) beside Tandem's, on the next port.
      const sdkMetrics = `${flags.metricsHost}:${config.metrics.port + 1}`;
      try {
        Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: sdkMetrics } } } });
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'the Temporal runtime was already set up; its metrics are not exported');
      }
      log.info({ config: describeConfig(config) }, 'starting the worker');

      const stops: (() => Promise<unknown>)[] = [];
      const stop = async () => {
        for (const s of stops.reverse()) await s().catch((err: Error) => log.error({ err }, 'while stopping'));
      };
      try {
        const client = await connectTemporal(config);
        stops.push(() => closeTemporal(client));
        const store = openConfigStore(config);
        stops.push(() => store.close());
        const connectors = createConnectors({ zendesk: config.zendesk, poweroffice: config.poweroffice!, crmoffice: config.crmoffice! });
        const connection = await NativeConnection.connect({ address: config.temporal.address });
        stops.push(() => connection.close());
        const worker = await createWorker({
          connection,
          namespace: config.temporal.namespace,
          rates: config.rates,
          deps: { connectors, store, flows: config.flows },
        });
        const stopCounting = countApiCalls();
        stops.push(async () => stopCounting());
        tandemMetrics.watchPollLag(store);
        const metrics = await startMetricsServer({ port: config.metrics.port, host: flags.metricsHost });
        stops.push(() => metrics.close());

        const running = worker.run();
        log.info({ taskQueue: config.temporal.taskQueue, namespace: config.temporal.namespace, metrics: `${metrics.url}/metrics` }, 'worker running');
        // The worker ends on its own only when it fails (e.g. the server went away for good).
        const ended = await Promise.race([running.then(() => 'ended' as const), rt.waitForStop().then(() => 'stop' as const)]);
        if (ended === 'stop') {
          log.info('stopping: letting running activities finish');
          await stopWorker(worker, running);
        }
        log.info('worker stopped');
      } finally {
        await stop();
      }
    });
}
