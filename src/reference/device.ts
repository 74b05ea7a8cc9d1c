// TypeScript twin of assembly/device.ts: device non-idealities and the fixed-point mode. Same
// operations in the same order; f32 through Math.fround; AssemblyScript's i64 arithmetic through
// doubles (every value stays below 2^53, so they are exact); i32 wrapping through Int32Array
// stores and Math.imul; the xorshift32 generator through >>> 0.
import { Mem, bump } from './memory.js';
import { LEARN_UPDATES, LEARN_DENSE, LEARN_WEIGHT_WRITES, LEARN_BIAS_UPDATES } from './counters.js';
import { resetMembrane, emitSpike, countSoma } from './neuron.js';
import { ltlSignal } from './learning.js';
import { dendriticSum, countIntegration } from './synapse.js';

const fr = Math.fround;

export const DEV_WEIGHT_SATURATIONS = 22;
export const DEV_STATE_SATURATIONS = 23;
export const ROUND_FLOOR = 0;
export const ROUND_TOWARD_ZERO = 1;
export const ROUND_NEAREST = 2;
export const LEAK_MULTIPLY_SHIFT = 0;
export const LEAK_BIT_SHIFT = 1;

const UNIFORM_SCALE = 5.9604644775390625e-8; // 2^-24
const IRWIN_HALL_MEAN = 131070;
const LSB_CLIP = 1073741824; // 2^30

let rs = 1;

function nextU32(): number {
  let x = rs;
  x = (x ^ (x << 13)) >>> 0;
  x = (x ^ (x >>> 17)) >>> 0;
  x = (x ^ (x << 5)) >>> 0;
  rs = x;
  return x;
}

function uniform(): number {
  return fr((nextU32() >>> 8) * UNIFORM_SCALE);
}

function irwinHall(): number {
  const a = nextU32();
  const b = nextU32();
  return (a & 0xffff) + (a >>> 16) + (b & 0xffff) + (b >>> 16) - IRWIN_HALL_MEAN;
}

/**
 * One Gaussian-like draw of the kernels' generator from state `state` (a u32, not 0), for
 * tests and host tools: returns the Irwin-Hall integer (mean 0, variance ~65536^2/3) and the
 * next state.
 */
export function irwinHallDraw(state: number): { h: number; state: number } {
  rs = state >>> 0;
  const h = irwinHall();
  return { h, state: rs };
}

function roundF(x: number, stochastic: number): number {
  return stochastic ? Math.floor(fr(x + uniform())) : Math.floor(fr(x + 0.5));
}

function shiftRound(x: number, k: number, mode: number): number {
  if (k <= 0) return x * 2 ** -k;
  const p = 2 ** k;
  if (mode === ROUND_TOWARD_ZERO) return x < 0 ? -Math.floor(-x / p) : Math.floor(x / p);
  if (mode === ROUND_NEAREST) return Math.floor((x + 2 ** (k - 1)) / p);
  return Math.floor(x / p);
}

// ---------------------------------------------------------------------------------------------
// Mismatch

export function integrateGain(
  m: Mem, wtPtr: number, gainPtr: number, nOut: number, idxPtr: number, valPtr: number, nEv: number, analog: number,
  biasPtr: number, iPtr: number, cnt: number,
): void {
  const f32 = m.f32, I = iPtr >>> 2, B = biasPtr >>> 2;
  dendriticSum(m, f32, (w, v) => fr(w * v), (x) => x, wtPtr, gainPtr, nOut, idxPtr, valPtr, nEv, analog, iPtr);
  for (let i = 0; i < nOut; i++) f32[I + i] = fr(f32[I + i] + f32[B + i]);
  countIntegration(m, cnt, nEv, nOut, analog);
}

// ---------------------------------------------------------------------------------------------
// Thermal noise

export function membraneNoise(m: Mem, iPtr: number, n: number, scale: number, rngPtr: number): void {
  const f32 = m.f32, I = iPtr >>> 2, sc = fr(scale);
  rs = m.u32[rngPtr >>> 2];
  for (let i = 0; i < n; i++) f32[I + i] = fr(f32[I + i] + fr(irwinHall() * sc));
  m.u32[rngPtr >>> 2] = rs;
}

