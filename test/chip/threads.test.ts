// A chip on several threads (src/chip/threads.ts, one wasm call per sample per thread:
// assembly/threaded.ts) is the one-thread chip bit for bit: online LTL on random dense networks
// (slices that are not multiples of 32, empty slices, every option of the rule and the neuron),
// same weights, biases, membranes, spike counts, counters and predictions after every sample, and
// the same events and counters at every step for an observer (the step timer's view: the steps
// are replayed); the TypeScript twin's one-thread chip too. A thread that fails or dies stops the
// run with an error, never a hang. What it cannot run is refused by name.
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Chip, type ChipSpec, type LayerSpec } from '../../src/chip/chip.js';
import type { ConvGeometry } from '../../src/model/types.js';
import { convWeightCount } from '../../src/reference/conv.js';
import { ChipThreads } from '../../src/chip/threads.js';
import { BLOCK_GAP, sliceBounds, threadBytes, threadsUnsupported } from '../../src/chip/thread-plan.js';
import { STATE, stateArray, type ThreadLayout } from '../../src/chip/thread-loop.js';
import { LtlOnline } from '../../src/rules/ltl-online.js';
import { COUNTER_SLOTS } from '../../src/reference/counters.js';

const F = (a: ArrayLike<number>) => Float32Array.from(a);
const open: ChipThreads[] = [];
afterEach(() => { for (const t of open.splice(0)) t.close(); });

const netArb = fc.record({
  sizes: fc.array(fc.integer({ min: 1, max: 90 }), { minLength: 2, maxLength: 4 }),
  inputSize: fc.integer({ min: 1, max: 40 }),
  steps: fc.integer({ min: 1, max: 6 }),
  seed: fc.integer({ min: 1, max: 1e9 }),
  threads: fc.constantFrom(2, 3),
  perNeuronThreshold: fc.boolean(),
  perNeuronLeak: fc.boolean(),
  reset: fc.constantFrom('subtract' as const, 'zero' as const),
  delay: fc.constantFrom(0 as const, 1 as const),
  spikeInput: fc.boolean(),
  updateAt: fc.constantFrom('step' as const, 'sample' as const),
  error: fc.constantFrom('exact' as const, 'sign' as const),
  warmup: fc.constantFrom(0, 1),
  observe: fc.boolean(),
});
type Net = typeof netArb extends fc.Arbitrary<infer R> ? R : never;

/** A seeded uniform stream in [-1, 1). */
function stream(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 2 ** 31 - 1;
  };
}

function build(n: Net) {
  const r = stream(n.seed);
  let nIn = n.inputSize;
  const spec: ChipSpec = {
    inputSize: n.inputSize, reset: n.reset, delay: n.delay, maxSteps: n.steps,
    layers: n.sizes.map((nOut, l) => {
      const layer = {
        name: `l${l}`, nIn, nOut, weights: F(Array.from({ length: nIn * nOut }, () => r() * 0.8)), bias: F(Array.from({ length: nOut }, () => r() / 8)),
        threshold: n.perNeuronThreshold ? F(Array.from({ length: nOut }, () => 0.4 + Math.abs(r()) / 2)) : F([0.5]),
        leak: n.perNeuronLeak ? F(Array.from({ length: nOut }, (_, i) => (i % 2 ? 1 : 0.9))) : F([1]),
      };
      nIn = nOut;
      return layer;
    }),
  };
  const samples = [0, 1, 2].map(() => ({
    x: F(Array.from({ length: n.steps * n.inputSize }, () => (n.spikeInput ? (r() > 0.3 ? 1 : 0) : Math.max(0, r())))),
    targets: spec.layers.map((l) => Array.from({ length: l.nOut }, () => Math.abs(r()) / 2)),
  }));
  return { spec, samples };
}

