// NIR export (src/net/nir-export.ts, docs/nir.md): the graph written for each layer type, the round
// trip (a chip trained here, exported, read back: the same weights, biases, thresholds, leaks and
// reset bit for bit, so the same predictions), and `ncsim train --save-nir` (dist/cli.js).
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { train, TRAIN_DEFAULTS, type TrainOptions } from '../../src/train/train.js';
import type { Chip } from '../../src/chip/chip.js';
import type { Net } from '../../src/net/file.js';
import { importNir, readNirGraph } from '../../src/net/nir.js';
import { exportNir, nirGraphOf, trainedNet, type TrainedNet } from '../../src/net/nir-export.js';
import { netLayers } from '../../src/net/build.js';
import { Rng } from '../../src/host/rng.js';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'ncsim-nir-export-'));
const small: TrainOptions = { ...TRAIN_DEFAULTS, samples: 60, testSamples: 30, epochs: 1, teacherEpochs: 1, steps: 4, teacherWorker: false };

/** Train in-process and keep the chip as trained (the hook --save-nir uses). */
function trainKeep(o: Partial<TrainOptions>): { trained: TrainedNet; chip: Chip; net: Net } {
  let kept: { net: Net; chip: Chip } | undefined;
  train({ ...small, ...o }, undefined, { afterTraining: (t) => { kept = t; } });
  if (!kept) throw new Error('afterTraining was not called');
  const { net, chip } = kept;
  return { net, chip, trained: trainedNet(net, chip, { reset: chip.spec.reset, delay: chip.spec.delay }) };
}

/** Each layer's parameters, thresholds and leaks one per neuron, as bits. */
function bits(layers: { nOut: number; weights: Float32Array; bias: Float32Array; threshold: Float32Array; leak: Float32Array }[]) {
  const per = (v: Float32Array, n: number) => Array.from({ length: n }, (_, i) => (v.length === 1 ? v[0] : v[i]));
  return layers.map((l) => ({
    weights: Array.from(new Uint32Array(l.weights.buffer.slice(l.weights.byteOffset, l.weights.byteOffset + l.weights.byteLength))),
    bias: Array.from(l.bias), threshold: per(l.threshold, l.nOut), leak: per(l.leak, l.nOut),
  }));
}

beforeAll(() => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run "npm run build" (npm test does it)');
});

