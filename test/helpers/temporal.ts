import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureTemporalCli } from '../../workers/temporal-cli';
import { TANDEM_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { MATCHING_CONFIG } from '../../workers/temporal-dev-server';
import { encryptionOf, type Encryption } from '../../codec/data-converter';

/** The tests' key (not secret: tests only), so their histories are encrypted as production's are. */
export const TEST_ENCRYPTION_KEY = 'dGVzdC1rZXktdGFuZGVtLXRlc3Qta2V5LXRhbmRlbSE=';
/** What a `tandem` process needs in its environment to read and write the tests' payloads. */
export const TEST_ENCRYPTION_ENV = { TANDEM_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };

export function testEncryption(): Encryption {
  return encryptionOf({ mode: 'on', key: TEST_ENCRYPTION_KEY }, { requireKey: true });
}

/**
 * A real Temporal dev server (the CLI's), with Tandem's search attributes registered. Given an
 * encryption (the test stack's), its client encrypts; without one it is plain, for tests whose
 * workers are made by hand.
 */
export async function startTemporal(encryption?: Encryption, extraArgs: string[] = []): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: ensureTemporalCli() },
      ip: '127.0.0.1',
      searchAttributes: TANDEM_SEARCH_ATTRIBUTES,
      log: { format: 'pretty', level: 'error' },
      extraArgs: [...MATCHING_CONFIG, ...extraArgs],
    },
    client: encryption ? { dataConverter: encryption.dataConverter } : undefined,
  });
}
