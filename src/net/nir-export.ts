/**
 * NIR export (docs/nir.md): a network as trained on chip — its layers' weights, biases,
 * thresholds, leaks and the chip's reset — written as a NIR graph in `nir.write`'s layout, so
 * that snnTorch, Norse, Rockpool, Lava, ... and ncsim itself (src/net/nir.ts) read it back.
 *
 *   dense layer  ->  Affine (weight [out, in], bias [out])            -> IF | LIF
 *   conv layer   ->  Conv2d (weight [K, C, kH, kW], bias [K], stride,
 *                    padding, dilation 1, groups 1, input_shape)      -> IF | LIF
 *   pool layer   ->  SumPool2d (kernel_size, stride, padding 0)       -> IF | LIF (r = the pool's weight)
 *
 * with Input ([C, H, W]), a Flatten before the first dense layer of an image input, and Output.
 * A layer whose leaks are all 1 is IF (r = the input gain, v_threshold); otherwise LIF with
 * tau = dt/(1 − α), r = gain·tau/dt and v_leak 0 — snnTorch's convention, which the import's
 * forward-Euler reading (α = 1 − dt/tau, gain r·dt/tau) turns back into α and the same weights,
 * bit for bit (f32 values written exactly, the f64 arithmetic far below an f32 step). NIR resets
 * a neuron to v_reset (0 here); ncsim's reset by subtraction has no NIR form: it is written as
 * the node's metadata `reset = "subtract"`, read back by ncsim (other tools reset to 0).
 *
 * Not expressible, refused naming the layer: a non-spiking readout layer (STOP, BPTT), a synaptic
 * delay of 1 step, per-neuron leaks mixing 1 and < 1, leaks outside (0, 1], a pool whose weights
 * differ within a channel.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { InputError } from '../io/errors.js';
import type { Reset, RuleName } from '../model/types.js';
import type { ChipSpec } from '../chip/chip.js';
import { usesReadout } from '../rules/table.js';
import type { Net, NetLayerParams } from './file.js';
import { loadH5, NIR_DEFAULT_DT, type NirGraph, type NirValue } from './nir.js';

/** NIR's format version written (the `version` dataset; nir.write writes its package's version). */
export const NIR_EXPORT_VERSION = '1.0.0';

/** A network with the parameters the chip holds (after training): what exportNir writes. */
export interface TrainedNet {
  /** Shapes: input, layer types and geometries. */
  net: Net;
  /** Per layer, in the chip's (paper) orientation; thresholds and leaks one value or one per neuron. */
  layers: NetLayerParams[];
  reset: Reset;
  /** The time step tau is written for (s): the import with the same dt gives back the same leaks. */
  dt?: number;
  /** The chip's synaptic delay: only 0 has a NIR form here. */
  delay?: number;
  /** Layers that are non-spiking readouts (STOP, BPTT): not exportable. */
  readout?: boolean[];
}

const f32 = (data: ArrayLike<number>, shape: number[]): NirValue => ({ shape, data: Array.from(data), dtype: 'f32' });
const f64 = (data: ArrayLike<number>, shape: number[]): NirValue => ({ shape, data: Array.from(data), dtype: 'f64' });
const i64 = (data: number[], shape = [data.length]): NirValue => ({ shape, data, dtype: 'i64' });
const str = (s: string): NirValue => ({ shape: [], data: s });