describe('NIR export: the graph', () => {
  it('an MLP of LIF neurons: Input, Flatten, Affine + LIF per layer, Output; tau = dt/(1 - leak), r = tau/dt; the reset by subtraction as metadata', () => {
    const net: Net = {
      source: 't', input: { channels: 1, height: 2, width: 2 },
      layers: [
        { type: 'dense', name: 'h1', nIn: 4, nOut: 2, in: { channels: 1, height: 2, width: 2 }, out: { channels: 2, height: 1, width: 1 } },
        { type: 'dense', name: 'out', nIn: 2, nOut: 2, in: { channels: 2, height: 1, width: 1 }, out: { channels: 2, height: 1, width: 1 } },
      ],
    };
    const g = nirGraphOf({
      net, reset: 'subtract', dt: 1e-3,
      layers: [
        { weights: Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8), bias: Float32Array.of(0.5, -0.5), threshold: Float32Array.of(1), leak: Float32Array.of(0.75) },
        { weights: Float32Array.of(1, 0, 0, 1), bias: Float32Array.of(0, 0), threshold: Float32Array.of(2, 3), leak: Float32Array.of(1) },
      ],
    });
    expect(g.edges).toEqual([['input', 'flatten'], ['flatten', 'h1_affine'], ['h1_affine', 'h1'], ['h1', 'out_affine'], ['out_affine', 'out'], ['out', 'output']]);
    expect(g.nodes.input).toMatchObject({ type: 'Input', fields: { shape: { data: [1, 2, 2] } } });
    expect(g.nodes.h1_affine.fields.weight).toMatchObject({ shape: [2, 4], data: [1, 2, 3, 4, 5, 6, 7, 8] });
    expect(g.nodes.h1.type).toBe('LIF');
    const tau = g.nodes.h1.fields.tau.data as number[];
    expect(tau[0]).toBeCloseTo(0.004, 12); // dt / (1 - 0.75)
    expect((g.nodes.h1.fields.r.data as number[])[0]).toBeCloseTo(4, 12); // tau / dt
    expect(g.nodes.h1.fields['metadata/reset'].data).toBe('subtract');
    expect(g.nodes.out).toMatchObject({ type: 'IF', fields: { r: { data: [1, 1] }, v_threshold: { data: [2, 3] }, v_reset: { data: [0, 0] } } });
    expect(g.nodes.output.fields.shape.data).toEqual([2]);
  });

  it('refuses what NIR cannot express, naming the layer', () => {
    const net: Net = { source: 't', input: { channels: 2, height: 1, width: 1 }, layers: [{ type: 'dense', name: 'h1', nIn: 2, nOut: 2, in: { channels: 2, height: 1, width: 1 }, out: { channels: 2, height: 1, width: 1 } }] };
    const layer = { weights: new Float32Array(4), bias: new Float32Array(2), threshold: Float32Array.of(1), leak: Float32Array.of(1, 0.5) };
    expect(() => nirGraphOf({ net, reset: 'zero', layers: [layer] })).toThrow(/layer "h1": expected leaks all 1 \(IF\) or all in \(0, 1\)/);
    expect(() => nirGraphOf({ net, reset: 'zero', layers: [{ ...layer, leak: Float32Array.of(1) }], readout: [true] })).toThrow(/layer "h1": expected a spiking layer/);
    expect(() => nirGraphOf({ net, reset: 'zero', layers: [{ ...layer, leak: Float32Array.of(1) }], delay: 1 })).toThrow(/--delay/);
  });
});

describe('NIR export: round trip, bit for bit', () => {
  it('an MLP trained on chip (LIF, reset by subtraction): read back, the same parameters and reset', async () => {
    const { trained, chip } = trainKeep({ hidden: [12], leak: 0.875, seed: 3 });
    const path = join(dir, 'mlp.nir');
    await exportNir(path, trained);
    const back = await importNir(path);
    expect(back.layers.map((l) => [l.name, l.type, l.nIn, l.nOut])).toEqual([['h1', 'dense', 784, 12], ['out', 'dense', 12, 10]]);
    expect(back.params?.reset).toBe('subtract');
    const spec = netLayers(back, { threshold: 9, leak: 0.1 }, 'file', new Rng(1), 1);
    expect(bits(spec)).toEqual(bits(chip.spec.layers.map((l, n) => ({ nOut: l.nOut, weights: chip.getWeights(n), bias: chip.getBias(n), threshold: chip.getThreshold(n), leak: chip.getLeak(n) }))));
    // the graph as other tools read it: node types in order
    const g = await readNirGraph(path);
    expect(g.edges.map(([a]) => g.nodes[a].type)).toEqual(['Input', 'Flatten', 'Affine', 'LIF', 'Affine', 'LIF']);
    expect(g.version).toBe('1.0.0');
  }, 120_000);

  it('a CNN trained on chip (conv, pool, dense; IF, reset to zero): read back, the same parameters', async () => {
    const { trained, chip } = trainKeep({ net: join(root, 'nets', 'cnn-mnist-s2.json'), reset: 'zero', seed: 5 });
    const path = join(dir, 'cnn.nir');
    await exportNir(path, trained);
    const g = await readNirGraph(path);
    expect(g.edges.map(([a]) => g.nodes[a].type)).toEqual(['Input', 'Conv2d', 'IF', 'SumPool2d', 'IF', 'Flatten', 'Affine', 'IF', 'Affine', 'IF']);
    expect(g.nodes.c1_conv.fields.weight.shape).toEqual([8, 1, 5, 5]);
    expect(g.nodes.c1.fields.metadata).toBeUndefined();
    const back = await importNir(path);
    expect(back.layers.map((l) => [l.name, l.type, l.nOut])).toEqual([['c1', 'conv', 8 * 14 * 14], ['p1', 'pool', 8 * 7 * 7], ['h1', 'dense', 128], ['out', 'dense', 10]]);
    expect(back.layers.map((l) => l.conv)).toEqual(chip.spec.layers.map((l) => l.conv));
    expect(back.params?.reset).toBe('zero');
    const spec = netLayers(back, { threshold: 9, leak: 0.1 }, 'file', new Rng(1), 1);
    expect(bits(spec)).toEqual(bits(chip.spec.layers.map((l, n) => ({ nOut: l.nOut, weights: chip.getWeights(n), bias: chip.getBias(n), threshold: chip.getThreshold(n), leak: chip.getLeak(n) }))));
  }, 120_000);
});

