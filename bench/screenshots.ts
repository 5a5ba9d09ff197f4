/**
 * `npm run screenshots`: the docs' screenshots (docs/screenshots/), taken again from a fresh
 * `tandem dev` run. It starts the dev stack in a throwaway folder on free ports, makes a few edits
 * through the simulators' APIs (a department renamed in PowerOffice Go, then its organisation in
 * Zendesk; an organisation whose name two departments share, so the review list has a conflict and
 * a failed employee), then drives Debian's headless Chromium with playwright-core: the Temporal Web
 * UI, and the `tandem status` and `tandem why` outputs rendered as terminal-like pages.
 * A docs tool, not a test: CI has no Chromium. Needs `apt-get install chromium` (or
 * TANDEM_CHROMIUM=<path>); never `npx playwright install`.
 */
import { stopProcess } from '../workers/stop-process';
import { Connection } from '@temporalio/client';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { openStore, type LinkStore } from '../store';
import { loadConfigFor } from '../workers/config';
import { createConnectors } from '../workers/connectors';
import { freePort } from '../workers/free-port';
import { parseSettings } from '../workers/settings-file';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const OUT = join(ROOT, 'docs', 'screenshots');
const CHROMIUM = process.env.TANDEM_CHROMIUM ?? '/usr/bin/chromium';
const P1 = 'zendesk-organizations-to-powerofficego-departments';
const P2 = 'zendesk-users-to-powerofficego-employees';
const COMPANIES = 'zendesk-organizations-to-crmoffice-companies';
const VIEWPORT = { width: 1400, height: 900 };
// Playwright adds an empty --user-data-dir of its own. Without these, Chromium on a machine with no internet waits on refused connections.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function until<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

interface Dev {
  proc: ChildProcess;
  dataDir: string;
  envFile: string;
  uiUrl: string;
  settings: Record<string, string>;
}

async function startDev(): Promise<Dev> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tandem-screenshots-'));
  const names = [
    '--port',
    '--ui-port',
    '--webhook-port',
    '--metrics-port',
    '--codec-port',
    '--zendesk-port',
    '--poweroffice-port',
    '--crmoffice-port',
  ];
  const ports: string[] = [];
  for (const name of names) ports.push(name, String(await freePort()));
  const envFile = join(dataDir, 'env');
  const proc = spawn(
    process.execPath,
    [CLI, 'dev', '--data-dir', dataDir, '--sample-size', '8', '--grace', '5', ...ports],
    {
      cwd: dataDir,
      env: { ...process.env, TANDEM_ENV_FILE: 'none' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<never>((_, reject) =>
    proc.once('exit', (code) => reject(new Error(`tandem dev exited (${code}):\n${output}`))),
  );
  const ready = until(
    'tandem dev to start',
    async () => output.includes('Stop with Ctrl-C.') && existsSync(envFile),
    180_000,
  );
  await Promise.race([ready, exited]);
  exited.catch(() => undefined);
  const settings = parseSettings(readFileSync(envFile, 'utf8'), envFile);
  const uiUrl = settings.TANDEM_UI_URL;
  if (!uiUrl) throw new Error(`${envFile} names no TANDEM_UI_URL`);
  return { proc, dataDir, envFile, uiUrl, settings };
}

function stopDev(dev: Dev): Promise<void> {
  return stopProcess(dev.proc, 'SIGTERM', 30_000);
}

/** A `tandem` command against the dev stack, its output as the terminal would show it. */
function tandem(dev: Dev, args: string[]): Promise<string> {
  return new Promise((resolveRun, reject) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: dev.dataDir, env: { ...process.env, TANDEM_ENV_FILE: dev.envFile, NO_COLOR: '1', COLUMNS: '140' } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`tandem ${args.join(' ')}: ${err.message}\n${stderr}`));
        else resolveRun(stdout);
      },
    );
  });
}

interface Story {
  orgId: string;
  departmentId: string;
  conflictOrgId: string;
}

