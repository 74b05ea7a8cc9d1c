import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/host/mnist.js';
import { trainNetTeacher } from '../../src/host/cnn.js';
import { parseNet } from '../../src/net/file.js';
import {
  argmax,
  teacherAccuracy,
  teacherActs,
  teacherFlopsPerSample,
  teacherForward,
  trainTeacher,
  type Teacher,
  type TeacherOptions,
} from '../../src/host/teacher.js';

const { train, test } = loadMnist({ seed: 2, trainSamples: 1200, testSamples: 400 });
const opts: TeacherOptions = { hidden: [48, 24], epochs: 4, learningRate: 2e-3, batchSize: 32, seed: 9 };

function sameWeights(a: Teacher, b: Teacher): boolean {
  return a.layers.every((la, l) => {
    const lb = b.layers[l];
    const eq = (x: Float32Array, y: Float32Array): boolean =>
      Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
    return eq(la.weights, lb.weights) && eq(la.bias, lb.bias);
  });
}

describe('trainTeacher', () => {
  const losses: number[] = [];
  const teacher = trainTeacher(train, opts, (_epoch, loss) => losses.push(loss));

  it('has the requested shape', () => {
    expect(teacher.sizes).toEqual([784, 48, 24, 10]);
    expect(teacher.clip).toBe(1);
    expect(teacher.layers.map((l) => [l.nIn, l.nOut, l.weights.length, l.bias.length])).toEqual([
      [784, 48, 784 * 48, 48],
      [48, 24, 48 * 24, 24],
      [24, 10, 240, 10],
    ]);
  });

  it('reports one finite, falling loss per epoch', () => {
    expect(losses.length).toBe(4);
    expect(losses.every(Number.isFinite)).toBe(true);
    for (let e = 1; e < 4; e++) expect(losses[e]).toBeLessThan(losses[e - 1]);
    expect(losses[0]).toBeLessThan(Math.log(10)); // below a uniform guess already in epoch 1
  });

  it('beats chance clearly on held-out digits', () => {
    const acc = teacherAccuracy(teacher, test);
    expect(acc).toBeGreaterThan(0.75);
  });

  it('is deterministic per seed (bit-identical weights) and differs across seeds', () => {
    expect(sameWeights(trainTeacher(train, opts), teacher)).toBe(true);
    expect(sameWeights(trainTeacher(train, { ...opts, seed: 10 }), teacher)).toBe(false);
  });

  it('with random shifts: deterministic and still learns', () => {
    const o = { ...opts, hidden: [32], epochs: 3, shift: 1 };
    const a = trainTeacher(train, o);
    expect(sameWeights(a, trainTeacher(train, o))).toBe(true);
    expect(sameWeights(a, trainTeacher(train, { ...o, shift: 0 }))).toBe(false);
    const acc = teacherAccuracy(a, test);
    expect(acc).toBeGreaterThan(0.6);
  });

  it('rejects bad options', () => {
    expect(() => trainTeacher(train, { ...opts, hidden: [0] })).toThrow(/hidden/);
    expect(() => trainTeacher(train, { ...opts, epochs: -1 })).toThrow(/epochs/);
    expect(() => trainTeacher(train, { ...opts, learningRate: 0 })).toThrow(/learningRate/);
    expect(() => trainTeacher(train, { ...opts, batchSize: 2.5 })).toThrow(/batchSize/);
    expect(() => trainTeacher(train, { ...opts, clip: 0 })).toThrow(/clip/);
    expect(() => trainTeacher(train, { ...opts, shift: -1 })).toThrow(/shift/);
    expect(() => trainTeacher(train, { ...opts, classes: 5 })).toThrow(/label/);
    const odd = { n: 1, size: 10, images: new Float32Array(10), labels: new Uint8Array(1) };
    expect(() => trainTeacher(odd, { ...opts, shift: 1 })).toThrow(/square/);
  });
});

describe('teacherForward', () => {
  // 3 inputs -> 2 clipped-ReLU units (c = 1) -> 2 logits, worked by hand
  const t: Teacher = {
    sizes: [3, 2, 2],
    clip: 1,
    layers: [
      { nIn: 3, nOut: 2, weights: Float32Array.from([1, 2, 0, -1, 0, 1]), bias: Float32Array.from([0.25, 0.5]) },
      { nIn: 2, nOut: 2, weights: Float32Array.from([1, -3, -1, 2]), bias: Float32Array.from([0, -0.5]) },
    ],
  };

  it('applies the clipped ReLU to hidden layers and leaves logits linear', () => {
    const acts = teacherActs(t);
    // x = [0.5, 0.25, 0]: z = [0.25 + 0.5 + 0.5, 0.5 - 0.5] = [1.25, 0] -> a = [1, 0]; o = [1, -1.5]
    teacherForward(t, Float32Array.from([9, 0.5, 0.25, 0]), 1, acts);
    expect(Array.from(acts[0])).toEqual([1, 0]);
    expect(Array.from(acts[1])).toEqual([1, -1.5]);
    // x = [0, 0, 0.25]: z = [0.25, 0.75] -> a = [.25, .75]; o = [.25 - 2.25, -.25 + 1.5 - .5] = [-2, .75]
    teacherForward(t, Float32Array.from([0, 0, 0.25]), 0, acts);
    expect(Array.from(acts[0])).toEqual([0.25, 0.75]);
    expect(Array.from(acts[1])).toEqual([-2, 0.75]);
    expect(argmax(acts[1])).toBe(1);
  });

  it('counts 2 FLOPs per multiply-add', () => {
    expect(teacherFlopsPerSample(t)).toBe(2 * (3 * 2 + 2 * 2));
  });

  it('rejects inputs out of range and short activation arrays', () => {
    const acts = teacherActs(t);
    expect(() => teacherForward(t, new Float32Array(3), 1, acts)).toThrow(RangeError);
    expect(() => teacherForward(t, new Float32Array(3), 0, [new Float32Array(2)])).toThrow(/acts/);
    expect(() => teacherForward(t, new Float32Array(3), 0, [new Float32Array(2), new Float32Array(1)])).toThrow(/acts\[1\]/);
  });
});

