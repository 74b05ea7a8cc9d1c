// The online LTL learning circuit of LTL Fig. 1(d) (ALGORITHMS §4, §7):
//   zeta[t]  = -(2/t) * (target - C[t]/t)          error from the spike accumulator
//   exact:  delta = zeta * g(U),  g(U) = h if |U - theta| < p/2 else 0     (boxcar surrogate)
//   sign:   delta = sign(zeta) * b(U),  b(U) = [|U - theta| < p/2]           (1-bit gates)
//   dW[i, j] = (-eta * delta[i]) * S_pre[j],  db[i] = -eta * delta[i]
// The circuit first computes m[i] = -eta*delta[i] per neuron and lists the neurons whose m is
// nonzero (their gates let an update through); the outer-product writer then touches only
// the 4-neuron blocks holding listed neurons, so the gates cut both the update events and the work.
import {
  bump, ACC_READS, LEARN_ERROR_EVALS, LEARN_GATE_EVALS, LEARN_SIGN_EVALS, LEARN_UPDATES,
  LEARN_DENSE, LEARN_WEIGHT_WRITES, LEARN_BIAS_UPDATES,
} from "./counters";
import { boxcarHalf, boxcarOpen } from "./surrogate";

export const ERROR_EXACT: i32 = 0;
export const ERROR_SIGN: i32 = 1;

/**
 * Per-neuron learning signal m[i] = -eta * delta[i] at learning step t (1-based).
 * Writes the indices of neurons with m != 0 to activeIdxPtr and returns how many there are.
 * Four neurons per SIMD step: every lane computes exactly the scalar body's f32 operations
 * (u32 -> f32 conversion, division, the gate as a lane mask), so m is bit-identical to
 * ltlSignal<f32, f32>, which still handles the tail.
 */
export function ltlOnlineSignal(
  n: i32, cPtr: usize, targetPtr: usize, uPtr: usize, thrPtr: usize, thrStride: i32,
  t: i32, width: f32, height: f32, errorMode: i32, negLr: f32,
  mPtr: usize, activeIdxPtr: usize, cnt: usize,
): i32 {
  const half = boxcarHalf(width);
  const tf = <f32>t;
  const twoOverT: f32 = <f32>2 / tf;
  const tv = f32x4.splat(tf), twoOverTv = f32x4.splat(twoOverT), halfv = f32x4.splat(half);
  const hv = f32x4.splat(height), lrv = f32x4.splat(negLr);
  const zero = f32x4.splat(0), one = f32x4.splat(1), minusOne = f32x4.splat(-1);
  const sign = errorMode == ERROR_SIGN;
  const n4 = n & ~3;
  let nActive = 0;
  for (let i = 0; i < n4; i += 4) {
    const o = <usize>i << 2;
    const rate = f32x4.div(f32x4.convert_i32x4_u(v128.load(cPtr + o)), tv);
    const zeta = f32x4.neg(f32x4.mul(twoOverTv, f32x4.sub(v128.load(targetPtr + o), rate)));
    const theta = thrStride ? v128.load(thrPtr + o) : f32x4.splat(load<f32>(thrPtr));
    const open = f32x4.lt(f32x4.abs(f32x4.sub(v128.load(uPtr + o), theta)), halfv);
    const delta = sign
      ? v128.and(v128.bitselect(one, v128.and(minusOne, f32x4.lt(zeta, zero)), f32x4.gt(zeta, zero)), open)
      : f32x4.mul(zeta, v128.and(hv, open));
    const m = f32x4.mul(lrv, delta);
    v128.store(mPtr + o, m);
    let bits = i32x4.bitmask(f32x4.ne(m, zero));
    while (bits) {
      store<i32>(activeIdxPtr + (<usize>nActive << 2), i + ctz<i32>(bits));
      nActive++;
      bits &= bits - 1;
    }
  }
  if (n4 < n) {
    // The tail (n not a multiple of 4) through the scalar body, counted below with the rest.
    const o = <usize>n4 << 2;
    nActive += ltlSignal<f32, f32>(
      n - n4, cPtr + o, targetPtr + o, uPtr + o, thrPtr + (thrStride ? o : 0), thrStride, t, half, height, errorMode, negLr,
      mPtr + o, activeIdxPtr + (<usize>nActive << 2), n4,
    );
  }
  countSignal(cnt, n, errorMode);
  return nActive;
}

