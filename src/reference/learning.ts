// TypeScript twin of assembly/learning.ts: the online LTL learning circuit (ALGORITHMS §4, §7).
import { Mem, bump } from './memory.js';
import {
  ACC_READS, LEARN_ERROR_EVALS, LEARN_GATE_EVALS, LEARN_SIGN_EVALS, LEARN_UPDATES, LEARN_DENSE,
  LEARN_WEIGHT_WRITES, LEARN_BIAS_UPDATES,
} from './counters.js';
import { boxcarHalf, boxcarOpen } from './surrogate.js';

const fr = Math.fround;
export const ERROR_EXACT = 0;
export const ERROR_SIGN = 1;

export function ltlOnlineSignal(
  m: Mem, n: number, cPtr: number, targetPtr: number, uPtr: number, thrPtr: number, thrStride: number,
  t: number, width: number, height: number, errorMode: number, negLr: number,
  mPtr: number, activeIdxPtr: number, cnt: number,
): number {
  return ltlSignal(m, m.f32, false, n, cPtr, targetPtr, uPtr, thrPtr, thrStride, t, boxcarHalf(width), height, errorMode, negLr, mPtr, activeIdxPtr, cnt);
}

/**
 * The learning signal's body (assembly/learning.ts ltlSignal<S, G>): membrane and threshold read
 * from `state` (m.f32, or m.i32 on a fixed-point chip), the gate compared in f32 or, `exact`,
 * in f64 (integers), half = p/2 in the membrane's units.
 */
export function ltlSignal(
  m: Mem, state: Float32Array | Int32Array, exact: boolean, n: number, cPtr: number, targetPtr: number, uPtr: number,
  thrPtr: number, thrStride: number, t: number, half: number, height: number, errorMode: number, negLr: number,
  mPtr: number, activeIdxPtr: number, cnt: number,
): number {
  const f32 = m.f32, u32 = m.u32;
  const C = cPtr >>> 2, Y = targetPtr >>> 2, U = uPtr >>> 2, TH = thrPtr >>> 2, M = mPtr >>> 2, A = activeIdxPtr >>> 2;
  const tf = fr(t);
  const twoOverT = fr(2 / tf);
  const h = fr(height);
  const eta = fr(negLr);
  let nActive = 0;
  for (let i = 0; i < n; i++) {
    const rate = fr(fr(u32[C + i]) / tf);
    const zeta = -fr(twoOverT * fr(f32[Y + i] - rate));
    const open = boxcarOpen(state[U + i], state[TH + i * thrStride], half, exact);
    let delta: number;
    if (errorMode === ERROR_SIGN) delta = open ? (zeta > 0 ? 1 : zeta < 0 ? -1 : 0) : 0;
    else delta = fr(zeta * (open ? h : 0));
    const mi = fr(eta * delta);
    f32[M + i] = mi;
    if (mi !== 0) {
      m.i32[A + nActive] = i;
      nActive++;
    }
  }
  bump(m, cnt, ACC_READS, n);
  bump(m, cnt, LEARN_ERROR_EVALS, n);
  bump(m, cnt, LEARN_GATE_EVALS, n);
  if (errorMode === ERROR_SIGN) bump(m, cnt, LEARN_SIGN_EVALS, n);
  return nActive;
}

export function outerUpdate(
  m: Mem, dstPtr: number, dstBiasPtr: number, nOut: number, idxPtr: number, valPtr: number, nEv: number, analog: number,
  mPtr: number, activeIdxPtr: number, nActive: number, writesWeights: number, cnt: number,
): void {
  const f32 = m.f32, i32 = m.i32;
  const D = dstPtr >>> 2, DB = dstBiasPtr >>> 2, M = mPtr >>> 2, A = activeIdxPtr >>> 2;
  let issued = 0;
  for (let e = 0; e < nEv; e++) {
    const row = D + i32[(idxPtr >>> 2) + e] * nOut;
    if (analog) {
      const v = f32[(valPtr >>> 2) + e];
      for (let k = 0; k < nActive; k++) {
        const i = i32[A + k];
        const d = fr(f32[M + i] * v);
        if (d !== 0) issued++;
        f32[row + i] = fr(f32[row + i] + d);
      }
    } else {
      for (let k = 0; k < nActive; k++) {
        const i = i32[A + k];
        f32[row + i] = fr(f32[row + i] + f32[M + i]);
      }
      issued += nActive;
    }
  }
  for (let k = 0; k < nActive; k++) {
    const i = i32[A + k];
    f32[DB + i] = fr(f32[DB + i] + f32[M + i]);
  }
  bump(m, cnt, LEARN_UPDATES, issued);
  bump(m, cnt, LEARN_DENSE, nEv * nOut);
  bump(m, cnt, LEARN_BIAS_UPDATES, nActive);
  if (writesWeights) bump(m, cnt, LEARN_WEIGHT_WRITES, issued);
}

export function applyAccumulated(m: Mem, wPtr: number, gPtr: number, n: number, bPtr: number, gbPtr: number, nb: number, cnt: number): void {
  const f32 = m.f32, W = wPtr >>> 2, G = gPtr >>> 2, B = bPtr >>> 2, GB = gbPtr >>> 2;
  let writes = 0;
  for (let k = 0; k < n; k++) {
    const g = f32[G + k];
    if (g !== 0) {
      f32[W + k] = fr(f32[W + k] + g);
      f32[G + k] = 0;
      writes++;
    }
  }
  for (let k = 0; k < nb; k++) {
    f32[B + k] = fr(f32[B + k] + f32[GB + k]);
    f32[GB + k] = 0;
  }
  bump(m, cnt, LEARN_WEIGHT_WRITES, writes);
}
