// TypeScript twin of assembly/teacher.ts (the f32 teacher's kernels): same operations in the
// same order, each f32 + - * / sqrt rounded with Math.fround. The SIMD kernel's lane and tile
// structure is invisible here except where it fixes an order: the dot rule's four lane sums
// and their combination, and gemmNN's blocks of 4 rows for skipping zero terms. (Plain loops:
// the twin is the definition the wasm kernels are held to, not a fast path.)
import type { Mem } from './memory.js';

const fr = Math.fround;
const INIT_ACC = 1;
const INIT_BIAS_COL = 2;
const INIT_BIAS_ROW = 3;

/** The dot rule: 4 lane sums over k = 4q + r, combined (l0 + l1) + (l2 + l3), then the tail in order. */
function dot(f: Float32Array, a: number, b: number, K: number): number {
  const K4 = K & ~3;
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let k = 0; k < K4; k += 4) {
    s0 = fr(s0 + fr(f[a + k] * f[b + k]));
    s1 = fr(s1 + fr(f[a + k + 1] * f[b + k + 1]));
    s2 = fr(s2 + fr(f[a + k + 2] * f[b + k + 2]));
    s3 = fr(s3 + fr(f[a + k + 3] * f[b + k + 3]));
  }
  let total = fr(fr(s0 + s1) + fr(s2 + s3));
  for (let k = K4; k < K; k++) total = fr(total + fr(f[a + k] * f[b + k]));
  return total;
}

/** min(max(z, 0), clip) as wasm's f32.min/max give it on non-NaN values (max(-0, 0) = +0). */
function clipRelu(z: number, clip: number): number {
  const y = z > 0 ? z : 0;
  return y < clip ? y : clip;
}

export function gemmNT(
  m: Mem, aPtr: number, lda: number, bPtr: number, ldb: number, cPtr: number, ldc: number,
  M: number, N: number, K: number, init: number, biasPtr: number, act: number, clip: number,
): void {
  const f = m.f32;
  const A = aPtr >>> 2, B = bPtr >>> 2, C = cPtr >>> 2, bias = biasPtr >>> 2;
  const c32 = fr(clip);
  for (let i = 0; i < M; i++) {
    for (let n = 0; n < N; n++) {
      const total = dot(f, A + i * lda, B + n * ldb, K);
      const at = C + i * ldc + n;
      let z = total;
      if (init === INIT_ACC) z = fr(f[at] + total);
      else if (init === INIT_BIAS_COL) z = fr(f[bias + n] + total);
      else if (init === INIT_BIAS_ROW) z = fr(f[bias + i] + total);
      if (act) z = clipRelu(z, c32);
      f[at] = z;
    }
  }
}

export function gemmNN(
  m: Mem, aPtr: number, sam: number, sak: number, bPtr: number, ldb: number, cPtr: number, ldc: number,
  M: number, N: number, K: number, init: number, biasPtr: number, act: number, clip: number, _packPtr: number,
): void {
  const f = m.f32;
  const A = aPtr >>> 2, B = bPtr >>> 2, C = cPtr >>> 2, bias = biasPtr >>> 2;
  const c32 = fr(clip);
  const ks = new Int32Array(K);
  for (let m0 = 0; m0 < M; m0 += 4) {
    const rows = Math.min(4, M - m0);
    // the k kept for this block of rows: those where some row's A value is not 0
    let cnt = 0;
    for (let k = 0; k < K; k++) {
      let any = false;
      for (let r = 0; r < rows; r++) if (f[A + (m0 + r) * sam + k * sak] !== 0) any = true;
      if (any) ks[cnt++] = k;
    }
    for (let r = 0; r < rows; r++) {
      const row = m0 + r;
      for (let n = 0; n < N; n++) {
        const at = C + row * ldc + n;
        let s = 0;
        if (init === INIT_ACC) s = f[at];
        else if (init === INIT_BIAS_COL) s = f[bias + n];
        else if (init === INIT_BIAS_ROW) s = f[bias + row];
        for (let q = 0; q < cnt; q++) {
          const k = ks[q];
          s = fr(s + fr(f[A + row * sam + k * sak] * f[B + k * ldb + n]));
        }
        f[at] = act ? clipRelu(s, c32) : s;
      }
    }
  }
}

export function reluGradMask(m: Mem, dPtr: number, aPtr: number, n: number, clip: number): void {
  const f = m.f32;
  const D = dPtr >>> 2, A = aPtr >>> 2;
  const c32 = fr(clip);
  for (let j = 0; j < n; j++) {
    const a = f[A + j];
    if (!(a > 0 && a < c32)) f[D + j] = 0;
  }
}

const BETA1 = fr(0.9);
const BETA1C = fr(0.1);
const BETA2 = fr(0.999);
const BETA2C = fr(0.001);
const EPSILON = fr(1e-8);

export function adamStep(m: Mem, pPtr: number, gPtr: number, mPtr: number, vPtr: number, n: number, scale: number, lrHat: number): void {
  const f = m.f32;
  const P = pPtr >>> 2, G = gPtr >>> 2, Mo = mPtr >>> 2, V = vPtr >>> 2;
  const sc = fr(scale), lr = fr(lrHat);
  for (let k = 0; k < n; k++) {
    const g = fr(f[G + k] * sc);
    const mk = fr(fr(BETA1 * f[Mo + k]) + fr(BETA1C * g));
    const vk = fr(fr(BETA2 * f[V + k]) + fr(fr(BETA2C * g) * g));
    f[Mo + k] = mk;
    f[V + k] = vk;
    f[P + k] = fr(f[P + k] - fr(fr(lr * mk) / fr(fr(Math.sqrt(vk)) + EPSILON)));
  }
}

/** Walk im2col's taps in its order (c, dy, dx, oy, ox), calling visit(input index or -1 in the padding, cols index). */
function taps(
  C: number, H: number, W: number, kh: number, kw: number, st: number, pad: number, OH: number, OW: number,
  visit: (x: number, col: number) => void,
): void {
  const P = OH * OW;
  let row = 0;
  for (let c = 0; c < C; c++) {
    for (let dy = 0; dy < kh; dy++) {
      for (let dx = 0; dx < kw; dx++) {
        for (let oy = 0; oy < OH; oy++) {
          const iy = oy * st + dy - pad;
          for (let ox = 0; ox < OW; ox++) {
            const ix = ox * st + dx - pad;
            visit(iy >= 0 && iy < H && ix >= 0 && ix < W ? (c * H + iy) * W + ix : -1, row + oy * OW + ox);
          }
        }
        row += P;
      }
    }
  }
}

export function im2col(
  m: Mem, xPtr: number, C: number, H: number, W: number, kh: number, kw: number, st: number, pad: number, OH: number, OW: number, colsPtr: number,
): void {
  const f = m.f32;
  const X = xPtr >>> 2, Q = colsPtr >>> 2;
  taps(C, H, W, kh, kw, st, pad, OH, OW, (x, col) => { f[Q + col] = x < 0 ? 0 : f[X + x]; });
}

export function col2im(
  m: Mem, colsPtr: number, C: number, H: number, W: number, kh: number, kw: number, st: number, pad: number, OH: number, OW: number, dxPtr: number,
): void {
  const f = m.f32;
  const Q = colsPtr >>> 2, D = dxPtr >>> 2;
  f.fill(0, D, D + C * H * W);
  taps(C, H, W, kh, kw, st, pad, OH, OW, (x, col) => { if (x >= 0) f[D + x] = fr(f[D + x] + f[Q + col]); });
}
