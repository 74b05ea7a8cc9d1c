// STOP's circuits (ALGORITHMS §8): forward eligibility traces, updated every step and brought to
// step t before use, and the per-step gradient that multiplies them with the spatial error.
//   e_W[t] = alpha (.) e_W[t-1] + S_{l-1}[t]   per presynaptic input (scalar alpha: one vector
//                                              of nIn per layer; per-neuron alpha: nIn x nOut,
//                                              fan-out major like the weights)
//   e_b[t] = alpha (.) e_b[t-1] + 1            (one value per layer, or one per neuron)
//   e_th[t] = alpha (.) e_th[t-1] - S_l[t-1]   (per neuron; STOP-WTL)
//   e_a[t]  = alpha (.) e_a[t-1] + U_l[t-1]    (per neuron; STOP-WTL)
//   delta_l[t] = dl_t/dS_l[t] (.) g(U_l[t])     (g around each neuron's own threshold)
//   dW += delta (x) e_W, db += delta (.) e_b, dth += delta (.) (e_th - 1), da += delta (.) e_a
// The per-neuron e_W update runs four neurons per SIMD step: lane-wise f32 mul then add,
// bit-identical to the scalar twin.
import {
  bump, TRACE_UPDATES, TRACE_READS, LEARN_GATE_EVALS, LEARN_UPDATES, LEARN_DENSE, LEARN_BIAS_UPDATES, LEARN_WEIGHT_WRITES,
} from "./counters";
import { boxcar, boxcarHalf } from "./surrogate";

/**
 * Synaptic traces e_W of one layer from this step's presynaptic events (index, value; value 1
 * when analog = 0; ascending indices). leakStride 0: e is one vector of nIn; 1: nIn x nOut.
 * Counts the dense update count of STOP: the synapses whose trace is nonzero.
 */
export function traceSynapses(
  ePtr: usize, nIn: i32, nOut: i32, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32,
  leakPtr: usize, leakStride: i32, cnt: usize,
): void {
  let k = 0;
  let nonzero: f64 = 0;
  if (leakStride == 0) {
    const alpha = load<f32>(leakPtr);
    for (let j = 0; j < nIn; j++) {
      let v: f32 = 0;
      if (k < nEv && load<i32>(idxPtr + (<usize>k << 2)) == j) {
        v = analog ? load<f32>(valPtr + (<usize>k << 2)) : <f32>1;
        k++;
      }
      const p = ePtr + (<usize>j << 2);
      const e: f32 = alpha * load<f32>(p) + v;
      store<f32>(p, e);
      if (e != 0) nonzero++;
    }
    bump(cnt, LEARN_DENSE, nonzero * <f64>nOut);
    bump(cnt, TRACE_UPDATES, <f64>nIn);
    return;
  }
  const rowBytes = <usize>nOut << 2;
  const n4 = nOut & ~3;
  const zero = f32x4.splat(0);
  for (let j = 0; j < nIn; j++) {
    let v: f32 = 0;
    if (k < nEv && load<i32>(idxPtr + (<usize>k << 2)) == j) {
      v = analog ? load<f32>(valPtr + (<usize>k << 2)) : <f32>1;
      k++;
    }
    const row = ePtr + <usize>j * rowBytes;
    const vv = f32x4.splat(v);
    let i = 0;
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      const e = f32x4.add(f32x4.mul(v128.load(leakPtr + o), v128.load(row + o)), vv);
      v128.store(row + o, e);
      nonzero += <f64>popcnt<i32>(i32x4.bitmask(f32x4.ne(e, zero)));
    }
    for (; i < nOut; i++) {
      const o = <usize>i << 2;
      const e: f32 = load<f32>(leakPtr + o) * load<f32>(row + o) + v;
      store<f32>(row + o, e);
      if (e != 0) nonzero++;
    }
  }
  bump(cnt, LEARN_DENSE, nonzero);
  bump(cnt, TRACE_UPDATES, <f64>nIn * <f64>nOut);
}