// ---------------------------------------------------------------------------------------------
// Quantized weights

export function quantizeWeights(
  m: Mem, wPtr: number, n: number, step: number, invStep: number, half: number, maxLevel: number, noiseScale: number,
  rngPtr: number, cnt: number,
): void {
  const f32 = m.f32, W = wPtr >>> 2;
  const st = fr(step), inv = fr(invStep), h = fr(half), max = fr(maxLevel), ns = fr(noiseScale);
  rs = m.u32[rngPtr >>> 2];
  let sat = 0;
  for (let k = 0; k < n; k++) {
    let x = fr(fr(f32[W + k] * inv) + h);
    if (ns !== 0) x = fr(x + fr(irwinHall() * ns));
    let lv = Math.floor(fr(x + 0.5));
    if (lv < 0) { lv = 0; sat++; } else if (lv > max) { lv = max; sat++; }
    f32[W + k] = fr(fr(lv - h) * st);
  }
  m.u32[rngPtr >>> 2] = rs;
  bump(m, cnt, DEV_WEIGHT_SATURATIONS, sat);
}

// What one cell write did, as bits (assembly/device.ts): WROTE (counted), SATURATED (clipped).
const WROTE = 1;
const SATURATED = 2;

/** One quantized cell (f32 index at) moved by a change d (real units); returns WROTE | SATURATED bits (0: not touched). */
function programCell(f32: Float32Array, at: number, d: number, st: number, inv: number, h: number, max: number, ns: number, stochastic: number): number {
  const pulses = roundF(fr(d * inv), stochastic);
  if (pulses === 0) return 0;
  const kOld = Math.floor(fr(fr(fr(f32[at] * inv) + h) + 0.5));
  let kNew = fr(kOld + pulses);
  if (ns !== 0) kNew = fr(kNew + roundF(fr(irwinHall() * ns), stochastic));
  let r = WROTE;
  if (kNew < 0) { kNew = 0; r |= SATURATED; } else if (kNew > max) { kNew = max; r |= SATURATED; }
  if (kNew !== kOld) f32[at] = fr(fr(kNew - h) * st);
  return r;
}

export function deviceOuterUpdate(
  m: Mem, wPtr: number, biasPtr: number, nOut: number, idxPtr: number, valPtr: number, nEv: number, analog: number,
  mPtr: number, activeIdxPtr: number, nActive: number,
  step: number, invStep: number, half: number, maxLevel: number, noiseScale: number, stochastic: number, rngPtr: number, cnt: number,
): void {
  const f32 = m.f32, i32 = m.i32, BP = biasPtr >>> 2, M = mPtr >>> 2, A = activeIdxPtr >>> 2;
  const st = fr(step), inv = fr(invStep), h = fr(half), max = fr(maxLevel), ns = fr(noiseScale);
  rs = m.u32[rngPtr >>> 2];
  outerCells(m, (at, d) => programCell(f32, at, d, st, inv, h, max, ns, stochastic), wPtr, nOut, idxPtr, valPtr, nEv, analog, mPtr, activeIdxPtr, nActive, cnt);
  for (let k = 0; k < nActive; k++) {
    const i = i32[A + k];
    f32[BP + i] = fr(f32[BP + i] + f32[M + i]);
  }
  m.u32[rngPtr >>> 2] = rs;
  bump(m, cnt, LEARN_BIAS_UPDATES, nActive);
}

export function deviceApply(
  m: Mem, wPtr: number, gPtr: number, n: number, bPtr: number, gbPtr: number, nb: number,
  step: number, invStep: number, half: number, maxLevel: number, noiseScale: number, stochastic: number, rngPtr: number, cnt: number,
): void {
  const f32 = m.f32, B = bPtr >>> 2, GB = gbPtr >>> 2;
  const st = fr(step), inv = fr(invStep), h = fr(half), max = fr(maxLevel), ns = fr(noiseScale);
  rs = m.u32[rngPtr >>> 2];
  applyCells(m, (at, g) => programCell(f32, at, g, st, inv, h, max, ns, stochastic), wPtr, gPtr, n, cnt);
  for (let k = 0; k < nb; k++) {
    f32[B + k] = fr(f32[B + k] + f32[GB + k]);
    f32[GB + k] = 0;
  }
  m.u32[rngPtr >>> 2] = rs;
}

