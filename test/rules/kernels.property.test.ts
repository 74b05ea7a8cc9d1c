// The kernels of offline LTL, STOP and BPTT (assembly/state.ts, backprop.ts, readout.ts,
// traces.ts) against their TypeScript twins, bit for bit, on random inputs: both backends get
// identical arenas, run the same call at the same offsets, and must leave identical bytes.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { pair, layout, small, positive, unit, vec, sparse, CNT_BYTES } from '../kernel-pair.js';
import { Kernels } from '../../src/chip/kernels.js';
import { expf32 } from '../../src/reference/readout.js';

const wide = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e4, max: 1e4 });


const events = (x: number[]) => x.flatMap((v, j) => (v !== 0 ? [j] : []));
const run = <T>(p: ReturnType<typeof pair>, f: (k: Kernels, b: number) => T): T[] => p.ks.map((k) => f(k, k.base));

describe('state memory kernels (assembly/state.ts) equal their twins', () => {
  it('storeState, storeEvents (spikes and analog), loadEvents', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 19 }), sparse(wide, 19), fc.boolean(), vec(wide, 19), (n, x, analog, junk) => {
      const L = layout([n, n, n, n, n, n, n]);
      const [SRC, DST, IX, VX, ROW, OIX, OVX] = L.at, CNT = L.bytes - CNT_BYTES;
      const p = pair(L.bytes);
      p.f32(SRC, x.slice(0, n)); p.f32(DST, junk.slice(0, n)); p.f32(ROW, junk.slice(0, n));
      const ev = events(x.slice(0, n));
      p.i32(IX, ev); p.f32(VX, ev.map((j) => x[j]));
      run(p, (k, b) => k.storeState(b + SRC, n, b + DST, b + CNT));
      run(p, (k, b) => k.storeEvents(b + IX, b + VX, ev.length, analog ? 1 : 0, n, b + ROW, b + CNT));
      const r = run(p, (k, b) => k.loadEvents(b + ROW, n, b + OIX, b + OVX, b + CNT));
      expect(r[0]).toBe(r[1]);
      expect(r[0]).toBe(ev.length);
      p.same();
    }));
  });
});

