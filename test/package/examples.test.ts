// Every script in examples/ runs as a user would run it (node examples/X.mjs, importing the
// package by its name through package.json "exports") and prints what it says it prints.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const run = (file: string) => spawnSync(process.execPath, [join(root, 'examples', file)], { encoding: 'utf8', cwd: root });

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/index.js is missing: run "npm run build" (npm test does it)');
});

describe('examples/', () => {
  it('holds the scripts checked below, and no other', () => {
    expect(readdirSync(join(root, 'examples')).sort()).toEqual(['recost.mjs', 'train-async.mjs', 'train.mjs']);
  });

  it('train.mjs: a priced report, accuracies and energy per sample', () => {
    const r = run('train.mjs');
    expect(r.status, r.stderr).toBe(0);
    const m = /^teacher ([\d.]+) %, chip ([\d.]+) %\nloihi: (\d+) cores, ([\d.]+) uJ per training sample\n$/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    // A small network still learns: well above chance (10 %).
    expect(Number(m![2])).toBeGreaterThan(50);
    expect(Number(m![4])).toBeGreaterThan(0);
  }, 120_000);

  it('train-async.mjs: progress lines, a finished run, then a cancelled one', () => {
    const r = run('train-async.mjs');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^teacher epoch 0: 0\/1$/m);
    expect(r.stdout).toMatch(/^train epoch 2: 200\/300$/m);
    expect(r.stdout).toMatch(/^finished: chip [\d.]+ %, [\d.e+-]+ s pipelined$/m);
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('cancelled: AbortError');
  });

  it('recost.mjs: one line per shipped hardware model', () => {
    const r = run('recost.mjs');
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['generic45', 'loihi', 'rram', 'xylo']);
    for (const l of lines) expect(l).toMatch(/\d+ cores\s+[\d.]+ uJ \/ training sample$/);
  });
});