/** Edits through the simulators' APIs, each waited for until Tandem has carried it. */
async function makeHistory(dev: Dev, store: LinkStore): Promise<Story> {
  const config = loadConfigFor(['zendesk', 'poweroffice', 'crmoffice'], { env: dev.settings });
  if (!config.poweroffice || !config.crmoffice)
    throw new Error(`${dev.envFile} lacks the PowerOffice Go or Crmoffice settings`);
  const { zendesk, poweroffice } = createConnectors({
    zendesk: config.zendesk,
    poweroffice: config.poweroffice,
    crmoffice: config.crmoffice,
  });

  // An organisation gets a department only through an employee, so an agent belongs to it.
  const org = await zendesk.createOrganization({ name: 'Nordlys Consulting AS' });
  await zendesk.createUser({
    name: 'Kari Nordmann',
    email: 'kari.nordmann@example.no',
    role: 'agent',
    organization_id: org.id,
  });
  const orgId = String(org.id);
  log(`waiting for organisation ${orgId} to be linked to a department and a company...`);
  const link = await until('the first sync of the organisation', async () => {
    const l = await store.getByZendeskId(P1, orgId);
    const c = await store.getByZendeskId(COMPANIES, orgId);
    return l?.state === 'linked' && c?.state === 'linked' && l.targetId ? l : undefined;
  });
  const departmentId = link.targetId!;

  log(`renaming department ${departmentId} in PowerOffice Go...`);
  const fromPowerOffice = 'Nordlys Rådgivning AS';
  await poweroffice.updateDepartment(Number(departmentId), { Name: fromPowerOffice });
  await until(
    'the department name to reach Zendesk',
    async () => (await zendesk.getOrganization(Number(orgId))).name === fromPowerOffice,
  );

  log(`renaming organisation ${orgId} in Zendesk...`);
  const fromZendesk = 'Nordlys Consulting Group AS';
  await zendesk.updateOrganization(Number(orgId), { name: fromZendesk });
  await until(
    'the organisation name to reach PowerOffice Go',
    async () => (await poweroffice.getDepartment(Number(departmentId))).Name === fromZendesk,
  );

  log('making a conflict: an organisation whose name two departments share, with an agent in it...');
  const twin = await zendesk.createOrganization({ name: 'Fjordkraft Drift AS' });
  await poweroffice.createDepartment({ Name: 'Fjordkraft Drift AS' });
  await poweroffice.createDepartment({ Name: 'FJORDKRAFT DRIFT AS' });
  await zendesk.createUser({
    name: 'Ingrid Fjell',
    email: 'ingrid.fjell@example.no',
    role: 'agent',
    organization_id: twin.id,
  });
  const conflictOrgId = String(twin.id);
  await until('the conflict and the failed employee', async () => {
    const c = await store.getByZendeskId(P1, conflictOrgId);
    const review = await store.needingReview(P2, 10);
    return c?.state === 'conflict' && review.some((r) => r.state === 'failed');
  });
  return { orgId, departmentId, conflictOrgId };
}

async function runIdOf(dev: Dev, workflowId: string): Promise<string> {
  const connection = await Connection.connect({ address: dev.settings.TEMPORAL_ADDRESS });
  try {
    // The raw call: the memo is encrypted, and the run id is all this needs.
    const answer = await connection.workflowService.describeWorkflowExecution({
      namespace: dev.settings.TEMPORAL_NAMESPACE ?? 'default',
      execution: { workflowId },
    });
    const runId = answer.workflowExecutionInfo?.execution?.runId;
    if (!runId) throw new Error(`Temporal knows no run of ${workflowId}`);
    return runId;
  } finally {
    await connection.close();
  }
}

async function save(name: string, shot: (path: string) => Promise<unknown>): Promise<void> {
  const file = join(OUT, name);
  await shot(file);
  log(`wrote docs/screenshots/${name} (${Math.round(statSync(file).size / 1024)} KB)`);
}

/** The Web UI settles after its first requests; the list and history pages keep polling, so no "network idle". */
async function openUi(page: Page, url: string, text: string): Promise<void> {
  await page.goto(url, { waitUntil: 'load' });
  await page.getByText(text).first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(2500);
}

