// Back-propagation through time with the boxcar surrogate (ALGORITHMS §4, §6, §8): the circuits
// of offline LTL (inside each layer) and of the BPTT baseline (through the whole network), run
// at the end of the sample over the stored states, newest step first, then plain SGD.
//
// One layer, one step t (going backward), per neuron i, with carry = dL/dU[t+1] (0 at t = T):
//   dS[t] = err[i] + dU[t+1] * dU[t+1]/dS[t]     (reset path: -theta, or -alpha*U[t] for "zero")
//   dU[t] = dS[t] * g(U[t]) + dU[t+1] * dU[t+1]/dU[t]   (leak path: alpha, or alpha*(1 - S[t]))
//   dI[t] = dU[t]
// err is the error on S[t] from outside the recursion: offline LTL's zeta (the same at every t),
// or BPTT's spatial error W_{l+1}^T dI_{l+1}[t+d] from the layer above.
import {
  bump, ACC_READS, LEARN_ERROR_EVALS, LEARN_GATE_EVALS, LEARN_WEIGHT_WRITES, STATE_READS, SYN_READS,
} from "./counters";
import { boxcar, boxcarHalf } from "./surrogate";
import { RESET_SUBTRACT } from "./neuron";

/** Offline LTL's error on every S[t]: zeta[i] = dL/dS[t] = -(2/T) * (target[i] - C[i][T]/T). */
export function ltlOfflineError(n: i32, steps: i32, cPtr: usize, targetPtr: usize, zetaPtr: usize, cnt: usize): void {
  const tf = <f32>steps;
  const twoOverT: f32 = <f32>2 / tf;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const rate: f32 = <f32>load<u32>(cPtr + o) / tf;
    store<f32>(zetaPtr + o, -(twoOverT * (load<f32>(targetPtr + o) - rate)));
  }
  bump(cnt, ACC_READS, <f64>n);
  bump(cnt, LEARN_ERROR_EVALS, <f64>n);
}

/**
 * One backward step of one layer (see the file comment). uPtr, sPtr: the stored rows U[t], S[t]
 * (S is read for reset "zero" only). Updates carry[i] to dU[t], writes dI[t] and the indices of
 * its nonzero entries; returns their number.
 */
export function surrogateBackStep(
  n: i32, uPtr: usize, sPtr: usize, errPtr: usize, thrPtr: usize, thrStride: i32, leakPtr: usize, leakStride: i32,
  reset: i32, width: f32, height: f32, carryPtr: usize, dIPtr: usize, activeIdxPtr: usize, cnt: usize,
): i32 {
  const half = boxcarHalf(width);
  let nActive = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const u = load<f32>(uPtr + o);
    const theta = load<f32>(thrPtr + (<usize>(i * thrStride) << 2));
    const alpha = load<f32>(leakPtr + (<usize>(i * leakStride) << 2));
    const c = load<f32>(carryPtr + o);
    let viaReset: f32, viaLeak: f32;
    if (reset == RESET_SUBTRACT) {
      viaReset = -(theta * c);
      viaLeak = alpha * c;
    } else {
      viaReset = -((alpha * u) * c);
      viaLeak = (alpha * (<f32>1 - load<f32>(sPtr + o))) * c;
    }
    const dS: f32 = load<f32>(errPtr + o) + viaReset;
    const gate = boxcar<f32>(u, theta, half, height);
    const dU: f32 = dS * gate + viaLeak;
    store<f32>(carryPtr + o, dU);
    store<f32>(dIPtr + o, dU);
    if (dU != 0) {
      store<i32>(activeIdxPtr + (<usize>nActive << 2), i);
      nActive++;
    }
  }
  bump(cnt, STATE_READS, reset == RESET_SUBTRACT ? <f64>n : <f64>(2 * n));
  bump(cnt, LEARN_GATE_EVALS, <f64>n);
  return nActive;
}

/**
 * The error sent down to the layer below: dst[j] = sum_i W[i, j] * d[i], over the active
 * neurons i (d[i] != 0) in ascending order, written (not accumulated). Weights are fan-out
 * major (row j = W[:, j]), so each j reads one contiguous row. Counted as nIn error
 * evaluations and nIn * nActive weight reads of the synaptic memory.
 */
export function backpropError(
  wtPtr: usize, nIn: i32, nOut: i32, dPtr: usize, activeIdxPtr: usize, nActive: i32, dstPtr: usize, cnt: usize,
): void {
  const rowBytes = <usize>nOut << 2;
  for (let j = 0; j < nIn; j++) {
    const row = wtPtr + <usize>j * rowBytes;
    let s: f32 = 0;
    for (let k = 0; k < nActive; k++) {
      const o = <usize>load<i32>(activeIdxPtr + (<usize>k << 2)) << 2;
      s += load<f32>(row + o) * load<f32>(dPtr + o);
    }
    store<f32>(dstPtr + (<usize>j << 2), s);
  }
  bump(cnt, LEARN_ERROR_EVALS, <f64>nIn);
  bump(cnt, SYN_READS, <f64>nIn * <f64>nActive);
}

/**
 * Plain SGD at the end of the sample: w -= lr * g where g != 0, b -= lr * gb, then g = gb = 0.
 * One synaptic memory write per nonzero weight gradient.
 */
export function sgdApply(wPtr: usize, gPtr: usize, n: i32, bPtr: usize, gbPtr: usize, nb: i32, lr: f32, cnt: usize): void {
  let writes: f64 = 0;
  for (let k = 0; k < n; k++) {
    const o = <usize>k << 2;
    const g = load<f32>(gPtr + o);
    if (g != 0) {
      store<f32>(wPtr + o, load<f32>(wPtr + o) - lr * g);
      store<f32>(gPtr + o, 0);
      writes++;
    }
  }
  for (let k = 0; k < nb; k++) {
    const o = <usize>k << 2;
    const g = load<f32>(gbPtr + o);
    if (g != 0) {
      store<f32>(bPtr + o, load<f32>(bPtr + o) - lr * g);
      store<f32>(gbPtr + o, 0);
    }
  }
  bump(cnt, LEARN_WEIGHT_WRITES, writes);
}

/** SGD on neuron parameters with a clamp (STOP-WTL: alpha in [lo, hi] = [1e-6, 1], theta >= 1e-6): p = clamp(p - lr * g), g = 0. */
export function sgdApplyClamped(pPtr: usize, gPtr: usize, n: i32, lr: f32, lo: f32, hi: f32): void {
  for (let k = 0; k < n; k++) {
    const o = <usize>k << 2;
    let v: f32 = load<f32>(pPtr + o) - lr * load<f32>(gPtr + o);
    if (v < lo) v = lo;
    else if (v > hi) v = hi;
    store<f32>(pPtr + o, v);
    store<f32>(gPtr + o, 0);
  }
}
