// Whole chips with device non-idealities (src/chip/device.ts): zero non-ideality is the ideal
// chip bit for bit, a seed fixes the chip, wasm equals the TS twin, silenced neurons never fire,
// quantized weights stay on their grid, fixed-point values stay within their bit widths.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Chip, ChipSpec } from '../../src/chip/chip.js';
import { DeviceSpec, deviceFor, isIdeal, SILENT_THRESHOLD } from '../../src/chip/device.js';
import { LtlOnline, LtlOnlineOptions } from '../../src/rules/ltl-online.js';
import { Stop } from '../../src/rules/stop.js';
import { loadModel } from '../../src/cost/hwmodel.js';
import { NEURON_SPIKES } from '../../src/reference/counters.js';
import { DEV_WEIGHT_SATURATIONS, DEV_STATE_SATURATIONS } from '../../src/reference/device.js';

const F = (a: ArrayLike<number>) => Float32Array.from(a);
const fr = Math.fround;

const netArb = fc.record({
  sizes: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 2, maxLength: 4 }),
  steps: fc.integer({ min: 1, max: 9 }),
  vals: fc.array(fc.float({ min: -2, max: 2, noNaN: true }), { minLength: 400, maxLength: 400 }),
  leak: fc.constantFrom(1, 0.9, 0.5),
  threshold: fc.constantFrom(0.25, 0.6, 1),
  reset: fc.constantFrom('subtract' as const, 'zero' as const),
  delay: fc.constantFrom(0 as const, 1 as const),
  spikeInput: fc.boolean(),
});
type Net = typeof netArb extends fc.Arbitrary<infer R> ? R : never;

const optsArb = fc.record({
  learningRate: fc.constantFrom(0.01, 0.1, 0.5), warmup: fc.integer({ min: 0, max: 3 }),
  error: fc.constantFrom('exact' as const, 'sign' as const), updateAt: fc.constantFrom('step' as const, 'sample' as const),
  width: fc.constantFrom(0.5, 1, 2), height: fc.constantFrom('unit' as const, 'normalized' as const),
});

function build(n: Net, device?: DeviceSpec) {
  let k = 0;
  const v = () => n.vals[k++ % n.vals.length];
  const spec: ChipSpec = {
    inputSize: n.sizes[0], reset: n.reset, delay: n.delay, maxSteps: n.steps, device,
    layers: n.sizes.slice(1).map((nOut, l) => {
      const nIn = n.sizes[l];
      return {
        name: `l${l}`, nIn, nOut, weights: F(Array.from({ length: nIn * nOut }, v)), bias: F(Array.from({ length: nOut }, () => v() / 4)),
        threshold: F([n.threshold]), leak: F([n.leak]),
      };
    }),
  };
  const x = F(Array.from({ length: n.steps * n.sizes[0] }, () => (n.spikeInput ? (v() > 0 ? 1 : 0) : Math.abs(v()))));
  const targets = spec.layers.map((l) => Array.from({ length: l.nOut }, () => Math.abs(v()) / 2));
  return { spec, x, targets };
}

/** One learning sample; returns the chip and everything it computed, as bytes. */
function run(n: Net, backend: 'wasm' | 'ts', opts: Partial<LtlOnlineOptions>, device?: DeviceSpec, samples = 1) {
  const { spec, x, targets } = build(n, device);
  const rule = new LtlOnline(opts);
  const chip = new Chip(spec, backend, rule);
  chip.analogInput = !n.spikeInput;
  rule.setTargets(targets);
  const states: number[] = [];
  for (let s = 0; s < samples; s++) {
    chip.runSample(x, n.steps, true, () => spec.layers.forEach((_, l) => states.push(...chip.membrane(l), ...chip.spikes(l), ...chip.counts(l))));
  }
  return {
    chip, states: Buffer.from(F(states).buffer),
    weights: spec.layers.map((_, l) => Buffer.from(F([...chip.getWeights(l), ...chip.getBias(l), ...chip.getThreshold(l)]).buffer)),
    counters: spec.layers.map((_, l) => Array.from(chip.counters(l))),
  };
}

const deviceArb = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  mismatch: fc.option(fc.record({ sigma: fc.constantFrom(0.05, 0.3), distribution: fc.constantFrom('gaussian' as const, 'lognormal' as const) }), { nil: undefined }),
  quantization: fc.option(fc.record({
    levels: fc.integer({ min: 2, max: 63 }), rounding: fc.constantFrom('nearest' as const, 'stochastic' as const),
    writeNoise: fc.constantFrom(0, 0.003, 0.05), rangeScale: fc.constantFrom(1, 2),
  }), { nil: undefined }),
  thermal: fc.option(fc.record({ sigma: fc.constantFrom(0.05, 0.5) }), { nil: undefined }),
  silencing: fc.option(fc.record({ fraction: fc.constantFrom(0.2, 0.5), outputLayer: fc.boolean() }), { nil: undefined }),
});

