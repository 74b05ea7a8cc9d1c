// Hostile ONNX files: each is refused with an InputError (exit status 2 in the CLI) that names
// the file and the node, tensor or field at fault — never a crash, never a half-read teacher.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadOnnxTeacher } from '../../src/host/onnx/load.js';
import { InputError } from '../../src/io/errors.js';
import { Rng } from '../../src/host/rng.js';
import { decodeForTest, encodeModel } from './write-onnx.js';

const dir = new URL('../fixtures/onnx/', import.meta.url).pathname;
const mlpBytes = readFileSync(`${dir}mlp.onnx`);
const cnnBytes = readFileSync(`${dir}cnn.onnx`);

function refused(input: Uint8Array | string): string {
  try {
    loadOnnxTeacher(input, { name: 'bad.onnx' });
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('not refused');
}

/** mlp.onnx (or cnn.onnx) decoded, changed by `edit`, encoded again. */
function edited(edit: (m: any) => void, base: Uint8Array = mlpBytes): Uint8Array {
  const m = decodeForTest(Uint8Array.from(base)); // a copy: decoded bytes fields are views of it
  edit(m);
  return encodeModel(m);
}
const nodeNamed = (m: any, name: string) => m.graph.node.find((n: any) => n.name === name);
const attr = (n: any, name: string) => n.attribute.find((a: any) => a.name === name);

describe('hostile ONNX files', () => {
  it('the edits below start from a file that loads', () => {
    expect(loadOnnxTeacher(edited(() => {})).teacher.sizes).toEqual([784, 32, 10]);
    expect(loadOnnxTeacher(edited(() => {}, cnnBytes)).teacher.sizes).toEqual([784, 784, 196, 32, 10]);
  });

  it('not ONNX: empty, truncated, random bytes, JSON, protobuf without a graph, a folder, no file', () => {
    expect(refused(new Uint8Array(0))).toMatch(/ONNX file "bad.onnx".*the file is empty/);
    expect(refused(mlpBytes.subarray(0, 5000))).toMatch(/ONNX file "bad.onnx".*truncated or not ONNX/);
    const rng = new Rng(4);
    const noise = Uint8Array.from({ length: 4096 }, () => rng.int(256));
    expect(refused(noise)).toMatch(/ONNX file "bad.onnx"/);
    expect(refused(`${dir}cnn.net.json`)).toMatch(/ONNX file ".*cnn.net.json".*not readable as protobuf/);
    expect(refused(encodeModel({ irVersion: 8, producerName: 'x' }))).toMatch(/graph.*no graph: not an ONNX model/);
    expect(refused(dir)).toMatch(/not a regular file/);
    expect(refused(`${dir}absent.onnx`)).toMatch(/ENOENT/);
  });

  it('a missing initializer names the node and the input', () => {
    const bytes = edited((m) => { m.graph.initializer = m.graph.initializer.filter((t: any) => t.name !== '2.weight'); });
    expect(refused(bytes)).toMatch(/node '\/2\/Gemm' \(Gemm\)": expected input 1 to be an initializer or an earlier node's output, got "2.weight" \(missing initializer\?\)/);
  });

  it('an operator ncsim does not run names the node and its op_type (Sigmoid, LSTM, a custom domain)', () => {
    expect(refused(`${dir}sigmoid.onnx`)).toMatch(/node '\/1\/Sigmoid' \(Sigmoid\)": expected one of the operators Gemm, MatMul, Add, Conv, Relu, Clip, AveragePool, Flatten, Reshape, Pad, Constant, Shape, Gather, Unsqueeze, Concat, got "Sigmoid"/);
    expect(refused(edited((m) => { nodeNamed(m, '/1/Relu').opType = 'LSTM'; }))).toMatch(/node '\/1\/Relu' \(LSTM\)/);
    expect(refused(edited((m) => { nodeNamed(m, '/1/Relu').domain = 'com.example'; }))).toMatch(/node '\/1\/Relu' \(Relu\).*default ONNX domain.*"com.example"/);
  });

  it('a dynamic size other than the batch is named', () => {
    expect(refused(`${dir}dynamic.onnx`)).toMatch(/graph.input 'x' dimension 1.*fixed size.*got "F".*dynamic size/);
  });

  it('tensors: truncated raw data, a NaN weight, data in an external file, integer weights', () => {
    const cut = edited((m) => { const t = m.graph.initializer.find((x: any) => x.name === '0.weight'); t.rawData = t.rawData.subarray(0, 400); });
    expect(refused(cut)).toMatch(/node '\/0\/Gemm' \(Gemm\) input 1 '0.weight'.*100352 bytes of raw float data for dims \[32, 784\].*got "400 bytes"/);
    const nan = edited((m) => { const t = m.graph.initializer.find((x: any) => x.name === '2.bias'); new DataView(t.rawData.buffer, t.rawData.byteOffset).setFloat32(8, NaN, true); });
    expect(refused(nan)).toMatch(/input 2 '2.bias'.*finite values, got NaN \(value 2 of dims \[10\]\)/);
    const ext = edited((m) => { m.graph.initializer.find((x: any) => x.name === '0.weight').dataLocation = 1; });
    expect(refused(ext)).toMatch(/'0.weight'.*external file/);
    const ints = edited((m) => { m.graph.initializer.find((x: any) => x.name === '0.bias').dataType = 7; });
    expect(refused(ints)).toMatch(/'0.bias'.*a FLOAT \(or DOUBLE\) tensor, got "INT64"/);
  });

  it("graphs that are not ncsim's teacher: two linear layers in a row, a branch, different clips, a Relu at the end, no output", () => {
    // drop the Relu: Gemm feeds Gemm
    const twoLinear = edited((m) => {
      m.graph.node = m.graph.node.filter((n: any) => n.opType !== 'Relu');
      nodeNamed(m, '/2/Gemm').input[0] = '/0/Gemm_output_0';
    });
    expect(refused(twoLinear)).toMatch(/node '\/2\/Gemm' \(Gemm\).*a Relu or Clip after node '\/0\/Gemm' \(Gemm\) first.*two linear layers in a row/);
    // a residual Add of two activations
    const branch = edited((m) => {
      m.graph.node.splice(2, 0, { name: 'skip', opType: 'Add', input: ['/1/Relu_output_0', '/0/Gemm_output_0'], output: ['s'] });
      nodeNamed(m, '/2/Gemm').input[0] = 's';
    });
    expect(refused(branch)).toMatch(/node 'skip' \(Add\).*the graph branches/);
    // the CNN's first layer clipped at 1, its dense hidden layer a plain Relu
    const mixed = edited((m) => {
      m.graph.initializer.push({ name: 'lo', dims: [], dataType: 1, floatData: [0] }, { name: 'hi', dims: [], dataType: 1, floatData: [1] });
      const r = nodeNamed(m, '/Relu');
      r.opType = 'Clip';
      r.input.push('lo', 'hi');
    }, cnnBytes);
    expect(refused(mixed)).toMatch(/node '\/Relu_1' \(Relu\).*the same activation as node '\/Relu' \(Clip\) \(clip bound 1\), got "clip bound Infinity"/);
    const clipNeg = edited((m) => {
      m.graph.initializer.push({ name: 'lo', dims: [], dataType: 1, floatData: [-1] });
      const r = nodeNamed(m, '/1/Relu');
      r.opType = 'Clip';
      r.input.push('lo');
    });
    expect(refused(clipNeg)).toMatch(/Clip\(min 0, max c > 0\).*got "min -1, max Infinity"/);
    const endsRelu = edited((m) => {
      m.graph.node.push({ name: 'last', opType: 'Relu', input: ['y'], output: ['y2'] });
      m.graph.output[0].name = 'y2';
    });
    expect(refused(endsRelu)).toMatch(/graph.output.*logits.*got "node 'last' \(Relu\)"/);
    expect(refused(edited((m) => { m.graph.output = []; }))).toMatch(/graph.output.*one output/);
    expect(refused(edited((m) => { m.graph.input.push({ name: 'x2', type: m.graph.input[0].type }); }))).toMatch(/exactly one data input.*\["x", "x2"\]/);
  });

  it('attributes ncsim cannot map are named: transA, group, uneven pads or strides, dilation, ceil_mode, a Pad that pads', () => {
    expect(refused(edited((m) => { nodeNamed(m, '/0/Gemm').attribute.push({ name: 'transA', type: 2, i: 1 }); }))).toMatch(/node '\/0\/Gemm' \(Gemm\) attribute 'transA'/);
    expect(refused(edited((m) => { attr(nodeNamed(m, '/conv/Conv'), 'group').i = 2; }, cnnBytes))).toMatch(/attribute 'group'": expected 1/);
    expect(refused(edited((m) => { attr(nodeNamed(m, '/conv/Conv'), 'pads').ints = [2, 2, 1, 1]; }, cnnBytes))).toMatch(/attribute 'pads'": expected one padding on every side/);
    expect(refused(edited((m) => { attr(nodeNamed(m, '/conv/Conv'), 'strides').ints = [2, 1]; }, cnnBytes))).toMatch(/attribute 'strides'/);
    expect(refused(edited((m) => { attr(nodeNamed(m, '/conv/Conv'), 'dilations').ints = [2, 2]; }, cnnBytes))).toMatch(/attribute 'dilations'/);
    expect(refused(edited((m) => { attr(nodeNamed(m, '/pool/AveragePool'), 'ceil_mode').i = 1; }, cnnBytes))).toMatch(/attribute 'ceil_mode'/);
    const pads = edited((m) => {
      const c = nodeNamed(m, '/pool/Constant');
      const t = attr(c, 'value').t;
      t.rawData = new Uint8Array(t.rawData.length);
      new DataView(t.rawData.buffer).setBigInt64(16, 1n, true);
    }, cnnBytes);
    expect(refused(pads)).toMatch(/node '\/pool\/Pad' \(Pad\).*a Pad of zeros/);
  });
});

describe('shapes computed from the data (x.view(x.size(0), -1) with a dynamic batch)', () => {
  const viewBytes = readFileSync(`${dir}cnn-view.onnx`);
  it('fold into the Reshape; anything but a shape list is refused naming the node', () => {
    expect(loadOnnxTeacher(edited(() => {}, viewBytes)).teacher.sizes).toEqual([784, 784, 196, 32, 10]);
    expect(refused(edited((m) => { attr(nodeNamed(m, '/Gather'), 'axis').i = 1; }, viewBytes))).toMatch(/node '\/Gather' \(Gather\)": expected a Gather along axis 0 of a shape/);
    expect(refused(edited((m) => { nodeNamed(m, '/Concat').input[1] = '/pool/AveragePool_output_0'; }, viewBytes))).toMatch(/node '\/Concat' \(Concat\)".*computed from the data/);
    expect(refused(edited((m) => { nodeNamed(m, '/Concat').input.reverse(); }, viewBytes))).toMatch(/node '\/Reshape' \(Reshape\) input 1 '\/Concat_output_0'": expected the batch size first only, got \[-1, "N"\]/);
    expect(refused(edited((m) => { nodeNamed(m, '/fc1/Gemm').input[1] = '/Concat_output_0'; }, viewBytes))).toMatch(/node '\/fc1\/Gemm' \(Gemm\)".*a shape computed from the data/);
  });
});

describe('damaged files', () => {
  it('any truncation or byte change of a good file loads or is refused with an InputError, never a crash', () => {
    const rng = new Rng(11);
    let refusedCount = 0;
    for (let k = 0; k < 300; k++) {
      const base = k % 2 ? cnnBytes : mlpBytes;
      let bytes: Uint8Array;
      if (k % 3 === 0) bytes = base.subarray(0, rng.int(base.length));
      else {
        bytes = Uint8Array.from(base);
        // damage the first 2 kB most often: it holds the graph's nodes and names, the rest is weights
        for (let c = 0; c < 1 + rng.int(4); c++) bytes[rng.int(k % 2 ? 2048 : bytes.length)] = rng.int(256);
      }
      try {
        loadOnnxTeacher(bytes, { name: 'damaged.onnx' });
      } catch (e) {
        expect(e, `case ${k}: ${String(e)}`).toBeInstanceOf(InputError);
        refusedCount++;
      }
    }
    expect(refusedCount).toBeGreaterThan(100);
  });
});