/** Everything a run leaves, after every sample (and every observed step); `backend` of the one-thread chip ('ts': the TypeScript twin). */
function run(n: Net, threads: number, backend: 'wasm' | 'ts' = 'wasm') {
  const { spec, samples } = build(n);
  const rule = new LtlOnline({ learningRate: 0.05, warmup: n.warmup, error: n.error, updateAt: n.updateAt, width: 1, height: 'unit' });
  const chip = new Chip(spec, backend, rule, threads > 1 ? { threadBytes: threadBytes(spec, threads) } : {});
  chip.analogInput = !n.spikeInput;
  if (threads > 1) open.push(new ChipThreads(chip, rule, threads));
  const seen: unknown[] = [];
  const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(F(a).buffer));
  const state = () => spec.layers.map((_, l) => ({
    w: bits(chip.getWeights(l)), b: bits(chip.getBias(l)), u: bits(chip.membrane(l)), c: Array.from(chip.counts(l)),
    s: bits(chip.spikes(l)), cnt: Array.from(chip.counters(l)),
  }));
  const observe = n.observe
    ? (t: number) => seen.push({
      t, step: chip.step,
      ev: [-1, ...spec.layers.map((_, l) => l)].map((l) => {
        const e = chip.stepEvents(l);
        return Array.from(chip.k.mem.i32.subarray(e.idx >>> 2, (e.idx >>> 2) + e.n));
      }),
      cnt: spec.layers.map((_, l) => Array.from(chip.counters(l))),
    })
    : undefined;
  samples.forEach((s, i) => {
    rule.setSample({ targets: s.targets });
    rule.setLearningRate(0.05 / (i + 1));
    chip.runSample(s.x, n.steps, true, observe);
    seen.push({ sample: i, predict: chip.predict(), state: state() });
  });
  // Inference too (no rule runs).
  chip.runSample(samples[0].x, n.steps, false, observe);
  seen.push({ eval: chip.predict(), state: state() });
  return seen;
}

/**
 * A run that reads nothing between samples (the weights stay in the threads' blocks), then every
 * way the host reads or writes the learned values: weights, biases, accumulated changes; a host
 * write of weights; the arena saved and written back (a checkpoint's resume); the threads closed
 * (the chip goes on alone). What it read, in order.
 */
function quiet(n: Net, threads: number) {
  const { spec, samples } = build(n);
  const rule = new LtlOnline({ learningRate: 0.05, warmup: n.warmup, error: n.error, updateAt: n.updateAt, width: 1, height: 'unit' });
  const chip = new Chip(spec, 'wasm', rule, threads > 1 ? { threadBytes: threadBytes(spec, threads) } : {});
  chip.analogInput = !n.spikeInput;
  const par = threads > 1 ? new ChipThreads(chip, rule, threads) : undefined;
  if (par) open.push(par);
  const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(F(a).buffer));
  const learned = () => spec.layers.map((_, l) => ({
    w: bits(chip.getWeights(l)), b: bits(chip.getBias(l)), g: n.updateAt === 'sample' ? bits(rule.pending(l)) : [],
    u: bits(chip.membrane(l)), c: Array.from(chip.counts(l)), cnt: Array.from(chip.counters(l)),
  }));
  const samplesRun = (k: number) => {
    for (let i = 0; i < k; i++) {
      const s = samples[i % samples.length];
      rule.setSample({ targets: s.targets });
      chip.runSample(s.x, n.steps, true);
    }
  };
  const seen: unknown[] = [];
  samplesRun(4);
  seen.push(learned());
  chip.setWeights(0, chip.getWeights(0).map((v) => v * 0.5));
  samplesRun(2);
  const saved = chip.arena().slice();
  samplesRun(2);
  seen.push(learned());
  chip.arena().set(saved);
  samplesRun(2);
  seen.push(learned());
  par?.close();
  samplesRun(1);
  seen.push(learned());
  return seen;
}

const cnnArb = fc.record({
  inC: fc.integer({ min: 1, max: 2 }), side: fc.integer({ min: 4, max: 8 }), channels: fc.integer({ min: 1, max: 13 }),
  kernel: fc.integer({ min: 1, max: 3 }), stride: fc.integer({ min: 1, max: 2 }), padding: fc.integer({ min: 0, max: 1 }),
  pool: fc.boolean(), dense: fc.integer({ min: 1, max: 40 }), steps: fc.integer({ min: 1, max: 5 }), seed: fc.integer({ min: 1, max: 1e9 }),
  threads: fc.constantFrom(2, 3), spikeInput: fc.boolean(), updateAt: fc.constantFrom('step' as const, 'sample' as const),
  delay: fc.constantFrom(0 as const, 1 as const), observe: fc.boolean(),
});
type Cnn = typeof cnnArb extends fc.Arbitrary<infer R> ? R : never;

