/**
 * ONNX bytes to plain records (schema.ts), and the tensors and attributes of those records as
 * numbers. Every refusal is an InputError (exit status 2) naming the file and what is wrong:
 * not protobuf, truncated, no graph, a tensor whose data do not fill its dims, weights stored
 * outside the file, a non-finite weight.
 */
import { InputError } from '../../io/errors.js';
import { ATTRIBUTE_TYPE, DATA_TYPE, DATA_TYPE_NAMES, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor, modelProto } from './schema.js';

/** First words of every message about an ONNX file. */
export const ONNX_KIND = 'ONNX file';

/**
 * Refuse `field` of the ONNX file `source`: `ONNX file model.onnx "node 'fc2' (Sigmoid)": expected ..., got ... (note)`,
 * or the file as a whole (field ''): `ONNX file "model.onnx": expected ...`.
 */
export function onnxError(source: string, field: string, expected: string, got?: unknown, note?: string): InputError {
  const options = { showGot: got !== undefined, ...(note ? { note } : {}) };
  return field === '' ? new InputError(source, expected, got, { kind: ONNX_KIND, ...options }) : new InputError(field, expected, got, { kind: `${ONNX_KIND} ${source}`, ...options });
}

/** A name inside a field label, quoted without the double quotes that wrap the label. */
export const quoted = (name: string | undefined): string => `'${name ?? ''}'`;

/** The model in `bytes`, refused unless it is a protobuf ModelProto with a graph and an ONNX operator set. */
export function decodeModel(bytes: Uint8Array, source: string): OnnxModel {
  if (bytes.length === 0) throw onnxError(source, '', 'an ONNX model (a protobuf ModelProto)', undefined, 'the file is empty');
  let model: OnnxModel;
  try {
    const type = modelProto();
    model = type.toObject(type.decode(bytes), { longs: Number, arrays: true, defaults: false }) as OnnxModel;
  } catch (e) {
    throw onnxError(source, '', 'an ONNX model (a protobuf ModelProto)', undefined, `not readable as protobuf, truncated or not ONNX: ${(e as Error).message}`);
  }
  if (!model.graph || !model.graph.node?.length) {
    throw onnxError(source, 'graph', 'an ONNX model with a graph of nodes', undefined, 'the file decodes as protobuf but has no graph: not an ONNX model');
  }
  if (model.irVersion === undefined || !(model.irVersion >= 3)) {
    throw onnxError(source, 'ir_version', 'an ONNX IR version >= 3 (operator sets)', model.irVersion);
  }
  return model;
}

/** The version of the default (ai.onnx) operator set the model imports. */
export function onnxOpset(model: OnnxModel, source: string): number {
  const set = (model.opsetImport ?? []).find((o) => o.domain === undefined || o.domain === '' || o.domain === 'ai.onnx');
  if (!set || !Number.isInteger(set.version) || (set.version as number) < 1) {
    throw onnxError(source, 'opset_import', 'an import of the default ONNX operator set (domain "" or "ai.onnx") with its version', model.opsetImport);
  }
  return set.version as number;
}

/** How a node is named in messages: `node 'fc1' (Gemm)`. */
export function nodeLabel(node: OnnxNode, index: number): string {
  return `node ${quoted(node.name || `#${index}`)} (${node.opType ?? 'no op_type'})`;
}

const MAX_DIM = 2 ** 31 - 1;

/** The dims of a tensor, each an integer in [0, 2^31). */
export function tensorDims(t: OnnxTensor, source: string, what: string): number[] {
  const dims = t.dims ?? [];
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0 || d > MAX_DIM) throw onnxError(source, what, 'dims that are integers >= 0', dims);
  }
  return dims.map(Number);
}

function count(dims: number[], source: string, what: string): number {
  const n = dims.reduce((a, b) => a * b, 1);
  if (n > MAX_DIM) throw onnxError(source, what, `a tensor of at most ${MAX_DIM} values`, dims);
  return n;
}

function typeName(t: number | undefined): string {
  return t !== undefined && DATA_TYPE_NAMES[t] ? DATA_TYPE_NAMES[t] : String(t);
}

function checkInFile(t: OnnxTensor, source: string, what: string): void {
  if (t.dataLocation === 1 || (t.externalData?.length ?? 0) > 0) {
    throw onnxError(source, what, 'its data inside the ONNX file', undefined, 'the tensor is stored in an external file; export with the weights inside (torch.onnx.export does for models under 2 GB)');
  }
}

