// Device non-idealities and the bit-accurate fixed-point mode (CHIP-MODEL.md, "Device
// non-idealities"; ALGORITHMS §9). Every kernel here has a TypeScript twin in
// src/reference/device.ts (same operations, same order, Math.fround) and is used by a chip
// instance built with a DeviceSpec (src/chip/device.ts); an ideal chip never calls them.
//
// Randomness inside kernels: one xorshift32 generator (Marsaglia 2003: x ^= x << 13,
// x ^= x >> 17, x ^= x << 5) per purpose and layer, its state a u32 in the arena (never 0).
// A kernel loads the state into the global `rs`, draws, and stores it back, so wasm and twin
// draw the same numbers in the same order. Draws:
//   uniform [0, 1):  (x >>> 8) * 2^-24, exact in f32;
//   Gaussian:        Irwin-Hall sum of four 16-bit uniforms (the two halves of two draws),
//                    h = Σ h_k - 131070, an integer with mean 0 and variance ~ 65536^2 / 3;
//                    the host passes scale = sigma * sqrt(3) / 65536 (one f32 multiply), so
//                    h * scale has standard deviation sigma. It is bounded at ±2·sqrt(3)·sigma
//                    (±3.46 sigma): no tails beyond that, which a hardware noise source shares.
//
// Weight grids (quantization, float chips): level k in [0, maxLevel], value (k - half) * step,
// half = maxLevel / 2, step = 2 * wmax / maxLevel: maxLevel + 1 levels over [-wmax, wmax]
// (an odd count holds 0). A stored weight is always one of these f32 values. An update d is
// p = round(d / step) programming pulses (stochastic floor(x + u) or nearest); p = 0: the cell
// is not touched. Otherwise it is written (counted as synapse.write): kNew = kOld + p +
// round(e), e the pulse's cycle-to-cycle noise in levels, clipped to [0, maxLevel] (counted).
//
// Fixed-point chips: weights, bias, threshold, input current and membrane are i32 integers in
// the arena (same buffers, same byte pointers as the float chip). Membrane units are
// s_u = s_w * 2^-fracU (s_w the weight LSB); state values saturate at ±stateMax (counted).
// Products and shifts are done in i64 so nothing wraps except the dendritic i32 sum (see
// integrateFixed).
import {
  bump, SYN_EVENTS, SYN_READS, SYN_ACS, SYN_MACS, NEURON_UPDATES, NEURON_SPIKES, NEURON_LEAKS, NEURON_RESETS,
  ACC_READS, LEARN_ERROR_EVALS, LEARN_GATE_EVALS, LEARN_SIGN_EVALS, LEARN_UPDATES, LEARN_DENSE,
  LEARN_WEIGHT_WRITES, LEARN_BIAS_UPDATES,
} from "./counters";
import { resetMembrane, emitSpike, countSoma } from "./neuron";
import { ltlSignal } from "./learning";
import { dendriticSum, countIntegration } from "./synapse";

/** Counter slots outside the priced table (src/chip/counters.ts): saturations of the device. */
export const DEV_WEIGHT_SATURATIONS: i32 = 22; // weight writes clipped at the end of the range
export const DEV_STATE_SATURATIONS: i32 = 23;  // input, current, membrane or bias values clipped

export const ROUND_FLOOR: i32 = 0;       // arithmetic shift
export const ROUND_TOWARD_ZERO: i32 = 1; // sign(x) * (|x| >> k) (Lava's bit-accurate Loihi)
export const ROUND_NEAREST: i32 = 2;     // (x + 2^(k-1)) >> k, halves up

export const LEAK_MULTIPLY_SHIFT: i32 = 0; // v = round(v * alpha_q >> decayBits)
export const LEAK_BIT_SHIFT: i32 = 1;      // v -= v >> k (Xylo)

const UNIFORM_SCALE: f32 = 5.9604644775390625e-8; // 2^-24
const IRWIN_HALL_MEAN: i32 = 131070;               // 4 x 32767.5

