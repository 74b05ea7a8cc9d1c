/**
 * An ONNX graph (decode.ts) as ncsim's own teacher (teacher.ts `Teacher`): the same forward
 * pass (teacherForward, convForward) then runs it, and targets.ts turns its layer activations
 * into the chip's targets exactly as for a teacher ncsim trained.
 *
 * The graph must be one chain from its single data input to its single output. Along it:
 *
 *   Gemm, MatMul (+ Add)   a dense layer: W row-major nOut x nIn (transB, alpha, beta folded in)
 *   Conv (+ Add)           a convolution: W K x C x kh x kw, as the CNN teacher's
 *   Relu, Clip(0, c)       the activation that ends the layer above: a teacher layer's output
 *   AveragePool            a pooling layer (fixed weights 1/(kh*kw), no activation), as cnn.ts's
 *   Flatten, Reshape       no layer: activations are kept flat, channel-major, as NCHW is
 *   Pad of zeros           nothing (PyTorch's AvgPool2d export puts one before AveragePool)
 *   Shape, Gather,         a shape for Reshape, folded here (PyTorch's x.view(x.size(0), -1)
 *   Unsqueeze, Concat        exported with a dynamic batch); they touch no data
 *   Constant               a tensor for another node (Clip's bounds, Reshape's shape)
 *
 * So the teacher's layers are the outputs of each Relu/Clip, of each AveragePool, and the final
 * output (the logits: the last Gemm/MatMul/Conv with no activation after it). ncsim's teacher
 * has one clipped ReLU for all its hidden layers (min(max(z, 0), c)): Relu is c = Infinity,
 * Clip(0, c) is c, and every hidden layer must use the same one. Anything else (another
 * operator, a branch, a second data input, a dynamic size) is refused naming the node.
 */
import type { Teacher, TeacherLayer } from '../teacher.js';
import type { ConvGeometry } from '../../model/types.js';
import { convWeightCount } from '../../reference/conv.js';
import { Attributes, decodeModel, floatTensor, intTensor, nodeLabel, onnxError, onnxOpset, quoted } from './decode.js';
import type { OnnxModel, OnnxTensor, OnnxValueInfo } from './schema.js';

/** The operators a teacher graph may hold. */
export const ONNX_OPERATORS = ['Gemm', 'MatMul', 'Add', 'Conv', 'Relu', 'Clip', 'AveragePool', 'Flatten', 'Reshape', 'Pad', 'Constant', 'Shape', 'Gather', 'Unsqueeze', 'Concat'] as const;

/** One teacher layer and where it came from in the graph. */
export interface OnnxLayer {
  type: 'dense' | 'conv' | 'pool';
  /** The node that made its weights (Gemm, MatMul, Conv, AveragePool), as `node 'fc1' (Gemm)`. */
  node: string;
  /** Its activation's node (Relu, Clip), absent for a pool and the last layer. */
  activation?: string;
  /** Clip bound c of its activation (Infinity for Relu). */
  clip?: number;
  /** Input and output shapes without the batch dimension: [n] or [C, H, W]. */
  in: number[];
  out: number[];
}

/** An ONNX model read as ncsim's teacher. */
export interface OnnxTeacher {
  teacher: Teacher;
  layers: OnnxLayer[];
  /** The data input's name and shape without the batch dimension. */
  input: { name: string; shape: number[] };
  /** The default operator set's version and the producer (e.g. "pytorch 1.13.0"). */
  opset: number;
  producer: string;
}

/**
 * A value of the graph: a constant tensor, the chain's activation, or a shape computed from it
 * (Shape, Gather, Unsqueeze, Concat: PyTorch's `x.view(x.size(0), -1)` with a dynamic batch),
 * whose entries are known except the batch size (null).
 */
type Value = { kind: 'const'; tensor: OnnxTensor } | { kind: 'act' } | { kind: 'shape'; data: (number | null)[]; scalar: boolean };

interface Open {
  layer: OnnxLayer;
  weights: Float32Array;
  bias: Float32Array;
  conv?: ConvGeometry;
  /** the activation closed it: no Add may follow */
  closed: boolean;
}

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);
const shapeText = (s: number[]) => `[${s.join(', ')}]`;

/** The teacher an ONNX model's bytes describe (`source` names the file in messages). */
export function onnxTeacherFromBytes(bytes: Uint8Array, source: string): OnnxTeacher {
  const model = decodeModel(bytes, source);
  return convertModel(model, source);
}

