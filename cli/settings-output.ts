/** How `dev` and `simulators` show their settings: the same KEY=value lines, secrets as `<set>`. */
import { relative } from 'node:path';
import { printableSettings, writeSettingsFile, type Settings } from '../workers/settings-file';

export function writeAndShowSettings(
  out: (line?: string) => void,
  settings: Settings,
  path: string,
  opts: { cwd: string; header: string },
): void {
  writeSettingsFile(path, settings, opts.header);
  const shown = relative(opts.cwd, path);
  const here = shown === '.tandem/env';
  out(`# Settings, written to ${path} (mode 600, with the credentials shown as <set> here).`);
  out(
    here
      ? '# Every tandem command run from this folder reads it; to use them in a shell: set -a; . .tandem/env; set +a'
      : `# Commands read it with TANDEM_ENV_FILE=${path}; in a shell: set -a; . ${path}; set +a`,
  );
  for (const line of printableSettings(settings)) out(line);
}