/**
 * The learning signal's scalar body for a membrane and threshold stored as S (f32, or i32 on a
 * fixed-point chip) and a gate compared in G (f32, or f64: exact on integers), half = p/2 in
 * the membrane's units. The error and m are f32 in both. Neurons are numbered from i0 in the
 * active list (the SIMD caller hands its tail here); counts are the caller's (countSignal).
 */
// @ts-ignore: decorator
@inline export function ltlSignal<S, G>(
  n: i32, cPtr: usize, targetPtr: usize, uPtr: usize, thrPtr: usize, thrStride: i32,
  t: i32, half: G, height: f32, errorMode: i32, negLr: f32,
  mPtr: usize, activeIdxPtr: usize, i0: i32,
): i32 {
  const tf = <f32>t;
  const twoOverT: f32 = <f32>2 / tf;
  let nActive = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const rate: f32 = <f32>load<u32>(cPtr + o) / tf;
    const zeta: f32 = -(twoOverT * (load<f32>(targetPtr + o) - rate));
    const theta = <G>load<S>(thrPtr + (<usize>(i * thrStride) << 2));
    const open = boxcarOpen<G>(<G>load<S>(uPtr + o), theta, half);
    let delta: f32;
    if (errorMode == ERROR_SIGN) {
      delta = open ? (zeta > 0 ? <f32>1 : zeta < 0 ? <f32>-1 : <f32>0) : <f32>0;
    } else {
      delta = zeta * (open ? height : <f32>0);
    }
    const m: f32 = negLr * delta;
    store<f32>(mPtr + o, m);
    if (m != 0) {
      store<i32>(activeIdxPtr + (<usize>nActive << 2), i0 + i);
      nActive++;
    }
  }
  return nActive;
}

/** The counts of one learning-signal evaluation of n neurons. */
// @ts-ignore: decorator
@inline export function countSignal(cnt: usize, n: i32, errorMode: i32): void {
  bump(cnt, ACC_READS, <f64>n);
  bump(cnt, LEARN_ERROR_EVALS, <f64>n);
  bump(cnt, LEARN_GATE_EVALS, <f64>n);
  if (errorMode == ERROR_SIGN) bump(cnt, LEARN_SIGN_EVALS, <f64>n);
}

// The writer works on the neurons in chunks of CHUNK: for each chunk, a lane mask (-1 for a
// listed neuron, 0 otherwise) and the list of its blocks of BLOCK neurons (8 vectors, held in
// registers across all events) with at least one listed lane, in static memory (no allocation
// on the hot path). A worker thread on shared memory gives its instance scratch of its own
// (setLearningScratch): static memory is shared by every instance of the module.
const CHUNK: i32 = 4096;
const BLOCK: i32 = 32;
let laneMask: usize = memory.data(CHUNK << 2, 16);
let blockList: usize = memory.data(CHUNK / BLOCK << 2, 16);

/** Bytes of the writer's scratch (setLearningScratch). */
export const LEARNING_SCRATCH_BYTES: i32 = (CHUNK << 2) + (CHUNK / BLOCK << 2);

/** This instance's writer scratch: LEARNING_SCRATCH_BYTES at ptr (16-byte aligned). */
export function setLearningScratch(ptr: usize): void {
  laneMask = ptr;
  blockList = ptr + (<usize>CHUNK << 2);
}

// Of the listed neurons in the chunk's whole blocks, the smallest |m| (f64, exact).
let minAbsM: f64 = 0;

/**
 * Fill laneMask for neurons [c0, c1) from the active list and list the chunk's whole blocks
 * with a listed lane (byte offsets from the chunk's start); returns how many there are.
 * Sets minAbsM.
 */
