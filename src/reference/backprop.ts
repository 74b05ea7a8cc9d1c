// TypeScript twin of assembly/backprop.ts: back-propagation through time with the boxcar
// surrogate (ALGORITHMS §4, §6, §8), plain SGD. Same operations, same order, Math.fround.
import { Mem, bump } from './memory.js';
import { ACC_READS, LEARN_ERROR_EVALS, LEARN_GATE_EVALS, LEARN_WEIGHT_WRITES, STATE_READS, SYN_READS } from './counters.js';
import { boxcar, boxcarHalf } from './surrogate.js';
import { RESET_SUBTRACT } from './neuron.js';

const fr = Math.fround;

export function ltlOfflineError(m: Mem, n: number, steps: number, cPtr: number, targetPtr: number, zetaPtr: number, cnt: number): void {
  const f32 = m.f32, C = cPtr >>> 2, Y = targetPtr >>> 2, Z = zetaPtr >>> 2;
  const tf = fr(steps);
  const twoOverT = fr(2 / tf);
  for (let i = 0; i < n; i++) {
    const rate = fr(fr(m.u32[C + i]) / tf);
    f32[Z + i] = -fr(twoOverT * fr(f32[Y + i] - rate));
  }
  bump(m, cnt, ACC_READS, n);
  bump(m, cnt, LEARN_ERROR_EVALS, n);
}

export function surrogateBackStep(
  m: Mem, n: number, uPtr: number, sPtr: number, errPtr: number, thrPtr: number, thrStride: number, leakPtr: number, leakStride: number,
  reset: number, width: number, height: number, carryPtr: number, dIPtr: number, activeIdxPtr: number, cnt: number,
): number {
  const f32 = m.f32;
  const U = uPtr >>> 2, S = sPtr >>> 2, E = errPtr >>> 2, TH = thrPtr >>> 2, LK = leakPtr >>> 2;
  const CR = carryPtr >>> 2, DI = dIPtr >>> 2, A = activeIdxPtr >>> 2;
  const half = boxcarHalf(width);
  const h = fr(height);
  let nActive = 0;
  for (let i = 0; i < n; i++) {
    const u = f32[U + i];
    const theta = f32[TH + i * thrStride];
    const alpha = f32[LK + i * leakStride];
    const c = f32[CR + i];
    let viaReset: number, viaLeak: number;
    if (reset === RESET_SUBTRACT) {
      viaReset = -fr(theta * c);
      viaLeak = fr(alpha * c);
    } else {
      viaReset = -fr(fr(alpha * u) * c);
      viaLeak = fr(fr(alpha * fr(1 - f32[S + i])) * c);
    }
    const dS = fr(f32[E + i] + viaReset);
    const gate = boxcar(u, theta, half, h);
    const dU = fr(fr(dS * gate) + viaLeak);
    f32[CR + i] = dU;
    f32[DI + i] = dU;
    if (dU !== 0) {
      m.i32[A + nActive] = i;
      nActive++;
    }
  }
  bump(m, cnt, STATE_READS, reset === RESET_SUBTRACT ? n : 2 * n);
  bump(m, cnt, LEARN_GATE_EVALS, n);
  return nActive;
}

export function backpropError(
  m: Mem, wtPtr: number, nIn: number, nOut: number, dPtr: number, activeIdxPtr: number, nActive: number, dstPtr: number, cnt: number,
): void {
  const f32 = m.f32, W = wtPtr >>> 2, D = dPtr >>> 2, A = activeIdxPtr >>> 2, DST = dstPtr >>> 2;
  for (let j = 0; j < nIn; j++) {
    const row = W + j * nOut;
    let s = 0;
    for (let k = 0; k < nActive; k++) {
      const i = m.i32[A + k];
      s = fr(s + fr(f32[row + i] * f32[D + i]));
    }
    f32[DST + j] = s;
  }
  bump(m, cnt, LEARN_ERROR_EVALS, nIn);
  bump(m, cnt, SYN_READS, nIn * nActive);
}

export function sgdApply(m: Mem, wPtr: number, gPtr: number, n: number, bPtr: number, gbPtr: number, nb: number, lr: number, cnt: number): void {
  const f32 = m.f32, W = wPtr >>> 2, G = gPtr >>> 2, B = bPtr >>> 2, GB = gbPtr >>> 2;
  const eta = fr(lr);
  let writes = 0;
  for (let k = 0; k < n; k++) {
    const g = f32[G + k];
    if (g !== 0) {
      f32[W + k] = fr(f32[W + k] - fr(eta * g));
      f32[G + k] = 0;
      writes++;
    }
  }
  for (let k = 0; k < nb; k++) {
    const g = f32[GB + k];
    if (g !== 0) {
      f32[B + k] = fr(f32[B + k] - fr(eta * g));
      f32[GB + k] = 0;
    }
  }
  bump(m, cnt, LEARN_WEIGHT_WRITES, writes);
}

export function sgdApplyClamped(m: Mem, pPtr: number, gPtr: number, n: number, lr: number, lo: number, hi: number): void {
  const f32 = m.f32, P = pPtr >>> 2, G = gPtr >>> 2;
  const eta = fr(lr), l = fr(lo), h = fr(hi);
  for (let k = 0; k < n; k++) {
    let v = fr(f32[P + k] - fr(eta * f32[G + k]));
    if (v < l) v = l;
    else if (v > h) v = h;
    f32[P + k] = v;
    f32[G + k] = 0;
  }
}
