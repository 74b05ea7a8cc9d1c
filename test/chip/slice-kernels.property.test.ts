// The slice kernels of the shared-memory build (assembly/synapse.ts integrateSlice,
// assembly/learning.ts outerUpdateSlice), run slice by slice over a layer, equal the TypeScript
// twin's integrate / outerUpdate of the whole layer bit for bit (currents, weights, biases), and
// the slices' counters add up to the twin's (events counted by one slice only).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createKernels } from '../../src/chip/kernels.js';
import { COUNTER_SLOTS, SYN_EVENTS } from '../../src/reference/counters.js';

const layerArb = fc.record({
  nIn: fc.integer({ min: 1, max: 40 }),
  nOut: fc.integer({ min: 1, max: 140 }),
  cuts: fc.array(fc.integer({ min: 0, max: 140 }), { maxLength: 4 }),
  analog: fc.boolean(),
  vals: fc.array(fc.float({ min: -2, max: 2, noNaN: true }), { minLength: 64, maxLength: 64 }),
  events: fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
  active: fc.array(fc.boolean(), { minLength: 140, maxLength: 140 }),
});

describe('slice kernels', () => {
  it('integrate and write the outer product of a layer slice by slice as the twin does for the whole layer', () => {
    fc.assert(fc.property(layerArb, (g) => {
      const { nIn, nOut, analog } = g;
      let q = 0;
      const v = () => g.vals[q++ % g.vals.length];
      const bounds = [...new Set([0, nOut, ...g.cuts.map((c) => Math.min(c, nOut))])].sort((a, b) => a - b);
      // Arena: weights, bias, current, event indices and values, m, active list (whole layer), counters.
      const o = { wt: 0, bias: 4 * nIn * nOut, i: 0, idx: 0, val: 0, m: 0, act: 0, cnt: 0, end: 0 };
      o.i = o.bias + 4 * nOut; o.idx = o.i + 4 * nOut; o.val = o.idx + 4 * nIn; o.m = o.val + 4 * nIn;
      o.act = o.m + 4 * nOut; o.cnt = Math.ceil((o.act + 4 * nOut) / 8) * 8; o.end = o.cnt + 8 * COUNTER_SLOTS * bounds.length;
      const wasm = createKernels('wasm', o.end, { extraBytes: 0 }), ts = createKernels('ts', o.end);
      const ex = wasm.shared!.exports;
      const ev = Array.from({ length: nIn }, (_, j) => j).filter((j) => g.events[j]);
      const act = Array.from({ length: nOut }, (_, i) => i).filter((i) => g.active[i]);
      const wt = Array.from({ length: nIn * nOut }, v), bias = Array.from({ length: nOut }, v), val = ev.map(() => Math.abs(v()));
      const m = Array.from({ length: nOut }, (_, i) => (g.active[i] ? v() / 4 : 0));
      for (const k of [wasm, ts]) {
        const b = k.base;
        k.mem.f32.set(wt, (b + o.wt) >>> 2);
        k.mem.f32.set(bias, (b + o.bias) >>> 2);
        k.mem.i32.set(ev, (b + o.idx) >>> 2);
        k.mem.f32.set(val, (b + o.val) >>> 2);
        k.mem.f32.set(m, (b + o.m) >>> 2);
      }
      const B = wasm.base, T = ts.base;
      // The twin: the whole layer.
      ts.integrate(T + o.wt, nOut, T + o.idx, T + o.val, ev.length, analog ? 1 : 0, T + o.bias, T + o.i, T + o.cnt);
      ts.mem.i32.set(act, (T + o.act) >>> 2);
      ts.outerUpdate(T + o.wt, T + o.bias, nOut, T + o.idx, T + o.val, ev.length, analog ? 1 : 0, T + o.m, T + o.act, act.length, 1, T + o.cnt);
      // wasm: slice by slice, each with its own counter block and an active list of its own neurons (from the slice's start).
      const sliceCnt = (s: number) => B + o.cnt + 8 * COUNTER_SLOTS * s;
      for (let s = 0; s + 1 < bounds.length; s++) {
        const i0 = bounds[s], w = bounds[s + 1] - i0, off = 4 * i0;
        ex.integrateSlice(B + o.wt + off, nOut, w, B + o.idx, B + o.val, ev.length, analog ? 1 : 0, B + o.bias + off, B + o.i + off, s === 0 ? 1 : 0, sliceCnt(s));
      }
      for (let s = 0; s + 1 < bounds.length; s++) {
        const i0 = bounds[s], w = bounds[s + 1] - i0, off = 4 * i0;
        const mine = act.filter((i) => i >= i0 && i < i0 + w).map((i) => i - i0);
        wasm.mem.i32.set(mine, (B + o.act + off) >>> 2);
        ex.outerUpdateSlice(B + o.wt + off, B + o.bias + off, nOut, w, B + o.idx, B + o.val, ev.length, analog ? 1 : 0, B + o.m + off, B + o.act + off, mine.length, 1, sliceCnt(s));
      }
      const bytes = (k: typeof wasm, from: number, to: number) => Buffer.from(new Uint8Array(k.mem.f32.buffer, k.base + from, to - from));
      expect(Buffer.compare(bytes(wasm, o.wt, o.idx), bytes(ts, o.wt, o.idx))).toBe(0);
      const summed = new Array(COUNTER_SLOTS).fill(0);
      for (let s = 0; s + 1 < bounds.length; s++) {
        for (let c = 0; c < COUNTER_SLOTS; c++) summed[c] += wasm.mem.f64[(sliceCnt(s) >>> 3) + c];
      }
      const twin = Array.from(ts.mem.f64.subarray((T + o.cnt) >>> 3, ((T + o.cnt) >>> 3) + COUNTER_SLOTS));
      expect(summed).toEqual(twin);
      expect(twin[SYN_EVENTS]).toBe(ev.length);
    }), { numRuns: 150 });
  });
});
