// Convolution as a chip circuit, event-driven, with shared weights (ALGORITHMS §2, §7); the
// TypeScript twin is src/reference/conv.ts, whose header states the equations.
// Neurons are channel-major (k, oy, ox) -> (k*OH + oy)*OW + ox, the layer below likewise. For
// each presynaptic event (c, iy, ix; v) and each kernel offset (dy, dx) landing on a valid output
// position, the K weights of row (c, dy, dx) are read and added to I[., oy, ox]: the work is
// proportional to the events, and one weight is read per (event, output neuron reached).
// Depthwise (average pooling as a fixed-weight convolution): only output channel k = c.
// Every output keeps its sum in event, then offset order: bit-identical to the twin. The valid
// offsets of an event are computed once per event (no division per offset), and the full
// convolution's K channels are worked with f32x4 in a position-major static scratch (lanes are
// distinct outputs or weights, so no sum is reordered).
// The gradient rules' circuits on a convolution (offline LTL, STOP, BPTT; equations in the twin):
// convBackpropError (W^T delta, a transposed convolution driven by the nonzero delta),
// convTraceSynapses (STOP's per-input trace, counting the connections it serves) and
// convStopGrad (STOP's gradient: delta correlated with the traces, summed into the shared weights).
import {
  bump, SYN_EVENTS, SYN_READS, SYN_ACS, SYN_MACS, LEARN_UPDATES, LEARN_DENSE, LEARN_WEIGHT_WRITES, LEARN_BIAS_UPDATES,
  LEARN_ERROR_EVALS, TRACE_UPDATES, TRACE_READS,
} from "./counters";
import { thresholdLeakGrad, thresholdStep, clampParam } from "./traces";

// Slots of the geometry block (i32), as in src/reference/conv.ts.
export const GEO_IN_C: i32 = 0;
export const GEO_IN_H: i32 = 1;
export const GEO_IN_W: i32 = 2;
export const GEO_OUT_C: i32 = 3;
export const GEO_OUT_H: i32 = 4;
export const GEO_OUT_W: i32 = 5;
export const GEO_KH: i32 = 6;
export const GEO_KW: i32 = 7;
export const GEO_STRIDE: i32 = 8;
export const GEO_PAD: i32 = 9;
export const GEO_DEPTHWISE: i32 = 10;

// @ts-ignore: decorator
@inline function geo(g: usize, slot: i32): i32 {
  return load<i32>(g + (<usize>slot << 2));
}

// The kernel offsets an input lands through, hoisted out of the offset loops: along one axis, an
// input at t0 = iy + pad reaches output oy = (t0 - dy) / s for the taps dy with t0 - dy >= 0,
// divisible by s and (t0 - dy) / s < n. They are dy = firstTap, firstTap + s, ... <= lastTap, in
// ascending order (the order the twin's loop meets them), with oy = (t0 - firstTap) / s, oy - 1, ...
// @ts-ignore: decorator
@inline function firstTap(t0: i32, n: i32, s: i32): i32 {
  let d = t0 - (n - 1) * s;
  if (d < 0) d = 0;
  if (s != 1) d += (t0 - d) % s;
  return d;
}
// @ts-ignore: decorator
@inline function lastTap(t0: i32, k: i32): i32 {
  return t0 < k - 1 ? t0 : k - 1;
}

// Static scratch (below the heap, so the host's arenas and views are never disturbed): position-
// major accumulators [P][KB] for a block of KB output channels, so that one event's row of K
// weights is added to K contiguous accumulators with f32x4 (each lane its own output element,
// the same f32 additions in the same order as the twin). Also holds the learning signal m
// transposed to position-major for convOuterUpdate. A worker thread on shared memory gives its
// instance scratch of its own (setConvScratch): static memory is shared by every instance.
const SCRATCH_FLOATS: i32 = 32768;
let SCRATCH: usize = memory.data(<i32>SCRATCH_FLOATS << 2, 16);

/** Bytes of the convolution kernels' scratch (setConvScratch). */
export const CONV_SCRATCH_BYTES: i32 = SCRATCH_FLOATS << 2;

/** This instance's scratch: CONV_SCRATCH_BYTES at ptr (16-byte aligned). */
export function setConvScratch(ptr: usize): void {
  SCRATCH = ptr;
}

/** Channels per block for P positions: all K, else a multiple of 4 (0: too many positions, go scalar). */
// @ts-ignore: decorator
@inline function channelBlock(K: i32, P: i32): i32 {
  const kb = SCRATCH_FLOATS / (P > 0 ? P : 1);
  return kb >= K ? K : kb & ~3;
}

