// An ONNX model read as ncsim's teacher (src/host/onnx): the forward pass of PyTorch's own
// exports equals PyTorch's outputs to f32 rounding; the same weights give the same teacher
// whatever operators carry them (Gemm, MatMul+Add, Reshape vs Flatten); weights trained by
// ncsim's teacher code and exported by PyTorch (ncsim-mlp.onnx) or by our test writer give
// ncsim's own targets bit for bit; the layers are aligned with the SNN's or refused naming both.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadOnnxTeacher } from '../../src/host/onnx/load.js';
import { teacherActs, teacherForward, trainTeacher, type Teacher } from '../../src/host/teacher.js';
import { initNetTeacher } from '../../src/host/cnn.js';
import { calibrateNorms, targetsFor } from '../../src/host/targets.js';
import { loadMnist } from '../../src/host/mnist.js';
import { Rng } from '../../src/host/rng.js';
import { mlpNet, readNetFile } from '../../src/net/file.js';
import { alignOnnxTeacher } from '../../src/host/onnx/align.js';
import { InputError } from '../../src/io/errors.js';
import { teacherToOnnx } from './write-onnx.js';

const dir = new URL('../fixtures/onnx/', import.meta.url).pathname;
const f32 = (b64: string) => {
  const b = Buffer.from(b64, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const outputs = JSON.parse(readFileSync(`${dir}outputs.json`, 'utf8'));
const inputs = f32(outputs.inputs);
const MNIST = { channels: 1, height: 28, width: 28 };

function logits(t: Teacher, x: Float32Array, s: number): Float32Array {
  const acts = teacherActs(t);
  teacherForward(t, x, s * t.sizes[0], acts);
  return acts[acts.length - 1];
}

function teacherFromJson(path: string): Teacher {
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  return { sizes: doc.sizes, clip: doc.clip, layers: doc.layers.map((l: any) => ({ nIn: l.nIn, nOut: l.nOut, weights: f32(l.weights), bias: f32(l.bias) })) };
}

/** Every layer's targets of every sample, as ncsim computes them (calibrated norms, then targetsFor). */
function allTargets(t: Teacher, data: ReturnType<typeof loadMnist>['train']): Float32Array[] {
  const norms = calibrateNorms(t, data, 99);
  const out = t.layers.map((l) => new Float32Array(l.nOut));
  const all = t.layers.map((l) => new Float32Array(l.nOut * data.n));
  for (let i = 0; i < data.n; i++) {
    targetsFor(t, data, i, norms, out);
    out.forEach((o, l) => all[l].set(o, i * o.length));
  }
  return all;
}

const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('not refused');
};

describe('ONNX teachers exported by PyTorch', () => {
  for (const name of ['mlp.onnx', 'matmul.onnx', 'clip.onnx', 'cnn.onnx', 'cnn-reshape.onnx', 'cnn-view.onnx', 'ncsim-mlp.onnx']) {
    it(`${name}: ncsim's forward pass gives PyTorch's outputs (to f32 rounding)`, () => {
      const t = loadOnnxTeacher(dir + name).teacher;
      const want = f32(outputs.outputs[name]);
      const classes = t.sizes[t.sizes.length - 1];
      for (let s = 0; s < 3; s++) {
        const got = logits(t, inputs, s);
        for (let k = 0; k < classes; k++) expect(Math.abs(got[k] - want[s * classes + k]), `${name} sample ${s} class ${k}`).toBeLessThan(1e-5 * (1 + Math.abs(want[s * classes + k])));
      }
    });
  }

  it('the same weights make the same teacher, bit for bit, whatever operators carry them', () => {
    const gemm = loadOnnxTeacher(`${dir}mlp.onnx`).teacher;
    const matmul = loadOnnxTeacher(`${dir}matmul.onnx`).teacher;
    const clip = loadOnnxTeacher(`${dir}clip.onnx`).teacher;
    expect([gemm.clip, matmul.clip, clip.clip]).toEqual([Infinity, Infinity, 1]);
    for (const other of [matmul, clip]) expect(other.layers.map((l) => [l.weights, l.bias])).toEqual(gemm.layers.map((l) => [l.weights, l.bias]));
    const cnn = loadOnnxTeacher(`${dir}cnn.onnx`).teacher;
    expect(loadOnnxTeacher(`${dir}cnn-reshape.onnx`).teacher).toEqual(cnn);
    expect(loadOnnxTeacher(`${dir}cnn-view.onnx`).teacher).toEqual(cnn);
    // the CNN is the layers of cnn.net.json: conv, pool (fixed), dense, dense
    expect(cnn.layers.map((l) => [l.nIn, l.nOut, !!l.conv, !!l.fixed])).toEqual([[784, 784, true, false], [784, 196, true, true], [196, 32, false, false], [32, 10, false, false]]);
  });

  it("ncsim-mlp.onnx (ncsim's trained weights, exported by PyTorch) gives ncsim's own targets bit for bit", () => {
    const ours = teacherFromJson(`${dir}ncsim-mlp.json`);
    const onnx = loadOnnxTeacher(`${dir}ncsim-mlp.onnx`);
    expect(onnx.teacher).toEqual(ours);
    expect(onnx.producer).toBe('pytorch 1.13.0');
    const { train } = loadMnist({ trainSamples: 300, testSamples: 10, seed: 0 });
    const a = allTargets(ours, train), b = allTargets(onnx.teacher, train);
    expect(b).toEqual(a);
    expect(a[0].some((v) => v > 0 && v < 1)).toBe(true); // not a trivial all-0 / all-1 target
  });
});

describe('a teacher trained by ncsim, written as ONNX and read back', () => {
  it('MLP: the same targets bit for bit (clip 1 as Clip, and a plain ReLU as Relu)', () => {
    const { train } = loadMnist({ trainSamples: 300, testSamples: 10, seed: 0 });
    for (const clip of [1, Infinity]) {
      const t = trainTeacher(train, { hidden: [24, 12], epochs: 1, learningRate: 0.003, batchSize: 32, seed: 5, clip });
      const back = loadOnnxTeacher(teacherToOnnx(t), { net: mlpNet(MNIST, [24, 12], 10) });
      expect(back.teacher).toEqual(t);
      expect(allTargets(back.teacher, train)).toEqual(allTargets(t, train));
    }
  });

  it('CNN (conv, pool, dense): the same activations bit for bit', () => {
    const net = readNetFile(new URL('../../nets/cnn-mnist-s2.json', import.meta.url).pathname);
    const t = initNetTeacher(net, new Rng(3));
    const back = loadOnnxTeacher(teacherToOnnx(t), { net });
    expect(back.teacher).toEqual(t);
    const { train } = loadMnist({ trainSamples: 20, testSamples: 10, seed: 0 });
    const a = teacherActs(t), b = teacherActs(back.teacher);
    for (let s = 0; s < train.n; s++) {
      teacherForward(t, train.images, s * train.size, a);
      teacherForward(back.teacher, train.images, s * train.size, b);
      expect(b).toEqual(a);
    }
  });
});

describe("alignment with the SNN's layers", () => {
  it('matching layers pass; a mismatch is refused naming both shapes', () => {
    const mlp = loadOnnxTeacher(`${dir}mlp.onnx`);
    alignOnnxTeacher(mlp, mlpNet(MNIST, [32], 10), 'mlp.onnx');
    const m20 = refusal(() => loadOnnxTeacher(`${dir}mlp-20.onnx`, { net: mlpNet(MNIST, [32], 10) }));
    expect(m20).toMatch(/layer 1, node '\/0\/Gemm' \(Gemm\)/);
    expect(m20).toMatch(/the SNN's layer h1: dense 784 -> 32 \(the teacher's layer is dense 784 -> 20\)/);
    const deeper = refusal(() => alignOnnxTeacher(mlp, mlpNet(MNIST, [32, 32], 10), 'mlp.onnx'));
    expect(deeper).toMatch(/3 layers \(dense 784 -> 32, dense 32 -> 32, dense 32 -> 10\).*the teacher has 2: dense 784 -> 32, dense 32 -> 10;/);
    const cnn = loadOnnxTeacher(`${dir}cnn.onnx`);
    alignOnnxTeacher(cnn, readNetFile(`${dir}cnn.net.json`), 'cnn.onnx');
    const s2 = refusal(() => alignOnnxTeacher(cnn, readNetFile(new URL('../../nets/cnn-mnist-s2.json', import.meta.url).pathname), 'cnn.onnx'));
    expect(s2).toMatch(/conv 1x28x28 -> 8x14x14 \(5x5\/2 pad 2\) \(the teacher's layer is conv 1x28x28 -> 4x14x14 \(5x5\/2 pad 2\)\)/);
    expect(refusal(() => alignOnnxTeacher(cnn, mlpNet(MNIST, [784, 196, 32], 10), 'cnn.onnx'))).toMatch(/layer 1, node '\/conv\/Conv' \(Conv\).*dense 784 -> 784 \(the teacher's layer is conv/);
    // the input: a 3-D input must be the net's C x H x W
    const wide = { ...readNetFile(`${dir}cnn.net.json`) };
    wide.input = { channels: 1, height: 14, width: 56 };
    expect(refusal(() => alignOnnxTeacher(cnn, wide, 'cnn.onnx'))).toMatch(/input 'x'.*1x14x56.*the teacher's input is 1x28x28/);
  });
});