// The generator state while a kernel runs.
let rs: u32 = 1;

// @ts-ignore: decorator
@inline function nextU32(): u32 {
  let x = rs;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  rs = x;
  return x;
}

// @ts-ignore: decorator
@inline function uniform(): f32 {
  return <f32>(nextU32() >>> 8) * UNIFORM_SCALE;
}

/** Irwin-Hall integer: mean 0, variance ~ 65536^2 / 3 (multiply by sigma * sqrt(3) / 65536). */
// @ts-ignore: decorator
@inline function irwinHall(): i32 {
  const a = nextU32();
  const b = nextU32();
  return <i32>((a & 0xffff) + (a >>> 16) + (b & 0xffff) + (b >>> 16)) - IRWIN_HALL_MEAN;
}

/** Round x (f32) to an integer, f32-valued: stochastic floor(x + u) or nearest floor(x + 0.5). */
// @ts-ignore: decorator
@inline function roundF(x: f32, stochastic: i32): f32 {
  return stochastic ? floor<f32>(x + uniform()) : floor<f32>(x + <f32>0.5);
}

/** x / 2^k rounded as `mode` says (k > 0), or x * 2^-k (k <= 0). */
// @ts-ignore: decorator
@inline function shiftRound(x: i64, k: i32, mode: i32): i64 {
  if (k <= 0) return x << <i64>(-k);
  if (mode == ROUND_TOWARD_ZERO) return x < 0 ? -((-x) >> <i64>k) : x >> <i64>k;
  if (mode == ROUND_NEAREST) return (x + (<i64>1 << <i64>(k - 1))) >> <i64>k;
  return x >> <i64>k;
}

// ---------------------------------------------------------------------------------------------
// Mismatch: per-synapse gains applied on every weight read

/**
 * I[i] = sum_e (W[i, idx[e]] * G[i, idx[e]]) * val[e] + b[i]: integrate (assembly/synapse.ts)
 * with a fixed gain per synapse, stored like the weights (fan-out major). Same counts.
 */
export function integrateGain(
  wtPtr: usize, gainPtr: usize, nOut: i32, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32,
  biasPtr: usize, iPtr: usize, cnt: usize,
): void {
  dendriticSum<f32>(wtPtr, gainPtr, nOut, idxPtr, valPtr, nEv, analog, 1, iPtr);
  for (let i = 0; i < nOut; i++) {
    const o = <usize>i << 2;
    store<f32>(iPtr + o, load<f32>(iPtr + o) + load<f32>(biasPtr + o));
  }
  countIntegration(cnt, nEv, nOut, analog);
}

// ---------------------------------------------------------------------------------------------
// Thermal noise

/**
 * Gaussian noise on the membrane, added with the input current of the step (so U[t] = alpha*U +
 * I + noise - theta*S): I[i] += h_i * scale, scale = sigma * sqrt(3) / 65536, sigma in the
 * membrane's units.
 */
export function membraneNoise(iPtr: usize, n: i32, scale: f32, rngPtr: usize): void {
  rs = load<u32>(rngPtr);
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(iPtr + o, load<f32>(iPtr + o) + <f32>irwinHall() * scale);
  }
  store<u32>(rngPtr, rs);
}

// ---------------------------------------------------------------------------------------------
// Quantized weights with write noise (float chips)

/**
 * Program n weights onto the grid (deployment): k = nearest(w / step + half + noise), clipped
 * to [0, maxLevel] (saturations counted), w = (k - half) * step. noiseScale is in levels
 * (sigma_levels * sqrt(3) / 65536; 0: no noise, no draws).
 */
