/**
 * The threaded target stream needs the worker bundle dist/targets-worker.js (`npm test` builds
 * it first; after editing src/host or src/stream, rebuild before running this file alone).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type Dataset } from '../../src/host/mnist.js';
import { trainTeacher, type Teacher } from '../../src/host/teacher.js';
import { batchNorms, calibrateNorms, targetsFor } from '../../src/host/targets.js';
import { Rng } from '../../src/host/rng.js';
import { createTargetProducer, createTargetStream, type TargetStream } from '../../src/stream/target-stream.js';

let data: Dataset;
let teacher: Teacher;
let norms: number[];
let order: Int32Array;

beforeAll(() => {
  data = loadMnist({ trainSamples: 100, testSamples: 0 }).train;
  teacher = trainTeacher(data, { hidden: [16], epochs: 3, learningRate: 0.01, batchSize: 16, seed: 3 });
  norms = calibrateNorms(teacher, data, 99);
  // two shuffled passes back to back: indices repeat, the ring wraps many times
  const rng = new Rng(7);
  const a = Int32Array.from({ length: data.n }, (_, i) => i);
  const b = a.slice();
  rng.shuffle(a);
  rng.shuffle(b);
  order = new Int32Array(2 * data.n);
  order.set(a);
  order.set(b, data.n);
});

/** every sample's targets, concatenated, as raw float32 bits */
function drain(s: TargetStream, count = s.length - s.position): Uint32Array {
  const parts: number[] = [];
  for (let k = 0; k < count; k++) {
    for (const layer of s.next()) parts.push(...new Uint32Array(layer.buffer.slice(layer.byteOffset, layer.byteOffset + layer.byteLength)));
  }
  return Uint32Array.from(parts);
}

function expected(ord: ArrayLike<number>, perBatch?: { batch: number; percentile: number }): Uint32Array {
  const out = teacher.layers.map((l) => new Float32Array(l.nOut));
  const parts: number[] = [];
  let n = norms;
  for (let s = 0; s < ord.length; s++) {
    if (perBatch && s % perBatch.batch === 0) {
      n = batchNorms(teacher, data, Int32Array.from(ord).subarray(s, Math.min(ord.length, s + perBatch.batch)), perBatch.percentile);
    }
    targetsFor(teacher, data, ord[s], n, out);
    for (const layer of out) parts.push(...new Uint32Array(layer.buffer));
  }
  return Uint32Array.from(parts);
}

describe('target stream: same values as targetsFor, bit for bit', () => {
  it('threaded (small ring, back-pressure) = in-thread = targetsFor', () => {
    const want = expected(order);
    expect(want.some((b) => b !== 0 && b !== 0x3f800000)).toBe(true); // not all 0 / 1
    const inThread = createTargetStream({ teacher, data, norms, order, threaded: false });
    expect(drain(inThread)).toEqual(want);
    inThread.close();
    for (const slots of [1, 3, 256]) {
      const threaded = createTargetStream({ teacher, data, norms, order, threaded: true, slots });
      expect(threaded.threaded).toBe(true);
      expect(drain(threaded)).toEqual(want);
      expect(threaded.position).toBe(order.length);
      expect(() => threaded.next()).toThrow(/all 200 samples/);
      threaded.close();
    }
  });

  it('per-batch norms (train.ts normalization "batch") match the in-thread loop', () => {
    const spec = { batch: 30, percentile: 95 };
    const want = expected(order, spec);
    for (const threaded of [false, true]) {
      const s = createTargetStream({ teacher, data, order, batchNorms: spec, threaded, slots: 7 });
      expect(drain(s)).toEqual(want);
      s.close();
    }
  });

  it('a producer runs pass after pass on one worker; opening a pass closes the unfinished one', () => {
    const producer = createTargetProducer({ teacher, data, threaded: true, slots: 5 });
    const first = producer.stream({ order, norms });
    drain(first, 17); // leave it unfinished
    const second = producer.stream({ order: order.subarray(50, 120), norms });
    expect(() => first.next()).toThrow(/after close/);
    expect(drain(second)).toEqual(expected(order.subarray(50, 120)));
    const third = producer.stream({ order: [5, 5, 0], norms });
    expect(drain(third)).toEqual(expected([5, 5, 0]));
    producer.close();
    expect(() => producer.stream({ order, norms })).toThrow(/closed/);
  });

  it('refuses bad input before starting anything', () => {
    expect(() => createTargetStream({ teacher, data, norms, order: [0, 100], threaded: true })).toThrow(/order\[1\] = 100 is not a sample index in \[0, 100\)/);
    expect(() => createTargetStream({ teacher, data, norms: [1], order, threaded: false })).toThrow(/one y_norm per teacher layer \(2\)/);
    expect(() => createTargetStream({ teacher, data, norms, order, threaded: true, slots: 0 })).toThrow(/slots/);
    expect(() => createTargetStream({ teacher, data, norms, order, threaded: true, workerUrl: new URL('file:///nonexistent/targets-worker.js') }))
      .toThrow(/worker bundle is missing at \/nonexistent\/targets-worker.js \(run `npm run build`\)/);
  });
});

describe('target stream: a failing worker gives an Error, not a hang', () => {
  it('an exception in the worker surfaces at the sample it concerns', () => {
    const s = createTargetStream({ teacher, data, norms, order, threaded: true, slots: 4, faultForTests: { at: 9, kind: 'throw' } });
    expect(drain(s, 9)).toEqual(expected(order.subarray(0, 9)));
    expect(() => s.next()).toThrow(new RegExp(`failed on order\\[9\\] = sample ${order[9]}: Error: injected fault`));
    expect(() => s.next()).toThrow(/injected fault/); // stays failed
    s.close();
  });

  it('a worker thread that exits is reported at once', () => {
    const t0 = performance.now();
    const s = createTargetStream({ teacher, data, norms, order, threaded: true, faultForTests: { at: 3, kind: 'exit' } });
    drain(s, 3);
    expect(() => s.next()).toThrow(/the teacher worker exited \(code 1\) before producing order\[3\]/);
    expect(performance.now() - t0).toBeLessThan(15_000); // well under the 30 s default timeout: reported at once, not by it
    s.close();
  });

  it('a worker that stops making progress is reported after the timeout', () => {
    const t0 = performance.now();
    const producer = createTargetProducer({ teacher, data, threaded: true, timeoutMs: 300 });
    const s = producer.stream({ order, norms, faultForTests: { at: 0, kind: 'hang' } });
    expect(() => s.next()).toThrow(/made no progress for 300 ms while the consumer waited for order\[0\]/);
    expect(performance.now() - t0).toBeLessThan(15_000); // well under the 30 s default timeout: reported at once, not by it
    expect(() => producer.stream({ order, norms })).toThrow(/no progress/); // the producer is broken
    producer.close();
  });
});