const fixedArb = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  fixedPoint: fc.record({
    weightBits: fc.integer({ min: 2, max: 9 }), stateBits: fc.integer({ min: 8, max: 24 }), inputFractionBits: fc.integer({ min: 0, max: 8 }),
    activationShift: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
    leak: fc.constantFrom('multiply-shift' as const, 'bit-shift' as const), decayBits: fc.constantFrom(8, 12),
    shiftRounding: fc.constantFrom('floor' as const, 'toward-zero' as const, 'nearest' as const),
    updateRounding: fc.constantFrom('nearest' as const, 'stochastic' as const),
  }),
  thermal: fc.option(fc.record({ sigma: fc.constantFrom(0.05, 0.5) }), { nil: undefined }),
  silencing: fc.option(fc.record({ fraction: fc.constantFrom(0.2, 0.5), outputLayer: fc.boolean() }), { nil: undefined }),
  mismatch: fc.option(fc.record({ sigma: fc.constant(0), neuronSigma: fc.constantFrom(0.1, 0.3) }), { nil: undefined }),
});

describe('chips with devices', () => {
  it('zero non-ideality is the ideal chip bit for bit (with learning)', () => {
    const model = loadModel('rram');
    fc.assert(fc.property(netArb, optsArb, fc.integer({ min: 0, max: 1000 }), (n, o, seed) => {
      const ideal = run(n, 'wasm', o);
      // Every non-ideality present at level 0: the device path runs, and changes nothing.
      const zero = run(n, 'wasm', o, { seed, mismatch: { sigma: 0 }, thermal: { sigma: 0 }, silencing: { fraction: 0 } }, 2);
      const ideal2 = run(n, 'wasm', o, undefined, 2);
      expect(zero.chip.device).not.toBeNull();
      expect(zero.states).toEqual(ideal2.states);
      expect(zero.weights).toEqual(ideal2.weights);
      expect(zero.counters).toEqual(ideal2.counters);
      // deviceFor at level 0 builds nothing.
      const d = deviceFor(model, seed, { mismatch: 0, quantization: 0, thermal: 0, silencing: 0, fixedPoint: 0 });
      expect(isIdeal(d)).toBe(true);
      const none = run(n, 'wasm', o, d);
      expect(none.chip.device).toBeNull();
      expect(none.states).toEqual(ideal.states);
      expect(none.weights).toEqual(ideal.weights);
    }), { numRuns: 40 });
  });

  it('a chip instance is its seed: same seed, same chip (bytes of the arena); another seed, other draws', () => {
    fc.assert(fc.property(netArb, optsArb, deviceArb, (n, o, d) => {
      const a = run(n, 'wasm', o, d, 2), b = run(n, 'wasm', o, d, 2);
      const bytes = (c: Chip) => Buffer.from(new Uint8Array(c.k.mem.f32.buffer, c.k.base, 4096));
      expect(a.states).toEqual(b.states);
      expect(a.weights).toEqual(b.weights);
      expect(bytes(a.chip)).toEqual(bytes(b.chip));
      if (d.mismatch) {
        const c = run(n, 'wasm', o, { ...d, seed: (d.seed + 1) >>> 0 });
        const g = (x: ReturnType<typeof run>) => x.chip.device!.layers.map((dl) => Array.from(dl.gain ?? []));
        expect(g(c)).not.toEqual(g(a));
      }
    }), { numRuns: 40 });
  });

  it('wasm chips equal their TS twins bit for bit, every non-ideality, with learning', () => {
    fc.assert(fc.property(netArb, optsArb, deviceArb, (n, o, d) => {
      const a = run(n, 'wasm', o, d, 2), b = run(n, 'ts', o, d, 2);
      expect(a.states).toEqual(b.states);
      expect(a.weights).toEqual(b.weights);
      expect(a.counters).toEqual(b.counters);
    }), { numRuns: 60 });
  });

  it('fixed-point chips: wasm equals the TS twin bit for bit, with learning', () => {
    fc.assert(fc.property(netArb, optsArb, fixedArb, (n, o, d) => {
      const a = run(n, 'wasm', o, d, 2), b = run(n, 'ts', o, d, 2);
      expect(a.states).toEqual(b.states);
      expect(a.weights).toEqual(b.weights);
      expect(a.counters).toEqual(b.counters);
      const ints = (c: Chip) => c.spec.layers.map((_, l) => (['wt', 'bias', 'thr', 'u', 'i', 'leak'] as const).map((w) => Array.from(c.device!.ints(l, w))));
      expect(ints(a.chip)).toEqual(ints(b.chip));
    }), { numRuns: 60 });
  });

  it('fixed-point values stay within their bit widths (weights, bias, membrane, current), saturations counted', () => {
    fc.assert(fc.property(netArb, optsArb, fixedArb, (n, o, d) => {
      const { chip } = run(n, 'wasm', { ...o, learningRate: 0.5 }, d, 3);
      chip.spec.layers.forEach((_, l) => {
        const s = chip.device!.scales(l)!;
        for (const w of chip.device!.ints(l, 'wt')) expect(Math.abs(w)).toBeLessThanOrEqual(s.wMax);
        for (const what of ['bias', 'u', 'i'] as const) for (const v of chip.device!.ints(l, what)) expect(Math.abs(v)).toBeLessThanOrEqual(s.stateMax);
        for (const c of chip.counts(l)) expect(c).toBeLessThanOrEqual(chip.maxCount);
        expect(chip.counters(l)[DEV_WEIGHT_SATURATIONS]).toBeGreaterThanOrEqual(0);
      });
    }), { numRuns: 40 });
  });

  it('a fixed-point chip whose values are exactly representable equals the float chip (IF, spike input)', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 4 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 6 }),
      fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 200, maxLength: 200 }), fc.constantFrom('subtract' as const, 'zero' as const),
      fc.array(fc.constantFrom(0, 1), { minLength: 72, maxLength: 72 }),
      (sizes, steps, theta, w, reset, x) => {
        let k = 0;
        const spec: ChipSpec = {
          inputSize: sizes[0], reset, delay: 0, maxSteps: steps,
          layers: sizes.slice(1).map((nOut, l) => ({
            name: `l${l}`, nIn: sizes[l], nOut, weights: F(Array.from({ length: sizes[l] * nOut }, () => w[k++ % 200])),
            bias: F(Array.from({ length: nOut }, () => w[k++ % 200])), threshold: F([theta]), leak: F([1]),
          })),
        };
        // 3-bit weights over [-3, 3]: the weight LSB is 1; no extra fraction bits: integers are the values.
        const fixed: DeviceSpec = { seed: 1, fixedPoint: { weightBits: 3, stateBits: 24, activationShift: 0, range: spec.layers.map(() => 3) } };
        const xs = F(x.slice(0, steps * sizes[0]));
        const a = new Chip(spec, 'wasm'), b = new Chip({ ...spec, device: fixed }, 'wasm');
        a.analogInput = b.analogInput = false;
        const sa: number[] = [], sb: number[] = [];
        a.runSample(xs, steps, false, () => spec.layers.forEach((_, l) => sa.push(...a.membrane(l), ...a.spikes(l))));
        b.runSample(xs, steps, false, () => spec.layers.forEach((_, l) => sb.push(...b.membrane(l), ...b.spikes(l))));
        expect(sb).toEqual(sa);
        spec.layers.forEach((_, l) => expect(Array.from(b.getWeights(l))).toEqual(Array.from(a.getWeights(l))));
      }));
  });

  it('silenced neurons never spike and never learn (even with noise and strong input)', () => {
    fc.assert(fc.property(netArb, optsArb, fc.integer({ min: 0, max: 1e6 }), fc.constantFrom(0.2, 0.5, 1), fc.boolean(), fc.constantFrom(0, 0.5),
      (n, o, seed, fraction, outputLayer, thermal) => {
        const strong = { ...n, vals: n.vals.map((v) => Math.abs(v) + 1) };
        const d: DeviceSpec = { seed, silencing: { fraction, outputLayer }, ...(thermal ? { thermal: { sigma: thermal } } : {}) };
        const { spec, x, targets } = build(strong, d);
        const rule = new LtlOnline(o);
        const chip = new Chip(spec, 'wasm', rule);
        rule.setTargets(targets);
        const last = spec.layers.length - 1;
        const silent = chip.device!.layers.map((dl) => Array.from(dl.silenced));
        spec.layers.forEach((l, i) => expect(silent[i].length).toBe(i < last || outputLayer ? Math.round(fraction * l.nOut) : 0));
        const w0 = spec.layers.map((_, l) => chip.getWeights(l));
        chip.runSample(x, n.steps, true, () => spec.layers.forEach((_, l) => {
          const s = chip.spikes(l);
          for (const i of silent[l]) expect(s[i]).toBe(0);
          for (const i of silent[l]) expect(Number.isFinite(chip.membrane(l)[i])).toBe(true);
        }));
        spec.layers.forEach((l, li) => {
          expect(chip.getThreshold(li).filter((t) => t === SILENT_THRESHOLD).length).toBe(silent[li].length);
          for (const i of silent[li]) expect(chip.counts(li)[i]).toBe(0);
          // Their gate stays shut: their incoming weights are never written.
          const w = chip.getWeights(li);
          for (const i of silent[li]) for (let j = 0; j < l.nIn; j++) expect(w[i * l.nIn + j]).toBe(w0[li][i * l.nIn + j]);
        });
        expect(chip.counters(0)[NEURON_SPIKES]).toBeGreaterThanOrEqual(0);
      }), { numRuns: 60 });
  });

  it('quantized weights always lie on the grid: after deployment, after learning ("step" and "sample")', () => {
    fc.assert(fc.property(netArb, optsArb, deviceArb, fc.integer({ min: 2, max: 40 }), (n, o, d, levels) => {
      const dq: DeviceSpec = { ...d, quantization: { ...(d.quantization ?? { rounding: 'stochastic', writeNoise: 0.05 }), levels } };
      const onGrid = (chip: Chip) => chip.spec.layers.forEach((_, l) => {
        const g = chip.device!.grid(l)!;
        for (const w of chip.device!.storedWeights(l)) {
          const k = Math.round(w / g.step + g.half);
          expect(k).toBeGreaterThanOrEqual(0);
          expect(k).toBeLessThanOrEqual(g.maxLevel);
          expect(w).toBe(fr(fr(k - g.half) * g.step));
        }
      });
      const { chip } = run(n, 'wasm', { ...o, learningRate: 0.5 }, dq, 3);
      onGrid(chip);
      // Deploying other weights quantizes them too.
      chip.spec.layers.forEach((l, i) => chip.setWeights(i, F(Array.from({ length: l.nIn * l.nOut }, (_, k) => Math.sin(k) * 3))));
      onGrid(chip);
    }), { numRuns: 60 });
  });

  it('refuses what it cannot model', () => {
    const n: Net = { sizes: [3, 2], steps: 2, vals: Array(400).fill(0.5), leak: 1, threshold: 1, reset: 'subtract', delay: 0, spikeInput: true };
    const { spec } = build(n);
    expect(() => new Chip({ ...spec, device: { seed: 1, quantization: { levels: 15 } } }, 'wasm', new Stop('stop-w', { learningRate: 0.1, width: 1, height: 'unit' }))).toThrow(/writes weights directly/);
    expect(() => new Chip({ ...spec, device: { seed: 1, quantization: { levels: 1 } } }, 'wasm')).toThrow(/quantization.levels/);
    expect(() => new Chip({ ...spec, device: { seed: 1, fixedPoint: { weightBits: 8, stateBits: 16 }, mismatch: { sigma: 0.1 } } }, 'wasm')).toThrow(/cannot be combined/);
    expect(() => new Chip({ ...spec, device: { seed: 1, silencing: { fraction: 2 } } }, 'wasm')).toThrow(/silencing.fraction/);
    const ro = { ...spec, layers: spec.layers.map((l) => ({ ...l, readout: true })) };
    expect(() => new Chip({ ...ro, device: { seed: 1, fixedPoint: { weightBits: 8, stateBits: 16 } } }, 'wasm')).toThrow(/readout/);
  });

  it('deviceFor reads the model: RRAM quantization at its 5-bit weights with write noise and stochastic rounding; Loihi and Xylo fixed point', () => {
    const rram = deviceFor(loadModel('rram'), 7, { quantization: 'model' });
    expect(rram.quantization).toEqual({ levels: 31, rounding: 'stochastic', writeNoise: 0.003 });
    const loihi = deviceFor(loadModel('loihi'), 7, { fixedPoint: 'model' }).fixedPoint!;
    expect(loihi).toMatchObject({ weightBits: 8, stateBits: 24, activationShift: 6, leak: 'multiply-shift', decayBits: 12, shiftRounding: 'toward-zero', updateRounding: 'stochastic' });
    const xylo = deviceFor(loadModel('xylo'), 7, { fixedPoint: 'model' }).fixedPoint!;
    expect(xylo).toMatchObject({ weightBits: 8, stateBits: 16, leak: 'bit-shift', shiftRounding: 'floor' });
    expect(DEV_STATE_SATURATIONS).toBe(23);
  });
});