/** conv (K channels) -> optional average pool 2 (depthwise, fixed) -> dense -> dense 3: a random CNN of `c`. */
function buildCnn(c: Cnn) {
  const r = stream(c.seed);
  const out = (n: number) => Math.floor((n + 2 * c.padding - c.kernel) / c.stride) + 1;
  const oh = out(c.side);
  const conv: ConvGeometry = { inChannels: c.inC, inHeight: c.side, inWidth: c.side, channels: c.channels, height: oh, width: oh, kernelHeight: c.kernel, kernelWidth: c.kernel, stride: c.stride, padding: c.padding, depthwise: false };
  const ph = Math.floor((oh - 2) / 2) + 1;
  const pool: ConvGeometry = { inChannels: c.channels, inHeight: oh, inWidth: oh, channels: c.channels, height: ph, width: ph, kernelHeight: 2, kernelWidth: 2, stride: 2, padding: 0, depthwise: true };
  const rand = (n: number, a: number) => F(Array.from({ length: n }, () => r() * a));
  const layers: LayerSpec[] = [{ name: 'c1', nIn: c.inC * c.side * c.side, nOut: c.channels * oh * oh, conv, weights: rand(convWeightCount(conv), 0.9), bias: rand(c.channels, 0.1), threshold: F([0.5]), leak: F([0.9]) }];
  if (c.pool && oh >= 2) layers.push({ name: 'p1', nIn: layers[0].nOut, nOut: c.channels * ph * ph, conv: pool, fixed: true, weights: new Float32Array(convWeightCount(pool)).fill(0.25), bias: new Float32Array(c.channels), threshold: F([0.5]), leak: F([1]) });
  for (const [name, nOut] of [['h1', c.dense], ['out', 3]] as const) {
    const nIn = layers[layers.length - 1].nOut;
    layers.push({ name, nIn, nOut, weights: rand(nIn * nOut, 0.6), bias: rand(nOut, 0.1), threshold: F([0.5]), leak: F([0.95]) });
  }
  const spec: ChipSpec = { inputSize: layers[0].nIn, reset: 'subtract', delay: c.delay, maxSteps: c.steps, layers };
  const samples = [0, 1, 2].map(() => ({
    x: F(Array.from({ length: c.steps * spec.inputSize }, () => (c.spikeInput ? (r() > 0.2 ? 1 : 0) : Math.max(0, r() + 0.3)))),
    targets: layers.map((l) => Array.from({ length: l.nOut }, () => Math.abs(r()) / 2)),
  }));
  return { spec, samples };
}

/** What a CNN run leaves after every sample (and observed step), on `threads` threads or one ('ts': the twin's). */
function runCnn(c: Cnn, threads: number, backend: 'wasm' | 'ts' = 'wasm') {
  const { spec, samples } = buildCnn(c);
  const rule = new LtlOnline({ learningRate: 0.05, warmup: 0, error: 'exact', updateAt: c.updateAt, width: 1, height: 'unit' });
  const chip = new Chip(spec, backend, rule, threads > 1 ? { threadBytes: threadBytes(spec, threads) } : {});
  chip.analogInput = !c.spikeInput;
  if (threads > 1) open.push(new ChipThreads(chip, rule, threads));
  const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(F(a).buffer));
  const seen: unknown[] = [];
  const observe = c.observe
    ? (t: number) => seen.push({ t, ev: [-1, ...spec.layers.map((_, l) => l)].map((l) => { const e = chip.stepEvents(l); return Array.from(chip.k.mem.i32.subarray(e.idx >>> 2, (e.idx >>> 2) + e.n)); }), cnt: spec.layers.map((_, l) => Array.from(chip.counters(l))) })
    : undefined;
  const state = () => spec.layers.map((_, l) => ({ w: bits(chip.getWeights(l)), b: bits(chip.getBias(l)), u: bits(chip.membrane(l)), c: Array.from(chip.counts(l)), cnt: Array.from(chip.counters(l)) }));
  samples.forEach((s, i) => {
    rule.setSample({ targets: s.targets });
    chip.runSample(s.x, c.steps, true, observe);
    // Two samples in a row without reading: the weights stay in the threads' blocks between them.
    if (i !== 1) seen.push({ sample: i, predict: chip.predict(), state: state() });
  });
  chip.runSample(samples[0].x, c.steps, false, observe);
  seen.push({ eval: chip.predict(), state: state() });
  return seen;
}