/** The NIR graph of a trained network (plain data; writeNirGraph writes it). */
export function nirGraphOf(t: TrainedNet): NirGraph {
  const dt = t.dt ?? NIR_DEFAULT_DT;
  const refuse = (layer: string, expected: string, got: unknown, note?: string): never => {
    throw new InputError(layer, expected, got, { kind: '--save-nir layer', note });
  };
  if ((t.delay ?? 0) !== 0) throw new InputError('--delay', '0 with --save-nir (NIR has no chip-wide synaptic delay)', t.delay, { kind: 'option' });
  const { net } = t;
  const nodes: NirGraph['nodes'] = {};
  const edges: [string, string][] = [];
  const taken = new Set<string>();
  const unique = (n: string) => {
    let u = n;
    while (taken.has(u)) u = `${u}_`;
    taken.add(u);
    return u;
  };
  let prev = unique('input');
  const i = net.input;
  nodes[prev] = { type: 'Input', fields: { shape: i64(i.height === 1 && i.width === 1 ? [i.channels] : [i.channels, i.height, i.width]) } };
  const link = (name: string, node: NirGraph['nodes'][string]) => {
    nodes[name] = node;
    edges.push([prev, name]);
    prev = name;
  };
  let flat = i.height === 1 && i.width === 1;
  net.layers.forEach((nl, l) => {
    const q = t.layers[l];
    if (t.readout?.[l]) refuse(nl.name, 'a spiking layer (a non-spiking readout, as STOP and BPTT train, has no IF/LIF form)', 'a readout');
    const g = nl.conv;
    const shape = g ? [nl.out.channels, nl.out.height, nl.out.width] : [nl.nOut];
    const channels = g ? g.channels : nl.nOut;
    const area = nl.nOut / channels;
    // Per neuron: the input gain the neuron node carries (pools: their fixed weight), and bias left for v_leak.
    const gain = new Array<number>(nl.nOut).fill(1);
    const drive = new Array<number>(nl.nOut).fill(0);
    if (nl.type === 'dense') {
      if (!flat) {
        link(unique('flatten'), { type: 'Flatten', fields: { start_dim: i64([0], []), end_dim: i64([-1], []), input_type: i64([nl.in.channels, nl.in.height, nl.in.width]) } });
        flat = true;
      }
      link(unique(`${nl.name}_affine`), { type: 'Affine', fields: { weight: f32(q.weights, [nl.nOut, nl.nIn]), bias: f32(q.bias, [nl.nOut]) } });
    } else if (nl.type === 'conv' && g) {
      link(unique(`${nl.name}_conv`), {
        type: 'Conv2d',
        fields: {
          input_shape: i64([g.inHeight, g.inWidth]), weight: f32(q.weights, [g.channels, g.inChannels, g.kernelHeight, g.kernelWidth]),
          stride: i64([g.stride, g.stride]), padding: i64([g.padding, g.padding]), dilation: i64([1, 1]), groups: i64([1], []), bias: f32(q.bias, [g.channels]),
        },
      });
    } else if (g) {
      // A pool: the same weight over each channel's window; that weight becomes the neurons' gain.
      const taps = g.kernelHeight * g.kernelWidth;
      for (let c = 0; c < channels; c++) {
        const w = q.weights[c * taps];
        for (let k = 1; k < taps; k++) if (q.weights[c * taps + k] !== w) refuse(nl.name, 'one weight per channel (a pool)', `${w} and ${q.weights[c * taps + k]} in channel ${c}`);
        for (let a = 0; a < area; a++) {
          gain[c * area + a] = w;
          drive[c * area + a] = q.bias[c];
        }
      }
      link(unique(`${nl.name}_pool`), { type: 'SumPool2d', fields: { kernel_size: i64([g.kernelHeight, g.kernelWidth]), stride: i64([g.stride, g.stride]), padding: i64([0, 0]) } });
    }
    const at = (v: Float32Array, k: number) => (v.length === 1 ? v[0] : v[k]);
    const leak = Array.from({ length: nl.nOut }, (_, k) => at(q.leak, k));
    const threshold = Array.from({ length: nl.nOut }, (_, k) => at(q.threshold, k));
    const zeros = new Array<number>(nl.nOut).fill(0);
    const fields: Record<string, NirValue> = {};
    if (leak.every((a) => a === 1)) {
      if (drive.some((b) => b !== 0)) refuse(nl.name, 'no bias on a pool of IF neurons (NIR\'s IF has no constant input)', drive.find((b) => b !== 0));
      Object.assign(fields, { r: f64(gain, shape), v_threshold: f64(threshold, shape), v_reset: f64(zeros, shape) });
    } else {
      const bad = leak.findIndex((a) => !(a > 0 && a < 1));
      if (bad >= 0) refuse(nl.name, 'leaks all 1 (IF) or all in (0, 1) (LIF: tau = dt/(1 - leak))', leak[bad], `neuron ${bad}`);
      const tau = leak.map((a) => dt / (1 - a));
      Object.assign(fields, {
        tau: f64(tau, shape), r: f64(gain.map((x, k) => (x * tau[k]) / dt), shape), v_leak: f64(drive.map((b, k) => (b * tau[k]) / dt), shape),
        v_threshold: f64(threshold, shape), v_reset: f64(zeros, shape),
      });
    }
    if (t.reset === 'subtract') fields['metadata/reset'] = str('subtract');
    link(unique(nl.name), { type: leak.every((a) => a === 1) ? 'IF' : 'LIF', fields });
  });
  link(unique('output'), { type: 'Output', fields: { shape: i64([net.layers[net.layers.length - 1].nOut]) } });
  return { nodes, edges, version: NIR_EXPORT_VERSION };
}

