/** The package's version, from its package.json (found upwards: the source and dist/ sit at different depths). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const PackageJson = z.object({ name: z.string(), version: z.string() });

export function tandemVersion(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const path = join(dir, 'package.json');
    if (existsSync(path)) {
      const pkg = PackageJson.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      if (pkg.success && pkg.data.name === 'tandem') return pkg.data.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}