/** The teacher of a decoded model. */
export function convertModel(model: OnnxModel, source: string): OnnxTeacher {
  const opset = onnxOpset(model, source);
  const graph = model.graph ?? {};
  const values = new Map<string, Value>();
  for (const t of graph.initializer ?? []) {
    if (!t.name) throw onnxError(source, 'graph.initializer', 'initializers with names', undefined, 'an initializer has no name');
    values.set(t.name, { kind: 'const', tensor: t });
  }
  const dataInputs = (graph.input ?? []).filter((v) => !values.has(v.name ?? ''));
  if (dataInputs.length !== 1) {
    throw onnxError(source, 'graph.input', 'exactly one data input (inputs other than initializers)', dataInputs.map((v) => v.name));
  }
  const input = { name: dataInputs[0].name ?? '', shape: inputShape(dataInputs[0], source) };
  values.set(input.name, { kind: 'act' });

  const err = (label: string, expected: string, got?: unknown, note?: string) => onnxError(source, label, expected, got, note);
  let cur = input.name; // the chain's latest activation
  let shape = input.shape;
  const done: Open[] = [];
  let open: Open | undefined;

  (graph.node ?? []).forEach((node, index) => {
    const label = nodeLabel(node, index);
    const op = node.opType ?? '';
    if ((node.domain ?? '') !== '' && node.domain !== 'ai.onnx') {
      throw err(label, `an operator of the default ONNX domain (one of ${ONNX_OPERATORS.join(', ')})`, node.domain, 'operator domain');
    }
    if (!(ONNX_OPERATORS as readonly string[]).includes(op)) {
      throw err(label, `one of the operators ${ONNX_OPERATORS.join(', ')}`, op, 'ncsim runs feed-forward teachers of these operators only');
    }
    const ins = node.input ?? [];
    const outs = node.output ?? [];
    if (outs.length !== 1 || !outs[0]) throw err(label, 'one output', outs);
    const attrs = new Attributes(node, source, label);
    /** input k, which must be the chain's activation */
    const act = (k: number): void => {
      const name = ins[k];
      const v = name ? values.get(name) : undefined;
      if (v?.kind === 'act' && name === cur) return;
      if (v?.kind === 'act') throw err(label, `input ${k} to be the latest activation ${JSON.stringify(cur)}`, name, 'the graph branches; ncsim runs a chain of layers');
      throw err(label, `input ${k} to be the activation ${JSON.stringify(cur)}`, name, known(name, values));
    };
    /** input k as a constant tensor (an initializer or a Constant's output), undefined when optional and absent */
    const constant = (k: number, optional = false): OnnxTensor | undefined => {
      const name = ins[k];
      if (!name) {
        if (optional) return undefined;
        throw err(label, `input ${k} (a weight or constant tensor)`, undefined, 'missing');
      }
      const v = values.get(name);
      if (v?.kind === 'const') return v.tensor;
      if (v?.kind === 'act') throw err(label, `input ${k} to be a constant tensor (an initializer)`, name, 'it is computed from the data: weights must be initializers');
      if (v?.kind === 'shape') throw err(label, `input ${k} to be a constant tensor (an initializer)`, name, 'a shape computed from the data');
      throw err(label, `input ${k} to be an initializer or an earlier node's output`, name, 'missing initializer?');
    };
    const what = (k: number) => `${label} input ${k} ${quoted(ins[k])}`;
    /** input k as a list of integers: a shape value (the batch null) or a constant integer tensor */
    const ints = (k: number): { data: (number | null)[]; scalar: boolean } => {
      const v = values.get(ins[k] ?? '');
      if (v?.kind === 'shape') return v;
      const t = intTensor(constant(k) as OnnxTensor, source, what(k));
      return { data: t.data, scalar: t.dims.length === 0 };
    };
    const setShape = (data: (number | null)[], scalar: boolean) => values.set(outs[0], { kind: 'shape', data, scalar });
    const startLayer = (next: Open) => {
      if (open && !open.closed) {
        throw err(label, `a Relu or Clip after ${open.layer.node} first`, undefined, "two linear layers in a row: ncsim's hidden layers each end with a clipped ReLU");
      }
      if (open) done.push(open);
      open = next;
    };
    const setAct = () => {
      values.set(outs[0], { kind: 'act' });
      cur = outs[0];
    };

    switch (op) {
      case 'Constant': {
        const t = attrs.tensor('value');
        if (t) values.set(outs[0], { kind: 'const', tensor: t });
        else if (attrs.has('value_float') || attrs.has('value_floats')) {
          const f = attrs.has('value_float') ? [attrs.float('value_float', 0)] : (attrs.floats('value_floats') ?? []);
          values.set(outs[0], { kind: 'const', tensor: { dims: attrs.has('value_float') ? [] : [f.length], dataType: 1, floatData: f } });
        } else if (attrs.has('value_int') || attrs.has('value_ints')) {
          const v = attrs.has('value_int') ? [attrs.int('value_int', 0)] : (attrs.ints('value_ints') ?? []);
          values.set(outs[0], { kind: 'const', tensor: { dims: attrs.has('value_int') ? [] : [v.length], dataType: 7, int64Data: v } });
        } else throw err(label, 'a "value" attribute holding a tensor, float(s) or int(s)', undefined, 'sparse or string constants are not read');
        return;
      }
      case 'Gemm':
      case 'MatMul': {
        act(0);
        if (shape.length !== 1) throw err(label, 'a flat input (N x K; add a Flatten before it)', shapeText(shape), 'input shape without the batch');
        const B = floatTensor(constant(1) as OnnxTensor, source, what(1));
        if (B.dims.length !== 2) throw err(what(1), 'a 2-D weight matrix', shapeText(B.dims));
        const transB = op === 'Gemm' ? attrs.int('transB', 0) : 0;
        if (op === 'Gemm' && attrs.int('transA', 0) !== 0) throw err(`${label} attribute 'transA'`, '0 (the data are the rows of A)', attrs.int('transA', 0));
        const [K, N] = transB ? [B.dims[1], B.dims[0]] : B.dims;
        if (K !== shape[0]) throw err(what(1), `a matrix with ${shape[0]} inputs (the size of the activation it multiplies)`, shapeText(B.dims), transB ? 'transB = 1: N x K' : 'K x N');
        const alpha = op === 'Gemm' ? attrs.float('alpha', 1) : 1;
        const weights = new Float32Array(N * K);
        for (let i = 0; i < N; i++) {
          for (let j = 0; j < K; j++) {
            const w = transB ? B.data[i * K + j] : B.data[j * N + i];
            weights[i * K + j] = alpha === 1 ? w : alpha * w;
          }
        }
        const bias = new Float32Array(N);
        if (op === 'Gemm') {
          const C = constant(2, true);
          if (C) addBias(bias, floatTensor(C, source, what(2)), attrs.float('beta', 1), what(2), err);
        }
        startLayer({ layer: { type: 'dense', node: label, in: shape, out: [N] }, weights, bias, closed: false });
        shape = [N];
        setAct();
        return;
      }
      case 'Conv': {
        act(0);
        if (shape.length !== 3) throw err(label, 'an input of C x H x W (N x C x H x W with the batch)', shapeText(shape));
        const W = floatTensor(constant(1) as OnnxTensor, source, what(1));
        const [C, H, Wd] = shape;
        if (W.dims.length !== 4 || W.dims[1] !== C) throw err(what(1), `a weight tensor K x ${C} x kh x kw`, shapeText(W.dims));
        const [K, , kh, kw] = W.dims;
        if (attrs.int('group', 1) !== 1) throw err(`${label} attribute 'group'`, '1 (ncsim convolutions see every input channel)', attrs.int('group', 1));
        const ks = attrs.ints('kernel_shape');
        if (ks && (ks.length !== 2 || ks[0] !== kh || ks[1] !== kw)) throw err(`${label} attribute 'kernel_shape'`, `[${kh}, ${kw}] (the weights' kernel)`, ks);
        const g = geometry(attrs, label, [C, H, Wd], K, kh, kw, false, err);
        const bias = new Float32Array(K);
        const B = constant(2, true);
        if (B) addBias(bias, floatTensor(B, source, what(2)), 1, what(2), err);
        startLayer({ layer: { type: 'conv', node: label, in: shape, out: [K, g.height, g.width] }, weights: W.data, bias, conv: g, closed: false });
        shape = [K, g.height, g.width];
        setAct();
        return;
      }
      case 'Add': {
        const k = values.get(ins[0] ?? '')?.kind === 'act' ? 0 : 1;
        if (ins.every((name) => values.get(name)?.kind === 'act')) throw err(label, 'an activation plus a constant bias', ins, 'an Add of two activations: the graph branches; ncsim runs a chain of layers');
        act(k);
        if (!open || open.closed) throw err(label, 'to follow a Gemm, MatMul or Conv (its bias)', undefined, 'an Add elsewhere is not a teacher layer');
        const t = floatTensor(constant(1 - k) as OnnxTensor, source, what(1 - k));
        addBias(open.bias, t, 1, what(1 - k), err);
        setAct();
        return;
      }
      case 'Relu':
      case 'Clip': {
        act(0);
        let c = Infinity;
        if (op === 'Clip') {
          const bound = (k: number, attr: string, dflt: number) => {
            const t = constant(k, true);
            if (t) {
              const f = floatTensor(t, source, what(k));
              if (f.data.length !== 1) throw err(what(k), 'a scalar bound', shapeText(f.dims));
              return f.data[0];
            }
            return attrs.float(attr, dflt);
          };
          const lo = bound(1, 'min', -Infinity);
          c = bound(2, 'max', Infinity);
          if (lo !== 0 || !(c > 0)) throw err(label, 'Clip(min 0, max c > 0): the clipped ReLU of ncsim\'s teacher', `min ${lo}, max ${c}`);
        }
        if (!open || open.closed) throw err(label, 'to follow a Gemm, MatMul or Conv', undefined, "ncsim's layers have one activation each, after their weights (none after a pool)");
        open.layer.activation = label;
        open.layer.clip = c;
        open.closed = true;
        setAct();
        return;
      }
      case 'AveragePool': {
        act(0);
        if (shape.length !== 3) throw err(label, 'an input of C x H x W', shapeText(shape));
        if (open && !open.closed) throw err(label, `a Relu or Clip after ${open.layer.node} first`, undefined, "ncsim's pool averages a layer's activations");
        const ks = attrs.ints('kernel_shape');
        if (!ks || ks.length !== 2) throw err(`${label} attribute 'kernel_shape'`, 'two kernel sizes [kh, kw]', ks);
        if (attrs.int('ceil_mode', 0) !== 0) throw err(`${label} attribute 'ceil_mode'`, '0 (floor)', attrs.int('ceil_mode', 0));
        const C = shape[0];
        const g = geometry(attrs, label, shape, C, ks[0], ks[1], true, err);
        if (g.padding > 0 && attrs.int('count_include_pad', 0) !== 1) {
          throw err(`${label} attribute 'count_include_pad'`, '1 with padding (ncsim divides every window by kh*kw)', attrs.int('count_include_pad', 0));
        }
        const weights = new Float32Array(convWeightCount(g)).fill(1 / (g.kernelHeight * g.kernelWidth));
        const pool: Open = { layer: { type: 'pool', node: label, in: shape, out: [C, g.height, g.width] }, weights, bias: new Float32Array(C), conv: g, closed: true };
        if (open) done.push(open);
        open = pool;
        shape = pool.layer.out;
        setAct();
        return;
      }
      case 'Flatten': {
        act(0);
        const rank = shape.length + 1;
        const axis = attrs.int('axis', 1);
        if ((axis < 0 ? axis + rank : axis) !== 1) throw err(`${label} attribute 'axis'`, '1 (keep the batch, flatten the rest)', axis);
        shape = [prod(shape)];
        setAct();
        return;
      }
      case 'Pad': {
        act(0);
        const pads = ins[1] ? intTensor(constant(1) as OnnxTensor, source, what(1)).data : (attrs.ints('pads') ?? []);
        const mode = attrs.string('mode', 'constant');
        if (mode !== 'constant' || pads.some((p) => p !== 0)) {
          throw err(label, 'a Pad of zeros (a no-op, as PyTorch writes before AveragePool)', { mode, pads }, 'give the padding to the Conv or AveragePool instead');
        }
        setAct();
        return;
      }
      case 'Reshape': {
        act(0);
        const to = ints(1).data;
        // the batch (unknown size) may only stand first, where reshape() puts the batch
        if (to.some((d, i) => d === null && i > 0)) throw err(what(1), 'the batch size first only', to.map((d) => d ?? 'N'));
        shape = reshape(shape, to.map((d) => d ?? 1), attrs.int('allowzero', 0) === 1, (expected, got) => err(what(1), expected, got));
        setAct();
        return;
      }
      case 'Shape': {
        act(0);
        const full = [null, ...shape];
        const r = full.length;
        const at = (v: number) => Math.min(r, Math.max(0, v < 0 ? v + r : v));
        setShape(full.slice(at(attrs.int('start', 0)), at(attrs.int('end', r))), false);
        return;
      }
      case 'Gather': {
        const from = ints(0);
        if (from.scalar || attrs.int('axis', 0) !== 0) throw err(label, 'a Gather along axis 0 of a shape', attrs.int('axis', 0));
        const idx = ints(1);
        const picked = idx.data.map((i) => {
          if (i === null || i < -from.data.length || i >= from.data.length) throw err(what(1), `indices in [-${from.data.length}, ${from.data.length})`, idx.data);
          return from.data[i < 0 ? i + from.data.length : i];
        });
        setShape(picked, idx.scalar);
        return;
      }
      case 'Unsqueeze': {
        const from = ints(0);
        const axes = ins[1] ? ints(1).data : attrs.ints('axes');
        if (!from.scalar || !axes || axes.length !== 1 || (axes[0] !== 0 && axes[0] !== -1)) throw err(label, 'an Unsqueeze of a scalar along axis 0', axes);
        setShape(from.data, false);
        return;
      }
      case 'Concat': {
        if (attrs.int('axis', 0) !== 0 && attrs.int('axis', 0) !== -1) throw err(`${label} attribute 'axis'`, '0 (joining shapes)', attrs.int('axis', 0));
        const parts = ins.map((_, k) => ints(k));
        if (parts.some((p) => p.scalar)) throw err(label, 'lists to join, not scalars', ins);
        setShape(parts.flatMap((p) => p.data), false);
        return;
      }
    }
  });

  const outputs = (graph.output ?? []).map((v) => v.name);
  if (outputs.length !== 1 || outputs[0] !== cur) {
    throw onnxError(source, 'graph.output', `one output, the end of the chain ${JSON.stringify(cur)}`, outputs);
  }
  if (!open) throw onnxError(source, 'graph', 'at least one Gemm, MatMul or Conv', undefined, 'the graph has no layer');
  const last: Open = open;
  if (last.closed) {
    throw onnxError(source, 'graph.output', 'logits: the output of the last Gemm, MatMul or Conv, with no activation or pool after it', last.layer.activation ?? last.layer.node, "ncsim's teacher ends with logits");
  }
  const all = [...done, last];
  return {
    teacher: { sizes: [prod(input.shape), ...all.map((l) => prod(l.layer.out))], clip: commonClip(all, source), layers: all.map(teacherLayer) },
    layers: all.map((o) => o.layer),
    input,
    opset,
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
  };
}

