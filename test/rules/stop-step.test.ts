// STOP writing at every step (updates at "step", no gradient accumulators; src/rules/stop.ts):
// its kernels equal their twins bit for bit; at every step it writes exactly what the
// sample-mode rule accumulates at that step (from the same parameters), so a one-step sample
// writes the same bits either way; it reserves no ∂W, ∂b, ∂ϑ, ∂α; it trains conv layers; a run
// refuses "step" for the rules that cannot, and a resumed step-mode run equals an uninterrupted one.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chip, ChipSpec, LayerSpec, weightCount } from '../../src/chip/chip.js';
import type { ConvGeometry } from '../../src/model/types.js';
import { adaptSpec, createRule } from '../../src/rules/index.js';
import { Stop, STOP_MIN_PARAM } from '../../src/rules/stop.js';
import { accumulatorBytes, learningMemoryCurves, ruleLearningBytes, ruleMemorySplit } from '../../src/rules/memory.js';
import { RULE_TABLE, updateAtFor } from '../../src/rules/table.js';
import { LEARN_UPDATES, LEARN_BIAS_UPDATES, LEARN_WEIGHT_WRITES } from '../../src/reference/counters.js';
import { convOutSize, convWeightCount, geometryBlock } from '../../src/reference/conv.js';
import { Rng } from '../../src/host/rng.js';
import { train, resolveTrainOptions, checkpointing, type LibraryTrainOptions } from '../../src/node/api.js';
import { trainSteps, drain, type RunPosition } from '../../src/train/train.js';
import { loadModel } from '../../src/cost/hwmodel.js';
import { Checkpoint } from '../../src/train/checkpoint.js';
import { pair, layout, small, positive, unit, vec, sparse, CNT_BYTES } from '../kernel-pair.js';

const F = (a: ArrayLike<number>) => Float32Array.from(a);
const fr = Math.fround;
const STOPS = ['stop-w', 'stop-wtl'] as const;
type StopName = (typeof STOPS)[number];


/** A small random convolution geometry, full or depthwise. */
const geometryArb: fc.Arbitrary<ConvGeometry> = fc.record({
  inChannels: fc.integer({ min: 1, max: 3 }), inHeight: fc.integer({ min: 1, max: 6 }), inWidth: fc.integer({ min: 1, max: 6 }),
  channels: fc.integer({ min: 1, max: 4 }), kernelHeight: fc.integer({ min: 1, max: 3 }), kernelWidth: fc.integer({ min: 1, max: 3 }),
  stride: fc.integer({ min: 1, max: 2 }), padding: fc.integer({ min: 0, max: 1 }), depthwise: fc.boolean(),
}).map((g) => ({
  ...g, channels: g.depthwise ? g.inChannels : g.channels,
  height: convOutSize(g.inHeight, g.kernelHeight, g.stride, g.padding), width: convOutSize(g.inWidth, g.kernelWidth, g.stride, g.padding),
})).filter((g) => g.height > 0 && g.width > 0);