type H5 = Awaited<ReturnType<typeof loadH5>>;
let h5: H5 | undefined;

/** Load h5wasm (async, once) so that the synchronous nirFileBytes can write. */
export async function prepareNirExport(): Promise<void> {
  h5 = await loadH5();
}

/** A NIR graph as the bytes of an HDF5 file in nir.write's layout (prepareNirExport awaited first). */
export function nirFileBytes(graph: NirGraph): Uint8Array {
  if (!h5) throw new Error('NIR export: await prepareNirExport() first (h5wasm initialises asynchronously)');
  const h = h5;
  // h5wasm writes files by path: a private temporary folder, read back and removed.
  const dir = mkdtempSync(join(tmpdir(), 'ncsim-nir-'));
  const path = join(dir, 'graph.nir');
  try {
    const f = new h.File(path, 'w');
    try {
      const put = (grp: InstanceType<H5['Group']>, name: string, v: NirValue) => {
        const parts = name.split('/');
        let target = grp;
        for (const p of parts.slice(0, -1)) {
          const e = target.get(p);
          target = e instanceof h.Group ? e : target.create_group(p);
        }
        const leaf = parts[parts.length - 1];
        if (typeof v.data === 'string') target.create_dataset({ name: leaf, data: v.data });
        else if (v.dtype === 'i64') target.create_dataset({ name: leaf, data: BigInt64Array.from(v.data.map((x) => BigInt(x))), shape: v.shape });
        else if (v.dtype === 'f32') target.create_dataset({ name: leaf, data: Float32Array.from(v.data), shape: v.shape });
        else target.create_dataset({ name: leaf, data: Float64Array.from(v.data), shape: v.shape });
      };
      f.create_dataset({ name: 'version', data: graph.version ?? NIR_EXPORT_VERSION });
      const root = f.create_group('node');
      root.create_dataset({ name: 'type', data: 'NIRGraph' });
      const ng = root.create_group('nodes');
      for (const [name, node] of Object.entries(graph.nodes)) {
        const g = ng.create_group(name);
        g.create_dataset({ name: 'type', data: node.type });
        for (const [k, v] of Object.entries(node.fields)) put(g, k, v);
      }
      root.create_dataset({ name: 'edges', data: graph.edges.flat(), shape: [graph.edges.length, 2] });
    } finally {
      f.close();
    }
    return new Uint8Array(readFileSync(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
/** The parameters a trained chip holds, layer by layer (paper orientation), for exportNir. */
export interface ChipParams {
  getWeights(l: number): Float32Array;
  getBias(l: number): Float32Array;
  getThreshold(l: number): Float32Array;
  getLeak(l: number): Float32Array;
}

/** A chip's network and parameters as a TrainedNet (copies). */
export function trainedNet(net: Net, chip: ChipParams, o: { reset: Reset; dt?: number; delay?: number; readout?: boolean[] }): TrainedNet {
  return { net, layers: net.layers.map((_, l) => ({ weights: chip.getWeights(l), bias: chip.getBias(l).slice(), threshold: chip.getThreshold(l).slice(), leak: chip.getLeak(l).slice() })), ...o };
}

/** A chip as trained (its spec says reset, delay and readouts), as NIR file bytes (prepareNirExport awaited first). */
export function nirOfChip(net: Net, chip: ChipParams & { spec: ChipSpec }, dt?: number): Uint8Array {
  const readout = chip.spec.layers.map((l) => !!l.readout);
  return nirFileBytes(nirGraphOf(trainedNet(net, chip, { reset: chip.spec.reset, dt, delay: chip.spec.delay, readout })));
}

/** Refuse, before any work, a run whose chip NIR cannot express (--save-nir): a readout rule, a delay. */
export function checkNirExportable(o: { rule: RuleName; delay: number }, option = '--save-nir'): void {
  if (usesReadout(o.rule)) throw new InputError(option, `a rule whose layers all spike (--rule ${o.rule} trains a non-spiking readout, which NIR's IF/LIF cannot express)`, undefined, { kind: 'option', showGot: false });
  if (o.delay !== 0) throw new InputError('--delay', `0 with ${option} (NIR has no chip-wide synaptic delay)`, o.delay, { kind: 'option' });
}

/** Write a trained network as a NIR file (docs/nir.md); the file is replaced atomically. */
export async function exportNir(file: string, t: TrainedNet): Promise<void> {
  const graph = nirGraphOf(t);
  await prepareNirExport();
  writeFileAtomic(file, nirFileBytes(graph));
}
