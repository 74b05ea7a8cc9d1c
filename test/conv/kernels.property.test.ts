// The convolution kernels (assembly/conv.ts) against their TypeScript twins (src/reference/conv.ts),
// bit for bit, on random geometries, weights and events: both backends get identical arenas, run
// the same calls at the same offsets and must leave identical bytes (counters included).
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { createKernels } from '../../src/chip/kernels.js';
import type { ConvGeometry } from '../../src/model/types.js';
import { convOutSize, convWeightCount, geometryBlock, GEO_SLOTS } from '../../src/reference/conv.js';
import { SYN_READS, LEARN_ERROR_EVALS, LEARN_DENSE, TRACE_UPDATES } from '../../src/reference/counters.js';
import { connections } from './connections.js';

const f32 = fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e4, max: 1e4 });

/** A random valid geometry (small), full or depthwise. */
export const geometryArb: fc.Arbitrary<ConvGeometry> = fc.record({
  inChannels: fc.integer({ min: 1, max: 3 }), inHeight: fc.integer({ min: 1, max: 7 }), inWidth: fc.integer({ min: 1, max: 7 }),
  channels: fc.integer({ min: 1, max: 5 }), kernelHeight: fc.integer({ min: 1, max: 4 }), kernelWidth: fc.integer({ min: 1, max: 4 }),
  stride: fc.integer({ min: 1, max: 3 }), padding: fc.integer({ min: 0, max: 2 }), depthwise: fc.boolean(),
}).map((g) => ({
  ...g,
  channels: g.depthwise ? g.inChannels : g.channels,
  height: convOutSize(g.inHeight, g.kernelHeight, g.stride, g.padding),
  width: convOutSize(g.inWidth, g.kernelWidth, g.stride, g.padding),
})).filter((g) => g.height > 0 && g.width > 0);

function pair(bytes: number) {
  const ks = [createKernels('wasm', bytes), createKernels('ts', bytes)] as const;
  return {
    ks,
    writeF32(off: number, v: ArrayLike<number>) { for (const k of ks) k.mem.f32.set(Array.from(v), (k.base + off) >>> 2); },
    writeI32(off: number, v: ArrayLike<number>) { for (const k of ks) k.mem.i32.set(Array.from(v), (k.base + off) >>> 2); },
    same() {
      const a = new Uint8Array(ks[0].mem.f32.buffer, ks[0].base, bytes);
      const b = new Uint8Array(ks[1].mem.f32.buffer, ks[1].base, bytes);
      expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(0);
    },
  };
}

/** Arena layout for one call: geometry, weights, bias, events, I / m, active list, counters. */
function layout(g: ConvGeometry) {
  const nIn = g.inChannels * g.inHeight * g.inWidth, nOut = g.channels * g.height * g.width, nW = convWeightCount(g);
  const a16 = (x: number) => Math.ceil(x / 16) * 16;
  const GEO = 0, W = a16(GEO_SLOTS * 4), B = a16(W + nW * 4), IX = a16(B + g.channels * 4), VX = a16(IX + nIn * 4);
  const I = a16(VX + nIn * 4), A = a16(I + nOut * 4), DB = a16(A + nOut * 4), CNT = a16(DB + g.channels * 4);
  // The gradient rules' buffers: error sent down / trace (nIn), ∂W, neuron traces and their gradients.
  const DST = a16(CNT + 8 * 24), G = a16(DST + nIn * 4), EB = a16(G + nW * 4), ETH = a16(EB + 4), EA = a16(ETH + nOut * 4);
  const GTH = a16(EA + nOut * 4), GA = a16(GTH + nOut * 4), LK = a16(GA + 4);
  return { nIn, nOut, nW, GEO, W, B, IX, VX, I, A, DB, CNT, DST, G, EB, ETH, EA, GTH, GA, LK, bytes: LK + 16 };
}

