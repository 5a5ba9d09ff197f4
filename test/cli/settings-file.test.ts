/** The settings file and per-command config: what lets the CLI reach a dev stack with nothing exported. */
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseSettings,
  printableSettings,
  readSettingsFile,
  settingsOf,
  writeSettingsFile,
} from '../../workers/settings-file';
import { ConfigError, loadConfigFor } from '../../workers/config';
import { runCli } from './run-cli';

function folderWith(settings: string): string {
  const cwd = mkdtempSync(join(tmpdir(), 'tandem-settings-'));
  mkdirSync(join(cwd, '.tandem'));
  writeFileSync(join(cwd, '.tandem', 'env'), settings);
  return cwd;
}

describe('the settings file', () => {
  it('is written with mode 600 and read back; printed, its secrets show as <set>', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tandem-settings-')), '.tandem', 'env');
    const settings = settingsOf({
      zendesk: { baseUrl: 'http://127.0.0.1:1/api/v2', email: 'a@b.c', apiToken: 'tok-SECRET-123' },
      temporal: { address: '127.0.0.1:7' },
    });
    writeSettingsFile(path, settings, 'test');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readSettingsFile(path)).toEqual({
      TEMPORAL_ADDRESS: '127.0.0.1:7',
      ZENDESK_BASE_URL: 'http://127.0.0.1:1/api/v2',
      ZENDESK_EMAIL: 'a@b.c',
      ZENDESK_API_TOKEN: 'tok-SECRET-123',
    });
    const printed = printableSettings(settings).join('\n');
    expect(printed).toContain('ZENDESK_API_TOKEN=<set>');
    expect(printed).not.toContain('tok-SECRET-123');
  });

  it('names the line of a bad entry without quoting it', () => {
    expect(() => parseSettings('A=1\nnot a setting secret-value\n', 'x/env')).toThrow(
      /^x\/env:2: expected NAME=value$/,
    );
    expect(parseSettings('# c\nexport B="two words"\n')).toEqual({ B: 'two words' });
  });

  it('is read by every command from the working folder; the environment wins over it, and --config replaces it', async () => {
    const cwd = folderWith('TANDEM_STORE=/nonexistent/from-file.db\n');
    const fromFile = await runCli(['status'], { env: {}, cwd });
    expect(fromFile.err).toContain('/nonexistent/from-file.db');
    const fromEnv = await runCli(['status'], { env: { TANDEM_STORE: '/nonexistent/from-env.db' }, cwd });
    expect(fromEnv.err).toContain('/nonexistent/from-env.db');
    const config = join(cwd, 'c.yaml');
    writeFileSync(config, 'store:\n  url: /nonexistent/from-config.db\n');
    const fromConfig = await runCli(['status', '--config', config], { env: {}, cwd });
    expect(fromConfig.err).toContain('/nonexistent/from-config.db');
  });
});

describe('each command asks only for the settings it uses', () => {
  it('status, links and schedules list need no Zendesk credentials', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'tandem-empty-'));
    for (const args of [['status'], ['links', 'P1', '1'], ['schedules', 'list']]) {
      const r = await runCli(args, {
        env: { TEMPORAL_ADDRESS: '127.0.0.1:1', TANDEM_STORE: join(cwd, 'missing.db') },
        cwd,
      });
      expect(r.err).not.toMatch(/ZENDESK/);
    }
  });

  it('a command that uses Zendesk still lists every missing Zendesk setting', () => {
    expect(() => loadConfigFor(['zendesk'], { env: {} })).toThrow(ConfigError);
    expect(loadConfigFor(['temporal', 'store'], { env: {} }).temporal.address).toBe('127.0.0.1:7233');
  });
});

describe('a bad config file', () => {
  it('names the line, column and key of a YAML error, and the line of a bad value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tandem-yaml-'));
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'temporal:\n  address: x:1\nwebhook:\n  port: 80\n   maxBodyBytes: 10\n');
    const e1 = (() => {
      try {
        loadConfigFor(['webhook'], { env: {}, file: broken });
      } catch (err) {
        return (err as ConfigError).problems.join('\n');
      }
      return '';
    })();
    expect(e1).toMatch(/broken\.yaml: line 4, column \d+, under webhook\.port/);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'temporal:\n  address: x:1\nwebhook:\n  port: seventy\n');
    expect(() => loadConfigFor(['webhook'], { env: {}, file: bad })).toThrow(/bad\.yaml:4: webhook\.port/);
  });
});
