// The bridge between ncsim's existing fixed-point soma (neuronStepFixed, ALGORITHMS §2 on
// integers) and Loihi's: with du = 4095 (no current state), reset "zero", multiply-and-shift leak
// α_q = 4096 - dv rounded toward zero, input current I = (a << 6) + bias and the threshold one
// LSB higher (Loihi fires on v > vth, the ALGORITHMS soma on v >= θ), the two agree bit for bit
// while nothing wraps or saturates. This is how the fixed-point chip on the Loihi model maps
// its parameters onto the Loihi kernel (docs/loihi.md, "On the chip").
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createKernels } from '../../src/chip/kernels.js';
import { COUNTER_SLOTS } from '../../src/reference/counters.js';
import { RESET_ZERO } from '../../src/reference/neuron.js';
import { LEAK_MULTIPLY_SHIFT, ROUND_TOWARD_ZERO } from '../../src/reference/device.js';

const STATE_MAX = 2 ** 23 - 1;

describe('Loihi soma with du = 4095 = the fixed-point ALGORITHMS soma (reset zero, threshold + 1)', () => {
  for (const backend of ['wasm', 'ts'] as const) {
    it(`${backend}`, () => {
      fc.assert(fc.property(
        fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 4095 }), fc.integer({ min: 0, max: 2 ** 14 }),
        fc.array(fc.integer({ min: -(2 ** 12), max: 2 ** 12 }), { minLength: 8, maxLength: 8 }),
        fc.array(fc.array(fc.integer({ min: -(2 ** 9), max: 2 ** 9 }), { minLength: 8, maxLength: 8 }), { minLength: 1, maxLength: 40 }),
        (n, dv, vth, bias, acts) => {
          // one arena per soma: [a | I, u/v, sPrev, s, idx, du, dv | leak, bias, thr, cur, cnt]
          const W = 16 * 8 * 4;
          const k = createKernels(backend, W * 12 + 8 * COUNTER_SLOTS * 2);
          const at = (slot: number) => k.base + slot * W;
          const i32 = k.mem.i32, f32 = k.mem.f32, w = (slot: number) => at(slot) >>> 2;
          // Loihi soma parameters
          i32[w(5)] = 4095; i32[w(6)] = dv; i32[w(9)] = vth;
          // ALGORITHMS fixed soma parameters, in their own slots
          i32[w(10)] = 4096 - dv; i32[w(11)] = vth + 1;
          for (let i = 0; i < n; i++) i32[w(7) + i] = bias[i];
          const cntL = k.base + 12 * W, cntF = cntL + 8 * COUNTER_SLOTS;
          const uF = at(8) + 8 * 4 * 4; // the fixed soma's membrane, apart from Loihi's v
          const sL = [at(2), at(3)], sF = [at(2) + 8 * 4 * 2, at(3) + 8 * 4 * 2], iF = at(0) + 8 * 4 * 2;
          acts.forEach((a, t) => {
            const cur = (t + 1) & 1, prev = cur ^ 1;
            for (let i = 0; i < n; i++) {
              i32[w(0) + i] = a[i];
              i32[(iF >>> 2) + i] = (a[i] << 6) + bias[i]; // I = (a << 6) + b, what integrateFixed would give
            }
            const nl = k.loihiNeuronStep(n, at(0), at(8), at(1), sL[prev], sL[cur], at(4), at(5), 0, at(6), 0, at(7), at(9), 0, cntL);
            const nf = k.neuronStepFixed(n, iF, uF, sF[prev], sF[cur], at(4) + 8 * 4 * 2, at(11), 0, at(10), 0,
              LEAK_MULTIPLY_SHIFT, 12, RESET_ZERO, STATE_MAX, ROUND_TOWARD_ZERO, cntF);
            expect(nl).toBe(nf);
            for (let i = 0; i < n; i++) {
              expect(i32[w(1) + i], `v of neuron ${i} at step ${t + 1}`).toBe(i32[(uF >>> 2) + i]);
              expect(f32[(sL[cur] >>> 2) + i]).toBe(f32[(sF[cur] >>> 2) + i]);
            }
          });
        }), { numRuns: 60 });
    });
  }
});
