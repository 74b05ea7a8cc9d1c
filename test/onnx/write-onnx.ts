/**
 * A small ONNX writer for tests only: ncsim's own teacher (a Teacher) as an ONNX model of
 * Gemm/Conv/AveragePool/Flatten/Relu/Clip nodes, encoded with the same protobuf schema the
 * reader uses. With it a test trains a teacher in ncsim, writes it out, and checks that
 * `--teacher` of that file gives the same targets and the same run. (The fixtures of
 * test/fixtures/onnx/ come from PyTorch's exporter instead: make.py.)
 */
import type { Teacher } from '../../src/host/teacher.js';
import { ATTRIBUTE_TYPE, modelProto, type OnnxModel } from '../../src/host/onnx/schema.js';

const f32 = (a: Float32Array) => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
const ints = (name: string, v: number[]) => ({ name, type: ATTRIBUTE_TYPE.INTS, ints: v });
const int = (name: string, v: number) => ({ name, type: ATTRIBUTE_TYPE.INT, i: v });

export function encodeModel(model: OnnxModel): Uint8Array {
  const T = modelProto();
  return T.encode(T.fromObject(model)).finish();
}

export function decodeForTest(bytes: Uint8Array): any {
  const T = modelProto();
  return T.toObject(T.decode(bytes), { longs: Number, arrays: true, defaults: false });
}

/** The model of teacher `t` (activations: Relu when t.clip is Infinity, else Clip(0, clip)). */
export function teacherToOnnx(t: Teacher): Uint8Array {
  const first = t.layers[0].conv;
  const inputDims = first ? [first.inChannels, first.inHeight, first.inWidth] : [t.sizes[0]];
  const initializer: any[] = [];
  const node: any[] = [];
  let cur = 'x';
  let flat = !first;
  const L = t.layers.length;
  if (Number.isFinite(t.clip)) {
    initializer.push({ name: 'clip_min', dims: [], dataType: 1, rawData: f32(Float32Array.of(0)) });
    initializer.push({ name: 'clip_max', dims: [], dataType: 1, rawData: f32(Float32Array.of(t.clip)) });
  }
  t.layers.forEach((layer, l) => {
    const out = l === L - 1 ? 'y' : `a${l}`;
    const z = `z${l}`;
    const g = layer.conv;
    if (g && layer.fixed) {
      node.push({ name: `pool${l}`, opType: 'AveragePool', input: [cur], output: [out], attribute: [ints('kernel_shape', [g.kernelHeight, g.kernelWidth]), ints('strides', [g.stride, g.stride]), ints('pads', [g.padding, g.padding, g.padding, g.padding])] });
      cur = out;
      return;
    }
    initializer.push({ name: `w${l}`, dims: g ? [g.channels, g.inChannels, g.kernelHeight, g.kernelWidth] : [layer.nOut, layer.nIn], dataType: 1, rawData: f32(layer.weights) });
    initializer.push({ name: `b${l}`, dims: [layer.bias.length], dataType: 1, rawData: f32(layer.bias) });
    const linearOut = l === L - 1 ? out : z;
    if (g) {
      node.push({ name: `conv${l}`, opType: 'Conv', input: [cur, `w${l}`, `b${l}`], output: [linearOut], attribute: [ints('kernel_shape', [g.kernelHeight, g.kernelWidth]), ints('strides', [g.stride, g.stride]), ints('pads', [g.padding, g.padding, g.padding, g.padding])] });
    } else {
      if (!flat) {
        node.push({ name: `flatten${l}`, opType: 'Flatten', input: [cur], output: [`f${l}`], attribute: [int('axis', 1)] });
        cur = `f${l}`;
        flat = true;
      }
      node.push({ name: `fc${l}`, opType: 'Gemm', input: [cur, `w${l}`, `b${l}`], output: [linearOut], attribute: [int('transB', 1)] });
    }
    if (l < L - 1) {
      node.push(Number.isFinite(t.clip)
        ? { name: `clip${l}`, opType: 'Clip', input: [z, 'clip_min', 'clip_max'], output: [out] }
        : { name: `relu${l}`, opType: 'Relu', input: [z], output: [out] });
    }
    cur = out;
  });
  const tensorType = (dims: number[]) => ({ tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, ...dims.map((d) => ({ dimValue: d }))] } } });
  return encodeModel({
    irVersion: 8, producerName: 'ncsim-test', opsetImport: [{ domain: '', version: 13 }],
    graph: { name: 'teacher', node, initializer, input: [{ name: 'x', type: tensorType(inputDims) }], output: [{ name: 'y', type: tensorType([t.sizes[L]]) }] },
  } as OnnxModel);
}