/** Rows r0..r3 (4 lanes each) transposed: lane j of column i is lane i of row j. Exact (moves only). */
// @ts-ignore: decorator
@inline function transpose4(src: usize, srcStride: usize, dst: usize, dstStride: usize): void {
  const r0 = v128.load(src), r1 = v128.load(src + srcStride);
  const r2 = v128.load(src + 2 * srcStride), r3 = v128.load(src + 3 * srcStride);
  const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(dst, v128.shuffle<f32>(t0, t2, 0, 1, 4, 5));
  v128.store(dst + dstStride, v128.shuffle<f32>(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * dstStride, v128.shuffle<f32>(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * dstStride, v128.shuffle<f32>(t1, t3, 2, 3, 6, 7));
}

/** I[k, oy, ox] = sum over events and offsets of W[k, c, dy, dx] * v, then + b[k] (spikes: v = 1, AC). */
export function convIntegrate(
  g: usize, wPtr: usize, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32, biasPtr: usize, iPtr: usize, cnt: usize,
): void {
  convIntegrateOf(g, wPtr, idxPtr, valPtr, nEv, analog, biasPtr, iPtr, 1, cnt);
}

/**
 * convIntegrate for one thread's slice of a convolution's output channels (assembly/threaded.ts):
 * g is the slice's geometry (its channels only), wPtr its weight block. Each output's sum is the
 * whole layer's, term by term (the channel blocking only groups lanes). The events delivered are
 * counted where countEvents is set (one thread per layer), the reads per slice.
 */
export function convIntegrateSlice(
  g: usize, wPtr: usize, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32, biasPtr: usize, iPtr: usize, countEvents: i32, cnt: usize,
): void {
  convIntegrateOf(g, wPtr, idxPtr, valPtr, nEv, analog, biasPtr, iPtr, countEvents, cnt);
}

// @ts-ignore: decorator
@inline function convIntegrateOf(
  g: usize, wPtr: usize, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32, biasPtr: usize, iPtr: usize, countEvents: i32, cnt: usize,
): void {
  const inH = geo(g, GEO_IN_H), inW = geo(g, GEO_IN_W);
  const K = geo(g, GEO_OUT_C), oH = geo(g, GEO_OUT_H), oW = geo(g, GEO_OUT_W);
  const kh = geo(g, GEO_KH), kw = geo(g, GEO_KW), s = geo(g, GEO_STRIDE), pad = geo(g, GEO_PAD);
  const dw = geo(g, GEO_DEPTHWISE);
  const P = oH * oW, plane = inH * inW;
  const kb = dw ? 0 : channelBlock(K, P);
  let reads: f64 = 0;
  if (kb == 0) {
    // Scalar, straight into the channel-major I: depthwise, or too many positions for the scratch.
    const step = <usize>P << 2;
    memory.fill(iPtr, 0, <usize>(K * P) << 2);
    for (let e = 0; e < nEv; e++) {
      const j = load<i32>(idxPtr + (<usize>e << 2));
      const c = j / plane, r = j - c * plane, iy = r / inW, ix = r - iy * inW;
      const v: f32 = analog ? load<f32>(valPtr + (<usize>e << 2)) : <f32>1;
      const ty0 = iy + pad, tx0 = ix + pad;
      const dy0 = firstTap(ty0, oH, s), dy1 = lastTap(ty0, kh), dx0 = firstTap(tx0, oW, s), dx1 = lastTap(tx0, kw);
      if (dy0 > dy1 || dx0 > dx1) continue;
      const oy0 = s == 1 ? ty0 - dy0 : (ty0 - dy0) / s, ox0 = s == 1 ? tx0 - dx0 : (tx0 - dx0) / s;
      for (let dy = dy0, oy = oy0; dy <= dy1; dy += s, oy--) {
        const tapRow = (c * kh + dy) * kw;
        for (let dx = dx0, ox = ox0; dx <= dx1; dx += s, ox--) {
          const pos = oy * oW + ox;
          if (dw) {
            const w = load<f32>(wPtr + (<usize>(tapRow + dx) << 2));
            const o = iPtr + (<usize>(c * P + pos) << 2);
            store<f32>(o, load<f32>(o) + (analog ? w * v : w));
            reads += 1;
          } else {
            const row = wPtr + (<usize>((tapRow + dx) * K) << 2);
            let o = iPtr + (<usize>pos << 2);
            if (analog) {
              for (let k = 0; k < K; k++) {
                store<f32>(o, load<f32>(o) + load<f32>(row + (<usize>k << 2)) * v);
                o += step;
              }
            } else {
              for (let k = 0; k < K; k++) {
                store<f32>(o, load<f32>(o) + load<f32>(row + (<usize>k << 2)));
                o += step;
              }
            }
            reads += <f64>K;
          }
        }
      }
    }
    for (let k = 0; k < K; k++) {
      const b = load<f32>(biasPtr + (<usize>k << 2));
      const o = iPtr + (<usize>(k * P) << 2);
      for (let p = 0; p < P; p++) {
        const q = o + (<usize>p << 2);
        store<f32>(q, load<f32>(q) + b);
      }
    }
  } else {
    // Blocks of kb output channels, accumulated position-major in the scratch (f32x4 across
    // channels), then written channel-major with the bias added: acc + b, as the twin's I + b.
    const step = <usize>P << 2;
    for (let k0 = 0; k0 < K; k0 += kb) {
      const nk = K - k0 < kb ? K - k0 : kb, nk8 = nk & ~7, nk4 = nk & ~3;
      const rowBytes = <usize>nk << 2;
      memory.fill(SCRATCH, 0, <usize>P * rowBytes);
      for (let e = 0; e < nEv; e++) {
        const j = load<i32>(idxPtr + (<usize>e << 2));
        const c = j / plane, r = j - c * plane, iy = r / inW, ix = r - iy * inW;
        const v: f32 = analog ? load<f32>(valPtr + (<usize>e << 2)) : <f32>1;
        const vv = f32x4.splat(v);
        const ty0 = iy + pad, tx0 = ix + pad;
        const dy0 = firstTap(ty0, oH, s), dy1 = lastTap(ty0, kh), dx0 = firstTap(tx0, oW, s), dx1 = lastTap(tx0, kw);
        if (dy0 > dy1 || dx0 > dx1) continue;
        const oy0 = s == 1 ? ty0 - dy0 : (ty0 - dy0) / s, ox0 = s == 1 ? tx0 - dx0 : (tx0 - dx0) / s;
        for (let dy = dy0, oy = oy0; dy <= dy1; dy += s, oy--) {
          const tapRow = (c * kh + dy) * kw;
          for (let dx = dx0, ox = ox0; dx <= dx1; dx += s, ox--) {
            const w = wPtr + (<usize>((tapRow + dx) * K + k0) << 2);
            const a = SCRATCH + <usize>(oy * oW + ox) * rowBytes;
            let k = 0;
            if (analog) {
              for (; k < nk8; k += 8) {
                const q = <usize>k << 2;
                v128.store(a + q, f32x4.add(v128.load(a + q), f32x4.mul(v128.load(w + q), vv)));
                v128.store(a + q, f32x4.add(v128.load(a + q, 16), f32x4.mul(v128.load(w + q, 16), vv)), 16);
              }
              for (; k < nk4; k += 4) {
                const q = <usize>k << 2;
                v128.store(a + q, f32x4.add(v128.load(a + q), f32x4.mul(v128.load(w + q), vv)));
              }
              for (; k < nk; k++) {
                const q = <usize>k << 2;
                store<f32>(a + q, load<f32>(a + q) + load<f32>(w + q) * v);
              }
            } else {
              for (; k < nk8; k += 8) {
                const q = <usize>k << 2;
                v128.store(a + q, f32x4.add(v128.load(a + q), v128.load(w + q)));
                v128.store(a + q, f32x4.add(v128.load(a + q, 16), v128.load(w + q, 16)), 16);
              }
              for (; k < nk4; k += 4) {
                const q = <usize>k << 2;
                v128.store(a + q, f32x4.add(v128.load(a + q), v128.load(w + q)));
              }
              for (; k < nk; k++) {
                const q = <usize>k << 2;
                store<f32>(a + q, load<f32>(a + q) + load<f32>(w + q));
              }
            }
            reads += <f64>nk;
          }
        }
      }
      if (((nk | P) & 3) == 0) {
        // 4 x 4 tiles: transposed into I, then each channel's row + its bias
        for (let k = 0; k < nk; k += 4) {
          const o = iPtr + (<usize>((k0 + k) * P) << 2);
          for (let p = 0; p < P; p += 4) {
            transpose4(SCRATCH + <usize>p * rowBytes + (<usize>k << 2), rowBytes, o + (<usize>p << 2), step);
          }
          for (let i = 0; i < 4; i++) {
            const bv = f32x4.splat(load<f32>(biasPtr + (<usize>(k0 + k + i) << 2)));
            const oi = o + <usize>i * step;
            for (let p = 0; p < P; p += 4) {
              const q = oi + (<usize>p << 2);
              v128.store(q, f32x4.add(v128.load(q), bv));
            }
          }
        }
      } else {
        for (let k = 0; k < nk; k++) {
          const b = load<f32>(biasPtr + (<usize>(k0 + k) << 2));
          const o = iPtr + (<usize>((k0 + k) * P) << 2);
          let q = SCRATCH + (<usize>k << 2);
          for (let p = 0; p < P; p++) {
            store<f32>(o + (<usize>p << 2), load<f32>(q) + b);
            q += rowBytes;
          }
        }
      }
    }
  }
  if (countEvents) bump(cnt, SYN_EVENTS, <f64>nEv);
  bump(cnt, SYN_READS, reads);
  bump(cnt, analog ? SYN_MACS : SYN_ACS, reads);
}

/**
 * The online LTL writer on shared weights: dst[(c, dy, dx), k] += m[k, oy, ox] * v for every
 * event and valid offset whose contribution is nonzero; dstBias[k] += m[i] for every active
 * neuron i of channel k. dst is the weight memory ("step") or the sample's accumulator ("sample").
 * With the gate open and m fitting the scratch, m is first copied position-major so that one
 * offset's K signals are contiguous, and a weight row is updated with f32x4 (each lane its own
 * weight; a zero contribution leaves its weight untouched, as the twin's branch does).
 */
export function convOuterUpdate(
  g: usize, dstPtr: usize, dstBiasPtr: usize, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32,
  mPtr: usize, activeIdxPtr: usize, nActive: i32, writesWeights: i32, cnt: usize,
): void {
  const inH = geo(g, GEO_IN_H), inW = geo(g, GEO_IN_W);
  const K = geo(g, GEO_OUT_C), oH = geo(g, GEO_OUT_H), oW = geo(g, GEO_OUT_W);
  const kh = geo(g, GEO_KH), kw = geo(g, GEO_KW), s = geo(g, GEO_STRIDE), pad = geo(g, GEO_PAD);
  const dw = geo(g, GEO_DEPTHWISE);
  const P = oH * oW, plane = inH * inW;
  const step = <usize>P << 2;
  const simd = !dw && nActive != 0 && K >= 4 && K * P <= SCRATCH_FLOATS;
  const K8 = K & ~7, K4 = K & ~3, rowBytes = <usize>K << 2;
  if (simd && ((K | P) & 3) == 0) {
    for (let k = 0; k < K; k += 4) {
      const src = mPtr + (<usize>(k * P) << 2), dst = SCRATCH + (<usize>k << 2);
      for (let p = 0; p < P; p += 4) transpose4(src + (<usize>p << 2), step, dst + <usize>p * rowBytes, rowBytes);
    }
  } else if (simd) {
    for (let k = 0; k < K; k++) {
      const src = mPtr + (<usize>(k * P) << 2);
      let q = SCRATCH + (<usize>k << 2);
      for (let p = 0; p < P; p++) {
        store<f32>(q, load<f32>(src + (<usize>p << 2)));
        q += rowBytes;
      }
    }
  }
  const zero = f32x4.splat(0);
  let issued: f64 = 0, dense: f64 = 0;
  for (let e = 0; e < nEv; e++) {
    const j = load<i32>(idxPtr + (<usize>e << 2));
    const c = j / plane, r = j - c * plane, iy = r / inW, ix = r - iy * inW;
    const v: f32 = analog ? load<f32>(valPtr + (<usize>e << 2)) : <f32>1;
    const vv = f32x4.splat(v);
    const ty0 = iy + pad, tx0 = ix + pad;
    const dy0 = firstTap(ty0, oH, s), dy1 = lastTap(ty0, kh), dx0 = firstTap(tx0, oW, s), dx1 = lastTap(tx0, kw);
    if (dy0 > dy1 || dx0 > dx1) continue;
    const ny = (dy1 - dy0) / s + 1, nx = (dx1 - dx0) / s + 1;
    dense += <f64>(ny * nx) * <f64>(dw ? 1 : K);
    if (nActive == 0) continue;
    const oy0 = s == 1 ? ty0 - dy0 : (ty0 - dy0) / s, ox0 = s == 1 ? tx0 - dx0 : (tx0 - dx0) / s;
    let n = 0, nv = i32x4.splat(0);
    for (let dy = dy0, oy = oy0; dy <= dy1; dy += s, oy--) {
      const tapRow = (c * kh + dy) * kw;
      for (let dx = dx0, ox = ox0; dx <= dx1; dx += s, ox--) {
        const pos = oy * oW + ox;
        if (dw) {
          const mi = load<f32>(mPtr + (<usize>(c * P + pos) << 2));
          const d: f32 = analog ? mi * v : mi;
          if (d != 0) {
            const o = dstPtr + (<usize>(tapRow + dx) << 2);
            store<f32>(o, load<f32>(o) + d);
            n++;
          }
        } else if (simd) {
          const row = dstPtr + (<usize>((tapRow + dx) * K) << 2);
          const a = SCRATCH + <usize>pos * rowBytes;
          let k = 0;
          if (analog) {
            for (; k < K8; k += 8) {
              const q = <usize>k << 2;
              const d0 = f32x4.mul(v128.load(a + q), vv), d1 = f32x4.mul(v128.load(a + q, 16), vv);
              const x0 = v128.load(row + q), x1 = v128.load(row + q, 16);
              const on0 = f32x4.ne(d0, zero), on1 = f32x4.ne(d1, zero);
              v128.store(row + q, v128.bitselect(f32x4.add(x0, d0), x0, on0));
              v128.store(row + q, v128.bitselect(f32x4.add(x1, d1), x1, on1), 16);
              nv = i32x4.sub(nv, i32x4.add(on0, on1));
            }
            for (; k < K4; k += 4) {
              const q = <usize>k << 2;
              const d = f32x4.mul(v128.load(a + q), vv);
              const x = v128.load(row + q);
              const on = f32x4.ne(d, zero);
              v128.store(row + q, v128.bitselect(f32x4.add(x, d), x, on));
              nv = i32x4.sub(nv, on);
            }
          } else {
            for (; k < K8; k += 8) {
              const q = <usize>k << 2;
              const d0 = v128.load(a + q), d1 = v128.load(a + q, 16);
              const x0 = v128.load(row + q), x1 = v128.load(row + q, 16);
              const on0 = f32x4.ne(d0, zero), on1 = f32x4.ne(d1, zero);
              v128.store(row + q, v128.bitselect(f32x4.add(x0, d0), x0, on0));
              v128.store(row + q, v128.bitselect(f32x4.add(x1, d1), x1, on1), 16);
              nv = i32x4.sub(nv, i32x4.add(on0, on1));
            }
            for (; k < K4; k += 4) {
              const q = <usize>k << 2;
              const d = v128.load(a + q);
              const x = v128.load(row + q);
              const on = f32x4.ne(d, zero);
              v128.store(row + q, v128.bitselect(f32x4.add(x, d), x, on));
              nv = i32x4.sub(nv, on);
            }
          }
          for (; k < K; k++) {
            const q = <usize>k << 2;
            const mi = load<f32>(a + q);
            const d: f32 = analog ? mi * v : mi;
            if (d != 0) {
              store<f32>(row + q, load<f32>(row + q) + d);
              n++;
            }
          }
        } else {
          const row = dstPtr + (<usize>((tapRow + dx) * K) << 2);
          let q = mPtr + (<usize>pos << 2);
          for (let k = 0; k < K; k++) {
            const mi = load<f32>(q);
            q += step;
            const d: f32 = analog ? mi * v : mi;
            if (d != 0) {
              const o = row + (<usize>k << 2);
              store<f32>(o, load<f32>(o) + d);
              n++;
            }
          }
        }
      }
    }
    // each lane of nv counted its nonzero contributions (a true mask lane is -1)
    n += i32x4.extract_lane(nv, 0) + i32x4.extract_lane(nv, 1) + i32x4.extract_lane(nv, 2) + i32x4.extract_lane(nv, 3);
    issued += <f64>n;
  }
  // The channel of an active neuron is divided out only when it leaves the last one's channel,
  // whose bias sum stays in a register meanwhile (the same additions, in active-list order).
  if (nActive > 0) {
    let i = load<i32>(activeIdxPtr);
    let kc = i / P, lo = kc * P, hi = lo + P;
    let o = dstBiasPtr + (<usize>kc << 2);
    let acc = load<f32>(o);
    for (let a = 0; ; ) {
      acc += load<f32>(mPtr + (<usize>i << 2));
      if (++a == nActive) break;
      i = load<i32>(activeIdxPtr + (<usize>a << 2));
      if (i < lo || i >= hi) {
        store<f32>(o, acc);
        kc = i / P;
        lo = kc * P;
        hi = lo + P;
        o = dstBiasPtr + (<usize>kc << 2);
        acc = load<f32>(o);
      }
    }
    store<f32>(o, acc);
  }
  bump(cnt, LEARN_UPDATES, issued);
  bump(cnt, LEARN_DENSE, dense);
  bump(cnt, LEARN_BIAS_UPDATES, <f64>nActive);
  if (writesWeights) bump(cnt, LEARN_WEIGHT_WRITES, issued);
}

/**
 * The error sent down through a convolution: dst[c, iy, ix] = sum over the connections of
 * W[k, c, dy, dx] * d[k, oy, ox], written (not accumulated). Driven by the active neurons
 * (d != 0) in ascending order, each scattering to the inputs it is connected to; every input
 * receives its terms in ascending neuron order, as the dense backpropError sums them.
 * Counted as nIn error evaluations and one weight read per (active neuron, connection).
 */
export function convBackpropError(g: usize, wPtr: usize, dPtr: usize, activeIdxPtr: usize, nActive: i32, dstPtr: usize, cnt: usize): void {
  const C = geo(g, GEO_IN_C), inH = geo(g, GEO_IN_H), inW = geo(g, GEO_IN_W);
  const K = geo(g, GEO_OUT_C), oH = geo(g, GEO_OUT_H), oW = geo(g, GEO_OUT_W);
  const kh = geo(g, GEO_KH), kw = geo(g, GEO_KW), s = geo(g, GEO_STRIDE), pad = geo(g, GEO_PAD);
  const dw = geo(g, GEO_DEPTHWISE);
  const P = oH * oW, plane = inH * inW;
  memory.fill(dstPtr, 0, <usize>(C * plane) << 2);
  let reads: f64 = 0;
  for (let a = 0; a < nActive; a++) {
    const i = load<i32>(activeIdxPtr + (<usize>a << 2));
    const k = i / P, pos = i - k * P, oy = pos / oW, ox = pos - oy * oW;
    const d = load<f32>(dPtr + (<usize>i << 2));
    const c0 = dw ? k : 0, c1 = dw ? k + 1 : C;
    for (let c = c0; c < c1; c++) {
      for (let dy = 0; dy < kh; dy++) {
        const iy = oy * s - pad + dy;
        if (iy < 0) continue;
        if (iy >= inH) break;
        for (let dx = 0; dx < kw; dx++) {
          const ix = ox * s - pad + dx;
          if (ix < 0) continue;
          if (ix >= inW) break;
          const tap = (c * kh + dy) * kw + dx;
          const w = load<f32>(wPtr + (<usize>(dw ? tap : tap * K + k) << 2));
          const o = dstPtr + (<usize>(c * plane + iy * inW + ix) << 2);
          store<f32>(o, load<f32>(o) + w * d);
          reads += 1;
        }
      }
    }
  }
  bump(cnt, LEARN_ERROR_EVALS, <f64>(C * plane));
  bump(cnt, SYN_READS, reads);
}

/** Output neurons one input (c, iy, ix) is connected to: valid offsets x (K, or 1 depthwise). */
// @ts-ignore: decorator
@inline function fanOut(iy: i32, ix: i32, oH: i32, oW: i32, kh: i32, kw: i32, s: i32, pad: i32, perOffset: i32): i32 {
  let ny = 0, nx = 0;
  for (let dy = 0; dy < kh; dy++) {
    const ty = iy + pad - dy;
    if (ty < 0) break;
    const oy = ty / s;
    if (oy * s == ty && oy < oH) ny++;
  }
  for (let dx = 0; dx < kw; dx++) {
    const tx = ix + pad - dx;
    if (tx < 0) break;
    const ox = tx / s;
    if (ox * s == tx && ox < oW) nx++;
  }
  return ny * nx * perOffset;
}

/**
 * STOP's synaptic trace on a convolution (one alpha per layer): e[j] = alpha * e[j] + v_j for
 * every input j (v_j: this step's event value, 0 without an event; ascending indices). The dense
 * update count is the connections whose trace is nonzero: the fan-out of every nonzero e[j].
 */
export function convTraceSynapses(g: usize, ePtr: usize, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32, leakPtr: usize, cnt: usize): void {
  const C = geo(g, GEO_IN_C), inH = geo(g, GEO_IN_H), inW = geo(g, GEO_IN_W);
  const K = geo(g, GEO_OUT_C), oH = geo(g, GEO_OUT_H), oW = geo(g, GEO_OUT_W);
  const kh = geo(g, GEO_KH), kw = geo(g, GEO_KW), s = geo(g, GEO_STRIDE), pad = geo(g, GEO_PAD);
  const perOffset = geo(g, GEO_DEPTHWISE) ? 1 : K;
  const plane = inH * inW, nIn = C * plane;
  const alpha = load<f32>(leakPtr);
  let k = 0;
  let dense: f64 = 0;
  for (let j = 0; j < nIn; j++) {
    let v: f32 = 0;
    if (k < nEv && load<i32>(idxPtr + (<usize>k << 2)) == j) {
      v = analog ? load<f32>(valPtr + (<usize>k << 2)) : <f32>1;
      k++;
    }
    const p = ePtr + (<usize>j << 2);
    const e: f32 = alpha * load<f32>(p) + v;
    store<f32>(p, e);
    if (e != 0) {
      const r = j % plane, iy = r / inW, ix = r - iy * inW;
      dense += <f64>fanOut(iy, ix, oH, oW, kh, kw, s, pad, perOffset);
    }
  }
  bump(cnt, LEARN_DENSE, dense);
  bump(cnt, TRACE_UPDATES, <f64>nIn);
}

/**
 * STOP's per-step gradient on a convolution (one alpha per layer, so e_W and e_b are per input
 * and per layer): over the active neurons i = (k, oy, ox) in ascending order and their
 * connections (c, dy, dx) -> input (c, iy, ix),
 *   G[(c, dy, dx), k] += delta[i] * e_W[c, iy, ix]   (only where the product != 0)
 *   Gb[k] += delta[i] * e_b;  learnTL: Gth[i] += delta[i] * (e_th[i] - 1), Ga += delta[i] * e_a[i]
 * Counted as stopGrad counts: one trace read per (active neuron, connection) and 1 (or 3) per
 * active neuron; nonzero weight contributions are update events.
 */
export function convStopGrad(
  g: usize, gPtr: usize, gbPtr: usize, eWPtr: usize, ebPtr: usize, deltaPtr: usize, activeIdxPtr: usize, nActive: i32,
  learnTL: i32, ethPtr: usize, eaPtr: usize, gthPtr: usize, gaPtr: usize, cnt: usize,
): void {
  if (nActive == 0) return;
  const C = geo(g, GEO_IN_C), inH = geo(g, GEO_IN_H), inW = geo(g, GEO_IN_W);
  const K = geo(g, GEO_OUT_C), oH = geo(g, GEO_OUT_H), oW = geo(g, GEO_OUT_W);
  const kh = geo(g, GEO_KH), kw = geo(g, GEO_KW), s = geo(g, GEO_STRIDE), pad = geo(g, GEO_PAD);
  const dw = geo(g, GEO_DEPTHWISE);
  const P = oH * oW, plane = inH * inW;
  const eb = load<f32>(ebPtr);
  let issued: f64 = 0, reads: f64 = 0, neuronUpdates: f64 = 0;
  for (let a = 0; a < nActive; a++) {
    const i = load<i32>(activeIdxPtr + (<usize>a << 2));
    const k = i / P, pos = i - k * P, oy = pos / oW, ox = pos - oy * oW;
    const o = <usize>i << 2;
    const d = load<f32>(deltaPtr + o);
    const c0 = dw ? k : 0, c1 = dw ? k + 1 : C;
    for (let c = c0; c < c1; c++) {
      for (let dy = 0; dy < kh; dy++) {
        const iy = oy * s - pad + dy;
        if (iy < 0) continue;
        if (iy >= inH) break;
        for (let dx = 0; dx < kw; dx++) {
          const ix = ox * s - pad + dx;
          if (ix < 0) continue;
          if (ix >= inW) break;
          const e = load<f32>(eWPtr + (<usize>(c * plane + iy * inW + ix) << 2));
          reads += 1;
          const ct: f32 = d * e;
          if (ct != 0) {
            const tap = (c * kh + dy) * kw + dx;
            const q = gPtr + (<usize>(dw ? tap : tap * K + k) << 2);
            store<f32>(q, load<f32>(q) + ct);
            issued++;
          }
        }
      }
    }
    const pb = gbPtr + (<usize>k << 2);
    const cb: f32 = d * eb;
    store<f32>(pb, load<f32>(pb) + cb);
    if (cb != 0) neuronUpdates++;
    if (learnTL) neuronUpdates += thresholdLeakGrad(d, o, ethPtr, eaPtr, gthPtr, gaPtr);
  }
  reads += <f64>nActive * (learnTL ? 3 : 1);
  bump(cnt, TRACE_READS, reads);
  bump(cnt, LEARN_UPDATES, issued);
  bump(cnt, LEARN_BIAS_UPDATES, neuronUpdates);
}

/**
 * STOP writing at every step on a convolution (updates at "step", no accumulators): each
 * contribution convStopGrad would add, written into the shared weights and biases at once, in
 * the same order (W[q] -= lrW * ct, b[k] -= lrW * cb; one synaptic write per nonzero weight
 * contribution); learnTL: each active neuron's threshold as stopStep writes it, and the layer's
 * one leak once, from its contributions summed over the active neurons, clamped to [minParam, 1].
 * Counts as convStopGrad, plus a synaptic memory write per update event.
 */
export function convStopStep(
  g: usize, wPtr: usize, bPtr: usize, eWPtr: usize, ebPtr: usize, deltaPtr: usize, activeIdxPtr: usize, nActive: i32, lrW: f32,
  learnTL: i32, ethPtr: usize, eaPtr: usize, thrPtr: usize, leakPtr: usize, lrTL: f32, minParam: f32, cnt: usize,
): void {
  if (nActive == 0) return;
  const C = geo(g, GEO_IN_C), inH = geo(g, GEO_IN_H), inW = geo(g, GEO_IN_W);
  const K = geo(g, GEO_OUT_C), oH = geo(g, GEO_OUT_H), oW = geo(g, GEO_OUT_W);
  const kh = geo(g, GEO_KH), kw = geo(g, GEO_KW), s = geo(g, GEO_STRIDE), pad = geo(g, GEO_PAD);
  const dw = geo(g, GEO_DEPTHWISE);
  const P = oH * oW, plane = inH * inW;
  const eb = load<f32>(ebPtr);
  let issued: f64 = 0, reads: f64 = 0, neuronUpdates: f64 = 0;
  let leakSum: f32 = 0;
  for (let a = 0; a < nActive; a++) {
    const i = load<i32>(activeIdxPtr + (<usize>a << 2));
    const k = i / P, pos = i - k * P, oy = pos / oW, ox = pos - oy * oW;
    const o = <usize>i << 2;
    const d = load<f32>(deltaPtr + o);
    const c0 = dw ? k : 0, c1 = dw ? k + 1 : C;
    for (let c = c0; c < c1; c++) {
      for (let dy = 0; dy < kh; dy++) {
        const iy = oy * s - pad + dy;
        if (iy < 0) continue;
        if (iy >= inH) break;
        for (let dx = 0; dx < kw; dx++) {
          const ix = ox * s - pad + dx;
          if (ix < 0) continue;
          if (ix >= inW) break;
          const e = load<f32>(eWPtr + (<usize>(c * plane + iy * inW + ix) << 2));
          reads += 1;
          const ct: f32 = d * e;
          if (ct != 0) {
            const tap = (c * kh + dy) * kw + dx;
            const q = wPtr + (<usize>(dw ? tap : tap * K + k) << 2);
            store<f32>(q, load<f32>(q) - lrW * ct);
            issued++;
          }
        }
      }
    }
    const cb: f32 = d * eb;
    if (cb != 0) {
      const pb = bPtr + (<usize>k << 2);
      store<f32>(pb, load<f32>(pb) - lrW * cb);
      neuronUpdates++;
    }
    if (learnTL) {
      neuronUpdates += thresholdStep(d, o, ethPtr, thrPtr, lrTL, minParam);
      const ca: f32 = d * load<f32>(eaPtr + o);
      leakSum = leakSum + ca;
      if (ca != 0) neuronUpdates++;
    }
  }
  if (learnTL) store<f32>(leakPtr, clampParam(load<f32>(leakPtr) - lrTL * leakSum, minParam, 1));
  reads += <f64>nActive * (learnTL ? 3 : 1);
  bump(cnt, TRACE_READS, reads);
  bump(cnt, LEARN_UPDATES, issued);
  bump(cnt, LEARN_BIAS_UPDATES, neuronUpdates);
  bump(cnt, LEARN_WEIGHT_WRITES, issued);
}
