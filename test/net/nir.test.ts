// NIR import (src/net/nir.ts, docs/nir.md): NIR files written here with h5wasm, as nir.write lays
// them out, read back into ncsim's network; the refusals; `ncsim net FILE.nir` (dist/cli.js).
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadH5, importNir, readNirGraph, nirToNet } from '../../src/net/nir.js';
import { netLayers } from '../../src/net/build.js';
import { Rng } from '../../src/host/rng.js';
import { InputError } from '../../src/io/errors.js';
import type { NetReport } from '../../src/cli/net-command.js';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const dir = mkdtempSync(join(tmpdir(), 'ncsim-nir-'));
const fixtures = join(root, 'test', 'fixtures', 'nir');

type Field = { data: number[] | string; shape?: number[]; dtype?: string };
type NodeDecl = { type: string } & Record<string, Field | string>;

/** Write a NIR file as nir.write does: node/{type, nodes/<name>/..., edges (N x 2 names)}, version. */
async function writeNir(name: string, nodes: Record<string, NodeDecl>, edges: [string, string][], edgeGroup = false): Promise<string> {
  const h = await loadH5();
  const path = join(dir, name);
  const f = new h.File(path, 'w');
  f.create_dataset({ name: 'version', data: '1.0.0' });
  const g = f.create_group('node');
  g.create_dataset({ name: 'type', data: 'NIRGraph' });
  const ng = g.create_group('nodes');
  for (const [n, decl] of Object.entries(nodes)) {
    const nodeG = ng.create_group(n);
    for (const [k, v] of Object.entries(decl)) {
      if (typeof v === 'string') nodeG.create_dataset({ name: k, data: v });
      else if (typeof v.data === 'string') nodeG.create_dataset({ name: k, data: v.data });
      else if (v.dtype === '<q') nodeG.create_dataset({ name: k, data: BigInt64Array.from(v.data.map(BigInt)), shape: v.shape ?? [v.data.length] });
      else nodeG.create_dataset({ name: k, data: Float64Array.from(v.data), shape: v.shape ?? [v.data.length] });
    }
  }
  if (edgeGroup) {
    const eg = g.create_group('edges');
    eg.create_dataset({ name: 'src', data: edges.map((e) => e[0]) });
    eg.create_dataset({ name: 'dst', data: edges.map((e) => e[1]) });
  } else {
    g.create_dataset({ name: 'edges', data: edges.flat(), shape: [edges.length, 2] });
  }
  f.close();
  return path;
}

const shape = (s: number[]): Field => ({ data: s, dtype: '<q' });
const arr = (data: number[], s?: number[]): Field => ({ data, shape: s });

// Input(3) -> fc1 Affine 2x3 -> lif1 LIF -> fc2 Affine 2x2 -> lif2 LIF -> Output(2)
const W1 = [0.5, -0.25, 1, 2, 0, -1];
const B1 = [0.1, -0.2];
const W2 = [1, -1, 0.5, 0.25];
const B2 = [0, 0.3];
function mlpNodes(): Record<string, NodeDecl> {
  return {
    input: { type: 'Input', shape: shape([3]) },
    fc1: { type: 'Affine', weight: arr(W1, [2, 3]), bias: arr(B1) },
    lif1: { type: 'LIF', tau: arr([0.004, 0.002]), r: arr([2, 1]), v_leak: arr([0, 0.5]), v_threshold: arr([1, 2]) },
    fc2: { type: 'Affine', weight: arr(W2, [2, 2]), bias: arr(B2) },
    lif2: { type: 'LIF', tau: arr([0.01, 0.01]), r: arr([10, 10]), v_leak: arr([0, 0]), v_threshold: arr([0.5, 0.5]), v_reset: arr([0, 0]) },
    output: { type: 'Output', shape: shape([2]) },
  };
}
const chainEdges: [string, string][] = [['input', 'fc1'], ['fc1', 'lif1'], ['lif1', 'fc2'], ['fc2', 'lif2'], ['lif2', 'output']];

