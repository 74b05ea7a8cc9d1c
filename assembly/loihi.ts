// Loihi's current-based LIF neuron, bit for bit as Lava's bit-accurate process models define it
// (lava-nc/lava: src/lava/proc/lif/models.py, AbstractPyLifModelFixed and PyLifModelBitAcc;
// src/lava/proc/dense/models.py, PyDenseModelBitAcc). Our own code written from those facts;
// docs/loihi.md states the equations. Twin: src/reference/loihi.ts (same operations, same order).
//
// All state is i32 in the arena. Products are done in i64 and brought back by a 12-bit shift,
// so the only wrap-arounds are the ones Lava's int32 arrays make (dendritic sum, a << 6, the
// voltage sum) and the 24-bit wrap of the current u. The voltage v saturates at ±(2^23 - 1).
// The host scales once, at construction (src/reference/loihi.ts loihiScaled): the bias to
// bias_mant << bias_exp and the threshold to vth << 6, as Lava's scale_bias / scale_threshold do.
import { bump, SYN_EVENTS, SYN_READS, SYN_ACS, NEURON_UPDATES, NEURON_SPIKES, NEURON_LEAKS, NEURON_RESETS } from "./counters";
import { DEV_STATE_SATURATIONS } from "./device";

/** u and v are 24 bits wide: the current wraps at 2^23, the voltage saturates at 2^23 - 1. */
const MAX_UV: i32 = 1 << 23;
/** Decays are 12-bit multiply-and-shift: x * (4096 - d) >> 12. */
const DECAY_SHIFT: i64 = 12;
const DECAY_UNITY: i32 = 1 << 12;
/** Loihi 1's 1-bit ds_offset register is added to du (so du = 4095 decays u fully); dm_offset to dv is 0. */
const DS_OFFSET: i32 = 1;
/** Incoming activations are MSB-aligned by 6 bits before they enter the current. */
const ACT_SHIFT: i32 = 6;

/** x * factor >> 12, rounded toward zero (Lava: sign(p) * (|p| >> 12)). */
// @ts-ignore: decorator
@inline function decay(x: i32, factor: i32): i32 {
  const p = <i64>x * <i64>factor;
  return <i32>(p >= 0 ? p >> DECAY_SHIFT : -((-p) >> DECAY_SHIFT));
}

/**
 * Lava's bit-accurate Dense: a[i] = sum of W[i, j] over the input spikes j (an i32 sum that wraps),
 * then shifted by the weight exponent: a << weightExp when weightExp > 0, else the arithmetic
 * a >> -weightExp (a floor). W is stored fan-out major (row j holds the nOut weights of input j),
 * already clipped and truncated by the host (src/reference/loihi.ts loihiWeights).
 */
export function loihiDendrite(wtPtr: usize, nOut: i32, idxPtr: usize, nEv: i32, weightExp: i32, aPtr: usize, cnt: usize): void {
  memory.fill(aPtr, 0, <usize>nOut << 2);
  const rowBytes = <usize>nOut << 2;
  const n4 = nOut & ~3;
  for (let e = 0; e < nEv; e++) {
    const row = wtPtr + <usize>load<i32>(idxPtr + (<usize>e << 2)) * rowBytes;
    let i = 0;
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      v128.store(aPtr + o, i32x4.add(v128.load(aPtr + o), v128.load(row + o)));
    }
    for (; i < nOut; i++) {
      const o = <usize>i << 2;
      store<i32>(aPtr + o, load<i32>(aPtr + o) + load<i32>(row + o));
    }
  }
  if (weightExp != 0) {
    for (let i = 0; i < nOut; i++) {
      const o = <usize>i << 2;
      const a = load<i32>(aPtr + o);
      store<i32>(aPtr + o, weightExp > 0 ? a << weightExp : a >> -weightExp);
    }
  }
  const ops = <f64>nEv * <f64>nOut;
  bump(cnt, SYN_EVENTS, <f64>nEv);
  bump(cnt, SYN_READS, ops);
  bump(cnt, SYN_ACS, ops);
}

/**
 * One Loihi soma update for n neurons. Per neuron, with a the dendrite's activation:
 *   u = wrap24(decay(u, 4096 - (du + 1)) + (a << 6))
 *   v = clip(decay(v, 4096 - dv) + u + bias, ±(2^23 - 1)),   v taken as 0 if the neuron spiked at t-1
 *   S = v > vth   (strict)
 * wrap24 is Lava's: one correction, x - 2^24 if x > 2^23, x + 2^24 if x <= -2^23.
 * vPtr keeps v before its reset (the membrane the trace shows); the reset to zero is applied at
 * the next update from sPrev, which is the same as Lava's v[spiked] = 0 (decay(0) = 0).
 * du, dv and vth (effective, vth << 6) per layer (stride 0) or per neuron (stride 1); bias
 * (effective, bias_mant << bias_exp) per neuron. Spikes are written as f32 0/1 and their indices
 * listed, like the chip's other somas. Returns the number of spikes.
 */
export function loihiNeuronStep(
  n: i32, aPtr: usize, curPtr: usize, vPtr: usize, sPrevPtr: usize, sPtr: usize, spikeIdxPtr: usize,
  duPtr: usize, duStride: i32, dvPtr: usize, dvStride: i32, biasPtr: usize, vthPtr: usize, vthStride: i32, cnt: usize,
): i32 {
  let nSpikes = 0, leaks = 0, resets = 0;
  let sat: f64 = 0;
  const vMax = MAX_UV - 1;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const du = load<i32>(duPtr + (<usize>(i * duStride) << 2));
    const dv = load<i32>(dvPtr + (<usize>(i * dvStride) << 2));
    const vth = load<i32>(vthPtr + (<usize>(i * vthStride) << 2));
    // current: decays every step (ds_offset makes its factor at most 4095), then wraps in 24 bits
    let u = decay(load<i32>(curPtr + o), DECAY_UNITY - (du + DS_OFFSET)) + (load<i32>(aPtr + o) << ACT_SHIFT);
    if (u > MAX_UV) u -= MAX_UV << 1;
    else if (u <= -MAX_UV) u += MAX_UV << 1;
    store<i32>(curPtr + o, u);
    leaks++;
    // voltage: reset to zero if the neuron spiked, decay, integrate u and the bias, saturate
    const fired = load<f32>(sPrevPtr + o) != 0;
    if (fired) resets++;
    if (dv != 0) leaks++;
    let v = decay(fired ? 0 : load<i32>(vPtr + o), DECAY_UNITY - dv) + u + load<i32>(biasPtr + o);
    if (v > vMax) { v = vMax; sat++; } else if (v < -vMax) { v = -vMax; sat++; }
    store<i32>(vPtr + o, v);
    if (v > vth) {
      store<f32>(sPtr + o, 1);
      store<i32>(spikeIdxPtr + (<usize>nSpikes << 2), i);
      nSpikes++;
    } else {
      store<f32>(sPtr + o, 0);
    }
  }
  bump(cnt, NEURON_UPDATES, <f64>n);
  bump(cnt, NEURON_SPIKES, <f64>nSpikes);
  bump(cnt, NEURON_LEAKS, <f64>leaks);
  bump(cnt, NEURON_RESETS, <f64>resets);
  bump(cnt, DEV_STATE_SATURATIONS, sat);
  return nSpikes;
}
