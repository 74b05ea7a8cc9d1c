/**
 * Network description files (`ncsim.net/1`, nets/README.md): an input shape and a list of
 * layers — convolutions, average poolings, dense layers — read, checked by hand and resolved
 * into shapes. Every refusal is an InputError (exit status 2) naming the field, e.g.
 * `net "cnn.json" field "layers[0].kernel": expected an integer >= 1, got 0`.
 *
 *   { "format": "ncsim.net/1",
 *     "input": { "channels": 1, "height": 28, "width": 28 },
 *     "layers": [
 *       { "type": "conv", "name": "c1", "channels": 8, "kernel": 5, "stride": 2, "padding": 2 },
 *       { "type": "pool", "kernel": 2 },
 *       { "type": "dense", "name": "h1", "units": 128 },
 *       { "type": "dense", "name": "out", "units": 10 } ] }
 *
 * Resolution: a conv layer of K channels, kernel k, stride s (default 1), padding p (default 0)
 * turns C x H x W into K x OH x OW, OH = floor((H + 2p - k) / s) + 1 (likewise OW); a pool layer
 * (average pooling, kernel k, stride default k, no padding) keeps the channels; a dense layer of
 * n units sees the whole C x H x W volume flattened channel-major (index (c*H + y)*W + x, as
 * PyTorch's flatten) and gives n x 1 x 1. Convolutions and poolings come before the first dense
 * layer; the last layer is dense (the classifier, one unit per class). Default names: c1, c2, ...
 * for convolutions, p1, p2, ... for poolings, h1, h2, ... for hidden dense layers and "out" for
 * the last one.
 */
import { readJsonDocument } from '../io/document.js';
import { baseName } from '../io/paths.js';
import { InputError } from '../io/errors.js';
import type { ConvGeometry, Reset } from '../model/types.js';
import { convOutSize } from '../reference/conv.js';

export const NET_FORMAT = 'ncsim.net/1';
/** A net file describes layers, not weights: a few kilobytes; anything near this cap is not a net file. */
export const NET_MAX_BYTES = 4 * 1024 * 1024;

export interface Shape3 { channels: number; height: number; width: number }

export type NetLayerDecl =
  | { type: 'conv'; name?: string; channels: number; kernel: number; stride?: number; padding?: number; lrScale?: number }
  | { type: 'pool'; name?: string; kernel: number; stride?: number }
  | { type: 'dense'; name?: string; units: number; lrScale?: number };

/** The file as written. */
export interface NetFile {
  format: typeof NET_FORMAT;
  /** Free text, shown in reports. */
  description?: string;
  input: Shape3;
  layers: NetLayerDecl[];
}

export type NetLayerType = NetLayerDecl['type'];

/** One layer with its shapes resolved. */
export interface NetLayer {
  type: NetLayerType;
  name: string;
  /** Neurons below (C*H*W of the input volume) and in this layer. */
  nIn: number;
  nOut: number;
  in: Shape3;
  out: Shape3;
  /** conv and pool layers: the chip's geometry (pool: depthwise, fixed weights). */
  conv?: ConvGeometry;
  /** Factor of the chip's learning rate for this layer (absent: the default, train.ts layerLrScale). */
  lrScale?: number;
}

/** One chip layer's parameters given with a network (a NIR file), in the chip's orientation (LayerSpec). */
export interface NetLayerParams {
  /** nOut x nIn, row-major (NIR's weight is [out, in], the same). */
  weights: Float32Array;
  bias: Float32Array;
  /** Per neuron. */
  threshold: Float32Array;
  /** Per neuron (α). */
  leak: Float32Array;
}

/** The weights and dynamics given with a network (a NIR file: src/net/nir.ts) (Net.params). */
export interface NetParams {
  layers: NetLayerParams[];
  reset: Reset;
  /** The step used to discretise (s). */
  dt: number;
}

/** A resolved network: input shape and layers, in order. */
export interface Net {
  /** Where it came from (file name, or "--hidden" for the built-in MLP). */
  source: string;
  description?: string;
  input: Shape3;
  layers: NetLayer[];
  /** Weights and dynamics given with the network (a NIR file, src/net/nir.ts); absent: the chip initialises them (--init). */
  params?: NetParams;
}

/** Widths from input to output: [C*H*W, nOut of each layer]. */
export function netSizes(net: Net): number[] {
  return [net.input.channels * net.input.height * net.input.width, ...net.layers.map((l) => l.nOut)];
}

/** Whether the network has convolution or pooling layers (false: a plain MLP). */
export function hasConv(net: Net): boolean {
  return net.layers.some((l) => l.type !== 'dense');
}

