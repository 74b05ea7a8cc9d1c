// The fixed-point chip on a "loihi-cuba" hardware model (src/chip/loihi.ts): its forward pass
// equals Lava's bit-accurate Dense + LIF (the plain re-implementation in lava-model.ts) for
// random weights, biases, thresholds, leaks, du, weight bits and input spikes, on both backends;
// the analog first layer is Lava's graded-spike Dense; the model file chooses the variant; the
// online LTL circuit learns on it with biases on Loihi's mantissa-exponent grid.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Chip, ChipSpec } from '../../src/chip/chip.js';
import { DeviceSpec, FixedPointSpec, deviceFor, Device } from '../../src/chip/device.js';
import { LoihiDevice, loihiBiasRegister } from '../../src/chip/loihi.js';
import { FixedPointDevice } from '../../src/chip/fixed-point.js';
import { LtlOnline } from '../../src/rules/ltl-online.js';
import { Rng } from '../../src/host/rng.js';
import { loadModel } from '../../src/cost/hwmodel.js';
import { runLava, LavaLif, LavaLayer } from './lava-model.js';

const F = (a: ArrayLike<number>) => Float32Array.from(a);

function loihiFormat(weightBits: number, du: number): FixedPointSpec {
  return {
    weightBits, stateBits: 24, activationShift: 6, decayBits: 12, leak: 'multiply-shift',
    shiftRounding: 'toward-zero', inputFractionBits: 8, neuron: 'loihi-cuba', du,
  };
}

interface Draw { seed: number; weightBits: number; du: number; sizes: number[]; rate: number; biasScale: number; excitatory: boolean }

function specOf(d: Draw, device: DeviceSpec, steps: number): ChipSpec {
  const rng = new Rng(d.seed);
  return {
    inputSize: d.sizes[0], reset: 'subtract', delay: 1, maxSteps: steps, device, counterBits: 8,
    layers: d.sizes.slice(1).map((nOut, l) => {
      const nIn = d.sizes[l];
      return {
        name: `l${l}`, nIn, nOut,
        weights: F(Array.from({ length: nIn * nOut }, () => (d.excitatory && l === 0 ? Math.abs(rng.normal()) : rng.normal()) * 0.5)),
        bias: F(Array.from({ length: nOut }, () => rng.normal() * d.biasScale)),
        threshold: F([0.05 + rng.uniform() * 1.5]),
        leak: F([rng.uniform() < 0.3 ? 1 : 0.5 + rng.uniform() * 0.5]),
      };
    }),
  };
}

/** bias_mant, bias_exp of an effective bias, or null if it is not a Loihi bias register value. */
function splitBias(b: number): [number, number] | null {
  for (let e = 0; e <= 7; e++) {
    const m = b / 2 ** e;
    if (Number.isInteger(m) && m >= -4096 && m <= 4095) return [m, e];
  }
  return null;
}

/** The chip's registers as Lava's LIF and Dense parameters (weights w·2^k, numWeightBits b, weight exponent -k). */
function lavaLayersOf(chip: Chip, weightBits: number): LavaLayer[] {
  const dev = chip.device as LoihiDevice;
  const k = 9 - weightBits;
  return chip.spec.layers.map((ls, l) => {
    const p = dev.loihiParams(l);
    const weights = Array.from({ length: ls.nOut }, (_, i) => Array.from({ length: ls.nIn }, (_, j) => p.weights[j * ls.nOut + i] * 2 ** k));
    const split = Array.from(p.bias, (b) => {
      const s = splitBias(b);
      expect(s, `bias ${b} is a mantissa-exponent value`).not.toBeNull();
      return s!;
    });
    return {
      weights, weightExp: -k, numWeightBits: weightBits,
      biasMant: split.map((s) => s[0]), biasExp: split.map((s) => s[1]),
      du: p.du, dv: p.dv[0], vth: p.vth[0],
    };
  });
}

const draw: fc.Arbitrary<Draw> = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  weightBits: fc.integer({ min: 2, max: 8 }),
  du: fc.oneof(fc.constant(4095), fc.integer({ min: 0, max: 4095 })),
  sizes: fc.constantFrom([12, 10, 8], [16, 20, 20], [9, 7]),
  rate: fc.double({ min: 0.05, max: 0.9, noNaN: true }),
  biasScale: fc.constantFrom(0, 0.02, 0.2, 3),
  excitatory: fc.boolean(),
});

