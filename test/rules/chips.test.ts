// Whole chips with offline LTL, STOP-W, STOP-WTL and BPTT: the wasm chip equals the TS-twin chip
// bit for bit (states, parameters, counters) over several samples; the learning memory each rule
// reserves scales with the time window as it should; STOP-WTL keeps α in [1e-6, 1], ϑ >= 1e-6.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Chip, ChipSpec } from '../../src/chip/chip.js';
import { LEARN_UPDATES, LEARN_DENSE, STATE_WRITES, TRACE_UPDATES } from '../../src/reference/counters.js';
import type { RuleName } from '../../src/model/types.js';
import { adaptSpec, createRule, usesReadout } from '../../src/rules/index.js';
import { STOP_MIN_PARAM } from '../../src/rules/stop.js';

const F = (a: ArrayLike<number>) => Float32Array.from(a);
const GRADIENT_RULES: RuleName[] = ['ltl-offline', 'stop-w', 'stop-wtl', 'bptt'];

const netArb = fc.record({
  sizes: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 3, maxLength: 4 }),
  steps: fc.integer({ min: 1, max: 8 }),
  vals: fc.array(fc.float({ min: -2, max: 2, noNaN: true }), { minLength: 300, maxLength: 300 }),
  leak: fc.constantFrom(1, 0.9, 0.5),
  perNeuronLeak: fc.boolean(),
  perNeuronThreshold: fc.boolean(),
  threshold: fc.constantFrom(0.25, 0.6, 1),
  reset: fc.constantFrom('subtract' as const, 'zero' as const),
  delay: fc.constantFrom(0 as const, 1 as const),
  spikeInput: fc.boolean(),
  width: fc.constantFrom(0.5, 1, 2),
  height: fc.constantFrom('unit' as const, 'normalized' as const),
  learningRate: fc.constantFrom(0.01, 0.1, 0.5),
});
type NetGen = Omit<typeof netArb extends fc.Arbitrary<infer R> ? R : never, 'learningRate'> & { learningRate: number };

function build(n: NetGen, rule: RuleName) {
  let k = 0;
  const v = () => n.vals[k++ % n.vals.length];
  const stop = rule.startsWith('stop');
  const readout = usesReadout(rule);
  const L = n.sizes.length - 1;
  const spec: ChipSpec = adaptSpec(rule, {
    inputSize: n.sizes[0], reset: stop ? 'subtract' : n.reset, delay: stop ? 0 : n.delay, maxSteps: n.steps,
    layers: n.sizes.slice(1).map((nOut, l) => {
      const nIn = n.sizes[l];
      return {
        name: `l${l}`, nIn, nOut, weights: F(Array.from({ length: nIn * nOut }, v)), bias: F(Array.from({ length: nOut }, () => v() / 4)),
        threshold: n.perNeuronThreshold ? F(Array.from({ length: nOut }, () => n.threshold + Math.abs(v()) / 4)) : F([n.threshold]),
        leak: n.perNeuronLeak ? F(Array.from({ length: nOut }, (_, i) => (i % 2 ? 1 : n.leak))) : F([n.leak]),
        readout: readout && l === L - 1,
      };
    }),
  });
  const xs = [0, 1].map(() => F(Array.from({ length: n.steps * n.sizes[0] }, () => (n.spikeInput ? (v() > 0 ? 1 : 0) : Math.abs(v())))));
  const sup = [0, 1].map((s) => (readout
    ? { label: (s + Math.abs(Math.round(v() * 3))) % n.sizes[L] }
    : { targets: spec.layers.map((l) => Array.from({ length: l.nOut }, () => Math.abs(v()) / 2)) }));
  return { spec, xs, sup };
}

