// The npm package: its tarball holds dist/, hw-models/, nets/, docs/, README and LICENSE only
// (no sources, tests or source maps), and a fresh project that installs it runs the README's
// library example as written.
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const ALLOWED =
  /^(dist\/[^/]+\.(js|wasm)|dist\/web\/(index\.html|page\.js|worker\.js|ncsim\.wasm|ncsim-teacher\.wasm|digits\.bin)|dist\/types\/.+\.d\.ts|hw-models\/[^/]+\.(json|md)|nets\/[^/]+\.(json|md)|docs\/.+\.(md|png|json)|README\.md|LICENSE|package\.json)$/;

function packList(): string[] {
  const out = execFileSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
  return (JSON.parse(out)[0].files as { path: string }[]).map((f) => f.path);
}

describe('the npm package', () => {
  it('lists only the allowed files, and everything the CLI and the library load', () => {
    const files = packList();
    expect(files.filter((f) => !ALLOWED.test(f))).toEqual([]);
    for (const f of [
      'dist/cli.js',
      'dist/index.js',
      'dist/ncsim.wasm',
      'dist/targets-worker.js',
      'dist/types/index.d.ts',
      'dist/core.js',
      'dist/types/core.d.ts',
      // the playground that `ncsim serve` serves
      'dist/web/index.html',
      'dist/web/page.js',
      'dist/web/worker.js',
      'dist/web/ncsim.wasm',
      'dist/web/digits.bin',
      'hw-models/loihi.json',
      'hw-models/ncsim.hw.schema.json',
      'nets/ncsim.net.schema.json',
      'docs/spec/ALGORITHMS.md',
      'docs/cli.md',
      'LICENSE',
      'README.md',
    ]) {
      expect(files, f).toContain(f);
    }
    expect(files.some((f) => f.endsWith('.map'))).toBe(false);
  });

  it('declares the library and the CLI in exports, a bin, and a prepublishOnly that tests', () => {
    expect(pkg.exports['.']).toEqual({ types: './dist/types/index.d.ts', import: './dist/index.js' });
    expect(pkg.exports['./cli']).toBe('./dist/cli.js');
    expect(pkg.exports['./core']).toEqual({ types: './dist/types/core.d.ts', import: './dist/core.js' });
    expect(pkg.bin.ncsim).toBe('dist/cli.js');
    expect(pkg.scripts.prepublishOnly).toMatch(/npm test/);
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} ncsim authors\n/);
  });

  it("installed in a fresh project, runs the README's library example as written, type-checks it, and `ncsim --version`", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-pack-'));
    execFileSync(npm, ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: root, encoding: 'utf8' });
    const tarball = join(dir, `ncsim-${pkg.version}.tgz`);
    expect(existsSync(tarball)).toBe(true);
    // "Install" without the network: unpack the tarball where npm would, and link its one dependency.
    const app = join(dir, 'app');
    mkdirSync(join(app, 'node_modules', 'ncsim'), { recursive: true });
    execFileSync('tar', ['-xzf', tarball, '-C', join(app, 'node_modules', 'ncsim'), '--strip-components=1']);
    for (const dep of Object.keys(pkg.dependencies)) symlinkSync(join(root, 'node_modules', dep), join(app, 'node_modules', dep), 'dir');
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', type: 'module', private: true }));
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const example = /```js\n([\s\S]*?from 'ncsim'[\s\S]*?)\n```/.exec(readme);
    expect(example, "a ```js block importing from 'ncsim' in README.md").not.toBeNull();
    writeFileSync(join(app, 'example.mjs'), `${example![1]}\n`);
    const r = spawnSync(process.execPath, ['example.mjs'], { cwd: app, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    // What the README says the example prints is what it prints (a seed fixes every number).
    const claimed = /It prints \(in about \d+ s\) `([^`]+)` and `([^`]+)`/.exec(readme.replace(/\n/g, ' '));
    expect(claimed, "the README quotes the example's output").not.toBeNull();
    expect(r.stdout).toBe(`${claimed![1]}\n${claimed![2]}\n`);
    const v = spawnSync(process.execPath, [join(app, 'node_modules', 'ncsim', 'dist', 'cli.js'), '--version'], { encoding: 'utf8' });
    expect(v.stdout.trim()).toBe(pkg.version);
    // The package's types (exports["."].types) type-check the same example, strict: report.cost
    // is not optional in the priced report.
    writeFileSync(join(app, 'example.ts'), `${example![1]}\n`);
    const tsc = spawnSync(
      process.execPath,
      [
        join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
        '--noEmit',
        '--strict',
        '--skipLibCheck',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--types',
        'node',
        '--typeRoots',
        join(root, 'node_modules', '@types'),
        'example.ts',
      ],
      { cwd: app, encoding: 'utf8' },
    );
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);
});