export function quantizeWeights(
  wPtr: usize, n: i32, step: f32, invStep: f32, half: f32, maxLevel: f32, noiseScale: f32, rngPtr: usize, cnt: usize,
): void {
  rs = load<u32>(rngPtr);
  let sat: f64 = 0;
  for (let k = 0; k < n; k++) {
    const p = wPtr + (<usize>k << 2);
    let x: f32 = load<f32>(p) * invStep + half;
    if (noiseScale != 0) x = x + <f32>irwinHall() * noiseScale;
    let lv = floor<f32>(x + <f32>0.5);
    if (lv < 0) { lv = 0; sat++; } else if (lv > maxLevel) { lv = maxLevel; sat++; }
    store<f32>(p, (lv - half) * step);
  }
  store<u32>(rngPtr, rs);
  bump(cnt, DEV_WEIGHT_SATURATIONS, sat);
}

// What one cell write did, as bits: WROTE (a synapse write, counted), SATURATED (clipped at the
// end of the range, counted). Shared by the writers at "step" and at "sample".
const WROTE: i32 = 1;
const SATURATED: i32 = 2;

/**
 * One quantized cell at p moved by a change d (real units): p = round(d / step) pulses; none:
 * the cell is not touched (returns 0). Otherwise it is written, kNew = kOld + p + round(noise),
 * clipped to [0, maxLevel]. Returns WROTE, | SATURATED when clipped.
 */
// @ts-ignore: decorator
@inline function programCell(
  p: usize, d: f32, step: f32, invStep: f32, half: f32, maxLevel: f32, noiseScale: f32, stochastic: i32,
): i32 {
  const pulses = roundF(d * invStep, stochastic);
  if (pulses == 0) return 0;
  const kOld = floor<f32>(load<f32>(p) * invStep + half + <f32>0.5);
  let kNew = kOld + pulses;
  if (noiseScale != 0) kNew = kNew + roundF(<f32>irwinHall() * noiseScale, stochastic);
  let r = WROTE;
  if (kNew < 0) { kNew = 0; r |= SATURATED; } else if (kNew > maxLevel) { kNew = maxLevel; r |= SATURATED; }
  if (kNew != kOld) store<f32>(p, (kNew - half) * step);
  return r;
}

/**
 * The online learning circuit's outer-product write (learning.ts outerUpdate) into quantized
 * cells: for every presynaptic event e (index j, value v) and active neuron i, d = m[i] * v
 * (spikes: m[i]); a nonzero d is an update event; it becomes p = round(d / step) pulses and,
 * when p != 0, a write kNew = clip(kOld + p + round(noise)) (see the file comment). The bias
 * (digital) gets m[i] as in the ideal circuit. Counts update events, the dense count, bias
 * updates, cell writes and saturations.
 */
export function deviceOuterUpdate(
  wPtr: usize, biasPtr: usize, nOut: i32, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32,
  mPtr: usize, activeIdxPtr: usize, nActive: i32,
  step: f32, invStep: f32, half: f32, maxLevel: f32, noiseScale: f32, stochastic: i32, rngPtr: usize, cnt: usize,
): void {
  rs = load<u32>(rngPtr);
  outerCells<f32>(wPtr, nOut, idxPtr, valPtr, nEv, analog, mPtr, activeIdxPtr, nActive, invStep, step, half, maxLevel, noiseScale, 0, stochastic, cnt);
  for (let k = 0; k < nActive; k++) {
    const o = <usize>load<i32>(activeIdxPtr + (<usize>k << 2)) << 2;
    store<f32>(biasPtr + o, load<f32>(biasPtr + o) + load<f32>(mPtr + o));
  }
  store<u32>(rngPtr, rs);
  bump(cnt, LEARN_BIAS_UPDATES, <f64>nActive);
}

/**
 * End of a sample whose updates land at "sample", on quantized cells: every nonzero
 * accumulated change g moves its cell as in deviceOuterUpdate; then G = 0. b += Gb, Gb = 0.
 */
export function deviceApply(
  wPtr: usize, gPtr: usize, n: i32, bPtr: usize, gbPtr: usize, nb: i32,
  step: f32, invStep: f32, half: f32, maxLevel: f32, noiseScale: f32, stochastic: i32, rngPtr: usize, cnt: usize,
): void {
  rs = load<u32>(rngPtr);
  applyCells<f32>(wPtr, gPtr, n, invStep, step, half, maxLevel, noiseScale, 0, stochastic, cnt);
  for (let k = 0; k < nb; k++) {
    const o = <usize>k << 2;
    store<f32>(bPtr + o, load<f32>(bPtr + o) + load<f32>(gbPtr + o));
    store<f32>(gbPtr + o, 0);
  }
  store<u32>(rngPtr, rs);
}