/**
 * Neuron traces of one layer: e_b (one value when leakStride = 0, else n); with learnTL also
 * e_th from S[t-1] (sPrev) and e_a from U[t-1] (uPrev, the rule's copy), then uPrev = U[t].
 */
export function traceNeurons(
  n: i32, ebPtr: usize, leakPtr: usize, leakStride: i32, learnTL: i32,
  ethPtr: usize, eaPtr: usize, sPrevPtr: usize, uPrevPtr: usize, uPtr: usize, cnt: usize,
): void {
  const nb = leakStride ? n : 1;
  for (let i = 0; i < nb; i++) {
    const o = <usize>i << 2;
    store<f32>(ebPtr + o, load<f32>(leakPtr + o) * load<f32>(ebPtr + o) + <f32>1);
  }
  if (learnTL) {
    for (let i = 0; i < n; i++) {
      const o = <usize>i << 2;
      const alpha = load<f32>(leakPtr + (<usize>(i * leakStride) << 2));
      store<f32>(ethPtr + o, alpha * load<f32>(ethPtr + o) - load<f32>(sPrevPtr + o));
      store<f32>(eaPtr + o, alpha * load<f32>(eaPtr + o) + load<f32>(uPrevPtr + o));
      store<f32>(uPrevPtr + o, load<f32>(uPtr + o));
    }
  }
  bump(cnt, TRACE_UPDATES, <f64>nb + (learnTL ? <f64>(2 * n) : 0));
}

/** delta[i] = dS[i] * g(U[i]), g = height inside |U - theta_i| < width/2; lists the nonzero delta; returns their number. */
export function stopDelta(
  n: i32, dSPtr: usize, uPtr: usize, thrPtr: usize, thrStride: i32, width: f32, height: f32,
  deltaPtr: usize, activeIdxPtr: usize, cnt: usize,
): i32 {
  const half = boxcarHalf(width);
  let nActive = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const theta = load<f32>(thrPtr + (<usize>(i * thrStride) << 2));
    const gate = boxcar<f32>(load<f32>(uPtr + o), theta, half, height);
    const d: f32 = load<f32>(dSPtr + o) * gate;
    store<f32>(deltaPtr + o, d);
    if (d != 0) {
      store<i32>(activeIdxPtr + (<usize>nActive << 2), i);
      nActive++;
    }
  }
  bump(cnt, LEARN_GATE_EVALS, <f64>n);
  return nActive;
}

/**
 * STOP-WTL's neuron parameters, one active neuron (byte offset o, delta d): Gth += d * (e_th - 1),
 * Ga (at pa) += d * e_a. Returns the nonzero contributions (neuron-parameter updates).
 */
// @ts-ignore: decorator
@inline export function thresholdLeakGrad(d: f32, o: usize, ethPtr: usize, eaPtr: usize, gthPtr: usize, pa: usize): f64 {
  const ct: f32 = d * (load<f32>(ethPtr + o) - <f32>1);
  store<f32>(gthPtr + o, load<f32>(gthPtr + o) + ct);
  const ca: f32 = d * load<f32>(eaPtr + o);
  store<f32>(pa, load<f32>(pa) + ca);
  return (ct != 0 ? <f64>1 : 0) + (ca != 0 ? <f64>1 : 0);
}

/**
 * Accumulate one step's gradients over the active neurons (delta != 0), in ascending order:
 *   G[j, i] += delta[i] * e_W[j] (or e_W[j, i] when eWPerNeuron), only where the product != 0
 *   Gb[i] += delta[i] * e_b[i * ebStride]
 *   learnTL: Gth[i] += delta[i] * (e_th[i] - 1);  Ga[i * gaStride] += delta[i] * e_a[i]
 * An update event is a nonzero delta[i] * e_W[j, i] (LEARN_UPDATES); nonzero bias, threshold
 * and leak contributions are counted as neuron-parameter updates (LEARN_BIAS_UPDATES).
 */