describe('stopStep and convStopStep equal their twins bit for bit', () => {
  it('stopStep (per-layer and per-neuron leak, with and without thresholds and leaks, clamps reached)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.constantFrom(0, 1), fc.constantFrom(0, 1),
      sparse(small, 9), sparse(small, 81), vec(small, 81), vec(small, 9), vec(small, 9), vec(small, 9), vec(positive, 9), vec(unit, 9),
      fc.float({ min: -2, max: 2, noNaN: true }), fc.float({ min: -2, max: 2, noNaN: true }),
      (nIn, nOut, pn, tl, d, eW, w, eb, eth, ea, thr, leak, lrW, lrTL) => {
        const L = layout([nOut, nOut, nIn * nOut, nIn * nOut, nOut, nOut, nOut, nOut, nOut, nOut]);
        const [D, A, EW, W, B, EB, ETH, EA, TH, LK] = L.at, CNT = L.bytes - CNT_BYTES;
        const p = pair(L.bytes);
        const delta = d.slice(0, nOut), active = [...delta.keys()].filter((i) => delta[i] !== 0);
        p.f32(D, delta); p.i32(A, active);
        p.f32(EW, eW.slice(0, pn ? nIn * nOut : nIn)); p.f32(W, w.slice(0, nIn * nOut)); p.f32(B, w.slice(9, 9 + nOut));
        p.f32(EB, eb.slice(0, nOut)); p.f32(ETH, eth.slice(0, nOut)); p.f32(EA, ea.slice(0, nOut));
        p.f32(TH, thr.slice(0, nOut)); p.f32(LK, leak.slice(0, nOut));
        p.call((k, at) => k.stopStep(nIn, nOut, at(W), at(B), at(EW), pn, at(EB), pn, at(D), at(A), active.length, lrW,
          tl, at(ETH), at(EA), at(TH), at(LK), pn, lrTL, STOP_MIN_PARAM, at(CNT)));
        p.same();
        for (const k of p.ks) {
          const th = k.mem.f32.subarray((k.base + TH) >>> 2, ((k.base + TH) >>> 2) + nOut);
          const lk = k.mem.f32.subarray((k.base + LK) >>> 2, ((k.base + LK) >>> 2) + (pn ? nOut : 1));
          for (const v of th) expect(v).toBeGreaterThanOrEqual(tl ? STOP_MIN_PARAM : 0.05);
          for (const v of lk) expect(v >= STOP_MIN_PARAM && v <= 1).toBe(true);
        }
      }), { numRuns: 300 });
  });

  it('convStopStep (full and depthwise, with and without thresholds and the leak)', () => {
    const f32 = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e3, max: 1e3 });
    fc.assert(fc.property(geometryArb, fc.constantFrom(0, 1), fc.array(f32, { minLength: 400, maxLength: 400 }),
      fc.array(fc.oneof(fc.constant(0), fc.constant(0), f32), { minLength: 300, maxLength: 300 }), fc.array(fc.oneof(fc.constant(0), f32), { minLength: 200, maxLength: 200 }),
      fc.float({ min: -1, max: 1, noNaN: true }), fc.float({ min: -1, max: 1, noNaN: true }), unit,
      (g, tl, vals, ds, es, lrW, lrTL, leak) => {
        const nIn = g.inChannels * g.inHeight * g.inWidth, nOut = g.channels * g.height * g.width, nW = convWeightCount(g);
        const L = layout([16, nW, g.channels, nIn, 1, nOut, nOut, nOut, nOut, nOut, 1]);
        const [GEO, W, B, EW, EB, ETH, EA, TH, D, A, LK] = L.at, CNT = L.bytes - CNT_BYTES;
        const p = pair(L.bytes);
        p.i32(GEO, geometryBlock(g));
        p.f32(W, Array.from({ length: nW }, (_, i) => vals[i % 400]));
        p.f32(B, Array.from({ length: g.channels }, (_, i) => vals[(i * 3 + 2) % 400]));
        p.f32(EW, Array.from({ length: nIn }, (_, j) => es[j % 200]));
        p.f32(EB, [vals[7]]);
        p.f32(ETH, Array.from({ length: nOut }, (_, i) => vals[(i * 11 + 5) % 400]));
        p.f32(EA, Array.from({ length: nOut }, (_, i) => es[(i * 13 + 1) % 200]));
        p.f32(TH, Array.from({ length: nOut }, (_, i) => Math.abs(vals[(i * 17 + 9) % 400])));
        p.f32(LK, [leak]);
        const d = Array.from({ length: nOut }, (_, i) => ds[i % 300]);
        const active = [...d.keys()].filter((i) => d[i] !== 0);
        p.f32(D, d); p.i32(A, active);
        p.call((k, at) => k.convStopStep(at(GEO), at(W), at(B), at(EW), at(EB), at(D), at(A), active.length, lrW,
          tl, at(ETH), at(EA), at(TH), at(LK), lrTL, STOP_MIN_PARAM, at(CNT)));
        p.same();
      }), { numRuns: 150 });
  });
});