// ---------------------------------------------------------------------------------------------
// Fixed point

/**
 * Input events of a fixed-point chip: x quantized to q = nearest(x * xScale) (xScale = 2^xFrac),
 * clipped to [-xMax, xMax] (counted); events are the nonzero q, their value stored as the f32
 * q / xScale (exact), which is what the learning circuit multiplies by. Returns their number.
 */
export function gatherEventsFixed(xPtr: usize, n: i32, idxPtr: usize, valPtr: usize, xScale: f32, xMax: f32, cnt: usize): i32 {
  let k = 0;
  let sat: f64 = 0;
  const inv: f32 = <f32>1 / xScale;
  for (let j = 0; j < n; j++) {
    const v = load<f32>(xPtr + (<usize>j << 2));
    if (v == 0) continue;
    let q = floor<f32>(v * xScale + <f32>0.5);
    if (q > xMax) { q = xMax; sat++; } else if (q < -xMax) { q = -xMax; sat++; }
    if (q != 0) {
      store<i32>(idxPtr + (<usize>k << 2), j);
      store<f32>(valPtr + (<usize>k << 2), q * inv);
      k++;
    }
  }
  bump(cnt, DEV_STATE_SATURATIONS, sat);
  return k;
}

/**
 * Fixed-point integration. The dendritic sum (synapse.ts dendriticSum<i32>) is exact and wraps
 * like an i32 register: A[i] = sum_e W[i, j_e] * q_e (analog; q_e = val_e * xScale, an integer)
 * or sum_e W[i, j_e] (spikes), in SIMD lanes (i32 adds and multiplies wrap the same in any
 * order). It enters the soma as I[i] = sat(shiftRound(A[i], shift) + b[i]), shift = shiftAnalog or shiftSpike
 * (negative: a left shift), saturating at ±stateMax (counted).
 */
export function integrateFixed(
  wtPtr: usize, nOut: i32, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32, xScale: f32,
  shiftAnalog: i32, shiftSpike: i32, biasPtr: usize, iPtr: usize, stateMax: i32, roundMode: i32, cnt: usize,
): void {
  dendriticSum<i32>(wtPtr, 0, nOut, idxPtr, valPtr, nEv, analog, xScale, iPtr);
  const shift = analog ? shiftAnalog : shiftSpike;
  const hi = <i64>stateMax, lo = -hi;
  let sat: f64 = 0;
  for (let i = 0; i < nOut; i++) {
    const o = <usize>i << 2;
    let x = shiftRound(<i64>load<i32>(iPtr + o), shift, roundMode) + <i64>load<i32>(biasPtr + o);
    if (x > hi) { x = hi; sat++; } else if (x < lo) { x = lo; sat++; }
    store<i32>(iPtr + o, <i32>x);
  }
  countIntegration(cnt, nEv, nOut, analog);
  bump(cnt, DEV_STATE_SATURATIONS, sat);
}

/**
 * Fixed-point soma (ALGORITHMS §2 on integers). Leak, per layer or per neuron (i32 at leakPtr):
 *   LEAK_MULTIPLY_SHIFT: a = alpha_q, L(u) = shiftRound(u * a, decayBits) (a = 2^decayBits: none)
 *   LEAK_BIT_SHIFT:      k,       L(u) = u - (u >> k)                     (k = 0: none)
 * then U = resetMembrane<i64> (neuron.ts: "subtract" L(u) + I - theta*S[t-1], "zero"
 * L(u)*(1 - S[t-1]) + I), saturating at ±stateMax (counted); S = U >= theta.
 */