function teacherLayer(o: Open): TeacherLayer {
  return {
    nIn: prod(o.layer.in), nOut: prod(o.layer.out), weights: o.weights, bias: o.bias,
    ...(o.conv ? { conv: o.conv } : {}), ...(o.layer.type === 'pool' ? { fixed: true } : {}),
  };
}

/** The one clip bound of every hidden layer with weights (ncsim's teacher has one). */
function commonClip(all: Open[], source: string): number {
  const hidden = all.slice(0, -1).filter((o) => o.layer.type !== 'pool');
  const first = hidden[0];
  for (const o of hidden) {
    if (o.layer.clip !== first.layer.clip) {
      throw onnxError(source, o.layer.activation ?? o.layer.node, `the same activation as ${first.layer.activation} (clip bound ${first.layer.clip})`, `clip bound ${o.layer.clip}`, "ncsim's teacher has one clipped ReLU for all its hidden layers");
    }
  }
  return first ? (first.layer.clip as number) : 1;
}

/** bias[k] += beta * t[k], t holding one value per output (per channel for a convolution) or one for all. */
function addBias(bias: Float32Array, t: { dims: number[]; data: Float32Array }, beta: number, what: string, err: (l: string, e: string, g?: unknown, note?: string) => Error): void {
  const values = t.data;
  const n = bias.length;
  // a per-channel bias of a convolution comes as [K], [K, 1, 1] or [1, K, 1, 1]; a dense one as [N] or [1, N]
  const ok = values.length === 1 || (values.length === n && t.dims.filter((d) => d !== 1).length <= 1);
  if (!ok) throw err(what, `a bias of ${n} values (or one)`, shapeText(t.dims));
  for (let k = 0; k < n; k++) {
    const v = values.length === 1 ? values[0] : values[k];
    bias[k] += beta === 1 ? v : beta * v;
  }
}

