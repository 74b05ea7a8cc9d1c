// The Loihi kernels (assembly/loihi.ts) against their TypeScript twin (src/reference/loihi.ts) bit
// for bit on random arenas, and the invariants of Loihi's neuron that hold for any parameters.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createKernels, Kernels } from '../../src/chip/kernels.js';
import { COUNTER_SLOTS } from '../../src/reference/counters.js';

const i32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const decayConst = fc.oneof(fc.constantFrom(0, 4095), fc.integer({ min: 0, max: 4095 }));
const MAX = 2 ** 23;

/** Byte offsets of one layer of n neurons and nIn inputs in an arena (16-byte aligned). */
function layout(n: number, nIn: number) {
  let off = 0;
  const take = (words: number) => { const p = off; off += Math.ceil(words / 4) * 16; return p; };
  const L = {
    wt: take(nIn * n), idx: take(nIn), a: take(n), cur: take(n), v: take(n), sPrev: take(n), s: take(n), six: take(n),
    du: take(n), dv: take(n), bias: take(n), vth: take(n), cnt: take(2 * COUNTER_SLOTS), bytes: 0,
  };
  L.bytes = off;
  return L;
}

function pair(bytes: number) {
  const ks = [createKernels('wasm', bytes), createKernels('ts', bytes)] as const;
  return {
    ks,
    writeI32(off: number, v: ArrayLike<number>) { for (const k of ks) k.mem.i32.set(Array.from(v), (k.base + off) >>> 2); },
    writeF32(off: number, v: ArrayLike<number>) { for (const k of ks) k.mem.f32.set(Array.from(v), (k.base + off) >>> 2); },
    same() {
      const a = new Uint8Array(ks[0].mem.f32.buffer, ks[0].base, bytes);
      const b = new Uint8Array(ks[1].mem.f32.buffer, ks[1].base, bytes);
      expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
    },
  };
}

type L = ReturnType<typeof layout>;
const step = (k: Kernels, L: L, n: number, perNeuron: number) => k.loihiNeuronStep(
  n, k.base + L.a, k.base + L.cur, k.base + L.v, k.base + L.sPrev, k.base + L.s, k.base + L.six,
  k.base + L.du, perNeuron, k.base + L.dv, perNeuron, k.base + L.bias, k.base + L.vth, perNeuron, k.base + L.cnt,
);

describe('Loihi kernels equal their TypeScript twins bit for bit', () => {
  it('loihiDendrite (i32 sums that wrap, SIMD vs scalar, weight exponents -8..7)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 2 ** 9 - 1 }),
      fc.integer({ min: -8, max: 7 }), fc.array(i32, { minLength: 13 * 9, maxLength: 13 * 9 }),
      (nOut, nIn, pick, weightExp, w) => {
        const L = layout(nOut, nIn), p = pair(L.bytes);
        p.writeI32(L.wt, w.slice(0, nIn * nOut));
        const idx = [...Array(nIn).keys()].filter((j) => (pick >>> j) & 1);
        p.writeI32(L.idx, idx);
        for (const k of p.ks) k.loihiDendrite(k.base + L.wt, nOut, k.base + L.idx, idx.length, weightExp, k.base + L.a, k.base + L.cnt);
        p.same();
      }));
  });

  it('loihiNeuronStep (any i32 state and input, per-layer and per-neuron du/dv/vth, resets)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 11 }), fc.constantFrom(0, 1),
      fc.array(i32, { minLength: 11, maxLength: 11 }), fc.array(i32, { minLength: 11, maxLength: 11 }),
      fc.array(fc.oneof(i32, fc.integer({ min: -MAX, max: MAX })), { minLength: 11, maxLength: 11 }),
      fc.array(decayConst, { minLength: 11, maxLength: 11 }), fc.array(decayConst, { minLength: 11, maxLength: 11 }),
      fc.array(fc.integer({ min: -(2 ** 19), max: 2 ** 19 }), { minLength: 11, maxLength: 11 }),
      fc.array(fc.integer({ min: 0, max: 131071 * 64 }), { minLength: 11, maxLength: 11 }),
      fc.array(fc.constantFrom(0, 1), { minLength: 11, maxLength: 11 }),
      (n, perNeuron, a, cur, v, du, dv, bias, vth, sPrev) => {
        const L = layout(n, 1), p = pair(L.bytes);
        p.writeI32(L.a, a.slice(0, n)); p.writeI32(L.cur, cur.slice(0, n)); p.writeI32(L.v, v.slice(0, n));
        p.writeI32(L.du, du.slice(0, n)); p.writeI32(L.dv, dv.slice(0, n)); p.writeI32(L.bias, bias.slice(0, n));
        p.writeI32(L.vth, vth.slice(0, n)); p.writeF32(L.sPrev, sPrev.slice(0, n));
        const r = p.ks.map((k) => step(k, L, n, perNeuron));
        expect(r[0]).toBe(r[1]);
        p.same();
      }));
  });
});