export function stopGrad(
  nIn: i32, nOut: i32, gPtr: usize, gbPtr: usize, eWPtr: usize, eWPerNeuron: i32, ebPtr: usize, ebStride: i32,
  deltaPtr: usize, activeIdxPtr: usize, nActive: i32,
  learnTL: i32, ethPtr: usize, eaPtr: usize, gthPtr: usize, gaPtr: usize, gaStride: i32, cnt: usize,
): void {
  if (nActive == 0) return;
  const rowBytes = <usize>nOut << 2;
  let issued: f64 = 0;
  let reads: f64 = 0;
  for (let j = 0; j < nIn; j++) {
    const gRow = gPtr + <usize>j * rowBytes;
    if (eWPerNeuron) {
      const eRow = eWPtr + <usize>j * rowBytes;
      for (let k = 0; k < nActive; k++) {
        const o = <usize>load<i32>(activeIdxPtr + (<usize>k << 2)) << 2;
        const c: f32 = load<f32>(deltaPtr + o) * load<f32>(eRow + o);
        if (c != 0) {
          store<f32>(gRow + o, load<f32>(gRow + o) + c);
          issued++;
        }
      }
      reads += <f64>nActive;
    } else {
      const e = load<f32>(eWPtr + (<usize>j << 2));
      reads++;
      if (e == 0) continue;
      for (let k = 0; k < nActive; k++) {
        const o = <usize>load<i32>(activeIdxPtr + (<usize>k << 2)) << 2;
        const c: f32 = load<f32>(deltaPtr + o) * e;
        if (c != 0) {
          store<f32>(gRow + o, load<f32>(gRow + o) + c);
          issued++;
        }
      }
    }
  }
  let neuronUpdates: f64 = 0;
  for (let k = 0; k < nActive; k++) {
    const i = load<i32>(activeIdxPtr + (<usize>k << 2));
    const o = <usize>i << 2;
    const d = load<f32>(deltaPtr + o);
    const cb: f32 = d * load<f32>(ebPtr + (<usize>(i * ebStride) << 2));
    store<f32>(gbPtr + o, load<f32>(gbPtr + o) + cb);
    if (cb != 0) neuronUpdates++;
    if (learnTL) neuronUpdates += thresholdLeakGrad(d, o, ethPtr, eaPtr, gthPtr, gaPtr + (<usize>(i * gaStride) << 2));
  }
  reads += <f64>nActive * (learnTL ? 3 : 1);
  bump(cnt, TRACE_READS, reads);
  bump(cnt, LEARN_UPDATES, issued);
  bump(cnt, LEARN_BIAS_UPDATES, neuronUpdates);
}

/** Clamp after a write (STOP-WTL): lo <= v <= hi, as sgdApplyClamped clamps. */
// @ts-ignore: decorator
@inline export function clampParam(v: f32, lo: f32, hi: f32): f32 {
  if (v < lo) return lo;
  if (v > hi) return hi;
  return v;
}

/**
 * One active neuron's threshold written at once (updates at "step"): th = max(th - lrTL * d *
 * (e_th - 1), minParam). Returns 1 if the contribution is nonzero (a neuron-parameter update).
 */
// @ts-ignore: decorator
@inline export function thresholdStep(d: f32, o: usize, ethPtr: usize, thrPtr: usize, lrTL: f32, minParam: f32): f64 {
  const ct: f32 = d * (load<f32>(ethPtr + o) - <f32>1);
  store<f32>(thrPtr + o, clampParam(load<f32>(thrPtr + o) - lrTL * ct, minParam, Infinity));
  return ct != 0 ? 1 : 0;
}