/** Two samples with learning; returns every state after every step, and the chip. */
function run(n: NetGen, rule: RuleName, backend: 'wasm' | 'ts') {
  const { spec, xs, sup } = build(n, rule);
  const r = createRule(rule, { learningRate: n.learningRate, warmup: 0, error: 'exact', updateAt: 'sample', width: n.width, height: n.height });
  const chip = new Chip(spec, backend, r);
  chip.analogInput = !n.spikeInput;
  const states: number[] = [];
  for (let s = 0; s < 2; s++) {
    r.setSample(sup[s]);
    chip.runSample(xs[s], n.steps, true, () => spec.layers.forEach((_, l) => states.push(...chip.membrane(l), ...chip.spikes(l))));
  }
  const params = spec.layers.map((_, l) => [...chip.getWeights(l), ...chip.getBias(l), ...chip.getThreshold(l), ...chip.getLeak(l)]);
  return { chip, states: F(states), params: F(params.flat()) };
}

describe('whole chips with the gradient rules', () => {
  for (const rule of GRADIENT_RULES) {
    it(`${rule}: a chip on wasm equals the same chip on the TS twin, bit for bit, over two samples`, () => {
      fc.assert(fc.property(netArb, (n) => {
        const a = run(n, rule, 'wasm'), b = run(n, rule, 'ts');
        expect(Buffer.from(a.states.buffer)).toEqual(Buffer.from(b.states.buffer));
        expect(Buffer.from(a.params.buffer)).toEqual(Buffer.from(b.params.buffer));
        a.chip.spec.layers.forEach((_, l) => expect(Array.from(a.chip.counters(l))).toEqual(Array.from(b.chip.counters(l))));
      }), { numRuns: 100 });
    });

    it(`${rule}: issued updates never exceed the dense count`, () => {
      fc.assert(fc.property(netArb, (n) => {
        const { chip } = run(n, rule, 'wasm');
        chip.spec.layers.forEach((_, l) => {
          expect(chip.counters(l)[LEARN_UPDATES]).toBeLessThanOrEqual(chip.counters(l)[LEARN_DENSE]);
          if (rule.startsWith('stop')) expect(chip.counters(l)[STATE_WRITES]).toBe(0);
          else expect(chip.counters(l)[TRACE_UPDATES]).toBe(0);
        });
      }), { numRuns: 60 });
    });
  }

  it('stop-wtl keeps every α in [1e-6, 1] and every ϑ >= 1e-6, whatever the learning rate', () => {
    fc.assert(fc.property(netArb, fc.constantFrom(1, 10, 100, -10, -100), (n, lr) => {
      const { chip } = run({ ...n, learningRate: lr }, 'stop-wtl', 'wasm');
      chip.spec.layers.forEach((ls, l) => {
        if (ls.readout) return;
        for (const a of chip.getLeak(l)) {
          expect(a).toBeGreaterThanOrEqual(STOP_MIN_PARAM);
          expect(a).toBeLessThanOrEqual(1);
        }
        for (const th of chip.getThreshold(l)) expect(th).toBeGreaterThanOrEqual(STOP_MIN_PARAM);
        expect(chip.getThreshold(l).length).toBe(ls.nOut); // adaptSpec: one threshold per neuron
      });
    }), { numRuns: 60 });
  });

  it('stop-wtl refuses a chip with one threshold per layer; stop-* refuse delay 1 and reset "zero"', () => {
    const layer = (nIn: number, nOut: number, readout = false) => ({
      name: 'l', nIn, nOut, weights: new Float32Array(nIn * nOut), bias: new Float32Array(nOut), threshold: F([1]), leak: F([1]), readout,
    });
    const spec: ChipSpec = { inputSize: 2, reset: 'subtract', delay: 0, maxSteps: 4, layers: [layer(2, 3), layer(3, 2, true)] };
    const mk = (name: RuleName, s: ChipSpec) => () => new Chip(s, 'ts', createRule(name, { learningRate: 0.1, warmup: 0, error: 'exact', updateAt: 'sample', width: 1, height: 'unit' }));
    expect(mk('stop-wtl', spec)).toThrow(/one threshold per neuron/);
    expect(mk('stop-wtl', adaptSpec('stop-wtl', spec))).not.toThrow();
    expect(mk('stop-w', { ...spec, delay: 1 })).toThrow(/d = 0/);
    expect(mk('stop-w', { ...spec, reset: 'zero' })).toThrow(/subtract/);
    expect(mk('bptt', { ...spec, layers: [layer(2, 3), layer(3, 2)] })).toThrow(/readout/);
    expect(mk('ltl-offline', spec)).toThrow(/spiking/);
    expect(() => createRule('bptt', { learningRate: 0.1, warmup: 0, error: 'exact', updateAt: 'step', width: 1, height: 'unit' })).toThrow(/exists for ltl-online, stop-w, stop-wtl only/);
  });
});