// ---------------------------------------------------------------------------------------------
// Fixed point

export function gatherEventsFixed(m: Mem, xPtr: number, n: number, idxPtr: number, valPtr: number, xScale: number, xMax: number, cnt: number): number {
  const f32 = m.f32, X = xPtr >>> 2, IX = idxPtr >>> 2, VX = valPtr >>> 2;
  const sc = fr(xScale), max = fr(xMax), inv = fr(1 / sc);
  let k = 0, sat = 0;
  for (let j = 0; j < n; j++) {
    const v = f32[X + j];
    if (v === 0) continue;
    let q = Math.floor(fr(fr(v * sc) + 0.5));
    if (q > max) { q = max; sat++; } else if (q < -max) { q = -max; sat++; }
    if (q !== 0) {
      m.i32[IX + k] = j;
      f32[VX + k] = fr(q * inv);
      k++;
    }
  }
  bump(m, cnt, DEV_STATE_SATURATIONS, sat);
  return k;
}

export function integrateFixed(
  m: Mem, wtPtr: number, nOut: number, idxPtr: number, valPtr: number, nEv: number, analog: number, xScale: number,
  shiftAnalog: number, shiftSpike: number, biasPtr: number, iPtr: number, stateMax: number, roundMode: number, cnt: number,
): void {
  const i32 = m.i32;
  const I = iPtr >>> 2, B = biasPtr >>> 2, sc = fr(xScale);
  dendriticSum(m, i32, Math.imul, (x) => Math.trunc(fr(x * sc)), wtPtr, 0, nOut, idxPtr, valPtr, nEv, analog, iPtr);
  const shift = analog ? shiftAnalog : shiftSpike;
  const hi = stateMax, lo = -hi;
  let sat = 0;
  for (let i = 0; i < nOut; i++) {
    let x = shiftRound(i32[I + i], shift, roundMode) + i32[B + i];
    if (x > hi) { x = hi; sat++; } else if (x < lo) { x = lo; sat++; }
    i32[I + i] = x;
  }
  countIntegration(m, cnt, nEv, nOut, analog);
  bump(m, cnt, DEV_STATE_SATURATIONS, sat);
}

export function neuronStepFixed(
  m: Mem, n: number, iPtr: number, uPtr: number, sPrevPtr: number, sPtr: number, spikeIdxPtr: number,
  thrPtr: number, thrStride: number, leakPtr: number, leakStride: number, leakMode: number, decayBits: number,
  reset: number, stateMax: number, roundMode: number, cnt: number,
): number {
  const i32 = m.i32, f32 = m.f32;
  const I = iPtr >>> 2, U = uPtr >>> 2, SP = sPrevPtr >>> 2, S = sPtr >>> 2, IX = spikeIdxPtr >>> 2;
  const TH = thrPtr >>> 2, LK = leakPtr >>> 2;
  const hi = stateMax, lo = -hi, unity = 2 ** decayBits;
  let nSpikes = 0, leaks = 0, resets = 0, sat = 0;
  for (let i = 0; i < n; i++) {
    const a = i32[LK + i * leakStride];
    const theta = i32[TH + i * thrStride];
    const u = i32[U + i];
    const sPrev = f32[SP + i];
    let lu = u;
    if (leakMode === LEAK_BIT_SHIFT) {
      if (a !== 0) { lu = u - Math.floor(u / 2 ** a); leaks++; }
    } else if (a !== unity) {
      lu = shiftRound(u * a, decayBits, roundMode);
      leaks++;
    }
    if (sPrev !== 0) resets++;
    let v = resetMembrane(lu, i32[I + i], theta, Math.trunc(sPrev), reset, true);
    if (v > hi) { v = hi; sat++; } else if (v < lo) { v = lo; sat++; }
    i32[U + i] = v;
    nSpikes = emitSpike(m, v >= theta, S + i, IX, nSpikes, i);
  }
  countSoma(m, cnt, n, nSpikes, leaks, resets);
  bump(m, cnt, DEV_STATE_SATURATIONS, sat);
  return nSpikes;
}

