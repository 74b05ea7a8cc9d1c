// TypeScript twin of assembly/neuron.ts (LTL eq. 1-3, ALGORITHMS §2).
import { Mem, bump } from './memory.js';
import { NEURON_UPDATES, NEURON_SPIKES, NEURON_LEAKS, NEURON_RESETS } from './counters.js';

const fr = Math.fround;
export const RESET_SUBTRACT = 0;
export const RESET_ZERO = 1;

export function neuronStep(
  m: Mem, n: number, iPtr: number, uPtr: number, sPrevPtr: number, sPtr: number, spikeIdxPtr: number,
  thrPtr: number, thrStride: number, leakPtr: number, leakStride: number, reset: number, cnt: number,
): number {
  const f32 = m.f32;
  const I = iPtr >>> 2, U = uPtr >>> 2, SP = sPrevPtr >>> 2, S = sPtr >>> 2, IX = spikeIdxPtr >>> 2;
  const TH = thrPtr >>> 2, LK = leakPtr >>> 2;
  let nSpikes = 0, leaks = 0, resets = 0;
  for (let i = 0; i < n; i++) {
    const alpha = f32[LK + i * leakStride];
    const theta = f32[TH + i * thrStride];
    const sPrev = f32[SP + i];
    const v = resetMembrane(fr(alpha * f32[U + i]), f32[I + i], theta, sPrev, reset, false);
    if (alpha !== 1) leaks++;
    if (sPrev !== 0) resets++;
    f32[U + i] = v;
    nSpikes = emitSpike(m, v >= theta, S + i, IX, nSpikes, i);
  }
  countSoma(m, cnt, n, nSpikes, leaks, resets);
  return nSpikes;
}

/**
 * U[t] from the leaked membrane lu, the input, the threshold and S[t-1] (assembly/neuron.ts
 * resetMembrane<T>), in f32 (Math.fround) or, `exact`, in exact integers (fixed point, i64).
 */
export function resetMembrane(lu: number, input: number, theta: number, sPrev: number, reset: number, exact: boolean): number {
  if (exact) return reset === RESET_SUBTRACT ? lu + input - theta * sPrev : lu * (1 - sPrev) + input;
  return reset === RESET_SUBTRACT
    ? fr(fr(lu + input) - fr(theta * sPrev))
    : fr(fr(lu * fr(1 - sPrev)) + input);
}

/** S[t] of neuron i (f32 index s): 1 and listed at IX when it fired, else 0; returns the new length of the list. */
export function emitSpike(m: Mem, fired: boolean, s: number, IX: number, nSpikes: number, i: number): number {
  if (fired) {
    m.f32[s] = 1;
    m.i32[IX + nSpikes] = i;
    return nSpikes + 1;
  }
  m.f32[s] = 0;
  return nSpikes;
}

/** The counts of one soma step of n neurons. */
export function countSoma(m: Mem, cnt: number, n: number, nSpikes: number, leaks: number, resets: number): void {
  bump(m, cnt, NEURON_UPDATES, n);
  bump(m, cnt, NEURON_SPIKES, nSpikes);
  bump(m, cnt, NEURON_LEAKS, leaks);
  bump(m, cnt, NEURON_RESETS, resets);
}