describe('Loihi-variant chip = Lava bit-accurate Dense + LIF, layer by layer', () => {
  for (const backend of ['wasm', 'ts'] as const) {
    it(`random weights, bias, threshold, leak, du, weight bits, input spikes (${backend})`, () => {
      const T = 40;
      let fired = 0;
      fc.assert(fc.property(draw, (d) => {
        const chip = new Chip(specOf(d, { seed: d.seed, fixedPoint: loihiFormat(d.weightBits, d.du) }, T), backend);
        expect(chip.device).toBeInstanceOf(LoihiDevice);
        chip.analogInput = false;
        const rng = new Rng(d.seed ^ 0x5bd1e995);
        const x = Array.from({ length: T }, () => Array.from({ length: d.sizes[0] }, () => (rng.uniform() < d.rate ? 1 : 0)));
        const lava = runLava(lavaLayersOf(chip, d.weightBits), x);
        const dev = chip.device as LoihiDevice;
        chip.runSample(F(x.flat()), T, false, (t) => {
          chip.spec.layers.forEach((_, l) => {
            expect(Array.from(dev.ints(l, 'u'), BigInt), `layer ${l} v at step ${t}`).toEqual(lava.v[l][t - 1]);
            expect(Array.from(dev.ints(l, 'i'), BigInt), `layer ${l} u at step ${t}`).toEqual(lava.u[l][t - 1]);
            expect(Array.from(chip.spikes(l), (s) => s !== 0), `layer ${l} spikes at step ${t}`).toEqual(lava.s[l][t - 1]);
            fired += lava.s[l][t - 1].filter(Boolean).length;
          });
        });
        // A second sample starts from zero current and voltage, as a fresh Lava run.
        chip.runSample(F(x.flat()), T, false);
        chip.spec.layers.forEach((_, l) => expect(Array.from(dev.ints(l, 'u'), BigInt)).toEqual(lava.v[l][T - 1]));
      }), { numRuns: 25 });
      expect(fired).toBeGreaterThan(100);
    });

    it(`analog input to layer 1 is Lava's graded-spike Dense: floor(Σ w·x_q / 2^8) (${backend})`, () => {
      fc.assert(fc.property(draw, (d) => {
        const T = 20, nIn = d.sizes[0], nOut = d.sizes[1];
        const chip = new Chip(specOf({ ...d, sizes: [nIn, nOut] }, { seed: d.seed, fixedPoint: loihiFormat(d.weightBits, d.du) }, T), backend);
        const rng = new Rng(d.seed + 1);
        // Inputs on the 8-bit grid (x_q = 256 x), so the test needs no rounding of its own.
        const xq = Array.from({ length: T }, () => Array.from({ length: nIn }, () => (rng.uniform() < d.rate ? rng.int(257) : 0)));
        const [L] = lavaLayersOf(chip, d.weightBits);
        const p = (chip.device as LoihiDevice).loihiParams(0);
        const lif = new LavaLif(nOut, L.du, L.dv, L.vth, L.biasMant, L.biasExp);
        let prev = new Array<number>(nIn).fill(0); // delay 1: step t integrates x[t-1]
        const dev = chip.device as LoihiDevice;
        chip.runSample(F(xq.flat().map((q) => q / 256)), T, false, (t) => {
          const a = Array.from({ length: nOut }, (_, i) => BigInt(Math.floor(prev.reduce((s, q, j) => s + p.weights[j * nOut + i] * q, 0) / 256)));
          const s = lif.runSpk(a);
          expect(Array.from(dev.ints(0, 'u'), BigInt), `v at step ${t}`).toEqual(lif.vBeforeReset);
          expect(Array.from(chip.spikes(0), (v) => v !== 0), `spikes at step ${t}`).toEqual(s);
          prev = xq[t - 1];
        });
      }), { numRuns: 15 });
    });
  }
});