describe('learning memory (the bytes each rule reserves per layer)', () => {
  const sizes = [12, 8, 6, 3];
  const bytesAt = (rule: RuleName, T: number, perNeuronLeak: boolean): number[] => {
    const readout = usesReadout(rule);
    const spec: ChipSpec = adaptSpec(rule, {
      inputSize: sizes[0], reset: 'subtract', delay: 0, maxSteps: T,
      layers: sizes.slice(1).map((nOut, l) => ({
        name: `l${l}`, nIn: sizes[l], nOut, weights: new Float32Array(sizes[l] * nOut), bias: new Float32Array(nOut),
        threshold: F([1]), leak: perNeuronLeak ? new Float32Array(nOut).fill(0.5) : F([0.5]), readout: readout && l === sizes.length - 2,
      })),
    });
    return new Chip(spec, 'ts', createRule(rule, { learningRate: 0.1, warmup: 0, error: 'exact', updateAt: 'sample', width: 1, height: 'unit' })).learningBytes;
  };
  const total = (b: number[]) => b.reduce((a, c) => a + c, 0);

  it('STOP-W and STOP-WTL: independent of the time window, per layer', () => {
    for (const rule of ['stop-w', 'stop-wtl'] as const) {
      for (const pn of [false, true]) {
        const b1 = bytesAt(rule, 1, pn);
        for (const T of [2, 7, 64, 1000]) expect(bytesAt(rule, T, pn)).toEqual(b1);
        expect(total(b1)).toBeGreaterThan(0);
      }
    }
  });

  it('STOP-WTL with per-neuron leaks keeps an nOut x nIn trace: more than with one leak per layer', () => {
    expect(total(bytesAt('stop-wtl', 8, true))).toBeGreaterThan(total(bytesAt('stop-wtl', 8, false)));
    expect(total(bytesAt('stop-wtl', 8, false))).toBeGreaterThan(total(bytesAt('stop-w', 8, false)));
  });

  it('BPTT and offline LTL: linear in the time window (the states of every step), per layer', () => {
    for (const rule of ['bptt', 'ltl-offline'] as const) {
      const b = [1, 2, 3, 10].map((T) => bytesAt(rule, T, false));
      b[0].forEach((_, l) => {
        const slope = b[1][l] - b[0][l];
        expect(slope).toBeGreaterThan(0);
        expect(b[2][l] - b[1][l]).toBe(slope);
        expect(b[3][l] - b[0][l]).toBe(9 * slope);
      });
      // U and S of every neuron (readout: o) at every step, plus layer 1's input x[t-d]: f32 each
      const perStep = sizes[0] * 4 + sizes.slice(1).reduce((a, n, l) => a + (rule === 'bptt' && l === sizes.length - 2 ? 1 : 2) * n * 4, 0);
      expect(total(b[1]) - total(b[0])).toBe(perStep);
    }
  });

  it('ltl-online: independent of the time window', () => {
    expect(bytesAt('ltl-online', 64, false)).toEqual(bytesAt('ltl-online', 1, false));
  });
});