export function neuronStepFixed(
  n: i32, iPtr: usize, uPtr: usize, sPrevPtr: usize, sPtr: usize, spikeIdxPtr: usize,
  thrPtr: usize, thrStride: i32, leakPtr: usize, leakStride: i32, leakMode: i32, decayBits: i32,
  reset: i32, stateMax: i32, roundMode: i32, cnt: usize,
): i32 {
  let nSpikes = 0, leaks = 0, resets = 0;
  let sat: f64 = 0;
  const hi = <i64>stateMax, lo = -hi;
  const unity: i32 = 1 << decayBits;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const a = load<i32>(leakPtr + (<usize>(i * leakStride) << 2));
    const theta = <i64>load<i32>(thrPtr + (<usize>(i * thrStride) << 2));
    const u = <i64>load<i32>(uPtr + o);
    const sPrev = load<f32>(sPrevPtr + o);
    let lu = u;
    if (leakMode == LEAK_BIT_SHIFT) {
      if (a != 0) { lu = u - (u >> <i64>a); leaks++; }
    } else if (a != unity) {
      lu = shiftRound(u * <i64>a, decayBits, roundMode);
      leaks++;
    }
    if (sPrev != 0) resets++;
    let v = resetMembrane<i64>(lu, <i64>load<i32>(iPtr + o), theta, <i64>sPrev, reset);
    if (v > hi) { v = hi; sat++; } else if (v < lo) { v = lo; sat++; }
    store<i32>(uPtr + o, <i32>v);
    nSpikes = emitSpike(v >= theta, sPtr + o, spikeIdxPtr, nSpikes, i);
  }
  countSoma(cnt, n, nSpikes, leaks, resets);
  bump(cnt, DEV_STATE_SATURATIONS, sat);
  return nSpikes;
}

/** Thermal noise on a fixed-point membrane: I[i] = sat(I[i] + nearest(h_i * scale)), scale in LSBs. */
export function membraneNoiseFixed(iPtr: usize, n: i32, scale: f32, stateMax: i32, rngPtr: usize, cnt: usize): void {
  rs = load<u32>(rngPtr);
  const hi = <i64>stateMax, lo = -hi;
  let sat: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    let z = floor<f32>(<f32>irwinHall() * scale + <f32>0.5);
    if (z > <f32>4294967296) z = <f32>4294967296; else if (z < <f32>-4294967296) z = <f32>-4294967296;
    let x = <i64>load<i32>(iPtr + o) + <i64>z;
    if (x > hi) { x = hi; sat++; } else if (x < lo) { x = lo; sat++; }
    store<i32>(iPtr + o, <i32>x);
  }
  store<u32>(rngPtr, rs);
  bump(cnt, DEV_STATE_SATURATIONS, sat);
}

/**
 * The online LTL learning signal (learning.ts) on a fixed-point membrane: the same circuit,
 * its 1-bit boxcar gate comparing integers, open = |U - theta| < halfQ (halfQ = p / 2 in
 * membrane LSBs, exact in f64); the error and m = -eta * delta are f32 as in the float circuit.
 */
export function ltlOnlineSignalFixed(
  n: i32, cPtr: usize, targetPtr: usize, uPtr: usize, thrPtr: usize, thrStride: i32,
  t: i32, halfQ: f64, height: f32, errorMode: i32, negLr: f32,
  mPtr: usize, activeIdxPtr: usize, cnt: usize,
): i32 {
  return ltlSignal<i32, f64>(n, cPtr, targetPtr, uPtr, thrPtr, thrStride, t, halfQ, height, errorMode, negLr, mPtr, activeIdxPtr, cnt);
}

/** A change of x LSBs (f32), rounded, as an integer clipped to ±2^30 (no overflow downstream). */
// @ts-ignore: decorator
@inline function lsbChange(x: f32, stochastic: i32): i64 {
  let q = roundF(x, stochastic);
  if (q > <f32>1073741824) q = <f32>1073741824;
  else if (q < <f32>-1073741824) q = <f32>-1073741824;
  return <i64><i32>q;
}

