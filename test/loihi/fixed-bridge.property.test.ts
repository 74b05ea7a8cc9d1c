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

/** Both somas over the same activations; their membranes and spikes per step. */
function runBoth(backend: 'wasm' | 'ts', n: number, dv: number, vth: number, bias: number[], acts: number[][], thetaOffset = 1) {
  // one arena, a slot of 512 B per buffer; the fixed soma's buffers sit 64-128 B into the slots
  const W = 16 * 8 * 4;
  const k = createKernels(backend, W * 12 + 8 * COUNTER_SLOTS * 2);
  const at = (slot: number) => k.base + slot * W;
  const i32 = k.mem.i32, f32 = k.mem.f32, w = (slot: number) => at(slot) >>> 2;
  i32[w(5)] = 4095; i32[w(6)] = dv; i32[w(9)] = vth; // Loihi: du, dv, vth
  i32[w(10)] = 4096 - dv; i32[w(11)] = vth + thetaOffset; // fixed soma: leak α_q, threshold θ
  for (let i = 0; i < n; i++) i32[w(7) + i] = bias[i];
  const cntL = k.base + 12 * W, cntF = cntL + 8 * COUNTER_SLOTS;
  const uF = at(8) + 8 * 4 * 4;
  const sL = [at(2), at(3)], sF = [at(2) + 8 * 4 * 2, at(3) + 8 * 4 * 2], iF = at(0) + 8 * 4 * 2;
  const out = { loihi: [] as number[][], fixed: [] as number[][], sLoihi: [] as number[][], sFixed: [] as number[][] };
  acts.forEach((a, t) => {
    const cur = (t + 1) & 1, prev = cur ^ 1;
    for (let i = 0; i < n; i++) {
      i32[w(0) + i] = a[i];
      i32[(iF >>> 2) + i] = (a[i] << 6) + bias[i]; // I = (a << 6) + b, what integrateFixed gives with shift -6
    }
    k.loihiNeuronStep(n, at(0), at(8), at(1), sL[prev], sL[cur], at(4), at(5), 0, at(6), 0, at(7), at(9), 0, cntL);
    k.neuronStepFixed(n, iF, uF, sF[prev], sF[cur], at(4) + 8 * 4 * 2, at(11), 0, at(10), 0,
      LEAK_MULTIPLY_SHIFT, 12, RESET_ZERO, STATE_MAX, ROUND_TOWARD_ZERO, cntF);
    out.loihi.push(Array.from(i32.subarray(w(1), w(1) + n)));
    out.fixed.push(Array.from(i32.subarray(uF >>> 2, (uF >>> 2) + n)));
    out.sLoihi.push(Array.from(f32.subarray(sL[cur] >>> 2, (sL[cur] >>> 2) + n)));
    out.sFixed.push(Array.from(f32.subarray(sF[cur] >>> 2, (sF[cur] >>> 2) + n)));
  });
  return out;
}

describe('Loihi soma with du = 4095 = the fixed-point ALGORITHMS soma (reset zero, threshold + 1)', () => {
  for (const backend of ['wasm', 'ts'] as const) {
    it(`random parameters (${backend})`, () => {
      fc.assert(fc.property(
        fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 4095 }),
        fc.oneof(fc.integer({ min: 0, max: 2 ** 14 }), fc.constantFrom(0, 64, 128, 192)),
        fc.array(fc.integer({ min: -(2 ** 12), max: 2 ** 12 }), { minLength: 8, maxLength: 8 }),
        fc.array(fc.array(fc.integer({ min: -(2 ** 9), max: 2 ** 9 }), { minLength: 8, maxLength: 8 }), { minLength: 1, maxLength: 40 }),
        (n, dv, vth, bias, acts) => {
          const r = runBoth(backend, n, dv, vth, bias, acts);
          expect(r.loihi).toEqual(r.fixed);
          expect(r.sLoihi).toEqual(r.sFixed);
        }), { numRuns: 60 });
    });
  }
  it('the threshold offset matters: v = vth fires the >= soma but not Loihi', () => {
    const acts = [[1], [0], [1]];
    const same = runBoth('wasm', 1, 0, 64, [0], acts);
    expect(same.loihi).toEqual([[64], [64], [128]]); // dv = 0: v holds at 64 = vth, fires at 128
    expect(same.sLoihi).toEqual([[0], [0], [1]]);
    expect(same.sFixed).toEqual(same.sLoihi);
    const off = runBoth('wasm', 1, 0, 64, [0], acts, 0);
    expect(off.sFixed[0]).toEqual([1]); // v = 64 >= 64
  });
});