function activeBlocks(c0: i32, c1: i32, mPtr: usize, activeIdxPtr: usize, nActive: i32): i32 {
  const lanes = c1 - c0;
  const whole = lanes & ~(BLOCK - 1);
  memory.fill(laneMask, 0, <usize>lanes << 2);
  let minAbs: f64 = Infinity;
  for (let k = 0; k < nActive; k++) {
    const i = load<i32>(activeIdxPtr + (<usize>k << 2));
    if (i < c0 || i >= c1) continue;
    store<i32>(laneMask + (<usize>(i - c0) << 2), -1);
    if (i - c0 < whole) {
      // NaN m never lowers the minimum: its products are NaN, which count as nonzero anyway.
      const a = abs<f64>(<f64>load<f32>(mPtr + (<usize>i << 2)));
      if (a < minAbs) minAbs = a;
    }
  }
  minAbsM = minAbs;
  let nb = 0;
  for (let i = 0; i < whole; i += BLOCK) {
    const o = laneMask + (<usize>i << 2);
    const any = v128.or(v128.or(v128.or(v128.load(o), v128.load(o, 16)), v128.or(v128.load(o, 32), v128.load(o, 48))),
      v128.or(v128.or(v128.load(o, 64), v128.load(o, 80)), v128.or(v128.load(o, 96), v128.load(o, 112))));
    if (v128.any_true(any)) {
      store<i32>(blockList + (<usize>nb << 2), i << 2);
      nb++;
    }
  }
  return nb;
}

// An f32 product rounds to zero only when its exact value (exact in f64) is at most 2^-150.
const UNDERFLOW: f64 = 7.006492321624085e-46; // 2^-150

/** One masked lane-wise write: w' = w + d where mask is set, w (its bits) elsewhere. */
// @ts-ignore: decorator
@inline function maskedAdd(p: usize, d: v128, mask: v128): void {
  const w = v128.load(p);
  v128.store(p, v128.bitselect(f32x4.add(w, d), w, mask));
}

/** One lane-wise write w' = w + d at p + k (lanes that must keep w get d = -0). */
// @ts-ignore: decorator
@inline function plainAdd(p: usize, d: v128, k: usize): void {
  v128.store(p + k, f32x4.add(v128.load(p + k), d));
}

/** m at mo + k where the lane mask at ko + k is set, -0 elsewhere. */
// @ts-ignore: decorator
@inline function padded(mo: usize, ko: usize, k: usize): v128 {
  return v128.bitselect(v128.load(mo + k), f32x4.splat(-0.0), v128.load(ko + k));
}

/**
 * Outer-product write: for every presynaptic event e (index j, value v) and every active
 * neuron i (the list holds distinct neurons), dst[j, i] += m[i] * v (spikes: += m[i]);
 * dstBias[i] += m[i]. dst is the weight memory itself (updates land at "step") or an
 * accumulator of the sample's changes (updates land at "sample"). Counts update events
 * (nonzero products) and the dense count.
 * SIMD over blocks of 32 postsynaptic neurons with the gates as lane masks: a listed lane gets
 * exactly the scalar sum w + m*v, an unlisted lane keeps its bits (bitselect), and the update
 * events are counted as integers, so weights and counts equal the scalar twin's. A block's m
 * and masks stay in registers while it walks the events.
 */
export function outerUpdate(
  dstPtr: usize, dstBiasPtr: usize, nOut: i32, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32,
  mPtr: usize, activeIdxPtr: usize, nActive: i32, writesWeights: i32, cnt: usize,
): void {
  outerUpdateRows(dstPtr, dstBiasPtr, nOut, nOut, idxPtr, valPtr, nEv, analog, mPtr, activeIdxPtr, nActive, writesWeights, cnt);
}

/**
 * outerUpdate for the slice of nOut neurons that starts at dstPtr's column, in a layer whose
 * weight rows hold rowN neurons (one worker thread's share, src/chip/threads.ts); mPtr, dstBiasPtr
 * and the active list are the slice's (indices from its first neuron). Each lane's write and every
 * count are the whole layer's, split: the slices' counts add up to the layer's exactly.
 */
export function outerUpdateSlice(
  dstPtr: usize, dstBiasPtr: usize, rowN: i32, nOut: i32, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32,
  mPtr: usize, activeIdxPtr: usize, nActive: i32, writesWeights: i32, cnt: usize,
): void {
  outerUpdateRows(dstPtr, dstBiasPtr, rowN, nOut, idxPtr, valPtr, nEv, analog, mPtr, activeIdxPtr, nActive, writesWeights, cnt);
}

