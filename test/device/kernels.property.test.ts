// Every device / fixed-point kernel (assembly/device.ts) against its TypeScript twin
// (src/reference/device.ts), bit for bit, on random inputs: identical arenas, the same call,
// identical bytes afterwards (generator states and counters included).
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { pair, CNT_BYTES, small } from '../kernel-pair.js';
import { createKernels } from '../../src/chip/kernels.js';

const f32 = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e4, max: 1e4 });
const seed = fc.integer({ min: 1, max: 2 ** 32 - 1 });


/** A quantized weight grid: `levels` values over [-wmax, wmax]. */
function grid(levels: number, wmax: number) {
  const maxLevel = levels - 1;
  const step = Math.fround((2 * wmax) / maxLevel);
  return { step, invStep: Math.fround(1 / step), half: maxLevel / 2, maxLevel };
}

describe('device kernels equal their TypeScript twins bit for bit', () => {
  it('integrateGain (spikes and analog, SIMD vs scalar)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 9 }), fc.boolean(), fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.array(f32, { minLength: 13 * 9 + 13, maxLength: 13 * 9 + 13 }), fc.array(fc.float({ min: 0, max: 2, noNaN: true }), { minLength: 117, maxLength: 117 }),
      fc.array(small, { minLength: 9, maxLength: 9 }),
      (nOut, nIn, analog, pick, vals, gains, xin) => {
        const W = 0, G = 480, B = 960, IX = 1024, VX = 1072, I = 1120, CNT = 1184;
        const p = pair(CNT + CNT_BYTES);
        p.f32(W, vals.slice(0, nIn * nOut)); p.f32(G, gains.slice(0, nIn * nOut)); p.f32(B, vals.slice(117, 117 + nOut));
        const idx = [...Array(nIn).keys()].filter((j) => (pick >>> j) & 1);
        p.i32(IX, idx); p.f32(VX, idx.map((j) => (analog ? xin[j] : 1)));
        p.call((k, a) => k.integrateGain(a(W), a(G), nOut, a(IX), a(VX), idx.length, analog ? 1 : 0, a(B), a(I), a(CNT)));
        p.same();
      }));
  });

  it('integrateGain with unit gains equals integrate', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 9 }), fc.boolean(), fc.array(f32, { minLength: 130, maxLength: 130 }), fc.array(small, { minLength: 9, maxLength: 9 }),
      (nOut, nIn, analog, vals, xin) => {
        const W = 0, G = 480, B = 960, IX = 1024, VX = 1072, I = 1120, I2 = 1184, CNT = 1248, CNT2 = CNT + CNT_BYTES;
        const k = createKernels('wasm', CNT2 + CNT_BYTES), at = (o: number) => k.base + o;
        k.mem.f32.set(vals.slice(0, nIn * nOut), at(W) >>> 2);
        k.mem.f32.fill(1, at(G) >>> 2, (at(G) >>> 2) + nIn * nOut);
        k.mem.f32.set(vals.slice(117, 117 + nOut), at(B) >>> 2);
        k.mem.i32.set([...Array(nIn).keys()], at(IX) >>> 2);
        k.mem.f32.set(xin.slice(0, nIn), at(VX) >>> 2);
        k.integrateGain(at(W), at(G), nOut, at(IX), at(VX), nIn, analog ? 1 : 0, at(B), at(I), at(CNT));
        k.integrate(at(W), nOut, at(IX), at(VX), nIn, analog ? 1 : 0, at(B), at(I2), at(CNT2));
        expect(Buffer.from(k.mem.f32.slice(at(I) >>> 2, (at(I) >>> 2) + nOut).buffer)).toEqual(Buffer.from(k.mem.f32.slice(at(I2) >>> 2, (at(I2) >>> 2) + nOut).buffer));
      }));
  });

  it('membraneNoise', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.array(small, { minLength: 40, maxLength: 40 }), fc.float({ min: 0, max: 1, noNaN: true }), seed,
      (n, i0, sigma, s) => {
        const I = 0, R = 160;
        const p = pair(R + 16);
        p.f32(I, i0.slice(0, n)); p.u32(R, [s]);
        p.call((k, a) => k.membraneNoise(a(I), n, Math.fround(sigma * Math.sqrt(3) / 65536), a(R)));
        p.same();
      }));
  });

  it('quantizeWeights (with and without write noise)', () => {
    fc.assert(fc.property(fc.array(small, { minLength: 1, maxLength: 40 }), fc.integer({ min: 2, max: 64 }), fc.float({ min: Math.fround(0.05), max: 3, noNaN: true }),
      fc.constantFrom(0, 0.003, 0.1), seed,
      (w, levels, wmax, noise, s) => {
        const W = 0, R = 160, CNT = 176;
        const g = grid(levels, wmax);
        const p = pair(CNT + CNT_BYTES);
        p.f32(W, w); p.u32(R, [s]);
        p.call((k, a) => k.quantizeWeights(a(W), w.length, g.step, g.invStep, g.half, g.maxLevel, Math.fround(noise * g.maxLevel * Math.sqrt(3) / 65536), a(R), a(CNT)));
        p.same();
      }));
  });

  it('deviceOuterUpdate and deviceApply (nearest and stochastic, spikes and analog, write noise)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 2, max: 33 }), fc.float({ min: Math.fround(0.1), max: 2, noNaN: true }),
      fc.array(fc.integer({ min: 0, max: 32 }), { minLength: 60, maxLength: 60 }), fc.array(fc.oneof(fc.constant(0), fc.float({ min: -1, max: 1, noNaN: true })), { minLength: 10, maxLength: 10 }),
      fc.array(small, { minLength: 6, maxLength: 6 }), fc.boolean(), fc.constantFrom(0, 1), fc.constantFrom(0, 0.003, 0.05), seed,
      fc.array(fc.oneof(fc.constant(0), small), { minLength: 60, maxLength: 60 }),
      (n, nIn, levels, wmax, lv, mv, xv, analog, stochastic, noise, s, gacc) => {
        const g = grid(levels, wmax);
        const W = 0, B = 240, M = 288, A = 336, IX = 384, VX = 416, R = 448, G = 464, GB = 704, CNT = 752;
        const p = pair(CNT + CNT_BYTES);
        p.f32(W, lv.slice(0, n * nIn).map((k) => Math.fround(Math.fround(Math.min(k, g.maxLevel) - g.half) * g.step)));
        p.f32(B, mv); p.f32(M, mv);
        const active = [...Array(n).keys()].filter((i) => mv[i] !== 0);
        p.i32(A, active);
        const evIdx = [...Array(nIn).keys()].filter((j) => xv[j] !== 0);
        p.i32(IX, evIdx); p.f32(VX, evIdx.map((j) => (analog ? xv[j] : 1)));
        p.u32(R, [s]);
        p.f32(G, gacc.slice(0, n * nIn)); p.f32(GB, gacc.slice(0, n));
        const ns = Math.fround(noise * g.maxLevel * Math.sqrt(3) / 65536);
        p.call((k, a) => k.deviceOuterUpdate(a(W), a(B), n, a(IX), a(VX), evIdx.length, analog ? 1 : 0, a(M), a(A), active.length, g.step, g.invStep, g.half, g.maxLevel, ns, stochastic, a(R), a(CNT)));
        p.same();
        p.call((k, a) => k.deviceApply(a(W), a(G), n * nIn, a(B), a(GB), n, g.step, g.invStep, g.half, g.maxLevel, ns, stochastic, a(R), a(CNT)));
        p.same();
      }));
  });

  it('gatherEventsFixed', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.constant(0), small), { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 10 }), (x, xf) => {
      const X = 0, IX = 160, VX = 320, CNT = 480;
      const p = pair(CNT + CNT_BYTES);
      p.f32(X, x);
      p.call((k, a) => k.gatherEventsFixed(a(X), x.length, a(IX), a(VX), 2 ** xf, 2 ** xf, a(CNT)));
      p.same();
    }));
  });

  it('integrateFixed (spikes and analog, every shift rounding, saturation)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 9 }), fc.boolean(), fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.array(fc.integer({ min: -127, max: 127 }), { minLength: 130, maxLength: 130 }), fc.array(fc.integer({ min: -256, max: 256 }), { minLength: 9, maxLength: 9 }),
      fc.integer({ min: -6, max: 10 }), fc.integer({ min: -6, max: 0 }), fc.constantFrom(0, 1, 2), fc.integer({ min: 4, max: 24 }),
      (nOut, nIn, analog, pick, vals, xq, sa, ss, mode, bits) => {
        const W = 0, B = 480, IX = 544, VX = 592, I = 640, CNT = 704;
        const p = pair(CNT + CNT_BYTES);
        p.i32(W, vals.slice(0, nIn * nOut)); p.i32(B, vals.slice(117, 117 + nOut).map((v) => v * 8));
        const idx = [...Array(nIn).keys()].filter((j) => (pick >>> j) & 1);
        p.i32(IX, idx); p.f32(VX, idx.map((j) => (analog ? xq[j] / 256 : 1)));
        p.call((k, a) => k.integrateFixed(a(W), nOut, a(IX), a(VX), idx.length, analog ? 1 : 0, 256, sa, ss, a(B), a(I), 2 ** (bits - 1) - 1, mode, a(CNT)));
        p.same();
      }));
  });

  it('neuronStepFixed (both leaks, both resets, per-layer and per-neuron parameters)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 11 }), fc.constantFrom(0, 1), fc.constantFrom(0, 1), fc.constantFrom(0, 1), fc.constantFrom(0, 1), fc.constantFrom(0, 1, 2),
      fc.array(fc.integer({ min: -40000, max: 40000 }), { minLength: 11, maxLength: 11 }), fc.array(fc.integer({ min: -40000, max: 40000 }), { minLength: 11, maxLength: 11 }),
      fc.array(fc.constantFrom(0, 1), { minLength: 11, maxLength: 11 }), fc.array(fc.integer({ min: 1, max: 30000 }), { minLength: 11, maxLength: 11 }),
      fc.array(fc.integer({ min: 0, max: 4096 }), { minLength: 11, maxLength: 11 }), fc.integer({ min: 8, max: 24 }),
      (n, reset, ts, ls, leakMode, mode, inp, u, sPrev, thr, leak, bits) => {
        const I = 0, U = 48, SP = 96, S = 144, IX = 192, TH = 240, LK = 288, CNT = 336;
        const p = pair(CNT + CNT_BYTES);
        p.i32(I, inp); p.i32(U, u); p.f32(SP, sPrev); p.i32(TH, thr);
        p.i32(LK, leakMode ? leak.map((a) => a % 9) : leak);
        p.call((k, a) => k.neuronStepFixed(n, a(I), a(U), a(SP), a(S), a(IX), a(TH), ts, a(LK), ls, leakMode, 12, reset, 2 ** (bits - 1) - 1, mode, a(CNT)));
        p.same();
      }));
  });

  it('membraneNoiseFixed', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: -3000, max: 3000 }), { minLength: 40, maxLength: 40 }), fc.float({ min: 0, max: 500, noNaN: true }), seed, fc.integer({ min: 8, max: 16 }),
      (n, i0, sigma, s, bits) => {
        const I = 0, R = 160, CNT = 176;
        const p = pair(CNT + CNT_BYTES);
        p.i32(I, i0.slice(0, n)); p.u32(R, [s]);
        p.call((k, a) => k.membraneNoiseFixed(a(I), n, Math.fround(sigma * Math.sqrt(3) / 65536), 2 ** (bits - 1) - 1, a(R), a(CNT)));
        p.same();
      }));
  });

  it('ltlOnlineSignalFixed, fixedOuterUpdate and fixedApply', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 16 }),
      fc.array(fc.integer({ min: 0, max: 16 }), { minLength: 10, maxLength: 10 }), fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: 10, maxLength: 10 }),
      fc.array(fc.integer({ min: -5000, max: 5000 }), { minLength: 10, maxLength: 10 }), fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 10, maxLength: 10 }),
      fc.float({ min: Math.fround(0.5), max: 3000, noNaN: true }), fc.constantFrom(0, 1), fc.float({ min: Math.fround(1e-4), max: 1, noNaN: true }), fc.boolean(),
      fc.array(small, { minLength: 6, maxLength: 6 }), fc.array(fc.integer({ min: -127, max: 127 }), { minLength: 60, maxLength: 60 }),
      fc.constantFrom(0, 1), fc.float({ min: 1, max: 2000, noNaN: true }), fc.integer({ min: 3, max: 8 }), seed,
      fc.array(fc.oneof(fc.constant(0), small), { minLength: 60, maxLength: 60 }),
      (n, nIn, t, c, y, u, thr, halfQ, mode, lr, analog, xv, w0, stochastic, invSw, wbits, s, gacc) => {
        const C = 0, Y = 48, U = 96, TH = 144, M = 192, A = 240, DST = 288, DB = DST + 240, IX = DB + 48, VX = IX + 32, R = VX + 32, G = R + 16, GB = G + 240, CNT = GB + 48;
        const p = pair(CNT + CNT_BYTES);
        const wMax = 2 ** (wbits - 1) - 1;
        p.u32(C, c); p.f32(Y, y); p.i32(U, u); p.i32(TH, thr);
        p.i32(DST, w0.slice(0, n * nIn).map((w) => Math.max(-wMax, Math.min(wMax, w)))); p.i32(DB, u);
        const evIdx = [...Array(nIn).keys()].filter((j) => xv[j] !== 0);
        p.i32(IX, evIdx); p.f32(VX, evIdx.map((j) => (analog ? xv[j] : 1)));
        p.u32(R, [s]);
        p.f32(G, gacc.slice(0, n * nIn)); p.f32(GB, gacc.slice(0, n));
        const na = p.call((k, a) => k.ltlOnlineSignalFixed(n, a(C), a(Y), a(U), a(TH), 1, t, halfQ, 1 / 3, mode, -lr, a(M), a(A), a(CNT)));
        p.same();
        const invSu = Math.fround(invSw * 64);
        p.call((k, a) => k.fixedOuterUpdate(a(DST), a(DB), n, a(IX), a(VX), evIdx.length, analog ? 1 : 0, a(M), a(A), na, Math.fround(invSw), invSu, wMax, 32767, stochastic, a(R), a(CNT)));
        p.same();
        p.call((k, a) => k.fixedApply(a(DST), a(G), n * nIn, a(DB), a(GB), n, Math.fround(invSw), invSu, wMax, 32767, stochastic, a(R), a(CNT)));
        p.same();
      }));
  });
});