/** Run one neuron for the given activations on the TS twin; returns v (before reset), u and S per step. */
function run1(acts: number[], du: number, dv: number, bias: number, vth: number, backend: 'wasm' | 'ts' = 'ts') {
  const L = layout(1, 1), k = createKernels(backend, L.bytes);
  const I = (off: number) => (k.base + off) >>> 2;
  k.mem.i32[I(L.du)] = du; k.mem.i32[I(L.dv)] = dv; k.mem.i32[I(L.bias)] = bias; k.mem.i32[I(L.vth)] = vth;
  const out: { v: number; u: number; s: number }[] = [];
  for (const a of acts) {
    k.mem.i32[I(L.a)] = a;
    k.mem.f32[I(L.sPrev)] = out.length ? out[out.length - 1].s : 0;
    step(k, L, 1, 0);
    out.push({ v: k.mem.i32[I(L.v)], u: k.mem.i32[I(L.cur)], s: k.mem.f32[I(L.s)] });
  }
  return out;
}

const trunc12 = (x: number) => Math.trunc(x / 4096);
const acts = (max: number) => fc.array(fc.integer({ min: -max, max }), { minLength: 1, maxLength: 60 });

describe('Loihi neuron invariants', () => {
  it('no spike without crossing: S = 1 exactly when v > vth, and v is 0 after a spike', () => {
    fc.assert(fc.property(acts(2 ** 12), decayConst, decayConst, fc.integer({ min: -(2 ** 19), max: 2 ** 19 }), fc.integer({ min: 0, max: 2 ** 16 }),
      (a, du, dv, bias, vth) => {
        const r = run1(a, du, dv, bias, vth);
        r.forEach((x, t) => {
          expect(x.s).toBe(x.v > vth ? 1 : 0);
          // the next step starts from v = 0: its v is u + bias alone (decay(0) = 0)
          if (x.s && t + 1 < r.length) expect(r[t + 1].v).toBe(Math.min(Math.max(r[t + 1].u + bias, -(MAX - 1)), MAX - 1));
        });
      }));
  });

  it('no spike without excitation: inhibitory input and bias alone never make a neuron fire', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -(2 ** 12), max: 0 }), { minLength: 1, maxLength: 60 }), decayConst, decayConst,
      fc.integer({ min: -(2 ** 19), max: 0 }), fc.integer({ min: 0, max: 2 ** 16 }),
      (a, du, dv, bias, vth) => {
        run1(a, du, dv, bias, vth).forEach((x) => {
          expect(x.s).toBe(0);
          expect(x.v).toBeLessThanOrEqual(0);
        });
      }));
  });

  it('without input the current only decays: |u| never grows', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 12), max: 2 ** 12 }), fc.integer({ min: 1, max: 60 }), decayConst, decayConst,
      (kick, T, du, dv) => {
        const r = run1([kick, ...new Array(T).fill(0)], du, dv, 0, 2 ** 22);
        for (let t = 1; t < r.length; t++) expect(Math.abs(r[t].u)).toBeLessThanOrEqual(Math.abs(r[t - 1].u));
      }));
  });

  it('bounds: v within ±(2^23 - 1) always (saturates); u within (-2^23, 2^23] while a << 6 stays within ±2^24', () => {
    fc.assert(fc.property(fc.oneof(acts(2 ** 18), acts(2 ** 25)), decayConst, decayConst, fc.integer({ min: -(2 ** 19), max: 2 ** 19 }),
      (a, du, dv, bias) => {
        const r = run1(a, du, dv, bias, 0);
        let uInRange = true;
        r.forEach((x, t) => {
          expect(Math.abs(x.v)).toBeLessThanOrEqual(MAX - 1);
          uInRange &&= Math.abs(a[t] * 64) <= 2 ** 24;
          if (uInRange) {
            expect(x.u).toBeGreaterThan(-MAX);
            expect(x.u).toBeLessThanOrEqual(MAX);
          }
        });
      }));
  });

  it('wrap, not saturation: the current is (decayed u + a << 6) modulo 2^24 whenever that lands in range', () => {
    fc.assert(fc.property(acts(2 ** 18), decayConst, (a, du) => {
      const r = run1(a, du, 0, 0, 2 ** 22);
      let u = 0;
      r.forEach((x, t) => {
        const raw = trunc12(u * (4095 - du)) + a[t] * 64;
        const want = ((((raw + MAX) % 2 ** 24) + 2 ** 24) % 2 ** 24) - MAX; // in [-2^23, 2^23)
        expect(x.u === want || x.u === want + 2 ** 24).toBe(true); // Lava keeps +2^23 where -2^23 would be
        u = x.u;
      });
    }));
  });

  it('du = 4095 is the instantaneous-current neuron: u = a << 6, v = decay(v) + (a << 6) + bias', () => {
    fc.assert(fc.property(acts(2 ** 12), decayConst, fc.integer({ min: -(2 ** 19), max: 2 ** 19 }), fc.integer({ min: 0, max: 2 ** 16 }), fc.constantFrom('wasm', 'ts'),
      (a, dv, bias, vth, backend) => {
        const r = run1(a, 4095, dv, bias, vth, backend as 'wasm' | 'ts');
        let v = 0, s = 0;
        r.forEach((x, t) => {
          const i = a[t] * 64;
          expect(x.u).toBe(i);
          v = Math.min(Math.max(trunc12((s ? 0 : v) * (4096 - dv)) + i + bias, -(MAX - 1)), MAX - 1);
          s = v > vth ? 1 : 0;
          expect(x.v).toBe(v);
          expect(x.s).toBe(s);
        });
      }));
  });
});