describe('back-propagation kernels (assembly/backprop.ts) equal their twins', () => {
  it('ltlOfflineError', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 11 }), fc.integer({ min: 1, max: 64 }), vec(fc.integer({ min: 0, max: 64 }), 11), vec(unit, 11), (n, T, c, y) => {
      const L = layout([n, n, n]);
      const [C, Y, Z] = L.at, CNT = L.bytes - CNT_BYTES;
      const p = pair(L.bytes);
      p.u32(C, c.slice(0, n)); p.f32(Y, y.slice(0, n));
      run(p, (k, b) => k.ltlOfflineError(n, T, b + C, b + Y, b + Z, b + CNT));
      p.same();
    }));
  });

  it('surrogateBackStep (reset subtract and zero, per-layer and per-neuron threshold and leak)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 11 }), fc.constantFrom(0, 1), fc.constantFrom(0, 1), fc.constantFrom(0, 1),
      vec(small, 11), vec(fc.constantFrom(0, 1), 11), vec(small, 11), vec(small, 11), vec(positive, 11), vec(unit, 11),
      positive, fc.constantFrom(1, 0.5, 2.5),
      (n, reset, ts, ls, u, s, err, carry, thr, leak, width, height) => {
        const L = layout([n, n, n, n, n, n, n, n]);
        const [U, S, E, TH, LK, CR, DI, A] = L.at, CNT = L.bytes - CNT_BYTES;
        const p = pair(L.bytes);
        p.f32(U, u.slice(0, n)); p.f32(S, s.slice(0, n)); p.f32(E, err.slice(0, n)); p.f32(TH, thr.slice(0, n));
        p.f32(LK, leak.slice(0, n)); p.f32(CR, carry.slice(0, n));
        const r = run(p, (k, b) => k.surrogateBackStep(n, b + U, b + S, b + E, b + TH, ts, b + LK, ls, reset, width, height, b + CR, b + DI, b + A, b + CNT));
        expect(r[0]).toBe(r[1]);
        p.same();
      }));
  });

  it('backpropError (over the active neurons, written not accumulated)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), vec(small, 81), sparse(small, 9), vec(small, 9),
      (nIn, nOut, w, d, junk) => {
        const L = layout([nIn * nOut, nOut, nOut, nIn]);
        const [W, D, A, DST] = L.at, CNT = L.bytes - CNT_BYTES;
        const p = pair(L.bytes);
        p.f32(W, w.slice(0, nIn * nOut)); p.f32(D, d.slice(0, nOut)); p.f32(DST, junk.slice(0, nIn));
        const act = events(d.slice(0, nOut));
        p.i32(A, act);
        run(p, (k, b) => k.backpropError(b + W, nIn, nOut, b + D, b + A, act.length, b + DST, b + CNT));
        p.same();
      }));
  });

  it('sgdApply and sgdApplyClamped', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 30 }), vec(wide, 30), sparse(wide, 30), vec(small, 30), sparse(small, 30), fc.float({ min: -2, max: 2, noNaN: true }),
      (n, w, g, bv, gb, lr) => {
        const L = layout([n, n, n, n, n, n]);
        const [W, G, B, GB, P, GP] = L.at, CNT = L.bytes - CNT_BYTES;
        const p = pair(L.bytes);
        p.f32(W, w.slice(0, n)); p.f32(G, g.slice(0, n)); p.f32(B, bv.slice(0, n)); p.f32(GB, gb.slice(0, n));
        p.f32(P, bv.slice(0, n).map(Math.abs)); p.f32(GP, g.slice(0, n));
        run(p, (k, b) => k.sgdApply(b + W, b + G, n, b + B, b + GB, n, lr, b + CNT));
        run(p, (k, b) => k.sgdApplyClamped(b + P, b + GP, n, lr, Math.fround(1e-6), 1));
        p.same();
        for (const k of p.ks) {
          for (const v of k.mem.f32.subarray((k.base + P) >>> 2, ((k.base + P) >>> 2) + n)) {
            expect(v).toBeGreaterThanOrEqual(Math.fround(1e-6));
            expect(v).toBeLessThanOrEqual(1);
          }
        }
      }));
  });
});

describe('readout kernel (assembly/readout.ts) equals its twin', () => {
  it('readoutError: softmax - onehot, bit for bit, and within 2e-7 of the f64 softmax', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), vec(fc.float({ min: -60, max: 60, noNaN: true }), 12), fc.nat(), (n, o, lb) => {
      const label = lb % n;
      const L = layout([n, n, n]);
      const [O, D, A] = L.at, CNT = L.bytes - CNT_BYTES;
      const p = pair(L.bytes);
      p.f32(O, o.slice(0, n));
      const r = run(p, (k, b) => k.readoutError(n, b + O, label, b + D, b + A, b + CNT));
      expect(r[0]).toBe(r[1]);
      p.same();
      const ov = o.slice(0, n).map(Math.fround), m = Math.max(...ov);
      const e = ov.map((v) => Math.exp(v - m)), s = e.reduce((a, b) => a + b, 0);
      const k = p.ks[0], d = k.mem.f32.subarray((k.base + D) >>> 2, ((k.base + D) >>> 2) + n);
      e.forEach((v, i) => expect(Math.abs(d[i] - (v / s - (i === label ? 1 : 0)))).toBeLessThan(2e-7 * n));
    }), { numRuns: 300 });
  });

  it('expf32 is within 1 ulp of f32 of e^x', () => {
    fc.assert(fc.property(fc.float({ min: -103, max: 88, noNaN: true }), (x) => {
      const got = expf32(x), want = Math.exp(Math.fround(x));
      const ulp = Math.fround(want * (1 + 2 ** -23)) - Math.fround(want);
      expect(Math.abs(got - want)).toBeLessThanOrEqual(Math.max(ulp, 2 ** -149));
    }), { numRuns: 2000 });
    expect(expf32(0)).toBe(1);
    expect(expf32(-200)).toBe(0);
  });
});