export function membraneNoiseFixed(m: Mem, iPtr: number, n: number, scale: number, stateMax: number, rngPtr: number, cnt: number): void {
  const i32 = m.i32, I = iPtr >>> 2, sc = fr(scale), hi = stateMax, lo = -hi;
  rs = m.u32[rngPtr >>> 2];
  let sat = 0;
  for (let i = 0; i < n; i++) {
    let z = Math.floor(fr(fr(irwinHall() * sc) + 0.5));
    if (z > 4294967296) z = 4294967296; else if (z < -4294967296) z = -4294967296;
    let x = i32[I + i] + z;
    if (x > hi) { x = hi; sat++; } else if (x < lo) { x = lo; sat++; }
    i32[I + i] = x;
  }
  m.u32[rngPtr >>> 2] = rs;
  bump(m, cnt, DEV_STATE_SATURATIONS, sat);
}

export function ltlOnlineSignalFixed(
  m: Mem, n: number, cPtr: number, targetPtr: number, uPtr: number, thrPtr: number, thrStride: number,
  t: number, halfQ: number, height: number, errorMode: number, negLr: number,
  mPtr: number, activeIdxPtr: number, cnt: number,
): number {
  return ltlSignal(m, m.i32, true, n, cPtr, targetPtr, uPtr, thrPtr, thrStride, t, halfQ, height, errorMode, negLr, mPtr, activeIdxPtr, cnt);
}

function lsbChange(x: number, stochastic: number): number {
  let q = roundF(x, stochastic);
  if (q !== q) return 0; // AssemblyScript's <i32>NaN is 0
  if (q > LSB_CLIP) q = LSB_CLIP;
  else if (q < -LSB_CLIP) q = -LSB_CLIP;
  return q;
}

/** One fixed-point weight (i32 index at) moved by x LSBs: clip(W + round(x), ±max); returns WROTE | SATURATED bits. */
function writeFixedCell(i32: Int32Array, at: number, x: number, stochastic: number, max: number): number {
  const q = lsbChange(x, stochastic);
  if (q === 0) return 0;
  const w = i32[at];
  let nw = w + q, r = 0;
  if (nw > max) { nw = max; r = SATURATED; } else if (nw < -max) { nw = -max; r = SATURATED; }
  if (nw !== w) {
    i32[at] = nw;
    r |= WROTE;
  }
  return r;
}

/** A fixed-point bias (i32 index at) moved by x LSBs: sat(b + round(x)) at ±max; returns 1 when it saturated. */
function addFixedBias(i32: Int32Array, at: number, x: number, stochastic: number, max: number): number {
  let b = i32[at] + lsbChange(x, stochastic);
  let sat = 0;
  if (b > max) { b = max; sat = 1; } else if (b < -max) { b = -max; sat = 1; }
  i32[at] = b;
  return sat;
}

export function fixedOuterUpdate(
  m: Mem, wPtr: number, biasPtr: number, nOut: number, idxPtr: number, valPtr: number, nEv: number, analog: number,
  mPtr: number, activeIdxPtr: number, nActive: number,
  invSw: number, invSu: number, wMax: number, stateMax: number, stochastic: number, rngPtr: number, cnt: number,
): void {
  const f32 = m.f32, i32 = m.i32, BP = biasPtr >>> 2, M = mPtr >>> 2, A = activeIdxPtr >>> 2;
  const iw = fr(invSw), iu = fr(invSu);
  rs = m.u32[rngPtr >>> 2];
  outerCells(m, (at, d) => writeFixedCell(i32, at, fr(d * iw), stochastic, wMax), wPtr, nOut, idxPtr, valPtr, nEv, analog, mPtr, activeIdxPtr, nActive, cnt);
  let ssat = 0;
  for (let k = 0; k < nActive; k++) {
    const i = i32[A + k];
    ssat += addFixedBias(i32, BP + i, fr(f32[M + i] * iu), stochastic, stateMax);
  }
  m.u32[rngPtr >>> 2] = rs;
  bump(m, cnt, LEARN_BIAS_UPDATES, nActive);
  bump(m, cnt, DEV_STATE_SATURATIONS, ssat);
}

