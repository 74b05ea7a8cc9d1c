// TypeScript twin of assembly/traces.ts: STOP's forward traces and per-step gradients
// (ALGORITHMS §8). Same operations, same order, Math.fround (the wasm SIMD lanes are lane-wise).
import { Mem, bump } from './memory.js';
import { TRACE_UPDATES, TRACE_READS, LEARN_GATE_EVALS, LEARN_UPDATES, LEARN_DENSE, LEARN_BIAS_UPDATES, LEARN_WEIGHT_WRITES } from './counters.js';
import { boxcar, boxcarHalf } from './surrogate.js';

const fr = Math.fround;

export function traceSynapses(
  m: Mem, ePtr: number, nIn: number, nOut: number, idxPtr: number, valPtr: number, nEv: number, analog: number,
  leakPtr: number, leakStride: number, cnt: number,
): void {
  const f32 = m.f32, i32 = m.i32, E = ePtr >>> 2, IX = idxPtr >>> 2, VX = valPtr >>> 2, LK = leakPtr >>> 2;
  let k = 0, nonzero = 0;
  for (let j = 0; j < nIn; j++) {
    let v = 0;
    if (k < nEv && i32[IX + k] === j) {
      v = analog ? f32[VX + k] : 1;
      k++;
    }
    if (leakStride === 0) {
      const e = fr(fr(f32[LK] * f32[E + j]) + v);
      f32[E + j] = e;
      if (e !== 0) nonzero++;
    } else {
      const row = E + j * nOut;
      for (let i = 0; i < nOut; i++) {
        const e = fr(fr(f32[LK + i] * f32[row + i]) + v);
        f32[row + i] = e;
        if (e !== 0) nonzero++;
      }
    }
  }
  bump(m, cnt, LEARN_DENSE, leakStride === 0 ? nonzero * nOut : nonzero);
  bump(m, cnt, TRACE_UPDATES, leakStride === 0 ? nIn : nIn * nOut);
}

export function traceNeurons(
  m: Mem, n: number, ebPtr: number, leakPtr: number, leakStride: number, learnTL: number,
  ethPtr: number, eaPtr: number, sPrevPtr: number, uPrevPtr: number, uPtr: number, cnt: number,
): void {
  const f32 = m.f32, EB = ebPtr >>> 2, LK = leakPtr >>> 2, ETH = ethPtr >>> 2, EA = eaPtr >>> 2;
  const SP = sPrevPtr >>> 2, UP = uPrevPtr >>> 2, U = uPtr >>> 2;
  const nb = leakStride ? n : 1;
  for (let i = 0; i < nb; i++) f32[EB + i] = fr(fr(f32[LK + i] * f32[EB + i]) + 1);
  if (learnTL) {
    for (let i = 0; i < n; i++) {
      const alpha = f32[LK + i * leakStride];
      f32[ETH + i] = fr(fr(alpha * f32[ETH + i]) - f32[SP + i]);
      f32[EA + i] = fr(fr(alpha * f32[EA + i]) + f32[UP + i]);
      f32[UP + i] = f32[U + i];
    }
  }
  bump(m, cnt, TRACE_UPDATES, nb + (learnTL ? 2 * n : 0));
}

export function stopDelta(
  m: Mem, n: number, dSPtr: number, uPtr: number, thrPtr: number, thrStride: number, width: number, height: number,
  deltaPtr: number, activeIdxPtr: number, cnt: number,
): number {
  const f32 = m.f32, DS = dSPtr >>> 2, U = uPtr >>> 2, TH = thrPtr >>> 2, D = deltaPtr >>> 2, A = activeIdxPtr >>> 2;
  const half = boxcarHalf(width);
  const h = fr(height);
  let nActive = 0;
  for (let i = 0; i < n; i++) {
    const theta = f32[TH + i * thrStride];
    const gate = boxcar(f32[U + i], theta, half, h);
    const d = fr(f32[DS + i] * gate);
    f32[D + i] = d;
    if (d !== 0) {
      m.i32[A + nActive] = i;
      nActive++;
    }
  }
  bump(m, cnt, LEARN_GATE_EVALS, n);
  return nActive;
}

/** STOP-WTL's neuron parameters of active neuron i (f32 indices): Gth[i] += d (e_th[i] - 1), f32[ga] += d e_a[i]; returns the nonzero contributions. */
export function thresholdLeakGrad(f32: Float32Array, d: number, i: number, ETH: number, EA: number, GTH: number, ga: number): number {
  const ct = fr(d * fr(f32[ETH + i] - 1));
  f32[GTH + i] = fr(f32[GTH + i] + ct);
  const ca = fr(d * f32[EA + i]);
  f32[ga] = fr(f32[ga] + ca);
  return (ct !== 0 ? 1 : 0) + (ca !== 0 ? 1 : 0);
}