/** The chip's geometry of a Conv or AveragePool: one stride and one padding for both axes, no dilation. */
function geometry(
  attrs: Attributes, label: string, shape: number[], K: number, kh: number, kw: number, depthwise: boolean,
  err: (l: string, e: string, g?: unknown, note?: string) => Error,
): ConvGeometry {
  const [C, H, W] = shape;
  const autoPad = attrs.string('auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') throw err(`${label} attribute 'auto_pad'`, 'NOTSET or VALID (give explicit pads)', autoPad);
  const strides = attrs.ints('strides') ?? [1, 1];
  if (strides.length !== 2 || strides[0] !== strides[1] || !(strides[0] >= 1)) throw err(`${label} attribute 'strides'`, 'one stride for both axes, [s, s]', strides);
  const pads = autoPad === 'VALID' ? [0, 0, 0, 0] : (attrs.ints('pads') ?? [0, 0, 0, 0]);
  if (pads.length !== 4 || pads.some((p) => p !== pads[0]) || !(pads[0] >= 0)) throw err(`${label} attribute 'pads'`, 'one padding on every side, [p, p, p, p]', pads);
  const dil = attrs.ints('dilations');
  if (dil && dil.some((d) => d !== 1)) throw err(`${label} attribute 'dilations'`, '[1, 1] (no dilation)', dil);
  if (!(kh >= 1 && kw >= 1)) throw err(label, 'a kernel of at least 1 x 1', [kh, kw]);
  const s = strides[0], p = pads[0];
  const OH = Math.floor((H + 2 * p - kh) / s) + 1, OW = Math.floor((W + 2 * p - kw) / s) + 1;
  if (!(OH >= 1 && OW >= 1)) throw err(label, `a kernel that fits the ${H} x ${W} input with padding ${p}`, [kh, kw]);
  return { inChannels: C, inHeight: H, inWidth: W, channels: K, height: OH, width: OW, kernelHeight: kh, kernelWidth: kw, stride: s, padding: p, depthwise };
}

