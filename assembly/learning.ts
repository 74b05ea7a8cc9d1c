// The online LTL learning circuit of LTL Fig. 1(d) (ALGORITHMS §4, §7):
//   zeta[t]  = -(2/t) * (target - C[t]/t)          error from the spike accumulator
//   exact:  delta = zeta * g(U),  g(U) = h if |U - theta| < p/2 else 0     (boxcar surrogate)
//   sign:   delta = sign(zeta) * b(U),  b(U) = [|U - theta| < p/2]           (1-bit gates)
//   dW[i, j] = (-eta * delta[i]) * S_pre[j],  db[i] = -eta * delta[i]
// The circuit first computes m[i] = -eta*delta[i] per neuron and lists the neurons whose m is
// nonzero (their gates let an update through); the outer-product writer then touches only
// those neurons' synapses, so the gates cut both the update events and the work.
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
 */
export function ltlOnlineSignal(
  n: i32, cPtr: usize, targetPtr: usize, uPtr: usize, thrPtr: usize, thrStride: i32,
  t: i32, width: f32, height: f32, errorMode: i32, negLr: f32,
  mPtr: usize, activeIdxPtr: usize, cnt: usize,
): i32 {
  return ltlSignal<f32, f32>(n, cPtr, targetPtr, uPtr, thrPtr, thrStride, t, boxcarHalf(width), height, errorMode, negLr, mPtr, activeIdxPtr, cnt);
}

/**
 * The learning signal's body for a membrane and threshold stored as S (f32, or i32 on a
 * fixed-point chip) and a gate compared in G (f32, or f64: exact on integers), half = p/2 in
 * the membrane's units. The error and m are f32 in both.
 */
// @ts-ignore: decorator
@inline export function ltlSignal<S, G>(
  n: i32, cPtr: usize, targetPtr: usize, uPtr: usize, thrPtr: usize, thrStride: i32,
  t: i32, half: G, height: f32, errorMode: i32, negLr: f32,
  mPtr: usize, activeIdxPtr: usize, cnt: usize,
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
      store<i32>(activeIdxPtr + (<usize>nActive << 2), i);
      nActive++;
    }
  }
  bump(cnt, ACC_READS, <f64>n);
  bump(cnt, LEARN_ERROR_EVALS, <f64>n);
  bump(cnt, LEARN_GATE_EVALS, <f64>n);
  if (errorMode == ERROR_SIGN) bump(cnt, LEARN_SIGN_EVALS, <f64>n);
  return nActive;
}

/**
 * Outer-product write: for every presynaptic event e (index j, value v) and every active
 * neuron i, dst[j, i] += m[i] * v (spikes: += m[i]); dstBias[i] += m[i].
 * dst is the weight memory itself (updates land at "step") or an accumulator of the sample's
 * changes (updates land at "sample"). Counts update events (nonzero products) and the dense count.
 */
export function outerUpdate(
  dstPtr: usize, dstBiasPtr: usize, nOut: i32, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32,
  mPtr: usize, activeIdxPtr: usize, nActive: i32, writesWeights: i32, cnt: usize,
): void {
  let issued: f64 = 0;
  const rowBytes = <usize>nOut << 2;
  for (let e = 0; e < nEv; e++) {
    const row = dstPtr + <usize>load<i32>(idxPtr + (<usize>e << 2)) * rowBytes;
    if (analog) {
      const v = load<f32>(valPtr + (<usize>e << 2));
      for (let k = 0; k < nActive; k++) {
        const o = <usize>load<i32>(activeIdxPtr + (<usize>k << 2)) << 2;
        const d: f32 = load<f32>(mPtr + o) * v;
        if (d != 0) issued++;
        store<f32>(row + o, load<f32>(row + o) + d);
      }
    } else {
      for (let k = 0; k < nActive; k++) {
        const o = <usize>load<i32>(activeIdxPtr + (<usize>k << 2)) << 2;
        store<f32>(row + o, load<f32>(row + o) + load<f32>(mPtr + o));
      }
      issued += <f64>nActive;
    }
  }
  for (let k = 0; k < nActive; k++) {
    const o = <usize>load<i32>(activeIdxPtr + (<usize>k << 2)) << 2;
    store<f32>(dstBiasPtr + o, load<f32>(dstBiasPtr + o) + load<f32>(mPtr + o));
  }
  bump(cnt, LEARN_UPDATES, issued);
  bump(cnt, LEARN_DENSE, <f64>nEv * <f64>nOut);
  bump(cnt, LEARN_BIAS_UPDATES, <f64>nActive);
  if (writesWeights) bump(cnt, LEARN_WEIGHT_WRITES, issued);
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