/** The list's "Saved Views" panel folded away, so the table shows more columns; left open if the UI has none. */
async function foldSavedViews(page: Page): Promise<void> {
  const header = page.getByText('Saved Views', { exact: true }).first().locator('xpath=..');
  const folded = await header
    .getByRole('button')
    .first()
    .click({ timeout: 3000 })
    .then(
      () => true,
      () => false,
    );
  if (folded) await page.waitForTimeout(800);
}

const TERMINAL_CSS = `body{margin:0;background:#1e1e1e}pre{margin:0;padding:18px 22px;color:#e6e6e6;font:14px/1.45 "DejaVu Sans Mono",monospace;white-space:pre-wrap;word-break:break-word}b{color:#8ae234;font-weight:normal}`;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

async function terminalShot(page: Page, name: string, command: string, output: string): Promise<void> {
  await page.setContent(
    `<html><head><style>${TERMINAL_CSS}</style></head><body><pre><b>$ ${escapeHtml(command)}</b>\n${escapeHtml(output.trimEnd())}</pre></body></html>`,
  );
  await save(name, (path) => page.locator('pre').screenshot({ path }));
}

async function takeScreenshots(browser: Browser, dev: Dev, story: Story): Promise<void> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  const ns = `${dev.uiUrl}/namespaces/${dev.settings.TEMPORAL_NAMESPACE ?? 'default'}`;
  const list = (query: string) => `${ns}/workflows?query=${encodeURIComponent(query)}`;

  const workflowId = `zendesk/organizations/${story.orgId}`;
  const runId = await runIdOf(dev, workflowId);
  await openUi(page, `${ns}/workflows/${encodeURIComponent(workflowId)}/${runId}/history`, workflowId);
  await save('record-workflow.png', (path) => page.screenshot({ path }));
  // The same run further down: the timeline of its activities, then the events one by one.
  await page
    .getByText('Event History', { exact: true })
    .first()
    .evaluate((el) => {
      el.scrollIntoView({ block: 'start' });
      // Back a little, so the UI's top bar does not hide the heading: the page scrolls inside a container.
      for (let box = el.parentElement; box; box = box.parentElement) {
        if (box.scrollTop > 0) {
          box.scrollTop -= 70;
          break;
        }
      }
    });
  await page.waitForTimeout(1500);
  await save('record-workflow-history.png', (path) => page.screenshot({ path }));

  await openUi(page, list('TandemKind = "record"'), 'zendesk/organizations/');
  await foldSavedViews(page);
  await save('record-workflows.png', (path) => page.screenshot({ path }));

  await openUi(
    page,
    list('(TandemOutcome = "failed" OR TandemOutcome = "conflict") AND ExecutionStatus = "Running"'),
    `zendesk/organizations/${story.conflictOrgId}`,
  );
  await foldSavedViews(page);
  await save('review-list-ui.png', (path) => page.screenshot({ path }));

  const status = await tandem(dev, ['status']);
  await terminalShot(page, 'review-list.png', 'tandem status', status);

  const why = await tandem(dev, ['why', 'poweroffice', 'department', story.departmentId, 'Name']);
  await terminalShot(page, 'why.png', `tandem why poweroffice department ${story.departmentId} Name`, why);
  await page.close();
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set TANDEM_CHROMIUM`);
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm run screenshots does)`);
  mkdirSync(OUT, { recursive: true });
  log('starting tandem dev in a throwaway folder...');
  const dev = await startDev();
  // Ctrl-C stops the dev stack too (tandem dev stops its Temporal server and simulators).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stopDev(dev).finally(() => process.exit(130)));
  }
  let browser: Browser | undefined;
  let store: LinkStore | undefined;
  try {
    store = openStore(join(dev.dataDir, 'tandem.db'));
    const story = await makeHistory(dev, store);
    log('taking the screenshots...');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    await takeScreenshots(browser, dev, story);
  } finally {
    await browser?.close();
    await store?.close();
    await stopDev(dev);
    rmSync(dev.dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