/** A FLOAT (or DOUBLE, rounded to f32) tensor's values, all finite, exactly as many as its dims say. */
export function floatTensor(t: OnnxTensor, source: string, what: string): { dims: number[]; data: Float32Array } {
  checkInFile(t, source, what);
  const dims = tensorDims(t, source, what);
  const n = count(dims, source, what);
  let data: Float32Array;
  if (t.dataType === DATA_TYPE.FLOAT) {
    if (t.rawData && t.rawData.length > 0) {
      if (t.rawData.length !== 4 * n) throw onnxError(source, what, `${4 * n} bytes of raw float data for dims [${dims.join(', ')}]`, `${t.rawData.length} bytes`, 'truncated?');
      data = new Float32Array(n);
      const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
      for (let k = 0; k < n; k++) data[k] = view.getFloat32(4 * k, true);
    } else {
      const f = t.floatData ?? [];
      if (f.length !== n) throw onnxError(source, what, `${n} float values for dims [${dims.join(', ')}]`, `${f.length} values`, 'truncated?');
      data = Float32Array.from(f);
    }
  } else if (t.dataType === DATA_TYPE.DOUBLE) {
    data = new Float32Array(n);
    if (t.rawData && t.rawData.length > 0) {
      if (t.rawData.length !== 8 * n) throw onnxError(source, what, `${8 * n} bytes of raw double data for dims [${dims.join(', ')}]`, `${t.rawData.length} bytes`, 'truncated?');
      const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
      for (let k = 0; k < n; k++) data[k] = view.getFloat64(8 * k, true);
    } else {
      const f = t.doubleData ?? [];
      if (f.length !== n) throw onnxError(source, what, `${n} double values for dims [${dims.join(', ')}]`, `${f.length} values`, 'truncated?');
      data.set(f);
    }
  } else {
    throw onnxError(source, what, 'a FLOAT (or DOUBLE) tensor', typeName(t.dataType));
  }
  for (let k = 0; k < n; k++) {
    if (!Number.isFinite(data[k])) throw onnxError(source, what, 'finite values', data[k], `value ${k} of dims [${dims.join(', ')}]`);
  }
  return { dims, data };
}

/** An INT64 (or INT32) tensor's values, each a safe integer (shapes of Reshape, bounds of Clip). */
export function intTensor(t: OnnxTensor, source: string, what: string): { dims: number[]; data: number[] } {
  checkInFile(t, source, what);
  const dims = tensorDims(t, source, what);
  const n = count(dims, source, what);
  const data: number[] = [];
  if (t.dataType === DATA_TYPE.INT64 || t.dataType === DATA_TYPE.INT32) {
    const width = t.dataType === DATA_TYPE.INT64 ? 8 : 4;
    if (t.rawData && t.rawData.length > 0) {
      if (t.rawData.length !== width * n) throw onnxError(source, what, `${width * n} bytes of raw integer data for dims [${dims.join(', ')}]`, `${t.rawData.length} bytes`, 'truncated?');
      const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
      for (let k = 0; k < n; k++) data.push(width === 8 ? Number(view.getBigInt64(8 * k, true)) : view.getInt32(4 * k, true));
    } else {
      const v = (t.dataType === DATA_TYPE.INT64 ? t.int64Data : t.int32Data) ?? [];
      if (v.length !== n) throw onnxError(source, what, `${n} integer values for dims [${dims.join(', ')}]`, `${v.length} values`, 'truncated?');
      data.push(...v.map(Number));
    }
  } else {
    throw onnxError(source, what, 'an INT64 (or INT32) tensor', typeName(t.dataType));
  }
  for (const v of data) if (!Number.isSafeInteger(v)) throw onnxError(source, what, 'integers', v);
  return { dims, data };
}

/** A node's attributes by name, each read with the type it must have. */
export class Attributes {
  private readonly byName = new Map<string, OnnxAttribute>();

  constructor(
    node: OnnxNode,
    private readonly source: string,
    private readonly label: string,
  ) {
    for (const a of node.attribute ?? []) {
      if (a.refAttrName) throw onnxError(source, `${label} attribute ${quoted(a.name)}`, 'a value', undefined, 'a reference to a function attribute; only a main graph is read');
      this.byName.set(a.name ?? '', a);
    }
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  private get(name: string, type: number, typeWord: string): OnnxAttribute | undefined {
    const a = this.byName.get(name);
    if (a && a.type !== undefined && a.type !== type) throw onnxError(this.source, `${this.label} attribute ${quoted(name)}`, typeWord, a.type, 'attribute type code');
    return a;
  }

  int(name: string, dflt: number): number {
    const a = this.get(name, ATTRIBUTE_TYPE.INT, 'an int');
    return a?.i ?? (a ? 0 : dflt);
  }

  float(name: string, dflt: number): number {
    const a = this.get(name, ATTRIBUTE_TYPE.FLOAT, 'a float');
    return a?.f ?? (a ? 0 : dflt);
  }

  ints(name: string): number[] | undefined {
    const a = this.get(name, ATTRIBUTE_TYPE.INTS, 'a list of ints');
    return a ? (a.ints ?? []).map(Number) : undefined;
  }

  floats(name: string): number[] | undefined {
    const a = this.get(name, ATTRIBUTE_TYPE.FLOATS, 'a list of floats');
    return a ? (a.floats ?? []) : undefined;
  }

  string(name: string, dflt: string): string {
    const a = this.get(name, ATTRIBUTE_TYPE.STRING, 'a string');
    return a?.s ? new TextDecoder().decode(a.s) : dflt;
  }

  tensor(name: string): OnnxTensor | undefined {
    return this.get(name, ATTRIBUTE_TYPE.TENSOR, 'a tensor')?.t;
  }
}
