// Synaptic integration, event-driven: I = W . S_pre + b (ALGORITHMS §2).
// Weights are stored fan-out major (row j holds W[:, j], the nOut weights of presynaptic
// neuron j), as a neuromorphic core stores an axon's synapses: one presynaptic event reads one
// contiguous row, so the work is proportional to the number of presynaptic events.
// Sums run over events in ascending presynaptic order, then the bias is added; the SIMD lanes
// are output neurons (element-wise adds), so the result is bit-identical to the scalar twin.
import { bump, SYN_EVENTS, SYN_READS, SYN_ACS, SYN_MACS } from "./counters";

/**
 * Collect the nonzero entries of x[0..n) as events (index, value); returns their number. Four
 * entries per SIMD compare (a vector of zeros, most of an image's background, costs one compare);
 * the lanes that are not zero (NaN included, -0 not: the scalar `v != 0`) are listed in order.
 * Every thread of a chip on threads gathers the whole input each step (src/chip/threads.ts).
 */
export function gatherEvents(xPtr: usize, n: i32, idxPtr: usize, valPtr: usize): i32 {
  let k = 0;
  const zero = f32x4.splat(0);
  const n4 = n & ~3;
  let j = 0;
  for (; j < n4; j += 4) {
    let bits = i32x4.bitmask(f32x4.ne(v128.load(xPtr + (<usize>j << 2)), zero));
    while (bits) {
      const i = j + ctz<i32>(bits);
      store<i32>(idxPtr + (<usize>k << 2), i);
      store<f32>(valPtr + (<usize>k << 2), load<f32>(xPtr + (<usize>i << 2)));
      k++;
      bits &= bits - 1;
    }
  }
  for (; j < n; j++) {
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
  addBias(nOut, biasPtr, iPtr);
  countIntegration(cnt, nEv, nOut, analog);
}

/**
 * integrate for the slice of n output neurons that starts at wtPtr's column, in a layer whose
 * weight rows hold rowN neurons (one worker thread's share of the layer, src/chip/threads.ts):
 * the same lane-wise sums, so the slice's I equals the whole layer's bit for bit. The events
 * delivered are counted only where countEvents is set (one thread per layer), the reads and
 * ACs / MACs per slice (they add up to the layer's).
 */
export function integrateSlice(
  wtPtr: usize, rowN: i32, n: i32, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32,
  biasPtr: usize, iPtr: usize, countEvents: i32, cnt: usize,
): void {
  dendriticSumRows<f32>(wtPtr, n, rowN, idxPtr, valPtr, nEv, analog, 1, iPtr);
  addBias(n, biasPtr, iPtr);
  const ops = <f64>nEv * <f64>n;
  if (countEvents) bump(cnt, SYN_EVENTS, <f64>nEv);
  bump(cnt, SYN_READS, ops);
  bump(cnt, analog ? SYN_MACS : SYN_ACS, ops);
}

// @ts-ignore: decorator
@inline function addBias(n: i32, biasPtr: usize, iPtr: usize): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(iPtr + o, load<f32>(iPtr + o) + load<f32>(biasPtr + o));
  }
}

/**
 * The dendritic sum A[i] = sum_e (W[i, idx[e]] * G[i, idx[e]]) * v_e (spikes: v_e = 1) into
 * iPtr, in T's arithmetic: f32 on float chips (v_e = val[e]), i32 on fixed-point chips
 * (weights are integers, v_e = <i32>(val[e] * xScale), and the sum wraps like an i32
 * register). G: the synapses' mismatch gains stored like the weights (device.ts
 * integrateGain); gainPtr 0: none (callers pass a constant 0, so the compiled code keeps only
 * the gainless path). SIMD lanes are output neurons (element-wise, so any order gives the scalar
 * twin's bits). Without gains it is register-blocked: 32 output neurons (8 vectors) are summed
 * over all events in registers and stored once, instead of a load and a store of A per event;
 * each lane still adds its events in ascending order from 0, as the scalar twin does.
 */
// @ts-ignore: decorator
@inline export function dendriticSum<T>(
  wtPtr: usize, gainPtr: usize, nOut: i32, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32, xScale: f32, iPtr: usize,
): void {
  if (gainPtr) {
    dendriticSumGain<T>(wtPtr, gainPtr, nOut, idxPtr, valPtr, nEv, analog, xScale, iPtr);
    return;
  }
  dendriticSumRows<T>(wtPtr, nOut, nOut, idxPtr, valPtr, nEv, analog, xScale, iPtr);
}