/** The shape (without batch) after Reshape(to); the batch (first entry) must stay 1, N or -1. */
export function reshape(shape: number[], to: number[], allowZero: boolean, fail: (expected: string, got: unknown) => Error): number[] {
  const full = [1, ...shape];
  const n = prod(full);
  const out = to.map((d, i) => (d === 0 && !allowZero ? (i < full.length ? full[i] : NaN) : d));
  const unknown = out.filter((d) => d === -1).length;
  if (unknown > 1 || out.some((d) => !(d >= -1)) || out.length === 0) throw fail('a shape with integers >= 0 and at most one -1', to);
  const known = prod(out.filter((d) => d !== -1));
  if (unknown === 1) {
    if (known === 0 || n % known !== 0) throw fail(`a shape that holds the ${n} values of ${shapeText(shape)}`, to);
    out[out.indexOf(-1)] = n / known;
  } else if (known !== n) throw fail(`a shape that holds the ${n} values of ${shapeText(shape)}`, to);
  if (out[0] !== 1) throw fail('a first entry for the batch (-1, 0 or N)', to);
  return out.slice(1);
}

/** The data input's shape without its batch dimension: fixed sizes only (the batch may be symbolic). */
function inputShape(v: OnnxValueInfo, source: string): number[] {
  const what = `graph.input ${quoted(v.name)}`;
  const tt = v.type?.tensorType;
  if (!tt) throw onnxError(source, what, 'a tensor input', undefined, 'no tensor type');
  if (tt.elemType !== 1) throw onnxError(source, what, 'a FLOAT tensor input', tt.elemType, 'element type code');
  const dims = tt.shape?.dim;
  if (!dims || dims.length < 2) throw onnxError(source, what, 'a shape N x K or N x C x H x W', dims?.length ?? 'no shape', 'dimensions');
  const shape: number[] = [];
  dims.forEach((d, i) => {
    if (i === 0) return; // the batch: any size, or a name such as "N"
    if (d.dimValue === undefined || !Number.isInteger(d.dimValue) || d.dimValue < 1) {
      throw onnxError(source, `${what} dimension ${i}`, 'a fixed size >= 1', d.dimParam ?? d.dimValue, 'a dynamic size ncsim cannot resolve: export with fixed sizes (only the batch may be dynamic)');
    }
    shape.push(d.dimValue);
  });
  if (shape.length !== 1 && shape.length !== 3) throw onnxError(source, what, 'a shape N x K or N x C x H x W', `${dims.length} dimensions`);
  return shape;
}

/** Why a name is unknown, for messages. */
function known(name: string | undefined, values: Map<string, Value>): string {
  if (!name) return 'no input given';
  return values.has(name) ? 'a constant, not the data' : 'neither the graph input, an initializer nor an earlier node\'s output (missing initializer?)';
}
