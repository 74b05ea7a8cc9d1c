// Neuron (soma) update, LTL eq. 1-3 (ALGORITHMS §2), IF (alpha = 1) or LIF:
//   reset "subtract": U[t] = alpha*U[t-1] + I[t] - theta*S[t-1]
//   reset "zero":     U[t] = alpha*U[t-1]*(1 - S[t-1]) + I[t]
//   S[t] = U[t] >= theta
// U[t] keeps the value before its reset; the reset for S[t] is applied at t+1.
// Threshold and leak are read with a stride: 0 for one value per layer, 1 per neuron.
import { bump, NEURON_UPDATES, NEURON_SPIKES, NEURON_LEAKS, NEURON_RESETS } from "./counters";

export const RESET_SUBTRACT: i32 = 0;
export const RESET_ZERO: i32 = 1;

/** One time step of nOut neurons; writes S (0/1) and the list of spiking neurons; returns its length. */
export function neuronStep(
  n: i32, iPtr: usize, uPtr: usize, sPrevPtr: usize, sPtr: usize, spikeIdxPtr: usize,
  thrPtr: usize, thrStride: i32, leakPtr: usize, leakStride: i32, reset: i32, cnt: usize,
): i32 {
  let nSpikes = 0;
  let leaks = 0;
  let resets = 0;
  // Four neurons per SIMD step: lane-wise f32 arithmetic, bit-identical to the scalar loop.
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const alpha = leakStride ? v128.load(leakPtr + o) : f32x4.splat(load<f32>(leakPtr));
    const theta = thrStride ? v128.load(thrPtr + o) : f32x4.splat(load<f32>(thrPtr));
    const u = v128.load(uPtr + o);
    const sPrev = v128.load(sPrevPtr + o);
    const input = v128.load(iPtr + o);
    const v = reset == RESET_SUBTRACT
      ? f32x4.sub(f32x4.add(f32x4.mul(alpha, u), input), f32x4.mul(theta, sPrev))
      : f32x4.add(f32x4.mul(f32x4.mul(alpha, u), f32x4.sub(one, sPrev)), input);
    v128.store(uPtr + o, v);
    const fired = f32x4.ge(v, theta);
    v128.store(sPtr + o, v128.and(fired, one));
    let bits = i32x4.bitmask(fired);
    while (bits) {
      const lane = ctz<i32>(bits);
      store<i32>(spikeIdxPtr + (<usize>nSpikes << 2), i + lane);
      nSpikes++;
      bits &= bits - 1;
    }
    leaks += popcnt<i32>(i32x4.bitmask(f32x4.ne(alpha, one)));
    resets += popcnt<i32>(i32x4.bitmask(f32x4.ne(sPrev, zero)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const alpha = load<f32>(leakPtr + (<usize>(i * leakStride) << 2));
    const theta = load<f32>(thrPtr + (<usize>(i * thrStride) << 2));
    const sPrev = load<f32>(sPrevPtr + o);
    const v = resetMembrane<f32>(alpha * load<f32>(uPtr + o), load<f32>(iPtr + o), theta, sPrev, reset);
    if (alpha != 1) leaks++;
    if (sPrev != 0) resets++;
    store<f32>(uPtr + o, v);
    nSpikes = emitSpike(v >= theta, sPtr + o, spikeIdxPtr, nSpikes, i);
  }
  countSoma(cnt, n, nSpikes, leaks, resets);
  return nSpikes;
}

/**
 * U[t] from the leaked membrane lu = L(U[t-1]), the input I[t], the threshold and S[t-1]
 * (ALGORITHMS §2), in T's arithmetic (f32; i64 on fixed-point chips, exact):
 *   reset "subtract": lu + I - theta * S[t-1];   reset "zero": lu * (1 - S[t-1]) + I.
 */
// @ts-ignore: decorator
@inline export function resetMembrane<T>(lu: T, input: T, theta: T, sPrev: T, reset: i32): T {
  return reset == RESET_SUBTRACT ? lu + input - theta * sPrev : lu * (<T>1 - sPrev) + input;
}

/** S[t] of neuron i (its byte at sAt): 1 and listed when it fired, else 0; returns the new length of the list. */
// @ts-ignore: decorator
@inline export function emitSpike(fired: bool, sAt: usize, spikeIdxPtr: usize, nSpikes: i32, i: i32): i32 {
  if (fired) {
    store<f32>(sAt, 1);
    store<i32>(spikeIdxPtr + (<usize>nSpikes << 2), i);
    return nSpikes + 1;
  }
  store<f32>(sAt, 0);
  return nSpikes;
}

/** The counts of one soma step of n neurons. */
// @ts-ignore: decorator
@inline export function countSoma(cnt: usize, n: i32, nSpikes: i32, leaks: i32, resets: i32): void {
  bump(cnt, NEURON_UPDATES, <f64>n);
  bump(cnt, NEURON_SPIKES, <f64>nSpikes);
  bump(cnt, NEURON_LEAKS, <f64>leaks);
  bump(cnt, NEURON_RESETS, <f64>resets);
}