export function fixedApply(
  m: Mem, wPtr: number, gPtr: number, n: number, bPtr: number, gbPtr: number, nb: number,
  invSw: number, invSu: number, wMax: number, stateMax: number, stochastic: number, rngPtr: number, cnt: number,
): void {
  const f32 = m.f32, i32 = m.i32, B = bPtr >>> 2, GB = gbPtr >>> 2;
  const iw = fr(invSw), iu = fr(invSu);
  rs = m.u32[rngPtr >>> 2];
  applyCells(m, (at, g) => writeFixedCell(i32, at, fr(g * iw), stochastic, wMax), wPtr, gPtr, n, cnt);
  let ssat = 0;
  for (let k = 0; k < nb; k++) {
    const g = f32[GB + k];
    if (g === 0) continue;
    f32[GB + k] = 0;
    ssat += addFixedBias(i32, B + k, fr(g * iu), stochastic, stateMax);
  }
  m.u32[rngPtr >>> 2] = rs;
  bump(m, cnt, DEV_STATE_SATURATIONS, ssat);
}

// ---------------------------------------------------------------------------------------------
// Writers shared by the quantized and the fixed-point chip (assembly/device.ts outerCells<W>, applyCells<W>)

/** A cell writer: the cell at f32/i32 index `at` moved by a change d (real units); returns WROTE | SATURATED bits. */
type WriteCell = (at: number, d: number) => number;

/** The outer-product write m ⊗ S_pre into the cells through `write`; counts update events, the dense count, writes, saturations. */
function outerCells(
  m: Mem, write: WriteCell, wPtr: number, nOut: number, idxPtr: number, valPtr: number, nEv: number, analog: number,
  mPtr: number, activeIdxPtr: number, nActive: number, cnt: number,
): void {
  const f32 = m.f32, i32 = m.i32, WP = wPtr >>> 2, M = mPtr >>> 2, A = activeIdxPtr >>> 2;
  let issued = 0, writes = 0, sat = 0;
  for (let e = 0; e < nEv; e++) {
    const row = WP + i32[(idxPtr >>> 2) + e] * nOut;
    const v = analog ? f32[(valPtr >>> 2) + e] : 1;
    for (let k = 0; k < nActive; k++) {
      const i = i32[A + k];
      const d = analog ? fr(f32[M + i] * v) : f32[M + i];
      if (d === 0) continue;
      issued++;
      const r = write(row + i, d);
      writes += r & WROTE;
      sat += r >> 1;
    }
  }
  bump(m, cnt, LEARN_UPDATES, issued);
  bump(m, cnt, LEARN_DENSE, nEv * nOut);
  bump(m, cnt, LEARN_WEIGHT_WRITES, writes);
  bump(m, cnt, DEV_WEIGHT_SATURATIONS, sat);
}

/** Every nonzero accumulated change g written through `write`, G = 0; counts writes and saturations. */
function applyCells(m: Mem, write: WriteCell, wPtr: number, gPtr: number, n: number, cnt: number): void {
  const f32 = m.f32, W = wPtr >>> 2, G = gPtr >>> 2;
  let writes = 0, sat = 0;
  for (let k = 0; k < n; k++) {
    const g = f32[G + k];
    if (g === 0) continue;
    f32[G + k] = 0;
    const r = write(W + k, g);
    writes += r & WROTE;
    sat += r >> 1;
  }
  bump(m, cnt, LEARN_WEIGHT_WRITES, writes);
  bump(m, cnt, DEV_WEIGHT_SATURATIONS, sat);
}