describe('the model file chooses the neuron', () => {
  const spec = (device: DeviceSpec): ChipSpec => specOf({ seed: 1, weightBits: 8, du: 4095, sizes: [6, 4], rate: 0.5, biasScale: 0.02, excitatory: false }, device, 4);

  it('a fixed-point chip of the loihi model is the Loihi variant; float chips and other models are not', () => {
    const loihi = loadModel('loihi');
    expect(loihi.neuron).toBe('loihi-cuba');
    const d = deviceFor(loihi, 5, { fixedPoint: 'model' });
    expect(d.fixedPoint).toMatchObject({ neuron: 'loihi-cuba', du: 4095, stateBits: 24, activationShift: 6, weightBits: 8 });
    expect(new Chip(spec(d)).device).toBeInstanceOf(LoihiDevice);
    // Float devices on the same model keep the ALGORITHMS neuron.
    const float = new Chip(spec(deviceFor(loihi, 5, { thermal: 0.1 }))).device!;
    expect(float).toBeInstanceOf(Device);
    expect(float).not.toBeInstanceOf(FixedPointDevice);
    // du from the model file.
    const withDu = { ...loihi, nonIdealities: { ...loihi.nonIdealities, du: { value: 1024, unit: 'fraction', source: 'test' } } };
    expect(deviceFor(withDu, 5, { fixedPoint: 'model' }).fixedPoint?.du).toBe(1024);
    // Another model's fixed-point chip runs the ALGORITHMS soma.
    const other = { ...loihi, neuron: 'algorithms' as const };
    const c = new Chip(spec(deviceFor(other, 5, { fixedPoint: 'model' }))).device!;
    expect(c).toBeInstanceOf(FixedPointDevice);
    expect(c).not.toBeInstanceOf(LoihiDevice);
  });

  it('refuses a format that is not Loihi\'s, naming the field', () => {
    const f = loihiFormat(8, 4095);
    expect(() => new Chip(spec({ seed: 1, fixedPoint: { ...f, weightBits: 12 } }))).toThrow(/weightBits <= 8/);
    expect(() => new Chip(spec({ seed: 1, fixedPoint: { ...f, stateBits: 16 } }))).toThrow(/stateBits 24/);
    expect(() => new Chip(spec({ seed: 1, fixedPoint: { ...f, activationShift: 4 } }))).toThrow(/activationShift 6/);
    expect(() => new Chip(spec({ seed: 1, fixedPoint: { ...f, leak: 'bit-shift' } }))).toThrow(/multiply-shift/);
    expect(() => new Chip(spec({ seed: 1, fixedPoint: { ...f, du: 4096 } }))).toThrow(/du an integer in \[0, 4095\]/);
    expect(() => new Chip(spec({ seed: 1, fixedPoint: f, thermal: { sigma: 0.1 } }))).toThrow(/thermal/);
    expect(() => new Chip(spec({ seed: 1, fixedPoint: { ...f, neuron: 'loihi2' as 'loihi-cuba' } }))).toThrow(/fixedPoint.neuron must be "algorithms" or "loihi-cuba"/);
  });

  it('maps the parameters: dv = 4096 - round(4096 α), vth = round(θ / s_w) << 6, du as given', () => {
    const s = spec({ seed: 1, fixedPoint: loihiFormat(8, 77) });
    s.layers[0].leak = F([0.75]);
    s.layers[0].threshold = F([0.9]);
    const chip = new Chip(s);
    const dev = chip.device as LoihiDevice, p = dev.loihiParams(0), sc = dev.scales(0)!;
    expect(p.du).toBe(77);
    expect(Array.from(p.dv)).toEqual([1024]);
    expect(Array.from(chip.getLeak(0))).toEqual([0.75]);
    expect(sc.su).toBe(sc.sw / 64);
    expect(Array.from(p.vth)).toEqual([Math.round(Math.fround(0.9) / sc.sw)]);
    expect(chip.getThreshold(0)[0]).toBeCloseTo(p.vth[0] * sc.sw, 5);
  });
});

describe('online LTL on the Loihi chip', () => {
  it('the bias register holds mantissa·2^exponent values only', () => {
    for (const b of [0, 1, -1, 4095, -4096, 4096, 4097, 8191, -8193, 524160, 10 ** 7, -(10 ** 7)]) {
      const r = loihiBiasRegister(b);
      expect(splitBias(r), `${b} -> ${r}`).not.toBeNull();
      expect(loihiBiasRegister(r), 'a value on the grid stays').toBe(r);
      if (b >= -4096 && b <= 4095) expect(r).toBe(b);
      else if (Math.abs(b) < 4095 * 128) expect(Math.abs(r - b) / Math.abs(b)).toBeLessThan(2 ** -11);
    }
  });

  for (const updateAt of ['step', 'sample'] as const) {
    it(`learns toward its targets; the gate reads v in membrane LSBs; wasm = ts (updates at ${updateAt})`, () => {
      const T = 16, samples = 50;
      const run = (backend: 'wasm' | 'ts') => {
        const s = specOf({ seed: 9, weightBits: 8, du: 4095, sizes: [12, 8], rate: 0.4, biasScale: 0.02, excitatory: false }, { seed: 2, fixedPoint: loihiFormat(8, 4095) }, T);
        s.layers[0].threshold = F([0.6]);
        s.layers[0].leak = F([0.9]);
        const rule = new LtlOnline({ learningRate: 0.02, updateAt, width: 1, error: 'exact' });
        const chip = new Chip(s, backend, rule);
        chip.analogInput = false;
        const rng = new Rng(4);
        const x = F(Array.from({ length: T * 12 }, () => (rng.uniform() < 0.4 ? 1 : 0)));
        const target = Array.from({ length: 8 }, (_, i) => (i % 2 ? 0.5 : 0.1));
        rule.setTargets([target]);
        const err = () => { chip.runSample(x, T, false); return Array.from(chip.counts(0)).reduce((e, c, i) => e + Math.abs(c / T - target[i]), 0); };
        const before = err();
        const dev = chip.device as LoihiDevice;
        // The gate's membrane: v (before its reset) in real units = the integers x s_u, as the threshold.
        chip.runSample(x, T, false);
        const su = dev.scales(0)!.su;
        expect(Array.from(chip.membrane(0))).toEqual(Array.from(dev.ints(0, 'u'), (v) => Math.fround(v * su)));
        for (let n = 0; n < samples; n++) chip.runSample(x, T, true);
        const after = err();
        for (const b of dev.ints(0, 'bias')) expect(splitBias(b)).not.toBeNull();
        return { before, after, w: Array.from(dev.ints(0, 'wt')), b: Array.from(dev.ints(0, 'bias')) };
      };
      const w = run('wasm'), t = run('ts');
      expect(w.after).toBeLessThan(w.before * 0.6);
      expect(t).toEqual(w);
    });
  }
});

