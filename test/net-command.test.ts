// `ncsim net FILE` as a user meets it (dist/cli.js, built by `npm test` before the suite runs).
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNetFile } from '../src/net/file.js';
import { probeNet, PROBE_DEFAULTS } from '../src/net/probe.js';
import type { NetReport } from '../src/cli/net-command.js';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'dist', 'cli.js');
const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'net', ...args], { encoding: 'utf8', cwd: root });
const net = (f: string) => join(root, 'nets', f);

beforeAll(() => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run "npm run build" (npm test does it)');
});

describe('ncsim net', () => {
  it('cnn-mnist: layers, a mapping on Loihi within capacity, spikes and a cost per step', () => {
    const r = run(net('cnn-mnist.json'), '--hw', 'loihi', '--steps', '8', '--json');
    expect(r.status, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as NetReport;
    const file = readNetFile(net('cnn-mnist.json'));
    expect(rep.layers.map((l) => [l.name, l.neurons])).toEqual(file.layers.map((l) => [l.name, l.nOut]));
    // shared weights: a conv layer stores K x C x kh x kw, far fewer than its synapses
    const c = rep.layers.find((l) => l.type === 'conv') as NetReport['layers'][number];
    const g = file.layers.find((l) => l.type === 'conv')?.conv;
    expect(c.storedWeights).toBe((g?.channels ?? 0) * (g?.inChannels ?? 0) * (g?.kernelHeight ?? 0) * (g?.kernelWidth ?? 0));
    expect(c.synapses).toBeGreaterThan(c.storedWeights);
    if (!rep.mapping.fits) throw new Error(rep.mapping.refusal);
    expect(rep.mapping.coresUsed).toBeLessThanOrEqual(128);
    expect(rep.mapping.layers.map((l) => l.neuronsPerCore.reduce((a, b) => a + b, 0))).toEqual(file.layers.map((l) => l.nOut));
    for (const l of rep.mapping.layers) for (const k of l.neuronsPerCore) expect(k).toBeLessThanOrEqual(1024);
    expect(rep.run.layers[0].spikes).toBeGreaterThan(0);
    expect(rep.perStep?.cycles.total).toBeGreaterThan(0);
    expect(rep.perStep?.energyPJ).toBeGreaterThan(0);
    // the same run from the library: the counts are the probe's, seeded
    const probe = probeNet(file, { ...PROBE_DEFAULTS, steps: 8 });
    expect(rep.run.layers).toEqual(probe.layers);
  });

  it('vgg11-32 builds, maps on Loihi and runs two steps; the text names every layer', () => {
    const r = run(net('vgg11-32.json'), '--steps', '2');
    expect(r.status, r.stderr).toBe(0);
    for (const name of ['c1', 'p1', 'c8', 'p5', 'h1', 'out']) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(r.stdout).toMatch(/mapping on loihi: \d+ of 128 cores/);
    expect(r.stdout).toMatch(/cost per step on loihi/);
  });

  it('--learn runs online LTL on the chip: update events in the learning layers, none in the pool, learning cycles priced', () => {
    const plain = JSON.parse(run(net('cnn-mnist.json'), '--json', '--steps', '4').stdout) as NetReport;
    const r = run(net('cnn-mnist.json'), '--json', '--steps', '4', '--learn');
    expect(r.status, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as NetReport;
    expect(plain.run.layers.every((l) => l.updates === 0)).toBe(true);
    expect(plain.perStep?.cycles.learning).toBe(0);
    const by = Object.fromEntries(rep.run.layers.map((l) => [l.name, l.updates]));
    expect(by.c1).toBeGreaterThan(0);
    expect(by.h1).toBeGreaterThan(0);
    expect(by.p1).toBe(0); // fixed weights: no learning circuit
    expect(rep.perStep?.timing?.meanPhasesS.learning).toBeGreaterThan(0); // learning phase of the simulated steps
    // the same seeded input with or without learning: c1 integrates the same input events
    expect(rep.run.layers[0].synapticEvents).toBe(plain.run.layers[0].synapticEvents);
  });

  it('--threads N runs the chip on N threads: the same report but for the clock; one a chip cannot take is refused (exit 2)', () => {
    const timeless = (r: NetReport) => ({ ...r, run: { ...r.run, buildSeconds: 0, runSeconds: 0, threads: 0 } });
    const one = run(net('cnn-mnist.json'), '--json', '--steps', '6', '--learn', '--threads', '1');
    const two = run(net('cnn-mnist.json'), '--json', '--steps', '6', '--learn', '--threads', '2');
    expect(two.status, two.stderr).toBe(0);
    const a = JSON.parse(one.stdout) as NetReport, b = JSON.parse(two.stdout) as NetReport;
    expect([a.run.threads, b.run.threads]).toEqual([1, 2]);
    expect(timeless(b)).toEqual(timeless(a));
    expect(run(net('cnn-mnist.json'), '--steps', '2', '--threads', '2').stdout).toMatch(/wasm on 2 threads/);
    const ts = run(net('mlp.json'), '--steps', '1', '--threads', '2', '--backend', 'ts');
    expect(ts.status).toBe(2);
    expect(ts.stderr).toMatch(/option "--threads": expected 1 for the ts backend/);
  });

  it('mlp: a dense network maps and runs', () => {
    const r = run(net('mlp.json'), '--steps', '2', '--json');
    expect(r.status, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as NetReport).totals.storedWeights).toBe(784 * 256 + 256 * 256 + 256 * 10);
  });

  it('different seeds draw different weights and inputs; the same seed repeats', () => {
    const a = JSON.parse(run(net('cnn-mnist.json'), '--json', '--seed', '3').stdout) as NetReport;
    const b = JSON.parse(run(net('cnn-mnist.json'), '--json', '--seed', '3').stdout) as NetReport;
    const c = JSON.parse(run(net('cnn-mnist.json'), '--json', '--seed', '4').stdout) as NetReport;
    expect(a.run.layers).toEqual(b.run.layers);
    expect(a.run.layers).not.toEqual(c.run.layers);
  });

  it('a network that does not fit: printed, then refused with exit 2 naming the layer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-'));
    const f = join(dir, 'wide.json');
    writeFileSync(f, JSON.stringify({ format: 'ncsim.net/1', input: { channels: 1, height: 28, width: 28 }, layers: [{ type: 'dense', name: 'h1', units: 2000 }, { type: 'dense', name: 'out', units: 10 }] }));
    const r = run(f, '--hw', 'xylo', '--steps', '1');
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/mapping on xylo: refused/);
    expect(r.stderr).toMatch(/network layer "h1" does not fit chip "xylo"/);
  });

  it('bad input: exit 2 and the field named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ncsim-'));
    const missing = run(join(dir, 'nope.json'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/net file ".*nope\.json": expected a readable network file/);
    const bad = join(dir, 'bad.json');
    const j = JSON.parse(readFileSync(net('cnn-mnist.json'), 'utf8'));
    j.layers[0].kernel = 0;
    writeFileSync(bad, JSON.stringify(j));
    const r = run(bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/field "layers\[0\]\.kernel": expected an integer >= 1/);
    expect(r.stdout).toBe('');
    const model = run(net('cnn-mnist.json'), '--hw', 'nosuchchip');
    expect(model.status).toBe(2);
    expect(model.stderr).toMatch(/hardware model "nosuchchip"/);
    const steps = run(net('cnn-mnist.json'), '--steps', '0');
    expect(steps.status).toBe(2);
    expect(steps.stderr).toMatch(/--steps/);
    expect(run().status).toBe(2); // FILE missing
  });
});