/** The refusal of a file: an InputError whose message names `node`. */
async function refusal(path: string): Promise<InputError> {
  try {
    await importNir(path);
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
  throw new Error(`${path} was not refused`);
}

beforeAll(() => {
  if (!existsSync(cli)) throw new Error('dist/cli.js is missing: run "npm run build" (npm test does it)');
});

describe('NIR import', () => {
  it('Input -> Affine -> LIF -> Affine -> LIF -> Output: layers, weights, biases, thresholds, leaks (Euler, dt 1 ms)', async () => {
    const net = await importNir(await writeNir('mlp.nir', mlpNodes(), chainEdges));
    expect(net.input).toEqual({ channels: 3, height: 1, width: 1 });
    expect(net.layers.map((l) => [l.name, l.type, l.nIn, l.nOut])).toEqual([['lif1', 'dense', 3, 2], ['lif2', 'dense', 2, 2]]);
    const p = net.params;
    if (!p) throw new Error('no params');
    expect(p.reset).toBe('zero');
    expect(p.dt).toBe(1e-3);
    const f = (xs: number[]) => Array.from(Float32Array.from(xs));
    // lif1: dt/tau = 0.25 and 0.5; gain r*dt/tau = 0.5 and 0.5; leak 0.75 and 0.5
    expect(Array.from(p.layers[0].leak)).toEqual(f([0.75, 0.5]));
    expect(Array.from(p.layers[0].threshold)).toEqual(f([1, 2]));
    expect(Array.from(p.layers[0].weights)).toEqual(f([0.25, -0.125, 0.5, 1, 0, -0.5]));
    // bias: gain*b + (dt/tau)*v_leak = 0.05, -0.1 + 0.25
    expect(Array.from(p.layers[0].bias)).toEqual(f([0.5 * 0.1, 0.5 * -0.2 + 0.5 * 0.5]));
    // lif2: dt/tau = 0.1, gain = 1: the weights as given
    expect(Array.from(p.layers[1].leak)).toEqual(f([0.9, 0.9]));
    expect(Array.from(p.layers[1].weights)).toEqual(f(W2));
    expect(Array.from(p.layers[1].bias)).toEqual(f(B2));
    expect(Array.from(p.layers[1].threshold)).toEqual(f([0.5, 0.5]));
    // --init file: the chip's layers are these, copied
    const spec = netLayers(net, { threshold: 9, leak: 0.1 }, 'file', new Rng(1), 1);
    expect(Array.from(spec[0].weights)).toEqual(Array.from(p.layers[0].weights));
    expect(Array.from(spec[1].leak)).toEqual(Array.from(p.layers[1].leak));
  });

  it('--dt: snnTorch\'s export (tau = dt/(1 - beta), r = tau/dt) comes back as leak beta and gain 1', async () => {
    const dt = 1e-4, beta = 0.875, tau = dt / (1 - beta);
    const path = await writeNir('snntorch.nir', {
      input: { type: 'Input', shape: shape([2]) },
      fc: { type: 'Linear', weight: arr([1, 2], [1, 2]) },
      lif: { type: 'LIF', tau: arr([tau]), r: arr([tau / dt]), v_leak: arr([0]), v_threshold: arr([1]) },
      output: { type: 'Output', shape: shape([1]) },
    }, [['input', 'fc'], ['fc', 'lif'], ['lif', 'output']], true);
    const p = (await importNir(path, { dt })).params;
    expect(p?.layers[0].leak[0]).toBeCloseTo(beta, 6);
    expect(p?.layers[0].weights[0]).toBeCloseTo(1, 6);
    expect(p?.layers[0].weights[1]).toBeCloseTo(2, 6);
  });

  it('IF: leak 1, weights r*W, Flatten of a 2-d input', async () => {
    const path = await writeNir('if.nir', {
      input: { type: 'Input', shape: shape([2, 2]) },
      flat: { type: 'Flatten', start_dim: shape([0]), end_dim: shape([-1]) as Field },
      fc: { type: 'Affine', weight: arr([1, 2, 3, 4], [1, 4]), bias: arr([0.5]) },
      if1: { type: 'IF', r: arr([2]), v_threshold: arr([3]) },
      output: { type: 'Output', shape: shape([1]) },
    }, [['input', 'flat'], ['flat', 'fc'], ['fc', 'if1'], ['if1', 'output']]);
    const net = await importNir(path);
    expect(net.input).toEqual({ channels: 1, height: 2, width: 2 });
    const l = net.params?.layers[0];
    expect(Array.from(l?.weights ?? [])).toEqual([2, 4, 6, 8]);
    expect(Array.from(l?.bias ?? [])).toEqual([1]);
    expect(Array.from(l?.leak ?? [])).toEqual([1]);
    expect(Array.from(l?.threshold ?? [])).toEqual([3]);
  });

  it('refuses a recurrent edge, naming the node', async () => {
    const e = await refusal(await writeNir('rec.nir', mlpNodes(), [...chainEdges, ['lif1', 'lif1']]));
    expect(e.message).toContain('"lif1"');
    expect(e.message).toMatch(/recurrent/);
    const e2 = await refusal(await writeNir('rec2.nir', mlpNodes(), [...chainEdges.slice(0, 3), ['fc2', 'lif1'], ['fc2', 'lif2'], ['lif2', 'output']]));
    expect(e2.message).toMatch(/node "lif1".*from fc2.*recurrent/);
  });

  it('refuses an unknown node type and a node ncsim lacks, naming the node', async () => {
    const nodes = mlpNodes();
    nodes.lif2 = { type: 'Frobnicator', x: arr([1]) };
    const e = await refusal(await writeNir('unknown.nir', nodes, chainEdges));
    expect(e.message).toContain('"lif2"');
    expect(e.message).toContain('Frobnicator');
    const n2 = mlpNodes();
    n2.lif2 = { type: 'CubaLIF', tau_syn: arr([0.01, 0.01]), tau_mem: arr([0.01, 0.01]), r: arr([1, 1]), v_leak: arr([0, 0]), v_threshold: arr([1, 1]), w_in: arr([1, 1]) };
    const e2 = await refusal(await writeNir('cuba.nir', n2, chainEdges));
    expect(e2.message).toMatch(/"lif2\/tau_syn": expected tau_syn = dt.*second state per neuron/);
  });

  it('CubaLIF with tau_syn = dt (an instantaneous current, snnTorch\'s Synaptic with alpha 0) is a LIF whose gain carries w_in', async () => {
    const n = mlpNodes();
    n.lif2 = { type: 'CubaLIF', tau_syn: arr([1e-3, 1e-3]), tau_mem: arr([0.01, 0.01]), r: arr([10, 10]), v_leak: arr([0, 0]), v_threshold: arr([0.5, 0.5]), w_in: arr([2, 3]) };
    const p = (await importNir(await writeNir('cuba-fast.nir', n, chainEdges))).params;
    expect(Array.from(p?.layers[1].leak ?? [])).toEqual(Array.from(Float32Array.of(0.9, 0.9)));
    // gain r·dt/tau_mem·w_in = 2 and 3 on the rows of W2
    expect(Array.from(p?.layers[1].weights ?? [])).toEqual(Array.from(Float32Array.from([W2[0] * 2, W2[1] * 2, W2[2] * 3, W2[3] * 3])));
  });

  it('refuses a shape mismatch, naming the node', async () => {
    const nodes = mlpNodes();
    nodes.fc2 = { type: 'Affine', weight: arr([1, 2, 3, 4, 5, 6], [2, 3]), bias: arr(B2) };
    const e = await refusal(await writeNir('shape.nir', nodes, chainEdges));
    expect(e.message).toContain('fc2/weight');
    expect(e.message).toMatch(/shape mismatch/);
  });

  it('refuses a non-zero v_reset, tau < dt, a missing dataset and a file that is not HDF5', async () => {
    const n1 = mlpNodes();
    (n1.lif2 as Record<string, Field>).v_reset = arr([0.2, 0]);
    expect((await refusal(await writeNir('vreset.nir', n1, chainEdges))).message).toContain('lif2/v_reset');
    const n2 = mlpNodes();
    (n2.lif1 as Record<string, Field>).tau = arr([1e-4, 1e-3]);
    expect((await refusal(await writeNir('tau.nir', n2, chainEdges))).message).toContain('lif1/tau');
    const n3 = mlpNodes();
    delete (n3.lif1 as Record<string, unknown>).v_threshold;
    expect((await refusal(await writeNir('missing.nir', n3, chainEdges))).message).toContain('lif1/v_threshold');
    const junk = join(dir, 'junk.nir');
    writeFileSync(junk, 'not an HDF5 file at all');
    expect((await refusal(junk)).message).toMatch(/HDF5/);
    const whole = readFileSync(await writeNir('whole.nir', mlpNodes(), chainEdges));
    const cut = join(dir, 'truncated.nir');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
    expect((await refusal(cut)).message).toMatch(/NIR file/);
  });

  it('the graph layer is plain data: nirToNet on a NirGraph', async () => {
    const g = await readNirGraph(await writeNir('g.nir', mlpNodes(), chainEdges));
    expect(g.edges).toEqual(chainEdges);
    expect(g.nodes.fc1.type).toBe('Affine');
    expect(nirToNet(g, 'g', { dt: 5e-4 }).params?.layers[1].leak[0]).toBeCloseTo(0.95, 6);
  });

  it('reads the fixtures written by other tools (Rockpool, NIR 0.2.0)', async () => {
    const net = await importNir(join(fixtures, 'lif_rockpool.nir'));
    expect(net.layers.map((l) => [l.nIn, l.nOut])).toEqual([[1, 1]]);
    // tau 2.5 ms, dt 1 ms: leak 0.6
    expect(net.params?.layers[0].leak[0]).toBeCloseTo(0.6, 5);
    const two = await importNir(join(fixtures, 'two_lif_neurons.nir'));
    expect(two.layers.map((l) => l.name)).toEqual(['lif1', 'lif2']);
    // v_leak 1.2, tau 10 ms: a bias of 0.12 per step
    expect(two.params?.layers[0].bias[0]).toBeCloseTo(0.12, 6);
  });
});

// Input 1x6x6 -> conv (2 ch, 3x3, pad 1) -> IF -> SumPool2d 2 -> IF -> Flatten -> Affine 3x18 -> LIF -> Output
const CONV_W = Array.from({ length: 2 * 1 * 3 * 3 }, (_, i) => (i % 5) * 0.25 - 0.5);
function cnnNodes(pool = 'SumPool2d'): Record<string, NodeDecl> {
  return {
    input: { type: 'Input', shape: shape([1, 6, 6]) },
    conv: { type: 'Conv2d', weight: arr(CONV_W, [2, 1, 3, 3]), bias: arr([0.5, -0.25]), stride: shape([1, 1]), padding: shape([1, 1]), dilation: shape([1, 1]), groups: { data: [1], shape: [], dtype: '<q' }, input_shape: shape([6, 6]) },
    if1: { type: 'IF', r: arr([2, 4], [2, 1, 1]), v_threshold: arr([1]) },
    pool: { type: pool, kernel_size: shape([2, 2]), stride: shape([2, 2]), padding: shape([0, 0]) },
    if2: { type: 'IF', r: arr([0.5]), v_threshold: arr(new Array(18).fill(0.75), [2, 3, 3]) },
    flat: { type: 'Flatten', start_dim: { data: [0], shape: [], dtype: '<q' }, end_dim: { data: [-1], shape: [], dtype: '<q' } },
    fc: { type: 'Affine', weight: arr(Array.from({ length: 3 * 18 }, (_, i) => ((i * 7) % 11) / 10 - 0.5), [3, 18]), bias: arr([0, 0.1, 0.2]) },
    lif: { type: 'LIF', tau: arr([0.01]), r: arr([10]), v_leak: arr([0]), v_threshold: arr([1]) },
    output: { type: 'Output', shape: shape([3]) },
  };
}
const cnnEdges: [string, string][] = [['input', 'conv'], ['conv', 'if1'], ['if1', 'pool'], ['pool', 'if2'], ['if2', 'flat'], ['flat', 'fc'], ['fc', 'lif'], ['lif', 'output']];

describe('NIR import of a CNN', () => {
  it('Conv2d -> IF -> SumPool2d -> IF -> Flatten -> Affine -> LIF: conv, pool and dense layers with the file\'s values', async () => {
    const net = await importNir(await writeNir('cnn.nir', cnnNodes(), cnnEdges));
    expect(net.input).toEqual({ channels: 1, height: 6, width: 6 });
    expect(net.layers.map((l) => [l.name, l.type, l.nIn, l.nOut])).toEqual([['if1', 'conv', 36, 72], ['if2', 'pool', 72, 18], ['lif', 'dense', 18, 3]]);
    expect(net.layers[0].conv).toMatchObject({ inChannels: 1, channels: 2, height: 6, width: 6, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1, depthwise: false });
    expect(net.layers[1].conv).toMatchObject({ inChannels: 2, channels: 2, height: 3, width: 3, kernelHeight: 2, stride: 2, padding: 0, depthwise: true });
    const p = net.params;
    if (!p) throw new Error('no params');
    // conv: channel 0 gains r = 2, channel 1 r = 4 (one r per channel, shape [2, 1, 1])
    const f = (xs: number[]) => Array.from(Float32Array.from(xs));
    expect(Array.from(p.layers[0].weights)).toEqual(f(CONV_W.map((w, i) => w * (i < 9 ? 2 : 4))));
    expect(Array.from(p.layers[0].bias)).toEqual(f([1, -1]));
    expect(p.layers[0].threshold.length).toBe(72);
    // SumPool2d: weight 1 times r = 0.5 on each of the 2 x 2 x 2 taps; the pool's neurons keep their thresholds
    expect(Array.from(p.layers[1].weights)).toEqual(new Array(8).fill(0.5));
    expect(Array.from(p.layers[1].threshold)).toEqual(new Array(18).fill(0.75));
    // AvgPool2d: the mean, 1/4 per tap
    const avg = await importNir(await writeNir('cnn-avg.nir', cnnNodes('AvgPool2d'), cnnEdges));
    expect(Array.from(avg.params?.layers[1].weights ?? [])).toEqual(new Array(8).fill(0.125));
    // --init file: conv and pool layers of the chip carry the file's values, the pool fixed
    const spec = netLayers(net, { threshold: 9, leak: 0.1 }, 'file', new Rng(1), 1);
    expect(spec[0].conv?.channels).toBe(2);
    expect(spec[1].fixed).toBe(true);
    expect(Array.from(spec[1].weights)).toEqual(Array.from(p.layers[1].weights));
  });

  it('refuses what the chip cannot do with a convolution or pool, naming the node or dataset', async () => {
    const cases: [string, (n: Record<string, NodeDecl>) => void, RegExp][] = [
      ['groups', (n) => { n.conv.groups = { data: [2], shape: [], dtype: '<q' }; }, /"conv\/groups": expected groups 1/],
      ['dilation', (n) => { n.conv.dilation = shape([2, 2]); }, /"conv\/dilation"/],
      ['stride', (n) => { n.conv.stride = shape([1, 2]); }, /"conv\/stride": expected the same stride/],
      ['channels', (n) => { n.conv.weight = arr(new Array(36).fill(0), [2, 2, 3, 3]); }, /"conv\/weight".*shape mismatch/],
      ['input_shape', (n) => { n.conv.input_shape = shape([5, 6]); }, /"conv\/input_shape"/],
      ['bias', (n) => { delete (n.conv as Record<string, unknown>).bias; }, /"conv\/bias"/],
      ['per-neuron gain', (n) => { n.if1.r = arr(Array.from({ length: 72 }, (_, i) => 1 + i), [2, 6, 6]); }, /"if1\/r": expected one input gain .* per channel/],
      ['pool padding', (n) => { n.pool.padding = shape([1, 1]); }, /"pool\/padding"/],
      ['neuron shape', (n) => { n.if2.r = arr([1, 2, 3]); }, /"if2\/r".*shape mismatch/],
    ];
    for (const [name, edit, re] of cases) {
      const nodes = cnnNodes();
      edit(nodes);
      expect((await refusal(await writeNir(`cnn-${name.replace(/ /g, '-')}.nir`, nodes, cnnEdges))).message, name).toMatch(re);
    }
    // two neuron nodes in a row
    const e = await refusal(await writeNir('cnn-two-neurons.nir', cnnNodes(), [['input', 'conv'], ['conv', 'pool'], ['pool', 'if1'], ['if1', 'if2'], ['if2', 'flat'], ['flat', 'fc'], ['fc', 'lif'], ['lif', 'output']]));
    expect(e.message).toMatch(/node "if2": expected a weight node .* before a neuron node/);
    // a convolution after a Flatten
    const n2 = cnnNodes();
    const e2 = await refusal(await writeNir('cnn-flat-conv.nir', n2, [['input', 'flat'], ['flat', 'conv'], ['conv', 'if1'], ['if1', 'pool'], ['pool', 'if2'], ['if2', 'fc'], ['fc', 'lif'], ['lif', 'output']]));
    expect(e2.message).toMatch(/node "conv": expected an image input/);
    // a Delay node
    const n3 = cnnNodes();
    n3.pool = { type: 'Delay', delay: arr([1]) };
    expect((await refusal(await writeNir('cnn-delay.nir', n3, cnnEdges))).message).toMatch(/node "pool".*Delay.*one synaptic delay/);
  });

  it('Conv2d -> AvgPool2d -> IF (a pool before the neurons) is one convolution: the same currents as conv then pool', async () => {
    // 2 x 7 x 7 input, conv 2 -> 3 channels, 3x3, stride 2, pad 1 (4 x 4), then average pool 2/2 (2 x 2)
    const [C, H, K, k, s, p] = [2, 7, 3, 3, 2, 1];
    const w = Array.from({ length: K * C * k * k }, (_, i) => ((i * 37) % 19) / 19 - 0.5);
    const b = [0.25, -0.5, 1];
    const path = await writeNir('conv-pool.nir', {
      input: { type: 'Input', shape: shape([C, H, H]) },
      conv: { type: 'Conv2d', weight: arr(w, [K, C, k, k]), bias: arr(b), stride: shape([s]), padding: shape([p]), dilation: shape([1]), groups: { data: [1], shape: [], dtype: '<q' } },
      pool: { type: 'AvgPool2d', kernel_size: shape([2, 2]), stride: shape([2, 2]), padding: shape([0, 0]) },
      if1: { type: 'IF', r: arr([1]), v_threshold: arr([1]) },
      flat: { type: 'Flatten', start_dim: { data: [1], shape: [], dtype: '<q' }, end_dim: { data: [-1], shape: [], dtype: '<q' } },
      fc: { type: 'Linear', weight: arr(new Array(2 * K * 4).fill(0.1), [2, K * 4]) },
      if2: { type: 'IF', r: arr([1]), v_threshold: arr([1]) },
      output: { type: 'Output', shape: shape([2]) },
    }, [['input', 'conv'], ['conv', 'pool'], ['pool', 'if1'], ['if1', 'flat'], ['flat', 'fc'], ['fc', 'if2'], ['if2', 'output']]);
    const net = await importNir(path);
    const g = net.layers[0].conv;
    expect(net.layers.map((l) => [l.type, l.nOut])).toEqual([['conv', K * 2 * 2], ['dense', 2]]);
    expect(g).toMatchObject({ kernelHeight: 5, kernelWidth: 5, stride: 4, padding: 1, height: 2, width: 2 });
    // a direct convolution (zero padding) of a seeded input
    const conv = (x: number[], cin: number, h: number, wt: number[], kout: number, kk: number, st: number, pd: number, bias: number[]) => {
      const oh = Math.floor((h + 2 * pd - kk) / st) + 1;
      const out = new Array<number>(kout * oh * oh).fill(0);
      for (let o = 0; o < kout; o++) for (let y = 0; y < oh; y++) for (let xx = 0; xx < oh; xx++) {
        let acc = bias[o];
        for (let c = 0; c < cin; c++) for (let dy = 0; dy < kk; dy++) for (let dx = 0; dx < kk; dx++) {
          const iy = y * st - pd + dy, ix = xx * st - pd + dx;
          if (iy >= 0 && iy < h && ix >= 0 && ix < h) acc += wt[((o * cin + c) * kk + dy) * kk + dx] * x[(c * h + iy) * h + ix];
        }
        out[(o * oh + y) * oh + xx] = acc;
      }
      return { out, oh };
    };
    const x = Array.from({ length: C * H * H }, (_, i) => ((i * 13) % 7) / 7);
    const c1 = conv(x, C, H, w, K, k, s, p, b);
    const pooled: number[] = [];
    for (let o = 0; o < K; o++) for (let y = 0; y < 2; y++) for (let xx = 0; xx < 2; xx++) {
      let acc = 0;
      for (let a = 0; a < 2; a++) for (let bb = 0; bb < 2; bb++) acc += c1.out[(o * c1.oh + 2 * y + a) * c1.oh + 2 * xx + bb];
      pooled.push(acc / 4);
    }
    const q = net.params?.layers[0];
    const merged = conv(x, C, H, Array.from(q?.weights ?? []), K, 5, 4, 1, Array.from(q?.bias ?? []));
    merged.out.forEach((v, i) => expect(v).toBeCloseTo(pooled[i], 5));
  });

  it('an Input with a batch dimension [1, C, H, W] and "same" padding', async () => {
    const nodes = cnnNodes();
    nodes.input = { type: 'Input', shape: shape([1, 1, 6, 6]) };
    nodes.conv.padding = { data: 'same' };
    const net = await importNir(await writeNir('cnn-same.nir', nodes, cnnEdges));
    expect(net.input).toEqual({ channels: 1, height: 6, width: 6 });
    expect(net.layers[0].conv).toMatchObject({ padding: 1, height: 6, width: 6 });
    nodes.conv.stride = shape([2, 2]);
    expect((await refusal(await writeNir('cnn-same-stride.nir', nodes, cnnEdges))).message).toMatch(/"conv\/padding": expected a number, "valid", or "same" with stride 1/);
  });

  it('refuses an HDF5 file without edges, naming the dataset', async () => {
    const h = await loadH5();
    const path = join(dir, 'no-edges.nir');
    const f = new h.File(path, 'w');
    const g = f.create_group('node');
    g.create_group('nodes').create_group('input').create_dataset({ name: 'type', data: 'Input' });
    f.close();
    expect((await refusal(path)).message).toMatch(/"node\/edges"/);
  });
});

describe('ncsim net FILE.nir', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'net', ...args], { encoding: 'utf8', cwd: root });

  it('maps and prices the file\'s own weights', async () => {
    const path = await writeNir('cli.nir', mlpNodes(), chainEdges);
    const r = run(path, '--json', '--input', 'analog', '--steps', '6');
    expect(r.status, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as NetReport;
    expect(rep.run.weights).toBe('file');
    expect(rep.layers.map((l) => [l.name, l.neurons])).toEqual([['lif1', 2], ['lif2', 2]]);
    expect(rep.mapping.fits).toBe(true);
    expect(rep.perStep?.energyPJ).toBeGreaterThan(0);
    const t = run(path);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toContain('the file\'s weights');
  });

  it('an imported CNN (conv, sum pool, dense, IF neurons) maps onto the Loihi model and runs', async () => {
    const path = await writeNir('cli-cnn.nir', cnnNodes(), cnnEdges);
    const r = run(path, '--hw', 'loihi', '--json', '--input', 'analog', '--steps', '8');
    expect(r.status, r.stderr).toBe(0);
    const rep = JSON.parse(r.stdout) as NetReport;
    expect(rep.layers.map((l) => [l.name, l.type, l.neurons])).toEqual([['if1', 'conv', 72], ['if2', 'pool', 18], ['lif', 'dense', 3]]);
    expect(rep.mapping.fits).toBe(true);
    expect(rep.run.layers[0].spikes).toBeGreaterThan(0);
    expect(rep.perStep?.energyPJ).toBeGreaterThan(0);
  });

  it('exits 2 naming the node for a graph it cannot simulate', async () => {
    const path = await writeNir('cli-rec.nir', mlpNodes(), [...chainEdges, ['lif2', 'fc1']]);
    const r = run(path);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/NIR file "cli-rec.nir" node "fc1": .*from lif2.*recurrent/);
  });
});

