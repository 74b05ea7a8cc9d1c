/**
 * NIR import (docs/nir.md): read a Neuromorphic Intermediate Representation graph — an HDF5 file
 * written by snnTorch, Norse, Rockpool, Sinabs, ... (`nir.write`) — into an ncsim network with
 * its weights, biases, thresholds, leaks and reset.
 *
 * Two steps: readNirGraph reads the HDF5 file (h5wasm, loaded once, asynchronously) into a plain
 * NirGraph (node name -> type and numeric datasets; edges); nirToNet checks that graph and maps
 * it, synchronously, onto ncsim's layers. What ncsim simulates is a feed-forward chain of
 * layers, each a linear node (or two merged) closed by its neuron node:
 *
 *   Input -> ( Conv2d [-> AvgPool2d | SumPool2d] | AvgPool2d | SumPool2d ) -> (IF | LIF | CubaLIF) -> ...
 *         -> [Flatten] -> (Affine | Linear) -> (IF | LIF | CubaLIF) -> ... -> Output
 *
 * a conv, pool or dense ncsim layer per group (a pool right after a convolution is merged into
 * it; a pool after neurons is ncsim's pool layer, fixed depthwise weights). Anything else is
 * refused with an InputError (exit status 2) naming the node and why: recurrent edges and cycles,
 * branches and joins, node types ncsim lacks (Delay, LI, Conv1d, ...), CubaLIF with a synaptic
 * current slower than one step, convolutions with groups or dilation, shapes that do not chain,
 * values the chip cannot hold (v_reset other than 0, tau < dt, threshold <= 0, gains that differ
 * within a channel of a convolution).
 *
 * Discretisation (forward Euler with step dt, the reading of snnTorch's and Norse's exporters):
 * NIR's LIF  tau·dv/dt = (v_leak − v) + r·I  becomes  v[t] = α·v[t−1] + g·I[t] + (dt/tau)·v_leak
 * with α = 1 − dt/tau and g = r·dt/tau; the chip's weights are g·W, its bias g·b + (dt/tau)·v_leak,
 * its leak α and its threshold v_threshold. IF (dv/dt = r·I) becomes v[t] = v[t−1] + r·I[t]
 * (leak 1, weights r·W: per step, as exporters write IF). snnTorch writes tau = dt/(1 − β) and
 * r = tau/dt, so α = β and g = 1: its network comes back exactly.
 */
import { closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { readDocumentBytes } from '../io/document.js';
import { basename } from 'node:path';
import { InputError } from '../io/errors.js';
import { MAX_DIM, type Net, type NetLayer, type NetLayerParams, type Shape3 } from './file.js';
import type { ConvGeometry, Reset } from '../model/types.js';
import { convOutSize } from '../reference/conv.js';

/** The time step of the discretisation (s) when none is given (--dt): 1 ms. */
export const NIR_DEFAULT_DT = 1e-3;

/** A dataset of a node: its shape ([] for a scalar) and values (numbers, or one string). */
export interface NirValue {
  shape: number[];
  data: number[] | string;
  /** How numbers are stored when written (src/net/nir-export.ts); absent: f64. */
  dtype?: 'f32' | 'f64' | 'i64';
}

export interface NirNode {
  type: string;
  /** The node's datasets, by path inside the node ("weight", "input_type/input", ...). */
  fields: Record<string, NirValue>;
}

/** A NIR graph as read from the file, before any check of what it means. */
export interface NirGraph {
  nodes: Record<string, NirNode>;
  /** [source, destination] node names. */
  edges: [string, string][];
  version?: string;
}

// ---------------------------------------------------------------------------------------------
// HDF5

/** Largest NIR file read (1 GiB): far above a network ncsim can map onto a chip. */
export const NIR_MAX_BYTES = 1024 * 1024 * 1024;

/** The HDF5 signature, the first 8 bytes of a file with no user block. */
const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Whether a path names a NIR file: it ends in .nir, or is a regular file that starts with the
 * HDF5 signature. Only the first 8 bytes of a regular file are read: a device (/dev/zero) or a
 * FIFO is not NIR, and is left to the reader of net files to refuse.
 */
export function isNirPath(file: string): boolean {
  if (/\.nir$/i.test(file)) return true;
  let fd: number | undefined;
  try {
    if (!statSync(file).isFile()) return false;
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const head = Buffer.alloc(8);
    return readSync(fd, head, 0, 8, 0) === 8 && HDF5_SIGNATURE.every((b, i) => head[i] === b);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

type H5 = typeof import('h5wasm/node').default;
let h5: Promise<H5> | undefined;

/** h5wasm, loaded and initialised once (its wasm ships inside the package; nothing is fetched). */
export function loadH5(): Promise<H5> {
  h5 ??= (async () => {
    const mod = (await import('h5wasm/node')).default;
    // HDF5's errors as thrown Errors, not HDF5-DIAG lines on stderr.
    (await mod.ready).activate_throwing_error_handler();
    return mod;
  })();
  return h5;
}

/** Read a NIR file's graph (no checks of meaning: nirToNet does those). */
export async function readNirGraph(file: string): Promise<NirGraph> {
  const label = JSON.stringify(basename(file));
  const bad = (what: string, got: unknown, note?: string): never => {
    throw new InputError(file, what, got, { kind: 'NIR file', note });
  };
  // Regular files only, and a size cap (the document reader's checks): not /dev/zero, not a FIFO.
  const bytes = readDocumentBytes(file, { kind: 'NIR file', what: 'a readable NIR file (HDF5)', maxBytes: NIR_MAX_BYTES });
  // The signature sits at 0, or after a user block of 512, 1024, 2048, ... bytes.
  const signed = (at: number) => at + 8 <= bytes.length && HDF5_SIGNATURE.every((b, i) => bytes[at + i] === b);
  let hdf5 = signed(0);
  for (let at = 512; !hdf5 && at + 8 <= bytes.length; at *= 2) hdf5 = signed(at);
  if (!hdf5) bad('an HDF5 file (NIR)', `${bytes.length} bytes without the HDF5 signature`);
  const h = await loadH5();
  let f: InstanceType<H5['File']>;
  try {
    f = new h.File(file, 'r');
  } catch (e) {
    // The last of HDF5's "line N in F(): what" lines says why (e.g. "truncated file: eof = ...").
    const why = [...(e instanceof Error ? e.message : String(e)).matchAll(/ in [\w.]+\(\): ([^\n]*)/g)].map((m) => m[1]);
    return bad('an HDF5 file (NIR)', 'a file HDF5 cannot open', why[why.length - 1] ?? (e instanceof Error ? e.message.split('\n')[0] : String(e)));
  }
  try {
    if (!f.file_id || Number(f.file_id) < 0) bad('an HDF5 file (NIR)', 'a file HDF5 cannot open', 'not HDF5, or truncated');
    const field = (path: string, expected: string, got: unknown): never => {
      throw new InputError(path, expected, got, { kind: `NIR file ${label} dataset` });
    };
    // nir >= 0.2 writes the graph under "node"; older files at the root.
    const rootEntity = f.get('node');
    const root = rootEntity instanceof h.Group ? rootEntity : f;
    const rootPath = rootEntity instanceof h.Group ? 'node/' : '';
    const nodesG = root.get('nodes');
    if (!(nodesG instanceof h.Group)) field(`${rootPath}nodes`, 'a group of nodes', nodesG === null ? undefined : 'not a group');
    const readValue = (d: InstanceType<H5['Dataset']>, path: string): NirValue => {
      let v: unknown;
      try {
        v = d.value;
      } catch (e) {
        return field(path, 'a readable dataset', e instanceof Error ? e.message : String(e));
      }
      const shape = d.shape ?? [];
      if (typeof v === 'string') return { shape, data: v };
      if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return { shape, data: [Number(v)] };
      if (ArrayBuffer.isView(v) || Array.isArray(v)) {
        const arr = Array.from(v as ArrayLike<unknown>);
        if (arr.every((x) => typeof x === 'string')) return { shape, data: arr.join('\u0000') };
        return { shape, data: arr.map((x) => Number(x)) };
      }
      return field(path, 'numbers or a string', typeof v);
    };
    const collect = (g: InstanceType<H5['Group']>, prefix: string, out: Record<string, NirValue>, path: string) => {
      for (const k of g.keys()) {
        const e = g.get(k);
        if (e instanceof h.Group) collect(e, `${prefix}${k}/`, out, `${path}${k}/`);
        else if (e instanceof h.Dataset) out[`${prefix}${k}`] = readValue(e, `${path}${k}`);
      }
    };
    const nodes: Record<string, NirNode> = {};
    const ng = nodesG as InstanceType<H5['Group']>;
    for (const name of ng.keys()) {
      const g = ng.get(name);
      const p = `${rootPath}nodes/${name}`;
      if (!(g instanceof h.Group)) field(p, 'a group (one node)', 'not a group');
      const fields: Record<string, NirValue> = {};
      collect(g as InstanceType<H5['Group']>, '', fields, `${p}/`);
      const t = fields.type;
      if (!t || typeof t.data !== 'string') field(`${p}/type`, 'a string (the node type)', t ? t.data : undefined);
      delete fields.type;
      nodes[name] = { type: (t as NirValue).data as string, fields };
    }
    // Edges: an N x 2 dataset of names (nir.write), or a group with src and dst.
    const edgesE = root.get('edges');
    const edges: [string, string][] = [];
    const names = (v: NirValue, path: string): string[] => {
      if (typeof v.data !== 'string') return field(path, 'node names (strings)', v.data);
      return v.data === '' ? [] : v.data.split('\u0000');
    };
    if (edgesE instanceof h.Group) {
      const s = edgesE.get('src'), d = edgesE.get('dst');
      if (!(s instanceof h.Dataset) || !(d instanceof h.Dataset)) field(`${rootPath}edges`, 'datasets src and dst', 'missing');
      const src = names(readValue(s as InstanceType<H5['Dataset']>, `${rootPath}edges/src`), `${rootPath}edges/src`);
      const dst = names(readValue(d as InstanceType<H5['Dataset']>, `${rootPath}edges/dst`), `${rootPath}edges/dst`);
      if (src.length !== dst.length) field(`${rootPath}edges/dst`, `${src.length} names (as many as edges/src)`, dst.length);
      src.forEach((x, i) => edges.push([x, dst[i]]));
    } else if (edgesE instanceof h.Dataset) {
      const v = readValue(edgesE, `${rootPath}edges`);
      const flat = names(v, `${rootPath}edges`);
      if (v.shape.length !== 2 || v.shape[1] !== 2 || flat.length !== v.shape[0] * 2) field(`${rootPath}edges`, 'an N x 2 array of node names', JSON.stringify(v.shape));
      for (let i = 0; i < flat.length; i += 2) edges.push([flat[i], flat[i + 1]]);
    } else {
      field(`${rootPath}edges`, 'the edges (an N x 2 dataset, or src and dst)', undefined);
    }
    const ver = f.get('version');
    const version = ver instanceof h.Dataset && typeof ver.value === 'string' ? ver.value : undefined;
    return { nodes, edges, ...(version ? { version } : {}) };
  } finally {
    f.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Graph -> Net

/** Node types ncsim maps (the chain above). */
export const NIR_SUPPORTED = ['Input', 'Output', 'Flatten', 'Affine', 'Linear', 'Conv2d', 'AvgPool2d', 'SumPool2d', 'IF', 'LIF', 'CubaLIF'];

/** Why each known NIR node type that ncsim lacks is refused. */
const NIR_UNSUPPORTED: Record<string, string> = {
  Delay: 'ncsim has one synaptic delay for the whole chip (0 or 1 step), not delays per connection',
  LI: 'a leaky integrator that does not spike: ncsim\'s layers spike',
  I: 'an integrator that does not spike: ncsim\'s layers spike',
  Integrator: 'an integrator that does not spike: ncsim\'s layers spike',
  Scale: 'ncsim has no element-wise scaling node between layers',
  Threshold: 'a threshold without a membrane: ncsim\'s neurons are IF or LIF',
  Conv1d: 'ncsim\'s convolutions are 2-d (over images)',
  CubaLI: 'a leaky integrator that does not spike, with a synaptic current: ncsim\'s layers spike',
  NIRGraph: 'ncsim reads one flat graph, not nested subgraphs',
};

export interface NirOptions {
  /** Time step of the discretisation (s); default NIR_DEFAULT_DT. */
  dt?: number;
}

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Check a NIR graph and map it onto an ncsim network with its parameters (Net.params). */
export function nirToNet(g: NirGraph, label: string, o: NirOptions = {}): Net {
  const dt = o.dt ?? NIR_DEFAULT_DT;
  if (!(dt > 0) || !Number.isFinite(dt)) throw new InputError('--dt', 'a time step > 0 (s)', dt, { kind: 'option' });
  const kind = `NIR file ${label} node`;
  const refuse = (node: string, expected: string, got?: unknown, note?: string): never => {
    throw new InputError(node, expected, got, { kind, note, showGot: got !== undefined });
  };
  const names = Object.keys(g.nodes);
  for (const n of names) {
    const t = g.nodes[n].type;
    if (NIR_UNSUPPORTED[t]) refuse(n, `a node ncsim can simulate (${NIR_SUPPORTED.join(', ')})`, t, NIR_UNSUPPORTED[t]);
    if (!NIR_SUPPORTED.includes(t)) refuse(n, `a known node type (ncsim maps ${NIR_SUPPORTED.join(', ')})`, t, 'unknown NIR node type');
  }
  // Edges: known nodes, no cycles, at most one in and one out per node.
  const adj = new Map<string, string[]>();
  for (const [s, d] of g.edges) {
    for (const x of [s, d]) if (!g.nodes[x]) throw new InputError('edges', 'edges between the file\'s nodes', x, { kind: `NIR file ${label}`, note: 'no such node' });
    adj.set(s, [...(adj.get(s) ?? []), d]);
  }
  // A cycle (depth-first, iteratively): name the node an edge returns to.
  const state = new Map<string, 1 | 2>();
  for (const start of Object.keys(g.nodes)) {
    if (state.has(start)) continue;
    const stack: [string, number][] = [[start, 0]];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const outs = adj.get(top[0]) ?? [];
      if (top[1] >= outs.length) {
        state.set(top[0], 2);
        stack.pop();
        continue;
      }
      const d = outs[top[1]++];
      if (state.get(d) === 1) refuse(d, 'a feed-forward node', `an edge from ${top[0]} back to it`, 'recurrent edges and cycles are not simulated');
      if (!state.has(d)) {
        state.set(d, 1);
        stack.push([d, 0]);
      }
    }
  }
  const next = new Map<string, string>(), prev = new Map<string, string>();
  for (const [s, d] of g.edges) {
    if (next.has(s)) refuse(s, 'one outgoing edge (a chain)', `edges to ${next.get(s)} and ${d}`, 'branches are not simulated');
    if (prev.has(d)) refuse(d, 'one incoming edge (a chain)', `edges from ${prev.get(d)} and ${s}`, 'joins are not simulated');
    next.set(s, d);
    prev.set(d, s);
  }
  const inputs = names.filter((n) => g.nodes[n].type === 'Input');
  const outputs = names.filter((n) => g.nodes[n].type === 'Output');
  if (inputs.length !== 1) throw new InputError('nodes', 'one Input node', inputs.length ? inputs.join(', ') : 'none', { kind: `NIR file ${label}` });
  if (outputs.length !== 1) throw new InputError('nodes', 'one Output node', outputs.length ? outputs.join(', ') : 'none', { kind: `NIR file ${label}` });
  // Walk the chain from the Input; a node seen twice is a cycle.
  const chain: string[] = [];
  const seen = new Set<string>();
  for (let n: string | undefined = inputs[0]; n !== undefined; n = next.get(n)) {
    seen.add(n);
    chain.push(n);
  }
  for (const n of names) if (!seen.has(n)) refuse(n, 'a node on the path from the Input to the Output', g.nodes[n].type, 'not connected to the Input');
  if (chain[chain.length - 1] !== outputs[0]) refuse(chain[chain.length - 1], 'a path from the Input that ends at the Output', 'a dead end');

  const num = (n: string, k: string, required = true): NirValue | undefined => {
    const v = g.nodes[n].fields[k];
    if (v === undefined) {
      if (required) refuse(`${n}/${k}`, `a dataset "${k}" (${g.nodes[n].type})`);
      return undefined;
    }
    if (typeof v.data === 'string' || !v.data.every(Number.isFinite)) refuse(`${n}/${k}`, 'finite numbers', typeof v.data === 'string' ? v.data : v.data.find((x) => !Number.isFinite(x)));
    return v;
  };
  const shapeOf = (n: string, keys: string[]): number[] | undefined => {
    for (const k of keys) {
      const v = num(n, k, false);
      if (v) {
        const s = v.data as number[];
        if (!s.every((x) => Number.isInteger(x) && x >= 1)) refuse(`${n}/${k}`, 'a shape of integers >= 1', JSON.stringify(s));
        return s;
      }
    }
    return undefined;
  };

  const inShape = shapeOf(inputs[0], ['shape', 'input_type/input']) ?? refuse(inputs[0], 'a shape ("shape" or "input_type/input")');
  // A leading batch dimension of 1 ([1, C, H, W]) is dropped: some exporters keep it.
  const s = inShape.length === 4 && inShape[0] === 1 ? inShape.slice(1) : inShape;
  if (s.length > 3) refuse(inputs[0], 'a shape of 1 to 3 dimensions ([n], [H, W] or [C, H, W])', JSON.stringify(inShape));
  const input: Shape3 = s.length === 3 ? { channels: s[0], height: s[1], width: s[2] } : s.length === 2 ? { channels: 1, height: s[0], width: s[1] } : { channels: prod(s), height: 1, width: 1 };
  if (prod(s) > MAX_DIM) refuse(inputs[0], `at most ${MAX_DIM} input values`, prod(s));
  /** The shape the next node receives; `flat` once a Flatten or a dense layer has been passed. */
  let cur: Shape3 = { ...input };
  let flat = s.length <= 1;

  /** Integers of a dataset as (height, width): one value for both, or two. */
  const pair = (n: string, k: string, dflt?: number): [number, number] => {
    const v = num(n, k, dflt === undefined);
    if (!v) return [dflt as number, dflt as number];
    const d = v.data as number[];
    if (!d.every((x) => Number.isInteger(x) && x >= 0) || (d.length !== 1 && d.length !== 2)) refuse(`${n}/${k}`, 'one or two integers >= 0 (height, width)', JSON.stringify(d));
    return d.length === 1 ? [d[0], d[0]] : [d[0], d[1]];
  };
  const one = (n: string, k: string, [a, b]: [number, number], why: string): number => {
    if (a !== b) refuse(`${n}/${k}`, `the same ${k} along height and width (${why})`, `[${a}, ${b}]`);
    return a;
  };

  // The weight node (or pool) waiting for its neuron node: the two make one ncsim layer.
  type Pending =
    | { node: string; kind: 'dense'; w: number[]; b: number[]; nIn: number; nOut: number }
    | { node: string; kind: 'conv' | 'pool'; g: ConvGeometry; w: number[]; b: number[] };
  let pending: Pending | undefined;
  const layers: NetLayer[] = [];
  const params: NetLayerParams[] = [];
  const used = new Set<string>();
  let reset: Reset | undefined;
  const image = (n: string, t: string) => {
    if (flat) refuse(n, `an image input ([C, H, W]) for ${t}`, 'a flat input (after a Flatten or a dense layer)', 'convolutions and pools come before the dense layers');
  };
  const after = (n: string, t: string) => {
    if (pending) refuse(n, `an IF or LIF node after ${pending.node} (each ncsim layer is one weight node or pool followed by its neuron node)`, t);
  };

  for (let i = 1; i < chain.length - 1; i++) {
    const n = chain[i];
    const t = g.nodes[n].type;
    if (t === 'Flatten') {
      after(n, t);
      flat = true;
      continue;
    }
    if (t === 'Affine' || t === 'Linear') {
      after(n, t);
      const width = cur.channels * cur.height * cur.width;
      if (!flat) refuse(n, 'a flat input (a Flatten node before it, or a 1-d Input shape)', `shape ${JSON.stringify([cur.channels, cur.height, cur.width])}`);
      const w = num(n, 'weight') as NirValue;
      if (w.shape.length !== 2) refuse(`${n}/weight`, 'a 2-d weight [out, in]', JSON.stringify(w.shape));
      const [nOut, nIn] = w.shape;
      if (nIn !== width) refuse(`${n}/weight`, `a weight [out, ${width}] (the ${width} values it receives)`, `shape ${JSON.stringify(w.shape)}`, 'shape mismatch');
      if (nOut > MAX_DIM) refuse(`${n}/weight`, `at most ${MAX_DIM} outputs`, nOut);
      let b = new Array<number>(nOut).fill(0);
      if (t === 'Affine') {
        const bv = num(n, 'bias') as NirValue;
        if (prod(bv.shape) !== nOut) refuse(`${n}/bias`, `${nOut} values (one per output of the weight)`, `shape ${JSON.stringify(bv.shape)}`, 'shape mismatch');
        b = bv.data as number[];
      }
      pending = { node: n, kind: 'dense', w: w.data as number[], b, nIn, nOut };
      continue;
    }
    if (t === 'Conv2d') {
      after(n, t);
      image(n, 'a convolution');
      const w = num(n, 'weight') as NirValue;
      if (w.shape.length !== 4) refuse(`${n}/weight`, 'a 4-d weight [C_out, C_in, kH, kW]', JSON.stringify(w.shape));
      const [K, C, kh, kw] = w.shape;
      if (C !== cur.channels) refuse(`${n}/weight`, `a weight [C_out, ${cur.channels}, kH, kW] (the ${cur.channels} channels it receives)`, `shape ${JSON.stringify(w.shape)}`, 'shape mismatch');
      const groups = num(n, 'groups', false);
      if (groups && (groups.data as number[]).some((x) => x !== 1)) refuse(`${n}/groups`, 'groups 1 (ncsim\'s convolutions connect every input channel to every output channel)', (groups.data as number[])[0]);
      const dil = pair(n, 'dilation', 1);
      if (dil[0] !== 1 || dil[1] !== 1) refuse(`${n}/dilation`, 'dilation 1 (ncsim\'s kernels are dense)', JSON.stringify(dil));
      const stride = one(n, 'stride', pair(n, 'stride', 1), 'ncsim\'s convolutions have one stride');
      if (stride < 1) refuse(`${n}/stride`, 'a stride >= 1', stride);
      const pv = g.nodes[n].fields.padding;
      let pad: number;
      if (pv && typeof pv.data === 'string') {
        if (pv.data === 'valid') pad = 0;
        else if (pv.data === 'same' && stride === 1 && kh === kw && kh % 2 === 1) pad = (kh - 1) / 2;
        else return refuse(`${n}/padding`, 'a number, "valid", or "same" with stride 1 and an odd square kernel', pv.data);
      } else pad = one(n, 'padding', pair(n, 'padding', 0), 'ncsim pads both dimensions alike');
      if (2 * pad > Math.min(kh, kw)) refuse(`${n}/padding`, `a padding of at most half the kernel (${Math.floor(Math.min(kh, kw) / 2)})`, pad);
      const is = num(n, 'input_shape', false);
      if (is && (is.data as number[]).join() !== `${cur.height},${cur.width}`) refuse(`${n}/input_shape`, `[${cur.height}, ${cur.width}] (the image it receives)`, JSON.stringify(is.data), 'shape mismatch');
      const oh = convOutSize(cur.height, kh, stride, pad), ow = convOutSize(cur.width, kw, stride, pad);
      if (oh < 1 || ow < 1) refuse(`${n}/weight`, `a kernel that fits the ${cur.height} x ${cur.width} input`, `${kh} x ${kw}`);
      const bv = num(n, 'bias') as NirValue;
      if (prod(bv.shape) !== K) refuse(`${n}/bias`, `${K} values (one per output channel)`, `shape ${JSON.stringify(bv.shape)}`, 'shape mismatch');
      const geo: ConvGeometry = { inChannels: C, inHeight: cur.height, inWidth: cur.width, channels: K, height: oh, width: ow, kernelHeight: kh, kernelWidth: kw, stride, padding: pad, depthwise: false };
      pending = { node: n, kind: 'conv', g: geo, w: w.data as number[], b: bv.data as number[] };
      continue;
    }
    if ((t === 'AvgPool2d' || t === 'SumPool2d') && pending?.kind === 'conv') {
      // Convolution then pool, before the neurons (snnTorch's Conv2d -> AvgPool2d -> Leaky): both
      // linear, so one convolution of kernel k + (kp − 1)·s, stride s·sp, the same padding, whose
      // weights sum the conv's over the pool's window (scaled by 1/(kp·kp) for an average).
      const c = pending.g;
      const [ph, pw] = pair(n, 'kernel_size');
      if (ph < 1 || pw < 1) refuse(`${n}/kernel_size`, 'a kernel of at least 1 x 1', `[${ph}, ${pw}]`);
      const sp = one(n, 'stride', pair(n, 'stride', ph), 'ncsim\'s convolutions have one stride');
      if (sp < 1) refuse(`${n}/stride`, 'a stride >= 1', sp);
      const pad = pair(n, 'padding', 0);
      if (pad[0] !== 0 || pad[1] !== 0) refuse(`${n}/padding`, 'padding 0 (a pool after a convolution is merged into it)', JSON.stringify(pad));
      const oh = convOutSize(c.height, ph, sp, 0), ow = convOutSize(c.width, pw, sp, 0);
      if (oh < 1 || ow < 1) refuse(`${n}/kernel_size`, `a kernel that fits the ${c.height} x ${c.width} output of ${pending.node}`, `${ph} x ${pw}`);
      const s = c.stride, KH = c.kernelHeight + (ph - 1) * s, KW = c.kernelWidth + (pw - 1) * s;
      const scale = t === 'SumPool2d' ? 1 : 1 / (ph * pw);
      const w = new Array<number>(c.channels * c.inChannels * KH * KW).fill(0);
      for (let kc = 0; kc < c.channels * c.inChannels; kc++) {
        for (let dy = 0; dy < c.kernelHeight; dy++) {
          for (let dx = 0; dx < c.kernelWidth; dx++) {
            const v = pending.w[(kc * c.kernelHeight + dy) * c.kernelWidth + dx] * scale;
            for (let a = 0; a < ph; a++) for (let b = 0; b < pw; b++) w[(kc * KH + dy + a * s) * KW + dx + b * s] += v;
          }
        }
      }
      const g2: ConvGeometry = { ...c, height: oh, width: ow, kernelHeight: KH, kernelWidth: KW, stride: s * sp };
      pending = { node: pending.node, kind: 'conv', g: g2, w, b: pending.b.map((x) => x * scale * ph * pw) };
      continue;
    }
    if (t === 'AvgPool2d' || t === 'SumPool2d') {
      after(n, t);
      image(n, 'a pool');
      const [kh, kw] = pair(n, 'kernel_size');
      if (kh < 1 || kw < 1) refuse(`${n}/kernel_size`, 'a kernel of at least 1 x 1', `[${kh}, ${kw}]`);
      const stride = one(n, 'stride', pair(n, 'stride', kh), 'ncsim\'s pools have one stride');
      if (stride < 1) refuse(`${n}/stride`, 'a stride >= 1', stride);
      const pad = pair(n, 'padding', 0);
      if (pad[0] !== 0 || pad[1] !== 0) refuse(`${n}/padding`, 'padding 0 (ncsim\'s pools are not padded)', JSON.stringify(pad));
      const oh = convOutSize(cur.height, kh, stride, 0), ow = convOutSize(cur.width, kw, stride, 0);
      if (oh < 1 || ow < 1) refuse(`${n}/kernel_size`, `a kernel that fits the ${cur.height} x ${cur.width} input`, `${kh} x ${kw}`);
      const C = cur.channels;
      const geo: ConvGeometry = { inChannels: C, inHeight: cur.height, inWidth: cur.width, channels: C, height: oh, width: ow, kernelHeight: kh, kernelWidth: kw, stride, padding: 0, depthwise: true };
      // SumPool2d adds the inputs of its window, AvgPool2d averages them: fixed depthwise weights.
      pending = { node: n, kind: 'pool', g: geo, w: new Array<number>(C * kh * kw).fill(t === 'SumPool2d' ? 1 : 1 / (kh * kw)), b: new Array<number>(C).fill(0) };
      continue;
    }
    // A neuron node (the only other type left by the checks above): it closes the layer.
    const m = n;
    if (!pending) refuse(m, 'a weight node (Affine, Linear, Conv2d) or a pool (AvgPool2d, SumPool2d) before a neuron node', `${t} right after ${chain[i - 1]}`);
    const p = pending as Pending;
    const nOut = p.kind === 'dense' ? p.nOut : p.g.channels * p.g.height * p.g.width;
    const channels = p.kind === 'dense' ? nOut : p.g.channels;
    const area = nOut / channels;
    const per = (k: string, required = true): number[] | undefined => {
      const v = num(m, k, required);
      if (!v) return undefined;
      const d = v.data as number[];
      if (d.length === 1) return new Array<number>(nOut).fill(d[0]);
      if (d.length === nOut) return d;
      // one value per channel of a convolution or pool ([C] or [C, 1, 1])
      if (d.length === channels) return Array.from({ length: nOut }, (_, q) => d[Math.floor(q / area)]);
      return refuse(`${m}/${k}`, `1, ${channels === nOut ? '' : `${channels} (one per channel) or `}${nOut} values (one per neuron of ${p.node})`, `shape ${JSON.stringify(v.shape)}`, 'shape mismatch');
    };
    const r = per('r') as number[];
    const th = per('v_threshold') as number[];
    const vr = per('v_reset', false);
    if (vr && vr.some((x) => x !== 0)) refuse(`${m}/v_reset`, 'v_reset 0 (ncsim resets a neuron to zero, or subtracts the threshold)', vr.find((x) => x !== 0));
    // ncsim's own export marks its reset by subtraction in the node's metadata (NIR has no such reset).
    const md = g.nodes[m].fields['metadata/reset'];
    const neuronReset: Reset = md && md.data === 'subtract' ? 'subtract' : 'zero';
    if (md && md.data !== 'subtract' && md.data !== 'zero') refuse(`${m}/metadata/reset`, '"zero" or "subtract"', md.data);
    if (reset !== undefined && reset !== neuronReset) refuse(m, `the same reset as the other layers (${reset})`, neuronReset);
    reset = neuronReset;
    th.forEach((x) => {
      if (!(x > 0)) refuse(`${m}/v_threshold`, 'thresholds > 0', x);
    });
    // Per neuron: the input gain, the leak and the constant input of v_leak.
    const gain = new Array<number>(nOut);
    const leak = new Array<number>(nOut);
    const drive = new Array<number>(nOut).fill(0);
    if (t === 'IF') {
      for (let k = 0; k < nOut; k++) {
        gain[k] = r[k];
        leak[k] = 1;
      }
    } else {
      const tk = t === 'CubaLIF' ? 'tau_mem' : 'tau';
      const tau = per(tk) as number[];
      const vl = per('v_leak') as number[];
      // CubaLIF: its synaptic current, Euler, I[t] = (1 − dt/tau_syn)·I[t−1] + (dt/tau_syn)·w_in·S[t],
      // is instantaneous only when tau_syn = dt (snnTorch's Synaptic with alpha 0): then a LIF whose
      // input gain carries w_in. A current that decays over several steps has no state on ncsim's neuron.
      const wIn = t === 'CubaLIF' ? per('w_in', false) ?? new Array<number>(nOut).fill(1) : undefined;
      if (t === 'CubaLIF') {
        const ts = per('tau_syn') as number[];
        const slow = ts.findIndex((x) => !(Math.abs(x - dt) <= 1e-9 * dt));
        if (slow >= 0) refuse(`${m}/tau_syn`, `tau_syn = dt (${dt} s: an instantaneous synaptic current, snnTorch's Synaptic with alpha 0)`, ts[slow], 'a synaptic current that decays over several steps needs a second state per neuron, which ncsim\'s neuron does not have');
      }
      for (let k = 0; k < nOut; k++) {
        if (!(tau[k] >= dt)) refuse(`${m}/${tk}`, `time constants >= dt (${dt} s: the leak 1 - dt/tau must be in [0, 1])`, tau[k], 'lower --dt, or check the exporter\'s dt');
        leak[k] = 1 - dt / tau[k];
        gain[k] = ((r[k] * dt) / tau[k]) * (wIn ? wIn[k] : 1);
        drive[k] = (dt / tau[k]) * vl[k];
      }
      if (leak.some((a) => a < 1e-6)) refuse(`${m}/${tk}`, `time constants with a leak 1 - dt/tau >= 1e-6 (ncsim's smallest leak)`, tau[leak.findIndex((a) => a < 1e-6)]);
    }
    let weights: Float32Array, bias: Float32Array;
    if (p.kind === 'dense') {
      weights = new Float32Array(nOut * p.nIn);
      for (let k = 0; k < nOut; k++) for (let j = 0; j < p.nIn; j++) weights[k * p.nIn + j] = p.w[k * p.nIn + j] * gain[k];
      bias = Float32Array.from(p.b, (x, k) => gain[k] * x + drive[k]);
    } else {
      // A convolution or pool shares its kernel across positions: one gain and one drive per channel.
      const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b), 1e-30);
      for (let c = 0; c < channels; c++) {
        for (let q = c * area + 1; q < (c + 1) * area; q++) {
          if (!same(gain[q], gain[c * area])) refuse(`${m}/r`, `one input gain (${t === 'IF' ? 'r' : 'r·dt/tau'}) per channel: ${p.node} shares its kernel across positions`, `${gain[c * area]} and ${gain[q]} in channel ${c}`);
          if (!same(drive[q], drive[c * area]) && Math.abs(drive[q] - drive[c * area]) > 1e-12) refuse(`${m}/v_leak`, `one constant input ((dt/tau)·v_leak) per channel: ${p.node} has one bias per channel`, `${drive[c * area]} and ${drive[q]} in channel ${c}`);
        }
      }
      const block = p.w.length / channels;
      weights = Float32Array.from(p.w, (x, q) => x * gain[Math.floor(q / block) * area]);
      bias = Float32Array.from(p.b, (x, c) => gain[c * area] * x + drive[c * area]);
    }
    let layerName = /^[A-Za-z0-9_-]{1,64}$/.test(m) && !used.has(m) ? m : `${p.kind === 'dense' ? 'h' : p.kind === 'conv' ? 'c' : 'p'}${layers.length + 1}`;
    while (used.has(layerName)) layerName = `${layerName}_`;
    used.add(layerName);
    const out: Shape3 = p.kind === 'dense' ? { channels: nOut, height: 1, width: 1 } : { channels: p.g.channels, height: p.g.height, width: p.g.width };
    const nIn = cur.channels * cur.height * cur.width;
    layers.push({ type: p.kind, name: layerName, nIn, nOut, in: cur, out, ...(p.kind === 'dense' ? {} : { conv: p.g }) });
    params.push({ weights, bias, threshold: Float32Array.from(th), leak: Float32Array.from(leak) });
    if (p.kind === 'dense') flat = true;
    cur = out;
    pending = undefined;
  }
  if (pending) refuse((pending as Pending).node, 'an IF or LIF node after it (ncsim\'s layers spike)', `${g.nodes[chain[chain.length - 1]].type} next`);
  if (layers.length === 0) refuse(outputs[0], 'at least one weight node and neuron node between the Input and the Output', 'none');
  const last = layers[layers.length - 1];
  if (last.type !== 'dense') refuse(chain[chain.length - 2], 'a dense layer last (Affine or Linear, then IF or LIF: the classifier, one unit per class)', `a ${last.type} layer`);
  const width = last.nOut;
  const outShape = shapeOf(outputs[0], ['shape', 'output_type/output']);
  if (outShape && prod(outShape) !== width) refuse(outputs[0], `a shape of ${width} values (the last layer's neurons)`, JSON.stringify(outShape), 'shape mismatch');
  if (s.length === 1) layers[0].in = { channels: prod(s), height: 1, width: 1 };
  return {
    source: label.replace(/^"|"$/g, ''),
    description: `NIR graph${g.version ? ` (NIR ${g.version})` : ''}, dt ${dt} s`,
    input,
    layers,
    params: { layers: params, reset: reset ?? 'zero', dt },
  };
}

/** NIR files read so far, by path and dt: the synchronous readers (train's --net) take them from here. */
const readSoFar = new Map<string, Net>();
const key = (file: string, dt: number) => `${file}\u0000${dt}`;

/**
 * Read a NIR file into an ncsim network with its parameters (async: h5wasm loads once). The
 * result is kept, so that code that reads networks synchronously (loadedNir: `ncsim train --net`)
 * finds it once this has been awaited.
 */
export async function importNir(file: string, o: NirOptions = {}): Promise<Net> {
  const g = await readNirGraph(file);
  const net = nirToNet(g, JSON.stringify(basename(file)), o);
  readSoFar.set(key(file, o.dt ?? NIR_DEFAULT_DT), net);
  return net;
}

/** A NIR file's network as importNir read it (same path and dt); it must have been awaited first. */
export function loadedNir(file: string, o: NirOptions = {}): Net {
  const net = readSoFar.get(key(file, o.dt ?? NIR_DEFAULT_DT));
  if (!net) throw new Error(`NIR file ${file} has not been read: await importNir(file, { dt }) first (h5wasm initialises asynchronously)`);
  return net;
}
