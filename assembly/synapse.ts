// Synaptic integration, event-driven: I = W . S_pre + b (ALGORITHMS §2).
// Weights are stored fan-out major (row j holds W[:, j], the nOut weights of presynaptic
// neuron j), as a neuromorphic core stores an axon's synapses: one presynaptic event reads one
// contiguous row, so the work is proportional to the number of presynaptic events.
// Sums run over events in ascending presynaptic order, then the bias is added; the SIMD lanes
// are output neurons (element-wise adds), so the result is bit-identical to the scalar twin.
import { bump, SYN_EVENTS, SYN_READS, SYN_ACS, SYN_MACS } from "./counters";

/** Collect the nonzero entries of x[0..n) as events (index, value); returns their number. */
export function gatherEvents(xPtr: usize, n: i32, idxPtr: usize, valPtr: usize): i32 {
  let k = 0;
  for (let j = 0; j < n; j++) {
    const v = load<f32>(xPtr + (<usize>j << 2));
    if (v != 0) {
      store<i32>(idxPtr + (<usize>k << 2), j);
      store<f32>(valPtr + (<usize>k << 2), v);
      k++;
    }
  }
  return k;
}

/**
 * I[i] = sum_e W[i, idx[e]] * val[e] + b[i].
 * analog = 0: the events are spikes (val = 1): accumulate only (AC).
 * analog = 1: multiply-accumulate (MAC) with the event's value.
 */
export function integrate(
  wtPtr: usize, nOut: i32, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32,
  biasPtr: usize, iPtr: usize, cnt: usize,
): void {
  dendriticSum<f32>(wtPtr, 0, nOut, idxPtr, valPtr, nEv, analog, 1, iPtr);
  for (let i = 0; i < nOut; i++) {
    const o = <usize>i << 2;
    store<f32>(iPtr + o, load<f32>(iPtr + o) + load<f32>(biasPtr + o));
  }
  countIntegration(cnt, nEv, nOut, analog);
}

/**
 * The dendritic sum A[i] = sum_e (W[i, idx[e]] * G[i, idx[e]]) * v_e (spikes: v_e = 1) into
 * iPtr, in T's arithmetic: f32 on float chips (v_e = val[e]), i32 on fixed-point chips
 * (weights are integers, v_e = <i32>(val[e] * xScale), and the sum wraps like an i32
 * register). G: the synapses' mismatch gains stored like the weights (device.ts
 * integrateGain); gainPtr 0: none, and the product is not computed (callers pass a constant 0,
 * so the compiled loop has no gain at all). SIMD lanes are output neurons (element-wise, so any
 * order gives the scalar twin's bits).
 */
// @ts-ignore: decorator
@inline export function dendriticSum<T>(
  wtPtr: usize, gainPtr: usize, nOut: i32, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32, xScale: f32, iPtr: usize,
): void {
  memory.fill(iPtr, 0, <usize>nOut << 2);
  const rowBytes = <usize>nOut << 2;
  const n4 = nOut & ~3;
  for (let e = 0; e < nEv; e++) {
    const off = <usize>load<i32>(idxPtr + (<usize>e << 2)) * rowBytes;
    const row = wtPtr + off;
    const gain = gainPtr + off;
    if (analog) {
      const x = load<f32>(valPtr + (<usize>e << 2));
      const v: T = isInteger<T>() ? <T>(x * xScale) : <T>x;
      const vv = v128.splat<T>(v);
      let i = 0;
      for (; i < n4; i += 4) {
        const o = <usize>i << 2;
        const w = gainPtr ? v128.mul<T>(v128.load(row + o), v128.load(gain + o)) : v128.load(row + o);
        v128.store(iPtr + o, v128.add<T>(v128.load(iPtr + o), v128.mul<T>(w, vv)));
      }
      for (; i < nOut; i++) {
        const o = <usize>i << 2;
        const w: T = gainPtr ? load<T>(row + o) * load<T>(gain + o) : load<T>(row + o);
        store<T>(iPtr + o, load<T>(iPtr + o) + w * v);
      }
    } else {
      let i = 0;
      for (; i < n4; i += 4) {
        const o = <usize>i << 2;
        const w = gainPtr ? v128.mul<T>(v128.load(row + o), v128.load(gain + o)) : v128.load(row + o);
        v128.store(iPtr + o, v128.add<T>(v128.load(iPtr + o), w));
      }
      for (; i < nOut; i++) {
        const o = <usize>i << 2;
        const w: T = gainPtr ? load<T>(row + o) * load<T>(gain + o) : load<T>(row + o);
        store<T>(iPtr + o, load<T>(iPtr + o) + w);
      }
    }
  }
}

/** The counts of one integration: events delivered, weight reads, and ACs (spikes) or MACs (analog). */
// @ts-ignore: decorator
@inline export function countIntegration(cnt: usize, nEv: i32, nOut: i32, analog: i32): void {
  const ops = <f64>nEv * <f64>nOut;
  bump(cnt, SYN_EVENTS, <f64>nEv);
  bump(cnt, SYN_READS, ops);
  bump(cnt, analog ? SYN_MACS : SYN_ACS, ops);
}
