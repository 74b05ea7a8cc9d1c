// `ncsim train --net nets/cnn-mnist-s2.json` with every gradient rule, as a user runs it (dist/cli.js,
// built by `npm test`): a short run learns above chance and reports the conv layer's learning
// memory; bad input still exits 2.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const net = join(root, 'nets', 'cnn-mnist-s2.json');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });

beforeAll(() => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run "npm run build" (npm test does it)');
});

describe('ncsim train --net with conv and pool layers, every gradient rule', () => {
  for (const rule of ['ltl-offline', 'stop-w', 'stop-wtl', 'bptt']) {
    it(`${rule}: a short run learns above chance`, () => {
      const r = run('train', '--net', net, '--rule', rule, '--samples', '1000', '--test-samples', '200', '--epochs', '1', '--teacher-epochs', '3', '--json', '--quiet');
      expect(r.status, r.stderr).toBe(0);
      const rep = JSON.parse(r.stdout);
      // 10 classes: chance is 10 %; the untrained chip is near it, one short epoch is far above
      // (offline LTL needs a teacher worth mimicking: hence 1000 digits and 3 teacher epochs).
      expect(rep.snn.testAccuracy).toBeGreaterThan(0.3);
      expect(rep.snn.testAccuracy).toBeGreaterThan(rep.snn.initialTestAccuracy + 0.15);
      const c1 = rep.activity.layers.find((l: { name: string }) => l.name === 'c1');
      expect(c1.weights).toBe(8 * 1 * 5 * 5);
      expect(c1.learningStateBytes).toBeGreaterThan(4 * c1.weights);
      expect(rep.learning.layers.find((l: { name: string }) => l.name === 'c1').updates).toBeGreaterThan(0);
      expect(rep.learning.layers.find((l: { name: string }) => l.name === 'p1').updates).toBe(0);
      // ~10 s alone; the bound only guards a hang (it sat at 30 s and failed on a loaded 2-core machine).
    }, 180_000);
  }

  it('bad input still exits 2: an unknown rule, a malformed net file', () => {
    const a = run('train', '--net', net, '--rule', 'stop-x', '--quiet');
    expect(a.status).toBe(2);
    expect(a.stderr).toContain('--rule');
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ format: 'ncsim.net/1', input: { channels: 1, height: 28, width: 28 }, layers: [{ type: 'conv', channels: 0, kernel: 5 }, { type: 'dense', units: 10 }] }));
    const b = run('train', '--net', bad, '--rule', 'bptt', '--quiet');
    expect(b.status).toBe(2);
    expect(b.stderr).toContain('channels');
  });
});