describe('conv kernels equal their TypeScript twins bit for bit', () => {
  it('convIntegrate (spikes and analog, full and depthwise, stride and padding)', () => {
    fc.assert(fc.property(geometryArb, fc.boolean(), fc.array(f32, { minLength: 400, maxLength: 400 }), fc.array(fc.oneof(fc.constant(0), f32), { minLength: 200, maxLength: 200 }),
      (g, analog, vals, xs) => {
        const L = layout(g);
        const p = pair(L.bytes);
        p.writeI32(L.GEO, geometryBlock(g));
        p.writeF32(L.W, Array.from({ length: L.nW }, (_, i) => vals[i % 400]));
        p.writeF32(L.B, Array.from({ length: g.channels }, (_, i) => vals[(i * 7 + 3) % 400]));
        const x = Array.from({ length: L.nIn }, (_, j) => xs[j % 200]);
        const idx = [...x.keys()].filter((j) => x[j] !== 0);
        p.writeI32(L.IX, idx);
        p.writeF32(L.VX, idx.map((j) => (analog ? x[j] : 1)));
        for (const k of p.ks) k.convIntegrate(k.base + L.GEO, k.base + L.W, k.base + L.IX, k.base + L.VX, idx.length, analog ? 1 : 0, k.base + L.B, k.base + L.I, k.base + L.CNT);
        p.same();
      }), { numRuns: 150 });
  });

  it('convOuterUpdate (spikes and analog, gates open and closed, writes counted or not)', () => {
    fc.assert(fc.property(geometryArb, fc.boolean(), fc.boolean(), fc.array(f32, { minLength: 400, maxLength: 400 }),
      fc.array(fc.oneof(fc.constant(0), fc.constant(0), f32), { minLength: 300, maxLength: 300 }), fc.array(fc.oneof(fc.constant(0), f32), { minLength: 200, maxLength: 200 }),
      (g, analog, writes, vals, ms, xs) => {
        const L = layout(g);
        const p = pair(L.bytes);
        p.writeI32(L.GEO, geometryBlock(g));
        p.writeF32(L.W, Array.from({ length: L.nW }, (_, i) => vals[i % 400]));
        p.writeF32(L.DB, Array.from({ length: g.channels }, (_, i) => vals[(i * 5 + 1) % 400]));
        const m = Array.from({ length: L.nOut }, (_, i) => ms[i % 300]);
        p.writeF32(L.I, m);
        const active = [...m.keys()].filter((i) => m[i] !== 0);
        p.writeI32(L.A, active);
        const x = Array.from({ length: L.nIn }, (_, j) => xs[j % 200]);
        const idx = [...x.keys()].filter((j) => x[j] !== 0);
        p.writeI32(L.IX, idx);
        p.writeF32(L.VX, idx.map((j) => (analog ? x[j] : 1)));
        for (const k of p.ks) {
          k.convOuterUpdate(k.base + L.GEO, k.base + L.W, k.base + L.DB, k.base + L.IX, k.base + L.VX, idx.length, analog ? 1 : 0,
            k.base + L.I, k.base + L.A, active.length, writes ? 1 : 0, k.base + L.CNT);
        }
        p.same();
      }), { numRuns: 150 });
  });

  // Geometries past the wasm kernels' static scratch (32768 floats): convIntegrate in blocks of
  // channels, or scalar when the positions alone overflow it; convOuterUpdate's scalar path.
  const bigGeometries: ConvGeometry[] = [
    { inChannels: 2, inHeight: 20, inWidth: 20, channels: 90, height: 20, width: 20, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1, depthwise: false },
    { inChannels: 2, inHeight: 40, inWidth: 40, channels: 95, height: 20, width: 20, kernelHeight: 3, kernelWidth: 3, stride: 2, padding: 1, depthwise: false },
    { inChannels: 1, inHeight: 92, inWidth: 92, channels: 5, height: 92, width: 92, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1, depthwise: false },
    { inChannels: 3, inHeight: 16, inWidth: 16, channels: 32, height: 16, width: 16, kernelHeight: 3, kernelWidth: 3, stride: 1, padding: 1, depthwise: false },
  ];
  it('convIntegrate and convOuterUpdate on large geometries (channel blocks, scalar fallbacks)', () => {
    fc.assert(fc.property(fc.constantFrom(...bigGeometries), fc.boolean(), fc.array(f32, { minLength: 400, maxLength: 400 }),
      fc.array(fc.oneof(fc.constant(0), fc.constant(0), f32), { minLength: 300, maxLength: 300 }), fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.constant(0), f32), { minLength: 200, maxLength: 200 }),
      (g, analog, vals, ms, xs) => {
        const L = layout(g);
        const p = pair(L.bytes);
        p.writeI32(L.GEO, geometryBlock(g));
        p.writeF32(L.W, Array.from({ length: L.nW }, (_, i) => vals[(i * 13) % 400]));
        p.writeF32(L.B, Array.from({ length: g.channels }, (_, i) => vals[(i * 7 + 3) % 400]));
        p.writeF32(L.DB, Array.from({ length: g.channels }, (_, i) => vals[(i * 5 + 1) % 400]));
        const x = Array.from({ length: L.nIn }, (_, j) => xs[(j * 7) % 200]);
        const idx = [...x.keys()].filter((j) => x[j] !== 0);
        p.writeI32(L.IX, idx);
        p.writeF32(L.VX, idx.map((j) => (analog ? x[j] : 1)));
        for (const k of p.ks) k.convIntegrate(k.base + L.GEO, k.base + L.W, k.base + L.IX, k.base + L.VX, idx.length, analog ? 1 : 0, k.base + L.B, k.base + L.I, k.base + L.CNT);
        p.same();
        const m = Array.from({ length: L.nOut }, (_, i) => ms[(i * 11) % 300]);
        p.writeF32(L.I, m);
        const active = [...m.keys()].filter((i) => m[i] !== 0);
        p.writeI32(L.A, active);
        for (const k of p.ks) {
          k.convOuterUpdate(k.base + L.GEO, k.base + L.W, k.base + L.DB, k.base + L.IX, k.base + L.VX, idx.length, analog ? 1 : 0,
            k.base + L.I, k.base + L.A, active.length, 1, k.base + L.CNT);
        }
        p.same();
      }), { numRuns: 12 });
  });

  it('convBackpropError (transposed convolution over the active neurons, full and depthwise)', () => {
    fc.assert(fc.property(geometryArb, fc.array(f32, { minLength: 400, maxLength: 400 }),
      fc.array(fc.oneof(fc.constant(0), fc.constant(0), f32), { minLength: 300, maxLength: 300 }), fc.array(f32, { minLength: 50, maxLength: 50 }),
      (g, vals, ds, junk) => {
        const L = layout(g);
        const p = pair(L.bytes);
        p.writeI32(L.GEO, geometryBlock(g));
        p.writeF32(L.W, Array.from({ length: L.nW }, (_, i) => vals[i % 400]));
        // stale values in the destination: the kernel writes, it does not accumulate
        p.writeF32(L.DST, Array.from({ length: L.nIn }, (_, i) => junk[i % 50]));
        const d = Array.from({ length: L.nOut }, (_, i) => ds[i % 300]);
        p.writeF32(L.I, d);
        const active = [...d.keys()].filter((i) => d[i] !== 0);
        p.writeI32(L.A, active);
        for (const k of p.ks) k.convBackpropError(k.base + L.GEO, k.base + L.W, k.base + L.I, k.base + L.A, active.length, k.base + L.DST, k.base + L.CNT);
        p.same();
      }), { numRuns: 150 });
  });

  it('convTraceSynapses (spikes and analog, several steps, leak and no leak)', () => {
    fc.assert(fc.property(geometryArb, fc.boolean(), fc.constantFrom(1, 0.5, 0.9, 0), fc.array(fc.array(fc.oneof(fc.constant(0), fc.constant(0), f32), { minLength: 60, maxLength: 60 }), { minLength: 1, maxLength: 3 }),
      (g, analog, alpha, steps) => {
        const L = layout(g);
        const p = pair(L.bytes);
        p.writeI32(L.GEO, geometryBlock(g));
        p.writeF32(L.LK, [alpha]);
        for (const xs of steps) {
          const x = Array.from({ length: L.nIn }, (_, j) => xs[j % 60]);
          const idx = [...x.keys()].filter((j) => x[j] !== 0);
          p.writeI32(L.IX, idx);
          p.writeF32(L.VX, idx.map((j) => (analog ? x[j] : 1)));
          for (const k of p.ks) k.convTraceSynapses(k.base + L.GEO, k.base + L.DST, k.base + L.IX, k.base + L.VX, idx.length, analog ? 1 : 0, k.base + L.LK, k.base + L.CNT);
        }
        p.same();
      }), { numRuns: 150 });
  });

  it('convStopGrad (weights, bias per channel, thresholds and leak; with and without learnTL)', () => {
    fc.assert(fc.property(geometryArb, fc.boolean(), fc.array(f32, { minLength: 400, maxLength: 400 }),
      fc.array(fc.oneof(fc.constant(0), fc.constant(0), f32), { minLength: 300, maxLength: 300 }), fc.array(fc.oneof(fc.constant(0), f32), { minLength: 200, maxLength: 200 }),
      (g, tl, vals, ds, es) => {
        const L = layout(g);
        const p = pair(L.bytes);
        p.writeI32(L.GEO, geometryBlock(g));
        p.writeF32(L.G, Array.from({ length: L.nW }, (_, i) => vals[i % 400]));
        p.writeF32(L.DB, Array.from({ length: g.channels }, (_, i) => vals[(i * 3 + 2) % 400]));
        p.writeF32(L.DST, Array.from({ length: L.nIn }, (_, j) => es[j % 200]));
        p.writeF32(L.EB, [vals[7]]);
        p.writeF32(L.ETH, Array.from({ length: L.nOut }, (_, i) => vals[(i * 11 + 5) % 400]));
        p.writeF32(L.EA, Array.from({ length: L.nOut }, (_, i) => es[(i * 13 + 1) % 200]));
        p.writeF32(L.GTH, Array.from({ length: L.nOut }, (_, i) => vals[(i * 17 + 9) % 400]));
        p.writeF32(L.GA, [vals[3]]);
        const d = Array.from({ length: L.nOut }, (_, i) => ds[i % 300]);
        p.writeF32(L.I, d);
        const active = [...d.keys()].filter((i) => d[i] !== 0);
        p.writeI32(L.A, active);
        for (const k of p.ks) {
          k.convStopGrad(k.base + L.GEO, k.base + L.G, k.base + L.DB, k.base + L.DST, k.base + L.EB, k.base + L.I, k.base + L.A, active.length,
            tl ? 1 : 0, k.base + L.ETH, k.base + L.EA, k.base + L.GTH, k.base + L.GA, k.base + L.CNT);
        }
        p.same();
      }), { numRuns: 150 });
  });
});