const netArb = fc.record({
  sizes: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 3, maxLength: 4 }),
  steps: fc.integer({ min: 1, max: 6 }),
  vals: fc.array(fc.float({ min: -2, max: 2, noNaN: true }), { minLength: 200, maxLength: 200 }),
  leak: fc.constantFrom(1, 0.9, 0.5),
  perNeuronLeak: fc.boolean(),
  threshold: fc.constantFrom(0.25, 0.6, 1),
  spikeInput: fc.boolean(),
  width: fc.constantFrom(0.5, 1, 2),
  height: fc.constantFrom('unit' as const, 'normalized' as const),
  learningRate: fc.constantFrom(0.01, 0.1, 0.5),
  scale: fc.constantFrom(undefined, 0.5),
});
type NetGen = typeof netArb extends fc.Arbitrary<infer R> ? R : never;

/** A STOP network (spiking layers + a readout), its two samples' inputs and labels. */
function build(n: NetGen, rule: StopName) {
  let k = 0;
  const v = () => n.vals[k++ % n.vals.length];
  const L = n.sizes.length - 1;
  const spec: ChipSpec = adaptSpec(rule, {
    inputSize: n.sizes[0], reset: 'subtract', delay: 0, maxSteps: n.steps,
    layers: n.sizes.slice(1).map((nOut, l) => {
      const nIn = n.sizes[l];
      return {
        name: `l${l}`, nIn, nOut, weights: F(Array.from({ length: nIn * nOut }, v)), bias: F(Array.from({ length: nOut }, () => v() / 4)),
        threshold: F([n.threshold]),
        leak: n.perNeuronLeak ? F(Array.from({ length: nOut }, (_, i) => (i % 2 ? 1 : n.leak))) : F([n.leak]),
        readout: l === L - 1,
      };
    }),
  });
  const xs = [0, 1].map(() => F(Array.from({ length: n.steps * n.sizes[0] }, () => (n.spikeInput ? (v() > 0 ? 1 : 0) : Math.abs(v())))));
  const labels = [0, 1].map((s) => (s + Math.abs(Math.round(v() * 3))) % n.sizes[L]);
  return { spec, xs, labels };
}

function stopRule(rule: StopName, n: NetGen, updateAt: 'step' | 'sample', layers: number): Stop {
  const layerScale = n.scale === undefined ? undefined : Array.from({ length: layers }, (_, l) => (l === 0 ? n.scale as number : 1));
  return createRule(rule, { learningRate: n.learningRate, warmup: 0, error: 'exact', updateAt, width: n.width, height: n.height, ...(layerScale ? { layerScale } : {}) }) as Stop;
}

/** Every parameter of the chip, as stored (weights, biases, thresholds, leaks of every layer). */
function params(chip: Chip): Float32Array {
  return F(chip.spec.layers.flatMap((_, l) => [...chip.getWeights(l), ...chip.getBias(l), ...chip.getThreshold(l), ...chip.getLeak(l)]));
}

