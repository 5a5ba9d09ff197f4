/**
 * `tandem connect poweroffice` against the simulator: good keys sign in, departments and employees
 * are read, and the three keys are saved in mode-600 files the configuration reads; a wrong client
 * key or subscription key is refused naming it, and nothing is saved. No key reaches the output.
 */
import { loadConfigFor } from '../../workers/config';
import { PowerOfficeSimulator, startPowerOfficeSimulator } from '../../simulators/poweroffice';
import { freshFolder, modeOf, secretFilesIn, secretNamedBy, settingsIn } from './connect-helpers';
import { runCli } from './run-cli';

describe('tandem connect poweroffice', () => {
  let sim: PowerOfficeSimulator;
  beforeAll(async () => {
    sim = await startPowerOfficeSimulator({ departments: [{ Name: 'Sales' }] });
  });
  afterAll(async () => {
    await sim?.stop();
  });
  const keys = () => ({
    POWEROFFICE_APPLICATION_KEY: sim.credentials.applicationKey,
    POWEROFFICE_CLIENT_KEY: sim.credentials.clientKey,
    POWEROFFICE_SUBSCRIPTION_KEY: sim.credentials.subscriptionKey,
  });
  const args = () => ['connect', 'poweroffice', '--base-url', sim.apiUrl];

  test('good keys: signed in, records read, each key saved in its own mode-600 file the config reads', async () => {
    const cwd = freshFolder();
    const count = (path: RegExp) =>
      Object.entries(sim.stats.requests)
        .filter(([k]) => path.test(k))
        .reduce((n, [, v]) => n + v, 0);
    const before = { departments: count(/Departments/), employees: count(/Employees/) };
    const r = await runCli(args(), { cwd, env: keys() });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/departments and employees can be read/);
    for (const value of Object.values(keys())) expect(r.out).not.toContain(value);
    // It read what Tandem syncs.
    expect(count(/Departments/)).toBeGreaterThan(before.departments);
    expect(count(/Employees/)).toBeGreaterThan(before.employees);

    const settings = settingsIn(cwd)!;
    expect(settings.POWEROFFICE_BASE_URL).toBe(sim.apiUrl);
    for (const [name, value] of Object.entries(keys())) {
      expect(settings[name]).toBeUndefined();
      expect(modeOf(settings[`${name}_FILE`])).toBe(0o600);
      expect(secretNamedBy(settings, name)).toBe(value);
    }
    expect(
      loadConfigFor(['poweroffice'], { env: { ...settings, ZENDESK_BASE_URL: 'http://x', ZENDESK_OAUTH_TOKEN: 'x' } })
        .poweroffice,
    ).toMatchObject({
      baseUrl: sim.apiUrl,
      applicationKey: sim.credentials.applicationKey,
      clientKey: sim.credentials.clientKey,
      subscriptionKey: sim.credentials.subscriptionKey,
    });
  });

  test('a client key that is not activated is refused naming it, and nothing is saved', async () => {
    const cwd = freshFolder();
    const r = await runCli(args(), { cwd, env: { ...keys(), POWEROFFICE_CLIENT_KEY: 'a-client-key-never-activated' } });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /refused the application key and client key \(401 invalid_client\).*POWEROFFICE_CLIENT_KEY.*activated/,
    );
    expect(r.err).not.toContain('a-client-key-never-activated');
    expect(settingsIn(cwd)).toBeUndefined();
    expect(secretFilesIn(cwd)).toEqual([]);
  });

  test('a wrong subscription key is refused naming it, and nothing is saved', async () => {
    const cwd = freshFolder();
    const r = await runCli(args(), { cwd, env: { ...keys(), POWEROFFICE_SUBSCRIPTION_KEY: 'wrong-subscription' } });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/refused POWEROFFICE_SUBSCRIPTION_KEY .*\(401\)/);
    expect(secretFilesIn(cwd)).toEqual([]);
  });
});