/** The MLP of --hidden: input size, hidden widths, classes. */
export function mlpNet(input: Shape3, hidden: number[], classes: number, source = '--hidden'): Net {
  return resolveNet({ format: NET_FORMAT, input, layers: [...hidden.map((units) => ({ type: 'dense' as const, units })), { type: 'dense', units: classes }] }, source);
}

type Obj = Record<string, unknown>;

/** The fields of a file and of each layer type (nets/ncsim.net.schema.json lists the same; a test checks). */
export const ROOT_KEYS = ['$schema', 'format', 'description', 'input', 'layers'];
export const LAYER_KEYS: Record<NetLayerType, string[]> = {
  conv: ['type', 'name', 'channels', 'kernel', 'stride', 'padding', 'lrScale'],
  pool: ['type', 'name', 'kernel', 'stride'],
  dense: ['type', 'name', 'units', 'lrScale'],
};

/** Largest width, height, channel count or unit count accepted (keeps sizes exact and arenas sane). */
export const MAX_DIM = 1 << 20;

/** Check a parsed JSON value as a net file and resolve its shapes; `label` names the file in errors. */
export function parseNet(json: unknown, label = '(inline)'): Net {
  const kind = `net ${label} field`;
  const fail = (path: string, expected: string, got: unknown, note?: string): never => {
    throw new InputError(path || '(the file)', expected, got, { kind, note });
  };
  const obj = (v: unknown, path: string): Obj => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'an object', v);
    return v as Obj;
  };
  const int = (o: Obj, k: string, path: string, min: number, dflt?: number): number => {
    const v = o[k];
    if (v === undefined && dflt !== undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_DIM) fail(`${path}.${k}`, `an integer >= ${min}${v !== undefined ? ` and <= ${MAX_DIM}` : ''}`, v);
    return v as number;
  };

  const root = obj(json, '');
  if (root.format !== NET_FORMAT) fail('format', `"${NET_FORMAT}"`, root.format);
  for (const k of Object.keys(root)) {
    if (!ROOT_KEYS.includes(k)) fail(k, `no such field (the fields are ${ROOT_KEYS.join(', ')})`, root[k]);
  }
  if (root.description !== undefined && typeof root.description !== 'string') fail('description', 'a string', root.description);
  if (root.$schema !== undefined && typeof root.$schema !== 'string') fail('$schema', 'a string (the schema\'s path, for editors)', root.$schema);
  const inp = obj(root.input, 'input');
  for (const k of Object.keys(inp)) if (!['channels', 'height', 'width'].includes(k)) fail(`input.${k}`, 'no such field (the fields are channels, height, width)', inp[k]);
  const input: Shape3 = { channels: int(inp, 'channels', 'input', 1), height: int(inp, 'height', 'input', 1), width: int(inp, 'width', 'input', 1) };
  if (!Array.isArray(root.layers) || root.layers.length === 0) fail('layers', 'a non-empty array of layers', root.layers);

  const decls: NetLayerDecl[] = (root.layers as unknown[]).map((lv, i) => {
    const p = `layers[${i}]`;
    const l = obj(lv, p);
    const type = l.type;
    if (type !== 'conv' && type !== 'pool' && type !== 'dense') fail(`${p}.type`, '"conv", "pool" or "dense"', type);
    const t = type as NetLayerType;
    for (const k of Object.keys(l)) if (!LAYER_KEYS[t].includes(k)) fail(`${p}.${k}`, `no such field in a ${t} layer (the fields are ${LAYER_KEYS[t].join(', ')})`, l[k]);
    if (l.name !== undefined && (typeof l.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(l.name))) {
      fail(`${p}.name`, 'a name of 1 to 64 letters, digits, "_" or "-"', l.name);
    }
    const name = l.name as string | undefined;
    const v = l.lrScale;
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) fail(`${p}.lrScale`, 'a finite number >= 0 (the factor of the learning rate for this layer)', v);
    const lrScale = v as number | undefined;
    if (t === 'conv') {
      return { type: t, name, channels: int(l, 'channels', p, 1), kernel: int(l, 'kernel', p, 1), stride: int(l, 'stride', p, 1, 1), padding: int(l, 'padding', p, 0, 0), lrScale };
    }
    if (t === 'pool') return { type: t, name, kernel: int(l, 'kernel', p, 1), stride: l.stride === undefined ? undefined : int(l, 'stride', p, 1) };
    return { type: t, name, units: int(l, 'units', p, 1), lrScale };
  });
  const net = resolveNet({ format: NET_FORMAT, input, layers: decls, description: root.description as string | undefined }, label, fail);
  return net;
}