describe('STOP kernels (assembly/traces.ts) equal their twins', () => {
  it('traceSynapses (per-layer vector and per-neuron matrix, SIMD vs scalar; spikes and analog)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 11 }), fc.constantFrom(0, 1), fc.boolean(),
      sparse(small, 9), vec(small, 99), vec(unit, 11),
      (nIn, nOut, ls, analog, x, e0, leak) => {
        const L = layout([nIn * nOut, nIn, nIn, nOut]);
        const [E, IX, VX, LK] = L.at, CNT = L.bytes - CNT_BYTES;
        const p = pair(L.bytes);
        p.f32(E, e0.slice(0, ls ? nIn * nOut : nIn)); p.f32(LK, leak.slice(0, nOut));
        const ev = events(x.slice(0, nIn));
        p.i32(IX, ev); p.f32(VX, ev.map((j) => (analog ? x[j] : 1)));
        run(p, (k, b) => k.traceSynapses(b + E, nIn, nOut, b + IX, b + VX, ev.length, analog ? 1 : 0, b + LK, ls, b + CNT));
        p.same();
      }));
  });

  it('traceNeurons (with and without threshold/leak traces)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 11 }), fc.constantFrom(0, 1), fc.constantFrom(0, 1), vec(small, 11), vec(small, 11), vec(small, 11), vec(fc.constantFrom(0, 1), 11), vec(small, 11), vec(small, 11), vec(unit, 11),
      (n, ls, tl, eb, eth, ea, sp, up, u, leak) => {
        const L = layout([n, n, n, n, n, n, n]);
        const [EB, ETH, EA, SP, UP, U, LK] = L.at, CNT = L.bytes - CNT_BYTES;
        const p = pair(L.bytes);
        p.f32(EB, eb.slice(0, n)); p.f32(ETH, eth.slice(0, n)); p.f32(EA, ea.slice(0, n)); p.f32(SP, sp.slice(0, n));
        p.f32(UP, up.slice(0, n)); p.f32(U, u.slice(0, n)); p.f32(LK, leak.slice(0, n));
        run(p, (k, b) => k.traceNeurons(n, b + EB, b + LK, ls, tl, b + ETH, b + EA, b + SP, b + UP, b + U, b + CNT));
        p.same();
      }));
  });

  it('stopDelta and stopGrad (per-layer and per-neuron leak, with and without threshold/leak gradients)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.constantFrom(0, 1), fc.constantFrom(0, 1), fc.constantFrom(0, 1),
      vec(small, 9), vec(small, 9), vec(positive, 9), sparse(small, 81), vec(small, 81), vec(small, 9), vec(small, 9), vec(small, 9), positive, fc.constantFrom(1, 2),
      (nIn, nOut, pn, ts, tl, dS, u, thr, eW, g0, eb, eth, ea, width, height) => {
        const L = layout([nOut, nOut, nOut, nOut, nOut, nIn * nOut, nIn * nOut, nOut, nOut, nOut, nOut, nOut, nOut]);
        const [DS, U, TH, D, A, EW, G, GB, EB, ETH, EA, GTH, GA] = L.at, CNT = L.bytes - CNT_BYTES;
        const p = pair(L.bytes);
        p.f32(DS, dS.slice(0, nOut)); p.f32(U, u.slice(0, nOut)); p.f32(TH, thr.slice(0, nOut));
        p.f32(EW, eW.slice(0, pn ? nIn * nOut : nIn)); p.f32(G, g0.slice(0, nIn * nOut));
        p.f32(EB, eb.slice(0, nOut)); p.f32(ETH, eth.slice(0, nOut)); p.f32(EA, ea.slice(0, nOut));
        p.f32(GB, g0.slice(0, nOut)); p.f32(GTH, g0.slice(9, 9 + nOut)); p.f32(GA, g0.slice(18, 18 + nOut));
        const na = run(p, (k, b) => k.stopDelta(nOut, b + DS, b + U, b + TH, ts, width, height, b + D, b + A, b + CNT));
        expect(na[0]).toBe(na[1]);
        run(p, (k, b) => k.stopGrad(nIn, nOut, b + G, b + GB, b + EW, pn, b + EB, pn, b + D, b + A, na[0], tl, b + ETH, b + EA, b + GTH, b + GA, pn, b + CNT));
        p.same();
      }));
  });
});