/**
 * One fixed-point weight at p moved by a change of x LSBs (f32): q = round(x); q = 0 leaves it
 * alone (returns 0); else W = clip(W + q, ±max), written (WROTE) when it changed, SATURATED when
 * clipped.
 */
// @ts-ignore: decorator
@inline function writeFixedCell(p: usize, x: f32, stochastic: i32, max: i64): i32 {
  const q = lsbChange(x, stochastic);
  if (q == 0) return 0;
  const w = <i64>load<i32>(p);
  let nw = w + q;
  let r = 0;
  if (nw > max) { nw = max; r = SATURATED; } else if (nw < -max) { nw = -max; r = SATURATED; }
  if (nw != w) {
    store<i32>(p, <i32>nw);
    r |= WROTE;
  }
  return r;
}

/** A fixed-point bias at p moved by x LSBs (f32): b = sat(b + round(x)) at ±max; returns 1 when it saturated. */
// @ts-ignore: decorator
@inline function addFixedBias(p: usize, x: f32, stochastic: i32, max: i64): i32 {
  let b = <i64>load<i32>(p) + lsbChange(x, stochastic);
  let sat = 0;
  if (b > max) { b = max; sat = 1; } else if (b < -max) { b = -max; sat = 1; }
  store<i32>(p, <i32>b);
  return sat;
}

/**
 * The outer-product write on a fixed-point chip: d = m[i] * v (real units) becomes
 * q = round(d * invSw) weight LSBs (stochastic or nearest); a nonzero d is an update event; a
 * nonzero q is written, W = clip(W + q, ±wMax) (saturations counted); bias:
 * b = sat(b + round(m[i] * invSu)) at ±stateMax. Draws (stochastic) in the order of the writes.
 */
export function fixedOuterUpdate(
  wPtr: usize, biasPtr: usize, nOut: i32, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32,
  mPtr: usize, activeIdxPtr: usize, nActive: i32,
  invSw: f32, invSu: f32, wMax: i32, stateMax: i32, stochastic: i32, rngPtr: usize, cnt: usize,
): void {
  rs = load<u32>(rngPtr);
  outerCells<i32>(wPtr, nOut, idxPtr, valPtr, nEv, analog, mPtr, activeIdxPtr, nActive, invSw, 0, 0, 0, 0, <i64>wMax, stochastic, cnt);
  const shi = <i64>stateMax;
  let ssat: f64 = 0;
  for (let k = 0; k < nActive; k++) {
    const o = <usize>load<i32>(activeIdxPtr + (<usize>k << 2)) << 2;
    ssat += <f64>addFixedBias(biasPtr + o, load<f32>(mPtr + o) * invSu, stochastic, shi);
  }
  store<u32>(rngPtr, rs);
  bump(cnt, LEARN_BIAS_UPDATES, <f64>nActive);
  bump(cnt, DEV_STATE_SATURATIONS, ssat);
}

/**
 * End of a sample ("sample" updates) on a fixed-point chip: every nonzero accumulated change g
 * (real units, f32) is written as round(g * invSw) LSBs as in fixedOuterUpdate; G = 0; the bias
 * gets round(gb * invSu) for every nonzero gb; Gb = 0.
 */
export function fixedApply(
  wPtr: usize, gPtr: usize, n: i32, bPtr: usize, gbPtr: usize, nb: i32,
  invSw: f32, invSu: f32, wMax: i32, stateMax: i32, stochastic: i32, rngPtr: usize, cnt: usize,
): void {
  rs = load<u32>(rngPtr);
  applyCells<i32>(wPtr, gPtr, n, invSw, 0, 0, 0, 0, <i64>wMax, stochastic, cnt);
  const shi = <i64>stateMax;
  let ssat: f64 = 0;
  for (let k = 0; k < nb; k++) {
    const o = <usize>k << 2;
    const g = load<f32>(gbPtr + o);
    if (g == 0) continue;
    store<f32>(gbPtr + o, 0);
    ssat += <f64>addFixedBias(bPtr + o, g * invSu, stochastic, shi);
  }
  store<u32>(rngPtr, rs);
  bump(cnt, DEV_STATE_SATURATIONS, ssat);
}

