// The SIMD paths of the hot kernels against their TypeScript twins, bit for bit, on layers wide
// enough to take every path: integration's 32-neuron register blocks, 4-neuron vectors and
// scalar tail; the learning signal's 4-lane body and scalar tail (per-layer and per-neuron
// thresholds); the outer-product writer's masked blocks for any list of distinct active neurons
// in any order, and its tail. Identical arenas, the same call, identical bytes afterwards.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { pair, CNT_BYTES, small } from './kernel-pair.js';

const MAX_OUT = 75, MAX_IN = 9;


// One layout for every property: weights, bias, events, the layer's state and the counters.
const W = 0, B = W + MAX_IN * MAX_OUT * 4, IX = B + MAX_OUT * 4, VX = IX + 48, I = VX + 48, U = I + MAX_OUT * 4;
const C = U + MAX_OUT * 4, Y = C + MAX_OUT * 4, TH = Y + MAX_OUT * 4, M = TH + MAX_OUT * 4, A = M + MAX_OUT * 4;
const CNT = Math.ceil((A + MAX_OUT * 4) / 16) * 16, BYTES = CNT + CNT_BYTES;

const events = fc.tuple(fc.integer({ min: 1, max: MAX_IN }), fc.integer({ min: 0, max: 2 ** MAX_IN - 1 }), fc.array(small, { minLength: MAX_IN, maxLength: MAX_IN }));
const eventList = (nIn: number, pick: number) => [...Array(nIn).keys()].filter((j) => (pick >>> j) & 1);