describe('ncsim train --net FILE.nir --init file', () => {
  const train = (...args: string[]) => spawnSync(process.execPath, [cli, 'train', ...args], { encoding: 'utf8', cwd: root });
  const small = ['--samples', '40', '--test-samples', '20', '--epochs', '1', '--teacher-epochs', '1', '--steps', '4', '--json', '--quiet'];

  it('starts the chip from the file\'s weights, thresholds, leaks and reset (784 -> 8 -> 10 over MNIST)', async () => {
    let seed = 7;
    const r = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 0.2;
    const path = await writeNir('mlp784.nir', {
      input: { type: 'Input', shape: shape([784]) },
      fc1: { type: 'Affine', weight: arr(Array.from({ length: 8 * 784 }, r), [8, 784]), bias: arr(new Array(8).fill(0)) },
      lif1: { type: 'LIF', tau: arr([0.02]), r: arr([20]), v_leak: arr([0]), v_threshold: arr([1]) },
      fc2: { type: 'Linear', weight: arr(Array.from({ length: 80 }, r), [10, 8]) },
      lif2: { type: 'IF', r: arr([1]), v_threshold: arr([0.5]) },
      output: { type: 'Output', shape: shape([10]) },
    }, [['input', 'fc1'], ['fc1', 'lif1'], ['lif1', 'fc2'], ['fc2', 'lif2'], ['lif2', 'output']]);
    const a = train('--net', path, '--init', 'file', ...small);
    expect(a.status, a.stderr).toBe(0);
    const rep = JSON.parse(a.stdout) as { options: { init: string; net: string }; network: { layers: string[] } };
    expect(rep.options.init).toBe('file');
    expect(rep.network.layers).toEqual(['lif1: dense, 1x28x28 -> 8', 'lif2: dense, 8 -> 10']);
    // the same file twice: the same run (the weights are the file's, not drawn)
    const b = train('--net', path, '--init', 'file', '--init-gain', '5', ...small);
    expect(b.status, b.stderr).toBe(0);
    const acc = (s: string) => (JSON.parse(s) as { initialTestAccuracy: number }).initialTestAccuracy;
    expect(acc(b.stdout)).toBe(acc(a.stdout));
  }, 60_000);

  it('the library: trainAsync reads the NIR file itself', async () => {
    const { trainAsync } = await import('../../src/node/api.js');
    const path = await writeNir('lib.nir', {
      input: { type: 'Input', shape: shape([784]) },
      fc: { type: 'Linear', weight: arr(new Array(7840).fill(0.01), [10, 784]) },
      if1: { type: 'IF', r: arr([1]), v_threshold: arr([1]) },
      output: { type: 'Output', shape: shape([10]) },
    }, [['input', 'fc'], ['fc', 'if1'], ['if1', 'output']]);
    const rep = await trainAsync({ net: path, init: 'file', samples: 20, testSamples: 10, epochs: 1, teacherEpochs: 1, steps: 4, teacherWorker: false });
    expect(rep.options.init).toBe('file');
    expect(rep.network.layers).toEqual(['if1: dense, 1x28x28 -> 10']);
  }, 60_000);

  it('--init file without a NIR file exits 2', () => {
    const r = train('--init', 'file', '--hidden', '8', ...small);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--init.*NIR file/);
  });
});