const bits = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('STOP updating at "step"', () => {
  for (const rule of STOPS) {
    it(`${rule}: a chip on wasm equals the TS twin bit for bit over two samples (states, parameters, counters)`, () => {
      fc.assert(fc.property(netArb, (n) => {
        const out = (['wasm', 'ts'] as const).map((backend) => {
          const { spec, xs, labels } = build(n, rule);
          const r = stopRule(rule, n, 'step', spec.layers.length);
          const chip = new Chip(spec, backend, r);
          chip.analogInput = !n.spikeInput;
          const states: number[] = [];
          for (let s = 0; s < 2; s++) {
            r.setSample({ label: labels[s] });
            chip.runSample(xs[s], n.steps, true, () => spec.layers.forEach((_, l) => states.push(...chip.membrane(l))));
          }
          return { chip, states: F(states), params: params(chip) };
        });
        expect(bits(out[0].states)).toEqual(bits(out[1].states));
        expect(bits(out[0].params)).toEqual(bits(out[1].params));
        out[0].chip.spec.layers.forEach((_, l) => expect(Array.from(out[0].chip.counters(l))).toEqual(Array.from(out[1].chip.counters(l))));
      }), { numRuns: 60 });
    });

    it(`${rule}: each step writes, from the parameters that step ran with, exactly what the sample-mode rule accumulates at that step`, () => {
      // Two chips in lockstep: before each step the sample-mode chip gets the step-mode chip's
      // parameters; its accumulators, cleared every step, then hold that step's contributions
      // g, and the step-mode chip must hold p - η·g (clamped) after the step, bit for bit.
      fc.assert(fc.property(netArb, (n) => {
        const { spec, xs, labels } = build(n, rule);
        const ra = stopRule(rule, n, 'sample', spec.layers.length), rb = stopRule(rule, n, 'step', spec.layers.length);
        const a = new Chip(spec, 'ts', ra), b = new Chip(spec, 'ts', rb);
        a.analogInput = b.analogInput = !n.spikeInput;
        const R = spec.layers.length - 1;
        const views = (c: Chip, l: number) => {
          const p = c.layers[l], ls = c.spec.layers[l];
          return [c.f32(p.wt, weightCount(ls)), c.f32(p.bias, ls.bias.length), c.f32(p.thr, p.thrStride ? ls.nOut : 1), c.f32(p.leak, p.leakStride ? ls.nOut : 1)];
        };
        const eta = fr(n.learningRate);
        for (let s = 0; s < 2; s++) {
          ra.setSample({ label: labels[s] });
          rb.setSample({ label: labels[s] });
          a.resetState();
          b.resetState();
          for (let t = 1; t <= n.steps; t++) {
            spec.layers.forEach((_, l) => views(a, l).forEach((v, i) => v.set(views(b, l)[i])));
            const before = spec.layers.map((_, l) => views(b, l).map((v) => F(v)));
            for (const [c, r] of [[a, ra], [b, rb]] as const) {
              c.forward(xs[s], (t - 1) * spec.inputSize);
              r.afterStep(t);
            }
            for (let l = 0; l <= R; l++) {
              const [w, bias, thr, leak] = before[l];
              const etaW = fr(n.learningRate * (n.scale !== undefined && l === 0 ? n.scale : 1));
              const sgd = (p: Float32Array, g: Float32Array, lr: number) => F(Array.from(p, (x, i) => (g[i] !== 0 ? fr(x - fr(lr * g[i])) : x)));
              const clamp = (p: Float32Array, g: Float32Array, hi: number) => F(Array.from(p, (x, i) => Math.min(hi, Math.max(STOP_MIN_PARAM, fr(x - fr(eta * g[i]))))));
              const [bw, bb, bth, blk] = views(b, l);
              expect(bits(F(bw)), `step ${t} layer ${l} weights`).toEqual(bits(sgd(w, ra.gradW(l), etaW)));
              expect(bits(F(bb)), `step ${t} layer ${l} biases`).toEqual(bits(sgd(bias, ra.gradB(l), etaW)));
              if (rule === 'stop-wtl' && l < R) {
                expect(bits(F(bth))).toEqual(bits(clamp(thr, ra.gradThreshold(l), Infinity)));
                expect(bits(F(blk))).toEqual(bits(clamp(leak, ra.gradLeak(l), 1)));
                ra.gradThreshold(l).fill(0);
                ra.gradLeak(l).fill(0);
              } else {
                expect(bits(F(bth))).toEqual(bits(thr));
                expect(bits(F(blk))).toEqual(bits(leak));
              }
              ra.gradW(l).fill(0);
              ra.gradB(l).fill(0);
            }
          }
        }
      }), { numRuns: 60 });
    });

    it(`${rule}: a one-step sample writes the same parameters and counts the same update events either way`, () => {
      fc.assert(fc.property(netArb, (n0) => {
        const n = { ...n0, steps: 1 };
        const out = (['sample', 'step'] as const).map((at) => {
          const { spec, xs, labels } = build(n, rule);
          const r = stopRule(rule, n, at, spec.layers.length);
          const chip = new Chip(spec, 'wasm', r);
          chip.analogInput = !n.spikeInput;
          for (let s = 0; s < 2; s++) {
            r.setSample({ label: labels[s] });
            chip.runSample(xs[s], 1, true);
          }
          return { chip, params: params(chip) };
        });
        expect(bits(out[1].params)).toEqual(bits(out[0].params));
        out[0].chip.spec.layers.forEach((_, l) => {
          for (const c of [LEARN_UPDATES, LEARN_BIAS_UPDATES, LEARN_WEIGHT_WRITES]) expect(out[1].chip.counters(l)[c]).toBe(out[0].chip.counters(l)[c]);
        });
      }), { numRuns: 60 });
    });

    it(`${rule}: reserves no gradient accumulators (the arena, the memory report and its split agree)`, () => {
      const spec: ChipSpec = {
        inputSize: 20, reset: 'subtract', delay: 0, maxSteps: 8,
        layers: [12, 8, 4].map((nOut, l) => ({
          name: `l${l}`, nIn: [20, 12, 8][l], nOut, weights: new Float32Array([20, 12, 8][l] * nOut), bias: new Float32Array(nOut),
          threshold: Float32Array.of(1), leak: Float32Array.of(0.9),
        })),
      };
      const sample = ruleLearningBytes(spec, rule, 'sample', 8), step = ruleLearningBytes(spec, rule, 'step', 8);
      expect(sample - step).toBe(accumulatorBytes(spec, rule, 'sample'));
      expect(ruleMemorySplit(spec, rule, 'step', 8)).toEqual({ totalBytes: step, perSampleBytes: step, accumulatorBytes: 0 });
      expect(ruleMemorySplit(spec, rule, 'step', 8).perSampleBytes).toBe(ruleMemorySplit(spec, rule, 'sample', 8).perSampleBytes);
      const rows = learningMemoryCurves(spec, [8]).rules;
      expect(rows.find((r) => r.rule === rule)!.bytes).toEqual([sample]);
      expect(rows.find((r) => r.rule === `${rule} (updates at step)`)).toMatchObject({ bytes: [step], accumulatorBytes: 0 });
      const r = createRule(rule, { learningRate: 0.1, warmup: 0, error: 'exact', updateAt: 'step', width: 1, height: 'unit' }) as Stop;
      new Chip(adaptSpec(rule, { ...spec, layers: spec.layers.map((l, n) => ({ ...l, readout: n === 2 })) }), 'ts', r);
      expect(() => r.gradW(0)).toThrow(/no gradient/);
    });

    it(`${rule}: trains a conv layer (never the pool), wasm equal to the TS twin`, () => {
      const T = 5;
      const conv: ConvGeometry = { inChannels: 1, inHeight: 6, inWidth: 6, channels: 3, height: 6, width: 6, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1, depthwise: false };
      const pool: ConvGeometry = { inChannels: 3, inHeight: 6, inWidth: 6, channels: 3, height: 3, width: 3, kernelHeight: 2, kernelWidth: 2, stride: 2, padding: 0, depthwise: true };
      const out = (['wasm', 'ts'] as const).map((backend) => {
        const rng = new Rng(5);
        const r = (n: number, a: number) => Float32Array.from({ length: n }, () => (2 * rng.uniform() - 1) * a);
        const one = Float32Array.of(1);
        const layers: LayerSpec[] = [
          { name: 'c1', nIn: 36, nOut: 108, conv, weights: r(convWeightCount(conv), 0.8), bias: r(3, 0.1), threshold: one, leak: Float32Array.of(0.9) },
          { name: 'p1', nIn: 108, nOut: 27, conv: pool, fixed: true, weights: new Float32Array(12).fill(0.25), bias: new Float32Array(3), threshold: one, leak: one },
          { name: 'out', nIn: 27, nOut: 4, weights: r(108, 0.5), bias: r(4, 0.1), threshold: one, leak: Float32Array.of(0.9), readout: true },
        ];
        const spec = adaptSpec(rule, { inputSize: 36, reset: 'subtract', delay: 0, maxSteps: T, layers });
        const rule_ = createRule(rule, { learningRate: 0.05, warmup: 0, error: 'exact', updateAt: 'step', width: 1, height: 'unit' });
        const chip = new Chip(spec, backend, rule_);
        const before = params(chip), pool0 = chip.getWeights(1);
        const x = Float32Array.from({ length: T * 36 }, () => (rng.uniform() < 0.4 ? 1 + rng.uniform() : 0));
        for (let s = 0; s < 4; s++) {
          rule_.setSample({ label: s % 4 });
          chip.runSample(x, T, true);
        }
        expect(chip.getWeights(0).some((v, i) => v !== before[i])).toBe(true);
        expect(Array.from(chip.getWeights(1))).toEqual(Array.from(pool0));
        expect(chip.counters(0)[LEARN_WEIGHT_WRITES]).toBeGreaterThan(0);
        return { chip, params: params(chip) };
      });
      expect(bits(out[0].params)).toEqual(bits(out[1].params));
      out[0].chip.spec.layers.forEach((_, l) => expect(Array.from(out[0].chip.counters(l))).toEqual(Array.from(out[1].chip.counters(l))));
    });
  }

  it('the table: STOP can write at "step", its default stays "sample"; case files keep "step" for online LTL only', () => {
    for (const r of STOPS) {
      expect(RULE_TABLE[r].updateAt).toEqual(['sample', 'step']);
      expect(RULE_TABLE[r].caseUpdateAt).toEqual(['sample']);
      expect(updateAtFor(r)).toBe('sample');
      expect(updateAtFor(r, 'step')).toBe('step');
    }
    expect(updateAtFor('ltl-online')).toBe('step');
    expect(updateAtFor('bptt')).toBe('sample');
  });
});