/** Shapes of every layer; `fail` reports a field (default: InputError with kind "net field"). */
export function resolveNet(
  file: NetFile, source: string,
  fail: (path: string, expected: string, got: unknown, note?: string) => never = (path, expected, got, note) => {
    throw new InputError(path, expected, got, { kind: `net ${source} field`, note });
  },
): Net {
  let shape: Shape3 = { ...file.input };
  let seenDense = false;
  const counts = { conv: 0, pool: 0, dense: 0 };
  const names = new Set<string>();
  const last = file.layers.length - 1;
  const layers: NetLayer[] = file.layers.map((d, i) => {
    const p = `layers[${i}]`;
    counts[d.type]++;
    const name = d.name ?? (d.type === 'conv' ? `c${counts.conv}` : d.type === 'pool' ? `p${counts.pool}` : i === last ? 'out' : `h${counts.dense}`);
    if (names.has(name)) fail(`${p}.name`, 'a name no other layer has', name, d.name === undefined ? 'the default name of this layer; name the layers' : undefined);
    names.add(name);
    const nIn = shape.channels * shape.height * shape.width;
    const inShape = shape;
    if (d.type === 'dense') {
      seenDense = true;
      shape = { channels: d.units, height: 1, width: 1 };
      return { type: 'dense', name, nIn, nOut: d.units, in: inShape, out: shape, ...(d.lrScale !== undefined ? { lrScale: d.lrScale } : {}) };
    }
    if (seenDense) fail(`${p}.type`, `a dense layer (a ${d.type} layer needs an image: it cannot follow a dense layer)`, d.type);
    const k = d.kernel;
    const stride = d.type === 'conv' ? d.stride ?? 1 : d.stride ?? k;
    const pad = d.type === 'conv' ? d.padding ?? 0 : 0;
    const oh = convOutSize(shape.height, k, stride, pad), ow = convOutSize(shape.width, k, stride, pad);
    if (oh < 1 || ow < 1) {
      fail(`${p}.kernel`, `a kernel that fits the ${shape.height} x ${shape.width} input${pad ? ` padded by ${pad}` : ''} (at most ${Math.min(shape.height, shape.width) + 2 * pad})`, k);
    }
    if (2 * pad > k) fail(`${p}.padding`, `a padding of at most half the kernel (${Math.floor(k / 2)})`, pad);
    const channels = d.type === 'conv' ? d.channels : shape.channels;
    shape = { channels, height: oh, width: ow };
    const conv: ConvGeometry = {
      inChannels: inShape.channels, inHeight: inShape.height, inWidth: inShape.width, channels, height: oh, width: ow,
      kernelHeight: k, kernelWidth: k, stride, padding: pad, depthwise: d.type === 'pool',
    };
    return { type: d.type, name, nIn, nOut: channels * oh * ow, in: inShape, out: shape, conv, ...(d.type === 'conv' && d.lrScale !== undefined ? { lrScale: d.lrScale } : {}) };
  });
  if (layers[last].type !== 'dense') fail(`layers[${last}].type`, '"dense" (the last layer is the classifier: one unit per class)', layers[last].type);
  return { source, description: file.description, input: { ...file.input }, layers };
}

/** Read and check a net file; `field` names where the file name came from (an option or an argument) in errors. */
export function readNetFile(file: string, field: { name: string; kind: string } = { name: '--net', kind: 'option' }): Net {
  if (typeof file !== 'string' || file === '') throw new InputError(field.name, `a network file (${NET_FORMAT})`, file, { kind: field.kind });
  // The format field is checked by parseNet, with the other fields.
  const json = readJsonDocument(file, { kind: 'net file', what: `a readable network file (${NET_FORMAT})`, maxBytes: NET_MAX_BYTES });
  return parseNet(json, JSON.stringify(baseName(file)));
}

/** One line per layer: name, type, shape in -> out, weights (for reports and errors). */
export function describeNet(net: Net): string[] {
  const s = (x: Shape3) => (x.height === 1 && x.width === 1 ? `${x.channels}` : `${x.channels}x${x.height}x${x.width}`);
  return net.layers.map((l) => {
    const c = l.conv;
    const what = l.type === 'conv' && c ? `conv ${c.kernelHeight}x${c.kernelWidth}/${c.stride} pad ${c.padding}` : l.type === 'pool' && c ? `avg pool ${c.kernelHeight}x${c.kernelWidth}/${c.stride}` : 'dense';
    return `${l.name}: ${what}, ${s(l.in)} -> ${s(l.out)}`;
  });
}
