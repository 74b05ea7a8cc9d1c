import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The version of ncsim: the nearest package.json named "ncsim" above this module (dist/cli.js or
 * dist/index.js in the package, src/io/version.ts in the repository). The CLI prints it;
 * checkpoints record it (a checkpoint of another version is refused).
 */
export function packageVersion(here = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = here; ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'ncsim' && typeof pkg.version === 'string') return pkg.version;
    }
    if (dirname(dir) === dir) throw new Error(`ncsim's package.json was not found above ${here}`);
  }
}