describe('hot kernels on wide layers equal their TypeScript twins bit for bit', () => {
  it('integrate (f32): register blocks, vectors and tail, spikes and analog', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: MAX_OUT }), events, fc.boolean(), fc.array(small, { minLength: MAX_IN * MAX_OUT + MAX_OUT, maxLength: MAX_IN * MAX_OUT + MAX_OUT }),
      (nOut, [nIn, pick, xv], analog, vals) => {
        const p = pair(BYTES);
        p.f32(W, vals.slice(0, nIn * nOut)); p.f32(B, vals.slice(MAX_IN * MAX_OUT, MAX_IN * MAX_OUT + nOut));
        const idx = eventList(nIn, pick);
        p.i32(IX, idx); p.f32(VX, idx.map((j) => (analog ? xv[j] : 1)));
        for (const k of p.ks) k.integrate(k.base + W, nOut, k.base + IX, k.base + VX, idx.length, analog ? 1 : 0, k.base + B, k.base + I, k.base + CNT);
        p.same();
      }));
  });

  it('integrateFixed (i32, wrapping): register blocks, vectors and tail', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: MAX_OUT }), events, fc.boolean(),
      fc.array(fc.integer({ min: -(2 ** 20), max: 2 ** 20 }), { minLength: MAX_IN * MAX_OUT + MAX_OUT, maxLength: MAX_IN * MAX_OUT + MAX_OUT }),
      fc.integer({ min: -6, max: 10 }), fc.constantFrom(0, 1, 2),
      (nOut, [nIn, pick, xv], analog, vals, shift, mode) => {
        const p = pair(BYTES);
        p.i32(W, vals.slice(0, nIn * nOut)); p.i32(B, vals.slice(MAX_IN * MAX_OUT, MAX_IN * MAX_OUT + nOut));
        const idx = eventList(nIn, pick);
        p.i32(IX, idx); p.f32(VX, idx.map((j) => (analog ? Math.fround(xv[j] / 4) : 1)));
        for (const k of p.ks) k.integrateFixed(k.base + W, nOut, k.base + IX, k.base + VX, idx.length, analog ? 1 : 0, 256, shift, 0, k.base + B, k.base + I, 2 ** 23 - 1, mode, k.base + CNT);
        p.same();
      }));
  });

  it('ltlOnlineSignal then outerUpdate: SIMD body and tail, per-layer and per-neuron thresholds, exact and sign', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: MAX_OUT }), fc.integer({ min: 1, max: 16 }), fc.constantFrom(0, 1), fc.constantFrom(0, 1), fc.boolean(), events,
      fc.array(fc.integer({ min: 0, max: 16 }), { minLength: MAX_OUT, maxLength: MAX_OUT }),
      fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: MAX_OUT, maxLength: MAX_OUT }),
      fc.array(small, { minLength: MAX_OUT, maxLength: MAX_OUT }),
      fc.array(fc.float({ min: Math.fround(0.1), max: 2, noNaN: true }), { minLength: MAX_OUT, maxLength: MAX_OUT }),
      fc.float({ min: Math.fround(0.05), max: 3, noNaN: true }), fc.float({ min: Math.fround(1e-4), max: 1, noNaN: true }),
      fc.array(small, { minLength: MAX_IN * MAX_OUT, maxLength: MAX_IN * MAX_OUT }),
      (n, t, thrStride, mode, analog, [nIn, pick, xv], c, y, u, thr, width, lr, w0) => {
        const p = pair(BYTES);
        p.u32(C, c.slice(0, n)); p.f32(Y, y.slice(0, n)); p.f32(U, u.slice(0, n)); p.f32(TH, thr.slice(0, thrStride ? n : 1));
        p.f32(W, w0.slice(0, nIn * n));
        const idx = eventList(nIn, pick);
        p.i32(IX, idx); p.f32(VX, idx.map((j) => (analog ? xv[j] : 1)));
        const na = p.ks.map((k) => k.ltlOnlineSignal(n, k.base + C, k.base + Y, k.base + U, k.base + TH, thrStride, t, width, 2.5, mode, -lr, k.base + M, k.base + A, k.base + CNT));
        expect(na[0]).toBe(na[1]);
        p.same();
        for (const k of p.ks) k.outerUpdate(k.base + W, k.base + B, n, k.base + IX, k.base + VX, idx.length, analog ? 1 : 0, k.base + M, k.base + A, na[0], 1, k.base + CNT);
        p.same();
      }));
  });

  it('outerUpdate with any list of distinct active neurons (dense or sparse, any order, m = 0 listed or not) and tiny products that underflow', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: MAX_OUT }), events, fc.boolean(), fc.boolean(),
      fc.array(fc.oneof(fc.constant(0), small, fc.float({ min: Math.fround(-1e-38), max: Math.fround(1e-38), noNaN: true })), { minLength: MAX_OUT, maxLength: MAX_OUT }),
      fc.array(fc.boolean(), { minLength: MAX_OUT, maxLength: MAX_OUT }), fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.array(small, { minLength: MAX_IN * MAX_OUT + MAX_OUT, maxLength: MAX_IN * MAX_OUT + MAX_OUT }), fc.constantFrom(1, 3, 9),
      (nOut, [nIn, pick, xv], analog, writes, m, listed, shuffle, w0, thin) => {
        const p = pair(BYTES);
        p.f32(W, w0.slice(0, nIn * nOut)); p.f32(B, w0.slice(MAX_IN * MAX_OUT, MAX_IN * MAX_OUT + nOut)); p.f32(M, m.slice(0, nOut));
        // thin > 1: few listed neurons, so that the writer takes its sparse path (the list) as well as its blocks
        const active = [...Array(nOut).keys()].filter((i) => listed[i] && i % thin === 0);
        // a seeded permutation of the list: the writer must not depend on its order
        for (let q = active.length - 1, s = shuffle; q > 0; q--, s = (s * 1103515245 + 12345) >>> 0) {
          const r = s % (q + 1);
          [active[q], active[r]] = [active[r], active[q]];
        }
        p.i32(A, active);
        const idx = eventList(nIn, pick);
        // analog values as small as 1e-9, so that some products underflow to zero (not counted)
        p.i32(IX, idx); p.f32(VX, idx.map((j) => (analog ? Math.fround(xv[j] * (j % 2 ? 1 : 1e-9)) : 1)));
        for (const k of p.ks) k.outerUpdate(k.base + W, k.base + B, nOut, k.base + IX, k.base + VX, idx.length, analog ? 1 : 0, k.base + M, k.base + A, active.length, writes ? 1 : 0, k.base + CNT);
        p.same();
      }));
  });
});