// @ts-ignore: decorator
@inline function outerUpdateRows(
  dstPtr: usize, dstBiasPtr: usize, rowN: i32, nOut: i32, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32,
  mPtr: usize, activeIdxPtr: usize, nActive: i32, writesWeights: i32, cnt: usize,
): void {
  let issued: f64 = analog ? 0 : <f64>nEv * <f64>nActive;
  const rowBytes = <usize>rowN << 2;
  const zero = f32x4.splat(0);
  if (nActive * SPARSE < nOut) {
    // Few open gates: masked blocks would mostly write unlisted lanes; walk the list instead.
    issued += listUpdate(dstPtr, rowBytes, idxPtr, valPtr, nEv, analog, mPtr, activeIdxPtr, nActive);
    for (let k = 0; k < nActive; k++) {
      const o = <usize>load<i32>(activeIdxPtr + (<usize>k << 2)) << 2;
      store<f32>(dstBiasPtr + o, load<f32>(dstBiasPtr + o) + load<f32>(mPtr + o));
    }
    countUpdate(cnt, issued, nEv, nOut, nActive, writesWeights);
    return;
  }
  for (let c0 = 0; c0 < nOut && nActive > 0; c0 += CHUNK) {
    const c1 = min(nOut, c0 + CHUNK);
    const nb = activeBlocks(c0, c1, mPtr, activeIdxPtr, nActive);
    const tail = c0 + ((c1 - c0) & ~(BLOCK - 1));
    const at = <usize>c0 << 2;
    const mc = mPtr + at, bias = dstBiasPtr + at;
    // Update events per lane (an i32 lane cannot overflow: it counts at most nEv * nOut / 4 < 2^31 writes of a 4 GB memory).
    let counted = i32x4.splat(0);
    for (let q = 0; q < nb; q++) {
      const o = <usize>load<i32>(blockList + (<usize>q << 2));
      const ko = laneMask + o, mo = mc + o;
      // m where listed, -0 elsewhere: w + (-0) is w, bit for bit (w = +0 included), and so is
      // w + (-0) * v for a finite v > 0, so these lanes need no select.
      const p0 = padded(mo, ko, 0), p1 = padded(mo, ko, 16), p2 = padded(mo, ko, 32), p3 = padded(mo, ko, 48);
      const p4 = padded(mo, ko, 64), p5 = padded(mo, ko, 80), p6 = padded(mo, ko, 96), p7 = padded(mo, ko, 112);
      const col = dstPtr + at + o;
      if (analog) {
        let listed = 0;
        for (let k: usize = 0; k < 128; k += 16) listed += popcnt<i32>(i32x4.bitmask(v128.load(ko + k)));
        let plain = 0;
        for (let e = 0; e < nEv; e++) {
          const row = col + <usize>load<i32>(idxPtr + (<usize>e << 2)) * rowBytes;
          const v = load<f32>(valPtr + (<usize>e << 2));
          const vv = f32x4.splat(v);
          if (v > 0 && v < Infinity && <f64>v * minAbsM > UNDERFLOW) {
            // No listed product can round to zero: every listed lane is an update event.
            plainAdd(row, f32x4.mul(p0, vv), 0); plainAdd(row, f32x4.mul(p1, vv), 16);
            plainAdd(row, f32x4.mul(p2, vv), 32); plainAdd(row, f32x4.mul(p3, vv), 48);
            plainAdd(row, f32x4.mul(p4, vv), 64); plainAdd(row, f32x4.mul(p5, vv), 80);
            plainAdd(row, f32x4.mul(p6, vv), 96); plainAdd(row, f32x4.mul(p7, vv), 112);
            plain++;
          } else {
            // Any other value (negative, not finite, or small enough to underflow): selects and per-lane counts.
            for (let k: usize = 0; k < 128; k += 16) {
              const mask = v128.load(ko + k);
              const d = f32x4.mul(v128.load(mo + k), vv);
              maskedAdd(row + k, d, mask);
              counted = i32x4.sub(counted, v128.and(f32x4.ne(d, zero), mask));
            }
          }
        }
        issued += <f64>plain * <f64>listed;
      } else {
        for (let e = 0; e < nEv; e++) {
          const row = col + <usize>load<i32>(idxPtr + (<usize>e << 2)) * rowBytes;
          plainAdd(row, p0, 0); plainAdd(row, p1, 16); plainAdd(row, p2, 32); plainAdd(row, p3, 48);
          plainAdd(row, p4, 64); plainAdd(row, p5, 80); plainAdd(row, p6, 96); plainAdd(row, p7, 112);
        }
      }
      for (let k: usize = 0; k < 128; k += 16) maskedAdd(bias + o + k, v128.load(mo + k), v128.load(ko + k));
    }
    issued += <f64>(i32x4.extract_lane(counted, 0) + i32x4.extract_lane(counted, 1))
      + <f64>(i32x4.extract_lane(counted, 2) + i32x4.extract_lane(counted, 3));
    // The neurons after the last whole block, one at a time.
    if (tail < c1) {
      for (let e = 0; e < nEv; e++) {
        const row = dstPtr + <usize>load<i32>(idxPtr + (<usize>e << 2)) * rowBytes + at;
        const v = analog ? load<f32>(valPtr + (<usize>e << 2)) : <f32>1;
        for (let i = tail; i < c1; i++) {
          const o = <usize>(i - c0) << 2;
          if (!load<i32>(laneMask + o)) continue;
          if (analog) {
            const d: f32 = load<f32>(mc + o) * v;
            if (d != 0) issued++;
            store<f32>(row + o, load<f32>(row + o) + d);
          } else {
            store<f32>(row + o, load<f32>(row + o) + load<f32>(mc + o));
          }
        }
      }
      for (let i = tail; i < c1; i++) {
        const o = <usize>(i - c0) << 2;
        if (load<i32>(laneMask + o)) store<f32>(bias + o, load<f32>(bias + o) + load<f32>(mc + o));
      }
    }
  }
  countUpdate(cnt, issued, nEv, nOut, nActive, writesWeights);
}

