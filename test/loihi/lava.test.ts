// ncsim's Loihi neuron (kernels, both backends, through the case path) against a plain
// re-implementation of Lava's bit-accurate Dense + LIF (lava-model.ts): 100 steps x 20 neurons,
// random du, dv, threshold, bias, weights, weight exponents, weight bits and input spikes.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { runLava, LavaLayer } from './lava-model.js';
import { runLoihiTrace } from '../../src/trace/loihi-trace.js';
import type { LoihiCase } from '../../src/trace/loihi-case.js';

const STEPS = 100, WIDTH = 16, N = 20;

/** Thresholds near the activity's scale as often as anywhere in the 17-bit range, so neurons do fire. */
const vth = fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 131071 }));
const decayConst = fc.oneof(fc.constantFrom(0, 1, 4095, 4096 - 1), fc.integer({ min: 0, max: 4095 }));
const weights = (nOut: number, nIn: number) => fc.oneof(
  fc.array(fc.array(fc.integer({ min: -256, max: 255 }), { minLength: nIn, maxLength: nIn }), { minLength: nOut, maxLength: nOut }),
  fc.array(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: nIn, maxLength: nIn }), { minLength: nOut, maxLength: nOut }),
  fc.array(fc.array(fc.integer({ min: -255, max: 0 }), { minLength: nIn, maxLength: nIn }), { minLength: nOut, maxLength: nOut }),
);
const layer = (nIn: number): fc.Arbitrary<LavaLayer> => fc.record({
  weights: weights(N, nIn),
  weightExp: fc.integer({ min: -8, max: 7 }),
  numWeightBits: fc.integer({ min: 1, max: 8 }),
  biasMant: fc.array(fc.integer({ min: -4096, max: 4095 }), { minLength: N, maxLength: N }),
  biasExp: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: N, maxLength: N }),
  du: decayConst, dv: decayConst, vth,
});
const input = fc.double({ min: 0, max: 1, noNaN: true }).chain((rate) =>
  fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }).map((r) => (r < rate ? 1 : 0)), { minLength: WIDTH, maxLength: WIDTH }), { minLength: STEPS, maxLength: STEPS }));

function caseOf(layers: LavaLayer[], x: number[][]): LoihiCase {
  return {
    neuron: { model: 'loihi', du: 0, dv: 0, vth: 0, delay: 1 }, // Lava's Dense hands its sum on one step later
    layers: layers.map((l, k) => ({ name: `l${k}`, nOut: N, nIn: k === 0 ? WIDTH : N, ...l })),
    input: x, steps: x.length,
  };
}

describe('Loihi neuron = Lava bit-accurate LIF (independent re-implementation)', () => {
  for (const backend of ['wasm', 'ts'] as const) {
    it(`two layers, 100 steps x 20 neurons, random parameters (${backend})`, () => {
      let fired = 0;
      fc.assert(fc.property(layer(WIDTH), layer(N), input, (l0, l1, x) => {
        const layers = [l0, l1];
        const lava = runLava(layers, x);
        const ours = runLoihiTrace(caseOf(layers, x), backend);
        layers.forEach((_, k) => {
          const t = ours.layers[`l${k}`];
          for (let s = 0; s < STEPS; s++) {
            expect(t.u[s].map(BigInt), `layer ${k} v at step ${s + 1}`).toEqual(lava.v[k][s]);
            expect(t.current[s].map(BigInt), `layer ${k} u at step ${s + 1}`).toEqual(lava.u[k][s]);
            expect(t.s[s].map((v) => v !== 0), `layer ${k} spikes at step ${s + 1}`).toEqual(lava.s[k][s]);
            fired += t.s[s].filter((v) => v !== 0).length;
          }
        });
      }), { numRuns: 40 });
      // the comparison means something only if neurons fired
      expect(fired).toBeGreaterThan(0);
    });
  }
});

describe('Loihi neuron = Lava at the 24-bit edges', () => {
  // One neuron, du = 4095 (u = a << 6 each step), inputs chosen so that a << 6 lands on the edges
  // of Lava's wrap (x > 2^23: x - 2^24; x <= -2^23: x + 2^24) and of the voltage clip.
  const edge = (w: number[], weightExp: number, x: number[], vthMant = 0): LavaLayer[] => [{
    weights: [w], weightExp, numWeightBits: 8, biasMant: [0], biasExp: [0], du: 4095, dv: 0, vth: vthMant,
  }];
  const cases: [string, LavaLayer[], number[]][] = [
    // mixed signs: -256 survives the truncation of the sign bit; 4 x -256 << 7 << 6 = -2^23 -> +2^23
    ['u = -2^23 wraps to +2^23', edge([-256, -256, -256, -256, 2], 7, []), [1, 1, 1, 1, 0]],
    // excitatory weights top out at 255: 4 x 255 << 7 << 6 = 8355840 (< 2^23: no wrap); a fifth input wraps
    ['u just below 2^23 stays', edge([255, 255, 255, 255, 0], 7, []), [1, 1, 1, 1, 0]],
    ['u above 2^23 wraps negative', edge([255, 255, 255, 255, 255], 7, []), [1, 1, 1, 1, 1]],
    ['u = 2^23 exactly stays (Lava keeps +2^23)', edge([128, 128, 128, 128, 128, 128, 128, 128, 0], 7, []), [1, 1, 1, 1, 1, 1, 1, 1, 0]],
  ];
  for (const [name, layers, row] of cases) {
    for (const backend of ['wasm', 'ts'] as const) {
      it(`${name} (${backend})`, () => {
        const x = [row, row, row.map(() => 0), row];
        const lava = runLava(layers, x);
        const ours = runLoihiTrace({
          neuron: { model: 'loihi', du: 4095, dv: 0, vth: 0, delay: 1 },
          layers: [{ name: 'n', nOut: 1, nIn: row.length, ...layers[0] }], input: x, steps: x.length,
        }, backend);
        expect(ours.layers.n.current.map((r) => r.map(BigInt))).toEqual(lava.u[0]);
        expect(ours.layers.n.u.map((r) => r.map(BigInt))).toEqual(lava.v[0]);
        expect(ours.layers.n.s.map((r) => r.map((v) => v !== 0))).toEqual(lava.s[0]);
      });
    }
  }
  it('the edges are reached', () => {
    const u = (k: number) => runLava(cases[k][1], [cases[k][2], cases[k][2]]).u[0][1][0];
    expect(u(0)).toBe(2n ** 23n);
    expect(u(1)).toBe(8355840n);
    expect(u(2)).toBe(5n * 255n * 2n ** 13n - 2n ** 24n); // 10444800 - 16777216 = -6332416
    expect(u(3)).toBe(2n ** 23n);
  });
});
