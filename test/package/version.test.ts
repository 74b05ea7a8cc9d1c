// `ncsim --version` prints the version of package.json, read at run time (not a copy).
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageVersion } from '../../src/cli/version.js';

const root = join(import.meta.dirname, '..', '..');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

describe('ncsim --version', () => {
  it("prints package.json's version (dist/cli.js), and so does -v; --help mentions it", () => {
    for (const flag of ['--version', '-v']) {
      const r = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), flag], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
    const h = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), '--help'], { encoding: 'utf8' });
    expect(h.stdout).toContain('ncsim --version');
  });

  it('reads the nearest package.json named ncsim above the module, skipping others', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-version-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'ncsim', version: '9.8.7' }));
    mkdirSync(join(dir, 'dist', 'inner'), { recursive: true });
    writeFileSync(join(dir, 'dist', 'package.json'), JSON.stringify({ type: 'module' }));
    expect(packageVersion(join(dir, 'dist', 'inner'))).toBe('9.8.7');
    expect(packageVersion(join(root, 'src', 'cli'))).toBe(version);
  });
});
