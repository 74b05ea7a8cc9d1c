// TypeScript twin of assembly/loihi.ts: Loihi's current-based LIF neuron and Dense synapses, bit
// for bit as Lava's bit-accurate models (lava-nc/lava src/lava/proc/lif/models.py,
// src/lava/proc/dense/models.py, src/lava/utils/weightutils.py). Same operations in the same
// order. i32 wrap-around through `| 0` and Int32Array stores; the i64 decay products through
// doubles (|x * factor| < 2^43, exact) and Math.trunc (Lava rounds toward zero).
// Also the host-side scaling done once at construction (weights, bias, threshold), shared by both
// backends, and the parameter ranges of Loihi 1 that the case reader checks.
import { Mem, bump } from './memory.js';
import { SYN_EVENTS, SYN_READS, SYN_ACS, NEURON_UPDATES, NEURON_SPIKES, NEURON_LEAKS, NEURON_RESETS } from './counters.js';
import { DEV_STATE_SATURATIONS } from './device.js';

export const MAX_UV = 2 ** 23;
const DECAY_UNITY = 4096;
const DS_OFFSET = 1;
const ACT_SHIFT = 6;
export const VTH_SHIFT = 6;

/** Loihi 1 parameter ranges (PyLifModelBitAcc's docstring and LavaPyType precisions). */
export const LOIHI_RANGES = {
  du: [0, 4095], // unsigned 12-bit
  dv: [0, 4095], // unsigned 12-bit
  vth: [0, 131071], // unsigned 17-bit
  biasMant: [-4096, 4095], // signed 13-bit
  biasExp: [0, 7], // unsigned 3-bit
  weight: [-256, 255], // before the sign-mode clip (weightutils' widest range)
  weightExp: [-8, 7], // our bound: a signed 4-bit exponent (Lava itself does not bound it)
  numWeightBits: [1, 8],
} as const;

function decay(x: number, factor: number): number {
  return Math.trunc((x * factor) / DECAY_UNITY);
}

/** Twin of loihiDendrite. */
export function loihiDendrite(m: Mem, wtPtr: number, nOut: number, idxPtr: number, nEv: number, weightExp: number, aPtr: number, cnt: number): void {
  const i32 = m.i32, A = aPtr >>> 2, WT = wtPtr >>> 2, IX = idxPtr >>> 2;
  i32.fill(0, A, A + nOut);
  for (let e = 0; e < nEv; e++) {
    const row = WT + i32[IX + e] * nOut;
    for (let i = 0; i < nOut; i++) i32[A + i] = i32[A + i] + i32[row + i];
  }
  if (weightExp !== 0) {
    for (let i = 0; i < nOut; i++) {
      const a = i32[A + i];
      i32[A + i] = weightExp > 0 ? a << weightExp : a >> -weightExp;
    }
  }
  bump(m, cnt, SYN_EVENTS, nEv);
  bump(m, cnt, SYN_READS, nEv * nOut);
  bump(m, cnt, SYN_ACS, nEv * nOut);
}

/** Twin of loihiNeuronStep. */
export function loihiNeuronStep(
  m: Mem, n: number, aPtr: number, curPtr: number, vPtr: number, sPrevPtr: number, sPtr: number, spikeIdxPtr: number,
  duPtr: number, duStride: number, dvPtr: number, dvStride: number, biasPtr: number, vthPtr: number, vthStride: number, cnt: number,
): number {
  const i32 = m.i32, f32 = m.f32;
  const A = aPtr >>> 2, U = curPtr >>> 2, V = vPtr >>> 2, SP = sPrevPtr >>> 2, S = sPtr >>> 2, IX = spikeIdxPtr >>> 2;
  const DU = duPtr >>> 2, DV = dvPtr >>> 2, B = biasPtr >>> 2, TH = vthPtr >>> 2;
  const vMax = MAX_UV - 1;
  let nSpikes = 0, leaks = 0, resets = 0, sat = 0;
  for (let i = 0; i < n; i++) {
    const du = i32[DU + i * duStride], dv = i32[DV + i * dvStride], vth = i32[TH + i * vthStride];
    let u = (decay(i32[U + i], DECAY_UNITY - (du + DS_OFFSET)) + (i32[A + i] << ACT_SHIFT)) | 0;
    if (u > MAX_UV) u -= 2 * MAX_UV;
    else if (u <= -MAX_UV) u += 2 * MAX_UV;
    i32[U + i] = u;
    leaks++;
    const fired = f32[SP + i] !== 0;
    if (fired) resets++;
    if (dv !== 0) leaks++;
    let v = (decay(fired ? 0 : i32[V + i], DECAY_UNITY - dv) + u + i32[B + i]) | 0;
    if (v > vMax) { v = vMax; sat++; } else if (v < -vMax) { v = -vMax; sat++; }
    i32[V + i] = v;
    if (v > vth) {
      f32[S + i] = 1;
      i32[IX + nSpikes] = i;
      nSpikes++;
    } else {
      f32[S + i] = 0;
    }
  }
  bump(m, cnt, NEURON_UPDATES, n);
  bump(m, cnt, NEURON_SPIKES, nSpikes);
  bump(m, cnt, NEURON_LEAKS, leaks);
  bump(m, cnt, NEURON_RESETS, resets);
  bump(m, cnt, DEV_STATE_SATURATIONS, sat);
  return nSpikes;
}

// ---------------------------------------------------------------------------------------------
// Scaling done once, at construction, as Lava does it on its first time step.

/** Lava's sign modes (weightutils.SignMode): the whole matrix decides. */
export type SignMode = 'mixed' | 'excitatory' | 'inhibitory';

export function signModeOf(w: ArrayLike<number>): SignMode {
  let min = Infinity, max = -Infinity;
  for (let k = 0; k < w.length; k++) { min = Math.min(min, w[k]); max = Math.max(max, w[k]); }
  if (min >= 0) return 'excitatory';
  if (max <= 0) return 'inhibitory';
  return 'mixed';
}

/**
 * Weights as Lava's Dense stores them: clipped to 8 bits in the sign mode ([-256, 255] mixed,
 * [0, 255] excitatory, [-255, 0] inhibitory), then the low 8 - numWeightBits bits dropped (one more
 * for mixed signs, whose sign takes a bit), toward -inf on the magnitude: (w >> k) << k, on -w for
 * inhibitory weights. Integers in, integers out, same order.
 */
export function loihiWeights(w: ArrayLike<number>, numWeightBits = 8, mode: SignMode = signModeOf(w)): Int32Array {
  const mixed = mode === 'mixed' ? 1 : 0, neg = mode === 'inhibitory';
  const lo = -(2 ** 8) * mixed, hi = 2 ** 8 - 1;
  const k = 8 - numWeightBits + mixed;
  const out = new Int32Array(w.length);
  for (let i = 0; i < w.length; i++) {
    let x = neg ? -w[i] : w[i];
    x = Math.min(Math.max(x, lo), hi);
    x = (x >> k) << k;
    out[i] = neg ? -x : x;
  }
  return out;
}

/** bias_mant << bias_exp (Lava's scale_bias; a negative exponent shifts right). */
export function loihiBias(mant: number, exp: number): number {
  return exp >= 0 ? mant << exp : mant >> -exp;
}

/** vth << 6 (Lava's scale_threshold). */
export function loihiThreshold(vth: number): number {
  return vth << VTH_SHIFT;
}