/** dendriticSum without gains over nOut neurons of weight rows that hold rowN neurons (a slice of a layer: nOut <= rowN). */
// @ts-ignore: decorator
@inline function dendriticSumRows<T>(
  wtPtr: usize, nOut: i32, rowN: i32, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32, xScale: f32, iPtr: usize,
): void {
  const rowBytes = <usize>rowN << 2;
  const n32 = nOut & ~31, n4 = nOut & ~3;
  let i = 0;
  for (; i < n32; i += 32) {
    const col = wtPtr + (<usize>i << 2);
    let a0 = v128.splat<T>(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    // Two copies of the event loop, so that neither tests `analog` per event.
    if (analog) {
      for (let e = 0; e < nEv; e++) {
        const row = col + <usize>load<i32>(idxPtr + (<usize>e << 2)) * rowBytes;
        const vv = v128.splat<T>(eventValue<T>(valPtr, e, xScale));
        a0 = v128.add<T>(a0, v128.mul<T>(v128.load(row), vv)); a1 = v128.add<T>(a1, v128.mul<T>(v128.load(row, 16), vv));
        a2 = v128.add<T>(a2, v128.mul<T>(v128.load(row, 32), vv)); a3 = v128.add<T>(a3, v128.mul<T>(v128.load(row, 48), vv));
        a4 = v128.add<T>(a4, v128.mul<T>(v128.load(row, 64), vv)); a5 = v128.add<T>(a5, v128.mul<T>(v128.load(row, 80), vv));
        a6 = v128.add<T>(a6, v128.mul<T>(v128.load(row, 96), vv)); a7 = v128.add<T>(a7, v128.mul<T>(v128.load(row, 112), vv));
      }
    } else {
      for (let e = 0; e < nEv; e++) {
        const row = col + <usize>load<i32>(idxPtr + (<usize>e << 2)) * rowBytes;
        a0 = v128.add<T>(a0, v128.load(row)); a1 = v128.add<T>(a1, v128.load(row, 16));
        a2 = v128.add<T>(a2, v128.load(row, 32)); a3 = v128.add<T>(a3, v128.load(row, 48));
        a4 = v128.add<T>(a4, v128.load(row, 64)); a5 = v128.add<T>(a5, v128.load(row, 80));
        a6 = v128.add<T>(a6, v128.load(row, 96)); a7 = v128.add<T>(a7, v128.load(row, 112));
      }
    }
    const out = iPtr + (<usize>i << 2);
    v128.store(out, a0); v128.store(out, a1, 16); v128.store(out, a2, 32); v128.store(out, a3, 48);
    v128.store(out, a4, 64); v128.store(out, a5, 80); v128.store(out, a6, 96); v128.store(out, a7, 112);
  }
  for (; i < n4; i += 4) {
    const col = wtPtr + (<usize>i << 2);
    let a = v128.splat<T>(0);
    for (let e = 0; e < nEv; e++) {
      const w = v128.load(col + <usize>load<i32>(idxPtr + (<usize>e << 2)) * rowBytes);
      a = v128.add<T>(a, analog ? v128.mul<T>(w, v128.splat<T>(eventValue<T>(valPtr, e, xScale))) : w);
    }
    v128.store(iPtr + (<usize>i << 2), a);
  }
  for (; i < nOut; i++) {
    const col = wtPtr + (<usize>i << 2);
    let a: T = 0;
    for (let e = 0; e < nEv; e++) {
      const w = load<T>(col + <usize>load<i32>(idxPtr + (<usize>e << 2)) * rowBytes);
      a += analog ? w * eventValue<T>(valPtr, e, xScale) : w;
    }
    store<T>(iPtr + (<usize>i << 2), a);
  }
}

/** dendriticSum with mismatch gains: event-major, A accumulated in memory (the float device chip). */
// @ts-ignore: decorator
@inline function dendriticSumGain<T>(
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

/** The value event e carries in T's arithmetic: val[e] (f32), or <i32>(val[e] * xScale) (fixed point). */
// @ts-ignore: decorator
@inline function eventValue<T>(valPtr: usize, e: i32, xScale: f32): T {
  const x = load<f32>(valPtr + (<usize>e << 2));
  return isInteger<T>() ? <T>(x * xScale) : <T>x;
}

/** The counts of one integration: events delivered, weight reads, and ACs (spikes) or MACs (analog). */
// @ts-ignore: decorator
@inline export function countIntegration(cnt: usize, nEv: i32, nOut: i32, analog: i32): void {
  const ops = <f64>nEv * <f64>nOut;
  bump(cnt, SYN_EVENTS, <f64>nEv);
  bump(cnt, SYN_READS, ops);
  bump(cnt, analog ? SYN_MACS : SYN_ACS, ops);
}
