/** Production mode on a namespace without Tandem's search attributes: registered, or a refusal naming the command. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Client } from '@temporalio/client';
import {
  createSearchAttributesCommand,
  ensureSearchAttributes,
  SearchAttributesMissingError,
} from '../../workers/search-attributes-setup';
import { CLI_TYPE, TANDEM_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { sharedTemporal, temporalEnvOf } from '../helpers/temporal';
import { runCli } from './run-cli';

describe("Tandem's search attributes", () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    // A namespace as a plain `temporal server start-dev` has it: no custom attributes.
    env = await sharedTemporal(undefined, { searchAttributes: false });
  }, 120_000);
  afterAll(async () => {
    await env?.teardown();
  });

  async function custom(): Promise<string[]> {
    const r = await env.client.connection.operatorService.listSearchAttributes({ namespace: env.namespace });
    return Object.keys(r.customAttributes ?? {});
  }

  it('a check without registering refuses, naming the exact temporal command', async () => {
    const r = await runCli(['schedules', 'apply', '--no-register-search-attributes'], { env: temporalEnvOf(env) });
    expect(r.code).toBe(1);
    expect(r.err).toContain(createSearchAttributesCommand({ namespace: env.namespace!, address: env.address }));
    for (const a of TANDEM_SEARCH_ATTRIBUTES) expect(r.err).toContain(`--name ${a.name} --type ${CLI_TYPE[a.type]}`);
  });

  it('tandem setup registers every one, and a second run finds them all there', async () => {
    const first = await runCli(['setup'], { env: temporalEnvOf(env) });
    expect(first.code).toBe(0);
    for (const a of TANDEM_SEARCH_ATTRIBUTES) expect(first.out).toContain(`registered ${a.name}`);
    expect(await custom()).toEqual(expect.arrayContaining(TANDEM_SEARCH_ATTRIBUTES.map((a) => a.name)));
    const again = await runCli(['setup'], { env: temporalEnvOf(env) });
    expect(again.code).toBe(0);
    expect(again.out).toContain(`(0 registered, ${TANDEM_SEARCH_ATTRIBUTES.length} already there)`);
  });

  it('a cluster that refuses to add them gets the command, not a stack trace', async () => {
    const refusing = {
      connection: {
        operatorService: {
          listSearchAttributes: async () => ({ customAttributes: {} }),
          addSearchAttributes: async () => {
            throw new Error('7 PERMISSION_DENIED: Request unauthorized.');
          },
        },
      },
    } as unknown as Client;
    const err = await ensureSearchAttributes(refusing, {
      namespace: 'prod',
      address: 'tmprl:7233',
      register: true,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SearchAttributesMissingError);
    expect((err as Error).message).toContain('PERMISSION_DENIED');
    // Every attribute of TANDEM_SEARCH_ATTRIBUTES, whatever the list holds today.
    expect((err as Error).message).toContain(
      `\n  ${createSearchAttributesCommand({ namespace: 'prod', address: 'tmprl:7233' })}\n`,
    );
    expect((err as Error).message).toContain(
      'temporal operator search-attribute create --address tmprl:7233 --namespace prod --name ',
    );
  });

  it('a cluster that will not list them is reported as unchecked, with the command, not refused', async () => {
    const silent = {
      connection: {
        operatorService: { listSearchAttributes: async () => Promise.reject(new Error('7 PERMISSION_DENIED')) },
      },
    } as unknown as Client;
    const report = await ensureSearchAttributes(silent, { namespace: 'prod', register: true });
    expect(report.unchecked).toEqual({
      cause: '7 PERMISSION_DENIED',
      command: createSearchAttributesCommand({ namespace: 'prod' }),
    });
    for (const a of TANDEM_SEARCH_ATTRIBUTES)
      expect(report.unchecked?.command).toContain(`--name ${a.name} --type ${CLI_TYPE[a.type]}`);
  });
});
