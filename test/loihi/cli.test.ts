// `ncsim trace` replays the Loihi golden cases on both backends and prints their hand-worked traces.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const dir = join(root, 'test', 'golden');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
const cases = readdirSync(dir).filter((f) => f.startsWith('loihi') && f.endsWith('.case.json'));

describe('ncsim trace on Loihi cases', () => {
  it('has the Loihi golden cases', () => expect(cases.length).toBeGreaterThanOrEqual(3));
  for (const f of cases) {
    for (const backend of ['wasm', 'ts']) {
      it(`${f} --backend ${backend}`, () => {
        const r = run('trace', join(dir, f), '--backend', backend);
        expect(r.status, r.stderr).toBe(0);
        expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync(join(dir, f.replace('.case.json', '.trace.json')), 'utf8')));
      });
    }
  }
  it('--out into a missing directory: exit 2 before anything runs', () => {
    const d = mkdtempSync(join(tmpdir(), 'ncsim-loihi-'));
    const r = run('trace', join(dir, cases[0]), '--out', join(d, 'no', 't.json'), '--vcd', join(d, 'w.vcd'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/option "--out"/);
    expect(existsSync(join(d, 'w.vcd'))).toBe(false);
  });
  it('a rule in a Loihi case is refused with exit 2', () => {
    const d = mkdtempSync(join(tmpdir(), 'ncsim-loihi-'));
    const c = JSON.parse(readFileSync(join(dir, cases[0]), 'utf8'));
    c.rule = { name: 'ltl-online', learningRate: 0.1 };
    const p = join(d, 'c.json');
    writeFileSync(p, JSON.stringify(c));
    const r = run('trace', p);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/case field "rule"/);
  });
});