// What the kernels compute, against the dense kernels on the expanded matrix (W_dense[i, j] = the
// shared weight where a connection exists, 0 elsewhere) and the connections enumerated directly.
describe('conv kernels equal the dense kernels on the expanded matrix', () => {
  it('convBackpropError = backpropError bit for bit; one weight read per (active neuron, connection)', () => {
    fc.assert(fc.property(geometryArb, fc.constantFrom('wasm' as const, 'ts' as const), fc.array(f32, { minLength: 400, maxLength: 400 }),
      fc.array(fc.oneof(fc.constant(0), fc.constant(0), f32), { minLength: 300, maxLength: 300 }),
      (g, backend, vals, ds) => {
        const L = layout(g);
        const WT = Math.ceil((L.bytes + 16) / 16) * 16, DD = WT + Math.ceil((L.nIn * L.nOut * 4) / 16) * 16, C2 = DD + Math.ceil((L.nIn * 4) / 16) * 16;
        const k = createKernels(backend, C2 + 8 * 24);
        const at = (off: number) => (k.base + off) >>> 2;
        const w = Array.from({ length: L.nW }, (_, i) => vals[i % 400]);
        k.mem.i32.set(geometryBlock(g), at(L.GEO));
        k.mem.f32.set(w, at(L.W));
        const conns = connections(g);
        for (const e of conns) k.mem.f32[at(WT) + e.j * L.nOut + e.i] = w[e.stored];
        const d = Array.from({ length: L.nOut }, (_, i) => ds[i % 300]);
        k.mem.f32.set(d, at(L.I));
        const active = [...d.keys()].filter((i) => d[i] !== 0);
        k.mem.i32.set(active, at(L.A));
        k.convBackpropError(k.base + L.GEO, k.base + L.W, k.base + L.I, k.base + L.A, active.length, k.base + L.DST, k.base + L.CNT);
        k.backpropError(k.base + WT, L.nIn, L.nOut, k.base + L.I, k.base + L.A, active.length, k.base + DD, k.base + C2);
        expect(Buffer.from(k.mem.f32.slice(at(L.DST), at(L.DST) + L.nIn).buffer)).toEqual(Buffer.from(k.mem.f32.slice(at(DD), at(DD) + L.nIn).buffer));
        const cnt = k.mem.f64.subarray((k.base + L.CNT) >>> 3);
        const act = new Set(active);
        expect(cnt[SYN_READS]).toBe(conns.filter((e) => act.has(e.i)).length);
        expect(cnt[LEARN_ERROR_EVALS]).toBe(L.nIn);
      }), { numRuns: 150 });
  });

  it('convTraceSynapses = traceSynapses (one α) bit for bit; the dense count is the connections of the nonzero traces', () => {
    fc.assert(fc.property(geometryArb, fc.constantFrom('wasm' as const, 'ts' as const), fc.boolean(), fc.constantFrom(1, 0.5, 0.75),
      fc.array(fc.array(fc.oneof(fc.constant(0), fc.constant(0), f32), { minLength: 60, maxLength: 60 }), { minLength: 1, maxLength: 3 }),
      (g, backend, analog, alpha, steps) => {
        const L = layout(g);
        const E2 = Math.ceil((L.bytes + 16) / 16) * 16, C2 = E2 + Math.ceil((L.nIn * 4) / 16) * 16;
        const k = createKernels(backend, C2 + 8 * 24);
        const at = (off: number) => (k.base + off) >>> 2;
        k.mem.i32.set(geometryBlock(g), at(L.GEO));
        k.mem.f32[at(L.LK)] = alpha;
        const fan = new Array(L.nIn).fill(0);
        for (const e of connections(g)) fan[e.j]++;
        let want = 0;
        for (const xs of steps) {
          const x = Array.from({ length: L.nIn }, (_, j) => xs[j % 60]);
          const idx = [...x.keys()].filter((j) => x[j] !== 0);
          k.mem.i32.set(idx, at(L.IX));
          k.mem.f32.set(idx.map((j) => (analog ? x[j] : 1)), at(L.VX));
          k.convTraceSynapses(k.base + L.GEO, k.base + L.DST, k.base + L.IX, k.base + L.VX, idx.length, analog ? 1 : 0, k.base + L.LK, k.base + L.CNT);
          k.traceSynapses(k.base + E2, L.nIn, 1, k.base + L.IX, k.base + L.VX, idx.length, analog ? 1 : 0, k.base + L.LK, 0, k.base + C2);
          const e = k.mem.f32.slice(at(L.DST), at(L.DST) + L.nIn);
          expect(Buffer.from(e.buffer)).toEqual(Buffer.from(k.mem.f32.slice(at(E2), at(E2) + L.nIn).buffer));
          e.forEach((v, j) => { if (v !== 0) want += fan[j]; });
        }
        const cnt = k.mem.f64.subarray((k.base + L.CNT) >>> 3);
        expect(cnt[LEARN_DENSE]).toBe(want);
        expect(cnt[TRACE_UPDATES]).toBe(L.nIn * steps.length);
      }), { numRuns: 150 });
  });
});