// ---------------------------------------------------------------------------------------------
// Writers shared by the quantized and the fixed-point chip

/**
 * One cell of a weight memory of W moved by a change d (real units): W = f32, quantized cells
 * (programCell, scale = 1/step); W = i32, fixed-point weights (writeFixedCell, scale = 1/s_w,
 * limit wMax). Returns WROTE | SATURATED bits.
 */
// @ts-ignore: decorator
@inline function writeCell<W>(
  p: usize, d: f32, scale: f32, step: f32, half: f32, maxLevel: f32, noiseScale: f32, wMax: i64, stochastic: i32,
): i32 {
  if (isInteger<W>()) return writeFixedCell(p, d * scale, stochastic, wMax);
  return programCell(p, d, step, scale, half, maxLevel, noiseScale, stochastic);
}

/**
 * The outer-product write m ⊗ S_pre (learning.ts outerUpdate) into the cells: for every
 * presynaptic event e (value v; spikes: 1) and active neuron i, d = m[i] * v; a nonzero d is an
 * update event and goes to writeCell<W>. Counts update events, the dense count, cell writes
 * and saturations (the caller writes the biases).
 */
// @ts-ignore: decorator
@inline function outerCells<W>(
  wPtr: usize, nOut: i32, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32, mPtr: usize, activeIdxPtr: usize, nActive: i32,
  scale: f32, step: f32, half: f32, maxLevel: f32, noiseScale: f32, wMax: i64, stochastic: i32, cnt: usize,
): void {
  let issued: f64 = 0, writes: f64 = 0, sat: f64 = 0;
  const rowBytes = <usize>nOut << 2;
  for (let e = 0; e < nEv; e++) {
    const row = wPtr + <usize>load<i32>(idxPtr + (<usize>e << 2)) * rowBytes;
    const v: f32 = analog ? load<f32>(valPtr + (<usize>e << 2)) : <f32>1;
    for (let k = 0; k < nActive; k++) {
      const o = <usize>load<i32>(activeIdxPtr + (<usize>k << 2)) << 2;
      const d: f32 = analog ? load<f32>(mPtr + o) * v : load<f32>(mPtr + o);
      if (d == 0) continue;
      issued++;
      const r = writeCell<W>(row + o, d, scale, step, half, maxLevel, noiseScale, wMax, stochastic);
      writes += <f64>(r & WROTE);
      sat += <f64>(r >> 1);
    }
  }
  bump(cnt, LEARN_UPDATES, issued);
  bump(cnt, LEARN_DENSE, <f64>nEv * <f64>nOut);
  bump(cnt, LEARN_WEIGHT_WRITES, writes);
  bump(cnt, DEV_WEIGHT_SATURATIONS, sat);
}

/** Every nonzero accumulated change g (f32, real units) written into its cell by writeCell<W>, G = 0. Counts writes and saturations. */
// @ts-ignore: decorator
@inline function applyCells<W>(
  wPtr: usize, gPtr: usize, n: i32, scale: f32, step: f32, half: f32, maxLevel: f32, noiseScale: f32, wMax: i64, stochastic: i32, cnt: usize,
): void {
  let writes: f64 = 0, sat: f64 = 0;
  for (let k = 0; k < n; k++) {
    const o = <usize>k << 2;
    const g = load<f32>(gPtr + o);
    if (g == 0) continue;
    store<f32>(gPtr + o, 0);
    const r = writeCell<W>(wPtr + o, g, scale, step, half, maxLevel, noiseScale, wMax, stochastic);
    writes += <f64>(r & WROTE);
    sat += <f64>(r >> 1);
  }
  bump(cnt, LEARN_WEIGHT_WRITES, writes);
  bump(cnt, DEV_WEIGHT_SATURATIONS, sat);
}