/** The counts of one outer-product write. */
// @ts-ignore: decorator
@inline function countUpdate(cnt: usize, issued: f64, nEv: i32, nOut: i32, nActive: i32, writesWeights: i32): void {
  bump(cnt, LEARN_UPDATES, issued);
  bump(cnt, LEARN_DENSE, <f64>nEv * <f64>nOut);
  bump(cnt, LEARN_BIAS_UPDATES, <f64>nActive);
  if (writesWeights) bump(cnt, LEARN_WEIGHT_WRITES, issued);
}

// Below one listed neuron in SPARSE, the writer walks the list (measured break-even: a
// 32-neuron block of masked vectors costs about as much as 6 listed neurons one at a time).
const SPARSE: i32 = 6;

/**
 * The weights' part of the outer-product write, one listed neuron at a time (the scalar twin's
 * loop), with the update events counted as an integer; returns their number (analog; spikes: 0,
 * the caller counts them).
 */
function listUpdate(dstPtr: usize, rowBytes: usize, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32, mPtr: usize, activeIdxPtr: usize, nActive: i32): f64 {
  let issued: i64 = 0;
  for (let e = 0; e < nEv; e++) {
    const row = dstPtr + <usize>load<i32>(idxPtr + (<usize>e << 2)) * rowBytes;
    if (analog) {
      const v = load<f32>(valPtr + (<usize>e << 2));
      let n = 0;
      for (let k = 0; k < nActive; k++) {
        const o = <usize>load<i32>(activeIdxPtr + (<usize>k << 2)) << 2;
        const d: f32 = load<f32>(mPtr + o) * v;
        n += <i32>(d != 0);
        store<f32>(row + o, load<f32>(row + o) + d);
      }
      issued += n;
    } else {
      for (let k = 0; k < nActive; k++) {
        const o = <usize>load<i32>(activeIdxPtr + (<usize>k << 2)) << 2;
        store<f32>(row + o, load<f32>(row + o) + load<f32>(mPtr + o));
      }
    }
  }
  return <f64>issued;
}

/**
 * End of a sample whose updates land at "sample": W += G, b += Gb, written once, then G = 0.
 * Counts one synaptic memory write per nonzero accumulated change.
 */
export function applyAccumulated(wPtr: usize, gPtr: usize, n: i32, bPtr: usize, gbPtr: usize, nb: i32, cnt: usize): void {
  let writes: f64 = 0;
  for (let k = 0; k < n; k++) {
    const o = <usize>k << 2;
    const g = load<f32>(gPtr + o);
    if (g != 0) {
      store<f32>(wPtr + o, load<f32>(wPtr + o) + g);
      store<f32>(gPtr + o, 0);
      writes++;
    }
  }
  for (let k = 0; k < nb; k++) {
    const o = <usize>k << 2;
    store<f32>(bPtr + o, load<f32>(bPtr + o) + load<f32>(gbPtr + o));
    store<f32>(gbPtr + o, 0);
  }
  bump(cnt, LEARN_WEIGHT_WRITES, writes);
}
