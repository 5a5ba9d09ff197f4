/** `tandem dev`'s stack for a test: headless, every port a free one, a fresh data folder, quiet. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEV_DEFAULTS, startDevStack, type DevStack, type DevStackOptions } from '../../workers/dev-stack';
import { freePort } from '../../workers/free-port';

export async function startTestDevStack(options: Partial<DevStackOptions> = {}): Promise<DevStack> {
  return startDevStack({
    ...DEV_DEFAULTS,
    dataDir: mkdtempSync(join(tmpdir(), 'tandem-dev-')),
    temporalPort: await freePort(),
    uiPort: await freePort(),
    headless: true,
    webhookPort: await freePort(),
    metricsPort: await freePort(),
    codecPort: await freePort(),
    simulatorPorts: { zendesk: await freePort(), poweroffice: await freePort(), crmoffice: await freePort() },
    log: () => undefined,
    ...options,
  });
}