describe('the boxcar gate on the Loihi chip', () => {
  it('opens exactly where |v - vth·2^6| < (p/2) / s_u, v the voltage before its reset (membrane LSBs)', () => {
    const T = 16, width = 0.5;
    const s = specOf({ seed: 3, weightBits: 8, du: 2000, sizes: [12, 8], rate: 0.4, biasScale: 0.02, excitatory: false }, { seed: 2, fixedPoint: loihiFormat(8, 2000) }, T);
    s.layers[0].threshold = F([0.6]);
    const rule = new LtlOnline({ learningRate: 0.01, updateAt: 'sample', width, error: 'exact', warmup: 0 });
    const chip = new Chip(s, 'wasm', rule);
    chip.analogInput = false;
    const dev = chip.device as LoihiDevice, su = dev.scales(0)!.su;
    const target = Array.from({ length: 8 }, (_, i) => (i % 2 ? 0.5 : 0.1));
    rule.setTargets([target]);
    const rng = new Rng(11);
    let open = 0, shut = 0;
    for (let n = 0; n < 4; n++) {
      const x = F(Array.from({ length: T * 12 }, () => (rng.uniform() < 0.4 ? 1 : 0)));
      chip.runSample(x, T, true, (t) => {
        const v = dev.ints(0, 'u'), th = dev.ints(0, 'thr')[0], c = chip.counts(0), m = rule.signal(0);
        for (let i = 0; i < 8; i++) {
          const gate = Math.abs(v[i] - th) < (width / 2) / su;
          if (gate) open++; else shut++;
          if (m[i] !== 0) expect(gate, `neuron ${i} step ${t}: m != 0 with the gate shut`).toBe(true);
          if (gate && Math.abs(c[i] / t - Math.fround(target[i])) > 1e-6) expect(m[i], `neuron ${i} step ${t}`).not.toBe(0);
        }
      });
    }
    expect(open).toBeGreaterThan(10);
    expect(shut).toBeGreaterThan(10);
  });
});

describe('ncsim robustness --vary fixed-point --hw loihi', () => {
  it('runs end to end on a tiny setting and refuses more than 8 weight bits (exit 2)', async () => {
    const { cmdRobustness } = await import('../../src/cli/robustness-command.js');
    const { InputError, exitStatusFor } = await import('../../src/cli/errors.js');
    const { mkdtempSync, readFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const out = join(mkdtempSync(join(tmpdir(), 'ncsim-loihi-')), 'r.json');
    const tiny = ['--samples', '200', '--test-samples', '100', '--hidden', '16', '--epochs', '1', '--quiet', '--seed', '5'];
    let err: unknown;
    try { cmdRobustness(['--vary', 'fixed-point', '--hw', 'loihi', '--levels', '8,12', ...tiny]); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(InputError);
    expect(exitStatusFor(err)).toBe(2);
    expect((err as Error).message).toMatch(/--levels.*\[2, 8\]/);
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try { cmdRobustness(['--vary', 'fixed-point', '--hw', 'loihi', '--levels', '8,4', '--json', '--out', out, ...tiny]); } finally { process.stdout.write = write; }
    const r = JSON.parse(readFileSync(out, 'utf8'));
    expect(r.model).toBe('loihi');
    const rows = r.studies[0].rows;
    expect(rows.map((x: { level: number }) => x.level)).toEqual([8, 4]);
    for (const row of rows) {
      expect(row.deployed).toBeGreaterThan(0.1); // above chance on 10 classes
      expect(row.calibrationUpdates).toBeGreaterThan(0);
    }
  }, 120_000);
});