/** The first 16 hex digits of the SHA-256 of every layer's weight and bias bytes. */
function digest(t: Teacher): string {
  const h = createHash('sha256');
  for (const l of t.layers) {
    h.update(Buffer.from(l.weights.buffer, l.weights.byteOffset, l.weights.byteLength));
    h.update(Buffer.from(l.bias.buffer, l.bias.byteOffset, l.bias.byteLength));
  }
  return h.digest('hex').slice(0, 16);
}

describe('teacher precision', () => {
  const smallCnn = parseNet({
    format: 'ncsim.net/1', input: { channels: 1, height: 28, width: 28 },
    layers: [
      { type: 'conv', name: 'c1', channels: 4, kernel: 5, stride: 2, padding: 2 }, { type: 'pool', name: 'p1', kernel: 2 },
      { type: 'dense', name: 'h1', units: 16 }, { type: 'dense', name: 'out', units: 10 },
    ],
  });
  const cnnTrain = { ...train, n: 300 };
  const cnnOpts = { epochs: 1, learningRate: 2e-3, batchSize: 32, seed: 9 };

  it("'f64' is the earlier TypeScript teacher bit for bit (digests of that code's weights, at commit 9a9fa2b)", () => {
    expect(digest(trainTeacher(train, { ...opts, epochs: 2, shift: 1, precision: 'f64' }))).toBe('e9e50ef0f686572c');
    expect(digest(trainNetTeacher(cnnTrain, smallCnn, { ...cnnOpts, precision: 'f64' }))).toBe('0128688488a98bc8');
  });

  it("'f32' (the default) learns as well as 'f64' on the same digits, with other bits", () => {
    const a = trainTeacher(train, opts), b = trainTeacher(train, { ...opts, precision: 'f64' });
    expect(digest(a)).not.toBe(digest(b));
    expect(b.precision).toBe('f64');
    expect(a.precision).toBeUndefined();
    expect(Math.abs(teacherAccuracy(a, test) - teacherAccuracy(b, test))).toBeLessThan(0.03);
    const c = trainNetTeacher(cnnTrain, smallCnn, cnnOpts), d = trainNetTeacher(cnnTrain, smallCnn, { ...cnnOpts, precision: 'f64' });
    expect(digest(c)).toBe(digest(trainNetTeacher(cnnTrain, smallCnn, cnnOpts))); // a seed fixes the bits
    expect(Math.abs(teacherAccuracy(c, test) - teacherAccuracy(d, test))).toBeLessThan(0.05);
  });

  it('rejects an unknown precision', () => {
    expect(() => trainTeacher(train, { ...opts, precision: 'f16' as 'f32' })).toThrow(/precision/);
    expect(() => trainNetTeacher(cnnTrain, smallCnn, { ...cnnOpts, precision: 'f16' as 'f32' })).toThrow(/precision/);
  });
});

describe('teacherForward on the f32 kernels', () => {
  const make = (): Teacher => ({
    sizes: [3, 2, 2],
    clip: 1,
    layers: [
      { nIn: 3, nOut: 2, weights: Float32Array.from([1, 2, 0, -1, 0, 1]), bias: Float32Array.from([0.25, 0.5]) },
      { nIn: 2, nOut: 2, weights: Float32Array.from([1, -3, -1, 2]), bias: Float32Array.from([0, -0.5]) },
    ],
  });
  const x = Float32Array.from([0.5, 0.25, 0]);

  it('sees a change made in place to the weights after a first call, and a new array assigned', () => {
    const t = make(), acts = teacherActs(t);
    teacherForward(t, x, 0, acts);
    expect(Array.from(acts[1])).toEqual([1, -1.5]);
    t.layers[1].weights[0] = 2; // in place: o0 = 2*a0 - 3*a1 = 2
    teacherForward(t, x, 0, acts);
    expect(Array.from(acts[1])).toEqual([2, -1.5]);
    t.layers[1].bias = Float32Array.from([1, 0]); // a new array
    teacherForward(t, x, 0, acts);
    expect(Array.from(acts[1])).toEqual([3, -1]);
    t.clip = 0.5; // a0 = 0.5: o = [1 + 1, -0.5 + 0]
    teacherForward(t, x, 0, acts);
    expect(Array.from(acts[0])).toEqual([0.5, 0]);
    expect(Array.from(acts[1])).toEqual([2, -0.5]);
  });

  it("keeps the teacher's values when it takes them over", () => {
    const t = make(), before = t.layers.map((l) => Array.from(l.weights));
    teacherForward(t, x, 0, teacherActs(t));
    expect(t.layers.map((l) => Array.from(l.weights))).toEqual(before);
  });
});