/**
 * STOP writing at every step (updates at "step", no accumulators): the contributions stopGrad
 * would add to the accumulators, written into the parameters at once with the learning rate,
 * in the same order:
 *   W[j, i] -= lrW * (delta[i] * e_W[j])   where the product != 0 (one synaptic write each)
 *   b[i]    -= lrW * (delta[i] * e_b[i * ebStride])   where the product != 0
 *   learnTL: th[i] = max(th[i] - lrTL * delta[i] * (e_th[i] - 1), minParam)
 *            per-neuron leak: a[i] = clamp(a[i] - lrTL * delta[i] * e_a[i], minParam, 1)
 *            one leak (leakStride 0): its contributions summed over the active neurons in
 *            order, then a = clamp(a - lrTL * sum, minParam, 1), once per step
 * Each write is what the sample's accumulator would have held after one step, so a one-step
 * sample writes the same bits either way. Counts as stopGrad, plus a synaptic memory write per
 * update event.
 */
export function stopStep(
  nIn: i32, nOut: i32, wPtr: usize, bPtr: usize, eWPtr: usize, eWPerNeuron: i32, ebPtr: usize, ebStride: i32,
  deltaPtr: usize, activeIdxPtr: usize, nActive: i32, lrW: f32,
  learnTL: i32, ethPtr: usize, eaPtr: usize, thrPtr: usize, leakPtr: usize, leakStride: i32, lrTL: f32, minParam: f32, cnt: usize,
): void {
  if (nActive == 0) return;
  const rowBytes = <usize>nOut << 2;
  let issued: f64 = 0;
  let reads: f64 = 0;
  for (let j = 0; j < nIn; j++) {
    const wRow = wPtr + <usize>j * rowBytes;
    if (eWPerNeuron) {
      const eRow = eWPtr + <usize>j * rowBytes;
      for (let k = 0; k < nActive; k++) {
        const o = <usize>load<i32>(activeIdxPtr + (<usize>k << 2)) << 2;
        const c: f32 = load<f32>(deltaPtr + o) * load<f32>(eRow + o);
        if (c != 0) {
          store<f32>(wRow + o, load<f32>(wRow + o) - lrW * c);
          issued++;
        }
      }
      reads += <f64>nActive;
    } else {
      const e = load<f32>(eWPtr + (<usize>j << 2));
      reads++;
      if (e == 0) continue;
      for (let k = 0; k < nActive; k++) {
        const o = <usize>load<i32>(activeIdxPtr + (<usize>k << 2)) << 2;
        const c: f32 = load<f32>(deltaPtr + o) * e;
        if (c != 0) {
          store<f32>(wRow + o, load<f32>(wRow + o) - lrW * c);
          issued++;
        }
      }
    }
  }
  let neuronUpdates: f64 = 0;
  let leakSum: f32 = 0;
  for (let k = 0; k < nActive; k++) {
    const i = load<i32>(activeIdxPtr + (<usize>k << 2));
    const o = <usize>i << 2;
    const d = load<f32>(deltaPtr + o);
    const cb: f32 = d * load<f32>(ebPtr + (<usize>(i * ebStride) << 2));
    if (cb != 0) {
      store<f32>(bPtr + o, load<f32>(bPtr + o) - lrW * cb);
      neuronUpdates++;
    }
    if (learnTL) {
      neuronUpdates += thresholdStep(d, o, ethPtr, thrPtr, lrTL, minParam);
      const ca: f32 = d * load<f32>(eaPtr + o);
      if (leakStride) store<f32>(leakPtr + o, clampParam(load<f32>(leakPtr + o) - lrTL * ca, minParam, 1));
      else leakSum = leakSum + ca;
      if (ca != 0) neuronUpdates++;
    }
  }
  if (learnTL && !leakStride) store<f32>(leakPtr, clampParam(load<f32>(leakPtr) - lrTL * leakSum, minParam, 1));
  reads += <f64>nActive * (learnTL ? 3 : 1);
  bump(cnt, TRACE_READS, reads);
  bump(cnt, LEARN_UPDATES, issued);
  bump(cnt, LEARN_BIAS_UPDATES, neuronUpdates);
  bump(cnt, LEARN_WEIGHT_WRITES, issued);
}