export function stopGrad(
  m: Mem, nIn: number, nOut: number, gPtr: number, gbPtr: number, eWPtr: number, eWPerNeuron: number, ebPtr: number, ebStride: number,
  deltaPtr: number, activeIdxPtr: number, nActive: number,
  learnTL: number, ethPtr: number, eaPtr: number, gthPtr: number, gaPtr: number, gaStride: number, cnt: number,
): void {
  if (nActive === 0) return;
  const f32 = m.f32, i32 = m.i32;
  const G = gPtr >>> 2, GB = gbPtr >>> 2, EW = eWPtr >>> 2, EB = ebPtr >>> 2, D = deltaPtr >>> 2, A = activeIdxPtr >>> 2;
  const ETH = ethPtr >>> 2, EA = eaPtr >>> 2, GTH = gthPtr >>> 2, GA = gaPtr >>> 2;
  let issued = 0, reads = 0;
  for (let j = 0; j < nIn; j++) {
    const gRow = G + j * nOut;
    if (eWPerNeuron) {
      const eRow = EW + j * nOut;
      for (let k = 0; k < nActive; k++) {
        const i = i32[A + k];
        const c = fr(f32[D + i] * f32[eRow + i]);
        if (c !== 0) {
          f32[gRow + i] = fr(f32[gRow + i] + c);
          issued++;
        }
      }
      reads += nActive;
    } else {
      const e = f32[EW + j];
      reads++;
      if (e === 0) continue;
      for (let k = 0; k < nActive; k++) {
        const i = i32[A + k];
        const c = fr(f32[D + i] * e);
        if (c !== 0) {
          f32[gRow + i] = fr(f32[gRow + i] + c);
          issued++;
        }
      }
    }
  }
  let neuronUpdates = 0;
  for (let k = 0; k < nActive; k++) {
    const i = i32[A + k];
    const d = f32[D + i];
    const cb = fr(d * f32[EB + i * ebStride]);
    f32[GB + i] = fr(f32[GB + i] + cb);
    if (cb !== 0) neuronUpdates++;
    if (learnTL) neuronUpdates += thresholdLeakGrad(f32, d, i, ETH, EA, GTH, GA + i * gaStride);
  }
  reads += nActive * (learnTL ? 3 : 1);
  bump(m, cnt, TRACE_READS, reads);
  bump(m, cnt, LEARN_UPDATES, issued);
  bump(m, cnt, LEARN_BIAS_UPDATES, neuronUpdates);
}

/** Clamp after a write (STOP-WTL), as sgdApplyClamped clamps (f32 bounds). */
export function clampParam(v: number, lo: number, hi: number): number {
  if (v < lo) return lo;
  if (v > hi) return hi;
  return v;
}

/** Active neuron i's threshold written at once (updates at "step"); returns 1 if its contribution is nonzero. */
export function thresholdStep(f32: Float32Array, d: number, i: number, ETH: number, TH: number, lrTL: number, minParam: number): number {
  const ct = fr(d * fr(f32[ETH + i] - 1));
  f32[TH + i] = clampParam(fr(f32[TH + i] - fr(lrTL * ct)), minParam, Infinity);
  return ct !== 0 ? 1 : 0;
}

export function stopStep(
  m: Mem, nIn: number, nOut: number, wPtr: number, bPtr: number, eWPtr: number, eWPerNeuron: number, ebPtr: number, ebStride: number,
  deltaPtr: number, activeIdxPtr: number, nActive: number, lrW: number,
  learnTL: number, ethPtr: number, eaPtr: number, thrPtr: number, leakPtr: number, leakStride: number, lrTL: number, minParam: number, cnt: number,
): void {
  if (nActive === 0) return;
  const f32 = m.f32, i32 = m.i32;
  const W = wPtr >>> 2, B = bPtr >>> 2, EW = eWPtr >>> 2, EB = ebPtr >>> 2, D = deltaPtr >>> 2, A = activeIdxPtr >>> 2;
  const ETH = ethPtr >>> 2, EA = eaPtr >>> 2, TH = thrPtr >>> 2, LK = leakPtr >>> 2;
  const lw = fr(lrW), lt = fr(lrTL), lo = fr(minParam);
  let issued = 0, reads = 0;
  for (let j = 0; j < nIn; j++) {
    const wRow = W + j * nOut;
    if (eWPerNeuron) {
      const eRow = EW + j * nOut;
      for (let k = 0; k < nActive; k++) {
        const i = i32[A + k];
        const c = fr(f32[D + i] * f32[eRow + i]);
        if (c !== 0) {
          f32[wRow + i] = fr(f32[wRow + i] - fr(lw * c));
          issued++;
        }
      }
      reads += nActive;
    } else {
      const e = f32[EW + j];
      reads++;
      if (e === 0) continue;
      for (let k = 0; k < nActive; k++) {
        const i = i32[A + k];
        const c = fr(f32[D + i] * e);
        if (c !== 0) {
          f32[wRow + i] = fr(f32[wRow + i] - fr(lw * c));
          issued++;
        }
      }
    }
  }
  let neuronUpdates = 0, leakSum = 0;
  for (let k = 0; k < nActive; k++) {
    const i = i32[A + k];
    const d = f32[D + i];
    const cb = fr(d * f32[EB + i * ebStride]);
    if (cb !== 0) {
      f32[B + i] = fr(f32[B + i] - fr(lw * cb));
      neuronUpdates++;
    }
    if (learnTL) {
      neuronUpdates += thresholdStep(f32, d, i, ETH, TH, lt, lo);
      const ca = fr(d * f32[EA + i]);
      if (leakStride) f32[LK + i] = clampParam(fr(f32[LK + i] - fr(lt * ca)), lo, 1);
      else leakSum = fr(leakSum + ca);
      if (ca !== 0) neuronUpdates++;
    }
  }
  if (learnTL && !leakStride) f32[LK] = clampParam(fr(f32[LK] - fr(lt * leakSum)), lo, 1);
  reads += nActive * (learnTL ? 3 : 1);
  bump(m, cnt, TRACE_READS, reads);
  bump(m, cnt, LEARN_UPDATES, issued);
  bump(m, cnt, LEARN_BIAS_UPDATES, neuronUpdates);
  bump(m, cnt, LEARN_WEIGHT_WRITES, issued);
}