describe('library: trainAsync(options, { saveNir })', () => {
  it('writes the trained network when the run ends; refuses a readout rule before the run', async () => {
    const { trainAsync } = await import('../../src/node/api.js');
    const path = join(dir, 'lib.nir');
    const rep = await trainAsync({ hidden: [8], samples: 40, testSamples: 20, epochs: 1, teacherEpochs: 1, steps: 4, teacherWorker: false }, { saveNir: path });
    const back = await importNir(path);
    expect(back.layers.map((l) => [l.name, l.nOut])).toEqual([['h1', 8], ['out', 10]]);
    expect(back.params?.reset).toBe(rep.options.reset);
    await expect(trainAsync({ rule: 'stop-w', hidden: [8] }, { saveNir: join(dir, 'readout.nir') })).rejects.toThrow(/"saveNir": expected a rule whose layers all spike/);
    expect(existsSync(join(dir, 'readout.nir'))).toBe(false);
  }, 120_000);
});

describe('ncsim train --save-nir', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'train', ...args], { encoding: 'utf8', cwd: root });
  const few = ['--samples', '60', '--test-samples', '40', '--teacher-epochs', '1', '--steps', '4', '--json', '--quiet'];

  it('the exported CNN, run again with --init file --epochs 0, predicts as the trained chip did: the same test accuracy', () => {
    const path = join(dir, 'cli-cnn.nir');
    const a = run('--net', join(root, 'nets', 'cnn-mnist-s2.json'), '--epochs', '1', '--save-nir', path, ...few);
    expect(a.status, a.stderr).toBe(0);
    const b = run('--net', path, '--init', 'file', '--epochs', '0', ...few);
    expect(b.status, b.stderr).toBe(0);
    const ra = JSON.parse(a.stdout), rb = JSON.parse(b.stdout);
    expect(rb.options.init).toBe('file');
    expect(rb.snn.initialTestAccuracy).toBe(ra.snn.testAccuracy);
    expect(rb.network.layers).toEqual(ra.network.layers);
  }, 180_000);

  it('refused before any work: a readout rule, a delay, a path in a missing folder (exit 2, the option named)', () => {
    const r1 = run('--rule', 'stop-w', '--hidden', '8', '--save-nir', join(dir, 'x.nir'), ...few);
    expect(r1.status).toBe(2);
    expect(r1.stderr).toMatch(/option "--save-nir": expected a rule whose layers all spike/);
    const r2 = run('--delay', '1', '--hidden', '8', '--save-nir', join(dir, 'y.nir'), ...few);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/option "--delay"/);
    const r3 = run('--hidden', '8', '--save-nir', join(dir, 'no', 'such', 'z.nir'), ...few);
    expect(r3.status).toBe(2);
    expect(r3.stderr).toMatch(/option "--save-nir"/);
    expect(existsSync(join(dir, 'x.nir')) || existsSync(join(dir, 'y.nir'))).toBe(false);
  });

  it('does not replace the input file it reads', () => {
    const path = join(dir, 'same.nir');
    copyFileSync(join(dir, 'cli-cnn.nir'), path);
    const before = readFileSync(path);
    const r = run('--net', path, '--init', 'file', '--save-nir', path, ...few);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/option "--save-nir": expected a file other than the input/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});