describe('ncsim train --update-at step', () => {
  it('bptt and offline LTL refuse it (exit 2 naming the option, nothing trained); stop-w without it writes per sample', () => {
    for (const rule of ['bptt', 'ltl-offline']) {
      const r = spawnSync(process.execPath, ['dist/cli.js', 'train', '--rule', rule, '--update-at', 'step', '--samples', '20', '--test-samples', '10'], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/"--update-at": expected "sample" for --rule/);
      expect(r.stdout).toBe('');
    }
    const SMALL: LibraryTrainOptions = { samples: 40, testSamples: 20, hidden: [16], epochs: 1, teacherEpochs: 1, teacherWorker: false, steps: 4 };
    const plain = train({ ...SMALL, rule: 'stop-w' });
    expect(plain.options.updateAt).toBe('sample');
    expect(timeless(train({ ...SMALL, rule: 'stop-w', updateAt: 'sample' }))).toEqual(timeless(plain));
    const step = train({ ...SMALL, rule: 'stop-w', updateAt: 'step' });
    expect(step.options.updateAt).toBe('step');
    expect(step.memory!.rules.find((r) => r.rule === 'stop-w (updates at step)')!.accumulatorBytes).toBe(0);
  });

  it('a step-mode run stopped mid-epoch and resumed equals the uninterrupted run', () => {
    const opts: LibraryTrainOptions = { samples: 60, testSamples: 20, hidden: [16], epochs: 2, teacherEpochs: 1, teacherWorker: false, steps: 4, rule: 'stop-wtl', updateAt: 'step' };
    const ref = mkdtempSync(join(tmpdir(), 'ncsim-stopstep-')), dir = mkdtempSync(join(tmpdir(), 'ncsim-stopstep-'));
    try {
      const whole = train({ ...opts, checkpoint: ref, checkpointEvery: 0 });
      // The run stopped (after its checkpoint is saved) at sample 23 of epoch 2, then resumed.
      const r = resolveTrainOptions({ ...opts, checkpoint: dir, checkpointEvery: 0 });
      const model = loadModel(r.price.hw as string);
      class Halt extends Error {}
      const at23 = (at: RunPosition) => (!at.epochDone && at.epoch === 2 && at.sample === 23 ? new Halt() : undefined);
      const { checks, hooks } = checkpointing(r.train, r.price, model, r.checkpoint, at23);
      expect(() => drain(trainSteps(r.train, undefined, checks, { model, mapping: r.price.mapping }, hooks))).toThrow(Halt);
      const resumed = train({ resume: dir });
      expect(timeless(resumed)).toEqual(timeless(whole));
      const a = Checkpoint.load(dir).runState().arena, b = Checkpoint.load(ref).runState().arena;
      expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
    } finally {
      rmSync(ref, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const WALL_CLOCK = new Set(['wallSeconds', 'samplesPerSecond', 'seconds', 'throughput']);
function timeless(r: object): unknown {
  return JSON.parse(JSON.stringify(r, (k, v) => (WALL_CLOCK.has(k) ? undefined : v)));
}