describe('a chip on several threads', () => {
  it('runs convolutions and pooling sliced by output channels: the one-thread chip bit for bit, the twin\'s too', () => {
    fc.assert(fc.property(cnnArb, (c) => {
      const one = runCnn(c, 1);
      expect(runCnn(c, c.threads)).toEqual(one);
    }), { numRuns: 14, seed: 2026 });
    fc.assert(fc.property(cnnArb, (c) => {
      expect(runCnn(c, c.threads)).toEqual(runCnn(c, 1, 'ts'));
    }), { numRuns: 4, seed: 612 });
  });

  it('keeps the learned values in the threads\' blocks between samples and brings them home for every reader and writer', () => {
    fc.assert(fc.property(netArb, (n) => {
      expect(quiet(n, n.threads)).toEqual(quiet(n, 1));
    }), { numRuns: 8, seed: 77 });
  });

  it('equals the one-thread chip bit for bit: weights, states, counters, predictions, observed steps', () => {
    fc.assert(fc.property(netArb, (n) => {
      expect(run(n, n.threads)).toEqual(run(n, 1));
    }), { numRuns: 12, seed: 15 });
  });

  it('equals the TypeScript twin\'s one-thread chip bit for bit (the reference of the per-sample thread kernels)', () => {
    fc.assert(fc.property(netArb, (n) => {
      expect(run(n, n.threads)).toEqual(run(n, 1, 'ts'));
    }), { numRuns: 5, seed: 1515 });
  });

  it('keeps counting right over many samples (the workers\' counters are added and cleared per sample)', () => {
    const n: Net = {
      sizes: [70, 33, 10], inputSize: 30, steps: 5, seed: 7, threads: 2, perNeuronThreshold: false, perNeuronLeak: false,
      reset: 'subtract', delay: 0, spikeInput: false, updateAt: 'step', error: 'exact', warmup: 0, observe: false,
    };
    const a = run(n, 2), b = run(n, 1);
    expect(a).toEqual(b);
    const last = b[b.length - 1] as { state: { cnt: number[] }[] };
    expect(last.state[0].cnt.length).toBe(COUNTER_SLOTS);
    expect(last.state[0].cnt.some((v) => v > 0)).toBe(true);
  });

  it('cuts layers into slices of whole 32-neuron blocks, covering every neuron once', () => {
    expect(sliceBounds(256, 2)).toEqual([0, 128, 256]);
    expect(sliceBounds(10, 2)).toEqual([0, 0, 10]);
    expect(sliceBounds(100, 3)).toEqual([0, 32, 64, 100]);
    fc.assert(fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 16 }), (nOut, k) => {
      const b = sliceBounds(nOut, k);
      expect(b.length).toBe(k + 1);
      expect(b[0]).toBe(0);
      expect(b[k]).toBe(nOut);
      for (let i = 1; i <= k; i++) expect(b[i]).toBeGreaterThanOrEqual(b[i - 1]);
      for (let i = 1; i < k; i++) expect(b[i] % 32 === 0 || b[i] === nOut).toBe(true);
    }));
  });

  const small: Net = {
    sizes: [70, 40, 10], inputSize: 30, steps: 4, seed: 3, threads: 2, perNeuronThreshold: false, perNeuronLeak: false,
    reset: 'subtract', delay: 0, spikeInput: false, updateAt: 'step', error: 'exact', warmup: 0, observe: false,
  };
  /** A chip of `small` on 2 threads that has run one sample; its plan's i32 view and pointer. */
  function started(stallMs?: number) {
    const { spec, samples } = build(small);
    const rule = new LtlOnline({ learningRate: 0.05, warmup: 0, error: 'exact', updateAt: 'step', width: 1, height: 'unit' });
    const chip = new Chip(spec, 'wasm', rule, { threadBytes: threadBytes(spec, 2) });
    const par = new ChipThreads(chip, rule, 2, { stallMs });
    open.push(par);
    rule.setSample({ targets: samples[0].targets });
    chip.runSample(samples[0].x, small.steps, true);
    const internals = par as unknown as { at: { plan: number; ctl: number }; workers: { terminate(): Promise<number> }[] };
    return { chip, par, samples, i32: chip.k.mem.i32, plan: internals.at.plan, ctl: internals.at.ctl >>> 2, workers: internals.workers };
  }

  it('stops with the failing worker\'s message when a worker fails mid-run (no hang)', () => {
    const { chip, samples, i32, plan } = started();
    // Point worker 1's state block of layer 0 (plan: H_LAYER = 24, then L_PER = 19, PER_THREAD = 8
    // slots a thread, P_STATE = 7) outside memory: clearing it traps at the start of its next share.
    const per = i32[(i32[(plan >>> 2) + 24] >>> 2) + 19] >>> 2;
    i32[per + 8 + 7] = 0x7ffffff0;
    expect(() => chip.runSample(samples[1].x, small.steps, true)).toThrow(/thread 1: .*out of bounds/);
    expect(chip.parallel).toBeUndefined();
  });

  it('stops with an error when a worker ends without a word (no hang)', async () => {
    const { chip, samples, workers } = started(300);
    await workers[0].terminate();
    expect(() => chip.runSample(samples[1].x, small.steps, true)).toThrow(/no progress for 0.3 s/);
  });

  it('stops with an error when a worker ended before the next sample\'s start barrier (no hang)', async () => {
    const { chip, samples, workers, i32, ctl } = started(300);
    await workers[0].terminate();
    // Whether or not the worker had reached the barrier before it ended, make it as if it had not
    // (CTL.COUNT = 0): the main thread now waits there for a thread that will never come. Before
    // the fix this wait had no limit and hung the run (seen once in CI under load).
    Atomics.store(i32, ctl, 0);
    expect(() => chip.runSample(samples[1].x, small.steps, true)).toThrow(/no progress for 0.3 s/);
  });

  it('gives each thread its weights, changes and state in blocks of whole lines, at least BLOCK_GAP bytes from any other thread\'s and from the arena', () => {
    const { spec } = build({ ...small, sizes: [96, 64, 10], inputSize: 16 });
    const rule = new LtlOnline({ learningRate: 0.05, warmup: 0, error: 'exact', updateAt: 'sample', width: 1, height: 'unit' });
    const chip = new Chip(spec, 'wasm', rule, { threadBytes: threadBytes(spec, 3) });
    const par = new ChipThreads(chip, rule, 3);
    open.push(par);
    spec.layers.forEach((_, n) => {
      const p = chip.layers[n];
      for (const ptr of [p.wt, p.bias, p.u, p.c, p.i]) expect(ptr % 64).toBe(0);
    });
    // Every region as [start, end, owner] (-1: the arena, which every thread's slices are copied into).
    const L = (par as unknown as { layout: ThreadLayout }).layout;
    const regions: [number, number, number][] = [[chip.k.base, chip.k.base + chip.arenaBytes, -1]];
    L.layers.forEach((y, n) => {
      const nIn = spec.layers[n].nIn;
      for (let k = 0; k < 3; k++) {
        const w = y.slices[k + 1] - y.slices[k];
        if (w === 0) continue;
        for (const p of [y.wtBlock[k], y.gBlock[k]]) {
          expect(p % 64).toBe(0);
          regions.push([p, p + nIn * w * 4, k]);
        }
        for (let a = 0; a < STATE.ARRAYS; a++) expect(stateArray(y.state[k], w, a) % 64).toBe(0);
        regions.push([y.state[k], stateArray(y.state[k], w, STATE.ARRAYS), k]);
      }
    });
    expect(regions.length).toBe(1 + 2 * 3 + 3 * 3 + 1 * 3);
    for (const [a0, a1, ka] of regions) {
      for (const [b0, b1, kb] of regions) {
        if (ka === kb) continue;
        expect(a1 + BLOCK_GAP <= b0 || b1 + BLOCK_GAP <= a0).toBe(true);
      }
    }
  });

  it('refuses what it cannot run, naming it', () => {
    const { spec } = build({
      sizes: [5, 3], inputSize: 4, steps: 2, seed: 1, threads: 2, perNeuronThreshold: false, perNeuronLeak: false,
      reset: 'subtract', delay: 0, spikeInput: false, updateAt: 'step', error: 'exact', warmup: 0, observe: false,
    });
    expect(threadsUnsupported(spec, 'ltl-online')).toBeNull();
    expect(threadsUnsupported(spec)).toBeNull();
    expect(threadsUnsupported(spec, 'stop-w')).toMatch(/rule stop-w/);
    expect(threadsUnsupported({ ...spec, layers: [spec.layers[0], { ...spec.layers[1], readout: true }] })).toMatch(/readout layer \(layer 1, l1/);
    expect(threadsUnsupported({ ...spec, device: { seed: 1, mismatch: { sigma: 0.1 } } as ChipSpec['device'] })).toMatch(/device/);
    const chip = new Chip(spec, 'wasm');
    expect(() => new ChipThreads(chip, undefined, 2)).toThrow(/shared memory/);
  });
});
