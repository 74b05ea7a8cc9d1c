// The host's ANN teacher in f32 with wasm SIMD (src/host/teacher-engine.ts drives these; the
// TypeScript twin is src/reference/teacher.ts, held equal bit for bit by fast-check).
// Its own module (build/ncsim-teacher.wasm) and memory: the teacher never shares the chip's arena.
//
// Two matrix products cover the MLP and the CNN (conv = im2col + product):
//   gemmNT  C[m,n] = init + dot(A row m, B row n)   both rows contiguous (forward passes)
//   gemmNN  C[m,n] = init + sum_k A[m,k] B[k,n]    B rows contiguous, A at any strides (gradients)
// Sum orders, which the twin repeats exactly:
//   dot: lane r of one f32x4 accumulator adds a[4q+r]*b[4q+r] for q = 0, 1, ... in order, the
//        lanes are combined as (l0 + l1) + (l2 + l3), then the K mod 4 tail terms are added in order.
//   NN:  each C element adds its terms in increasing k (the lanes are columns n). Rows go in blocks
//        of 4 from m = 0; a k at which all the block's A values are 0 is skipped for the block
//        (most inputs and many gradients are 0; skipping a 0 term only changes the sign of a 0 sum).
// Every + - * / sqrt is one f32 rounding (no FMA in wasm), so the twin rounds each with Math.fround.

/** init modes of both products (0: C = the sum alone): C += ..., or a bias per column n or per row m first. */
const INIT_ACC: i32 = 1;
const INIT_BIAS_COL: i32 = 2;
const INIT_BIAS_ROW: i32 = 3;

// @ts-ignore: decorator
@inline function combine(s: v128): f32 {
  return (f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1)) + (f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3));
}

/** The dot rule's tail: total + a[k]*b[k] for k in [k0, K). */
// @ts-ignore: decorator
@inline function dotTail(total: f32, a: usize, b: usize, k0: i32, K: i32): f32 {
  for (let k = k0; k < K; k++) {
    const o = <usize>k << 2;
    total = total + load<f32>(a + o) * load<f32>(b + o);
  }
  return total;
}

/** One dot product by the dot rule. */
function dot(a: usize, b: usize, K: i32): f32 {
  const K4 = K & ~3;
  let s = f32x4.splat(0);
  for (let k = 0; k < K4; k += 4) {
    const o = <usize>k << 2;
    s = f32x4.add(s, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  return dotTail(combine(s), a, b, K4, K);
}

/** Store C[m,n] = init + total, through the clipped ReLU min(max(z, 0), clip) when act = 1. */
// @ts-ignore: decorator
@inline function finish(total: f32, c: usize, m: i32, n: i32, init: i32, biasPtr: usize, act: i32, clip: f32): void {
  let z = total;
  if (init == INIT_ACC) z = load<f32>(c) + total;
  else if (init == INIT_BIAS_COL) z = load<f32>(biasPtr + (<usize>n << 2)) + total;
  else if (init == INIT_BIAS_ROW) z = load<f32>(biasPtr + (<usize>m << 2)) + total;
  if (act) z = min<f32>(max<f32>(z, 0), clip);
  store<f32>(c, z);
}

/**
 * C[m*ldc + n] = init + dot(A[m*lda ..], B[n*ldb ..]) over K, m < M, n < N (lda, ldb, ldc in
 * elements); act = 1 clips the result to [0, clip]. Tiles of 2 rows x 4 columns keep 8 lane
 * accumulators in registers; columns outermost, so a tile's 4 B rows stay in cache over all rows.
 */
export function gemmNT(
  aPtr: usize, lda: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32,
  M: i32, N: i32, K: i32, init: i32, biasPtr: usize, act: i32, clip: f32,
): void {
  const K4 = K & ~3;
  const N4 = N & ~3, M2 = M & ~1;
  const la = <usize>lda << 2, lb = <usize>ldb << 2;
  for (let n = 0; n < N4; n += 4) {
    const b0 = bPtr + <usize>n * lb, b1 = b0 + lb, b2 = b1 + lb, b3 = b2 + lb;
    for (let m = 0; m < M2; m += 2) {
      const a0 = aPtr + <usize>m * la, a1 = a0 + la;
      let s00 = f32x4.splat(0), s01 = s00, s02 = s00, s03 = s00;
      let s10 = s00, s11 = s00, s12 = s00, s13 = s00;
      for (let k = 0; k < K4; k += 4) {
        const o = <usize>k << 2;
        const x0 = v128.load(a0 + o), x1 = v128.load(a1 + o);
        const w0 = v128.load(b0 + o), w1 = v128.load(b1 + o), w2 = v128.load(b2 + o), w3 = v128.load(b3 + o);
        s00 = f32x4.add(s00, f32x4.mul(x0, w0));
        s01 = f32x4.add(s01, f32x4.mul(x0, w1));
        s02 = f32x4.add(s02, f32x4.mul(x0, w2));
        s03 = f32x4.add(s03, f32x4.mul(x0, w3));
        s10 = f32x4.add(s10, f32x4.mul(x1, w0));
        s11 = f32x4.add(s11, f32x4.mul(x1, w1));
        s12 = f32x4.add(s12, f32x4.mul(x1, w2));
        s13 = f32x4.add(s13, f32x4.mul(x1, w3));
      }
      const c0 = cPtr + ((<usize>m * <usize>ldc + <usize>n) << 2), c1 = c0 + (<usize>ldc << 2);
      finish(dotTail(combine(s00), a0, b0, K4, K), c0, m, n, init, biasPtr, act, clip);
      finish(dotTail(combine(s01), a0, b1, K4, K), c0 + 4, m, n + 1, init, biasPtr, act, clip);
      finish(dotTail(combine(s02), a0, b2, K4, K), c0 + 8, m, n + 2, init, biasPtr, act, clip);
      finish(dotTail(combine(s03), a0, b3, K4, K), c0 + 12, m, n + 3, init, biasPtr, act, clip);
      finish(dotTail(combine(s10), a1, b0, K4, K), c1, m + 1, n, init, biasPtr, act, clip);
      finish(dotTail(combine(s11), a1, b1, K4, K), c1 + 4, m + 1, n + 1, init, biasPtr, act, clip);
      finish(dotTail(combine(s12), a1, b2, K4, K), c1 + 8, m + 1, n + 2, init, biasPtr, act, clip);
      finish(dotTail(combine(s13), a1, b3, K4, K), c1 + 12, m + 1, n + 3, init, biasPtr, act, clip);
    }
    if (M2 < M) {
      const m = M2;
      const a0 = aPtr + <usize>m * la;
      let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
      for (let k = 0; k < K4; k += 4) {
        const o = <usize>k << 2;
        const x0 = v128.load(a0 + o);
        s0 = f32x4.add(s0, f32x4.mul(x0, v128.load(b0 + o)));
        s1 = f32x4.add(s1, f32x4.mul(x0, v128.load(b1 + o)));
        s2 = f32x4.add(s2, f32x4.mul(x0, v128.load(b2 + o)));
        s3 = f32x4.add(s3, f32x4.mul(x0, v128.load(b3 + o)));
      }
      const c0 = cPtr + ((<usize>m * <usize>ldc + <usize>n) << 2);
      finish(dotTail(combine(s0), a0, b0, K4, K), c0, m, n, init, biasPtr, act, clip);
      finish(dotTail(combine(s1), a0, b1, K4, K), c0 + 4, m, n + 1, init, biasPtr, act, clip);
      finish(dotTail(combine(s2), a0, b2, K4, K), c0 + 8, m, n + 2, init, biasPtr, act, clip);
      finish(dotTail(combine(s3), a0, b3, K4, K), c0 + 12, m, n + 3, init, biasPtr, act, clip);
    }
  }
  for (let n = N4; n < N; n++) {
    const b0 = bPtr + <usize>n * lb;
    for (let m = 0; m < M; m++) {
      const a0 = aPtr + <usize>m * la;
      finish(dot(a0, b0, K), cPtr + ((<usize>m * <usize>ldc + <usize>n) << 2), m, n, init, biasPtr, act, clip);
    }
  }
}

/**
 * C[m*ldc + n] = act(s), s = start + sum_k A[m*sam + k*sak] * B[k*ldb + n] added in increasing k,
 * start = 0, C[m*ldc + n] (init 1), bias[n] (2) or bias[m] (3); skipping per block of 4 rows the
 * k whose A values are all 0. packPtr: scratch of 20*K bytes, where each block's nonzero A values
 * (4 per k, f32) and their k (i32) are packed once, then read for every column tile. Lanes are
 * columns; tiles of 4 rows x 8 columns.
 */
export function gemmNN(
  aPtr: usize, sam: i32, sak: i32, bPtr: usize, ldb: i32, cPtr: usize, ldc: i32,
  M: i32, N: i32, K: i32, init: i32, biasPtr: usize, act: i32, clip: f32, packPtr: usize,
): void {
  const idxPtr = packPtr + (<usize>K << 4);
  const lb = <usize>ldb << 2, lc = <usize>ldc << 2;
  const N8 = N & ~7, N4 = N & ~3;
  const acc = init == INIT_ACC;
  const zero = f32x4.splat(0), cv = f32x4.splat(clip);
  for (let m0 = 0; m0 < M; m0 += 4) {
    const rows = min<i32>(4, M - m0);
    let cnt = 0;
    for (let k = 0; k < K; k++) {
      let any = false;
      const p = packPtr + (<usize>cnt << 4);
      for (let r = 0; r < 4; r++) {
        let v: f32 = 0;
        if (r < rows) v = load<f32>(aPtr + ((<usize>(m0 + r) * <usize>sam + <usize>k * <usize>sak) << 2));
        if (v != 0) any = true;
        store<f32>(p + (<usize>r << 2), v);
      }
      if (any) {
        store<i32>(idxPtr + (<usize>cnt << 2), k);
        cnt++;
      }
    }
    const c0 = cPtr + <usize>m0 * lc, c1 = c0 + lc, c2 = c1 + lc, c3 = c2 + lc;
    // per-row starts of the bias-per-row mode (rows past M start at 0 and are never stored)
    let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
    if (init == INIT_BIAS_ROW) {
      const bp = biasPtr + (<usize>m0 << 2);
      s0 = load<f32>(bp);
      if (rows > 1) s1 = load<f32>(bp, 4);
      if (rows > 2) s2 = load<f32>(bp, 8);
      if (rows > 3) s3 = load<f32>(bp, 12);
    }
    for (let n = 0; n < N8; n += 8) {
      const o = <usize>n << 2;
      let r00 = zero, r01 = zero, r10 = zero, r11 = zero, r20 = zero, r21 = zero, r30 = zero, r31 = zero;
      if (acc) {
        r00 = v128.load(c0 + o); r01 = v128.load(c0 + o, 16);
        if (rows > 1) { r10 = v128.load(c1 + o); r11 = v128.load(c1 + o, 16); }
        if (rows > 2) { r20 = v128.load(c2 + o); r21 = v128.load(c2 + o, 16); }
        if (rows > 3) { r30 = v128.load(c3 + o); r31 = v128.load(c3 + o, 16); }
      } else if (init == INIT_BIAS_COL) {
        r00 = v128.load(biasPtr + o); r01 = v128.load(biasPtr + o, 16);
        r10 = r00; r11 = r01; r20 = r00; r21 = r01; r30 = r00; r31 = r01;
      } else if (init == INIT_BIAS_ROW) {
        r00 = f32x4.splat(s0); r01 = r00; r10 = f32x4.splat(s1); r11 = r10;
        r20 = f32x4.splat(s2); r21 = r20; r30 = f32x4.splat(s3); r31 = r30;
      }
      for (let q = 0; q < cnt; q++) {
        const av = v128.load(packPtr + (<usize>q << 4));
        const b = bPtr + <usize>load<i32>(idxPtr + (<usize>q << 2)) * lb + o;
        const w0 = v128.load(b), w1 = v128.load(b, 16);
        const x0 = v128.shuffle<f32>(av, av, 0, 0, 0, 0), x1 = v128.shuffle<f32>(av, av, 1, 1, 1, 1);
        const x2 = v128.shuffle<f32>(av, av, 2, 2, 2, 2), x3 = v128.shuffle<f32>(av, av, 3, 3, 3, 3);
        r00 = f32x4.add(r00, f32x4.mul(x0, w0)); r01 = f32x4.add(r01, f32x4.mul(x0, w1));
        r10 = f32x4.add(r10, f32x4.mul(x1, w0)); r11 = f32x4.add(r11, f32x4.mul(x1, w1));
        r20 = f32x4.add(r20, f32x4.mul(x2, w0)); r21 = f32x4.add(r21, f32x4.mul(x2, w1));
        r30 = f32x4.add(r30, f32x4.mul(x3, w0)); r31 = f32x4.add(r31, f32x4.mul(x3, w1));
      }
      if (act) {
        r00 = f32x4.min(f32x4.max(r00, zero), cv); r01 = f32x4.min(f32x4.max(r01, zero), cv);
        r10 = f32x4.min(f32x4.max(r10, zero), cv); r11 = f32x4.min(f32x4.max(r11, zero), cv);
        r20 = f32x4.min(f32x4.max(r20, zero), cv); r21 = f32x4.min(f32x4.max(r21, zero), cv);
        r30 = f32x4.min(f32x4.max(r30, zero), cv); r31 = f32x4.min(f32x4.max(r31, zero), cv);
      }
      v128.store(c0 + o, r00); v128.store(c0 + o, r01, 16);
      if (rows > 1) { v128.store(c1 + o, r10); v128.store(c1 + o, r11, 16); }
      if (rows > 2) { v128.store(c2 + o, r20); v128.store(c2 + o, r21, 16); }
      if (rows > 3) { v128.store(c3 + o, r30); v128.store(c3 + o, r31, 16); }
    }
    for (let n = N8; n < N4; n += 4) {
      const o = <usize>n << 2;
      let r0 = zero, r1 = zero, r2 = zero, r3 = zero;
      if (acc) {
        r0 = v128.load(c0 + o);
        if (rows > 1) r1 = v128.load(c1 + o);
        if (rows > 2) r2 = v128.load(c2 + o);
        if (rows > 3) r3 = v128.load(c3 + o);
      } else if (init == INIT_BIAS_COL) {
        r0 = v128.load(biasPtr + o); r1 = r0; r2 = r0; r3 = r0;
      } else if (init == INIT_BIAS_ROW) {
        r0 = f32x4.splat(s0); r1 = f32x4.splat(s1); r2 = f32x4.splat(s2); r3 = f32x4.splat(s3);
      }
      for (let q = 0; q < cnt; q++) {
        const av = v128.load(packPtr + (<usize>q << 4));
        const w0 = v128.load(bPtr + <usize>load<i32>(idxPtr + (<usize>q << 2)) * lb + o);
        r0 = f32x4.add(r0, f32x4.mul(v128.shuffle<f32>(av, av, 0, 0, 0, 0), w0));
        r1 = f32x4.add(r1, f32x4.mul(v128.shuffle<f32>(av, av, 1, 1, 1, 1), w0));
        r2 = f32x4.add(r2, f32x4.mul(v128.shuffle<f32>(av, av, 2, 2, 2, 2), w0));
        r3 = f32x4.add(r3, f32x4.mul(v128.shuffle<f32>(av, av, 3, 3, 3, 3), w0));
      }
      if (act) {
        r0 = f32x4.min(f32x4.max(r0, zero), cv); r1 = f32x4.min(f32x4.max(r1, zero), cv);
        r2 = f32x4.min(f32x4.max(r2, zero), cv); r3 = f32x4.min(f32x4.max(r3, zero), cv);
      }
      v128.store(c0 + o, r0);
      if (rows > 1) v128.store(c1 + o, r1);
      if (rows > 2) v128.store(c2 + o, r2);
      if (rows > 3) v128.store(c3 + o, r3);
    }
    for (let n = N4; n < N; n++) {
      const o = <usize>n << 2;
      for (let r = 0; r < rows; r++) {
        const c = c0 + <usize>r * lc + o;
        let s: f32 = 0;
        if (acc) s = load<f32>(c);
        else if (init == INIT_BIAS_COL) s = load<f32>(biasPtr + o);
        else if (init == INIT_BIAS_ROW) s = load<f32>(biasPtr + (<usize>(m0 + r) << 2));
        for (let q = 0; q < cnt; q++) {
          s = s + load<f32>(packPtr + (<usize>q << 4) + (<usize>r << 2)) * load<f32>(bPtr + <usize>load<i32>(idxPtr + (<usize>q << 2)) * lb + o);
        }
        if (act) s = min<f32>(max<f32>(s, 0), clip);
        store<f32>(c, s);
      }
    }
  }
}

/** d[j] = 0 where the clipped ReLU below is flat (a <= 0 or a >= clip): only 0 < a < clip passes a gradient. */
export function reluGradMask(dPtr: usize, aPtr: usize, n: i32, clip: f32): void {
  const n4 = n & ~3;
  const zero = f32x4.splat(0), c = f32x4.splat(clip);
  for (let j = 0; j < n4; j += 4) {
    const o = <usize>j << 2;
    const a = v128.load(aPtr + o);
    v128.store(dPtr + o, v128.and(v128.load(dPtr + o), v128.and(f32x4.gt(a, zero), f32x4.lt(a, c))));
  }
  for (let j = n4; j < n; j++) {
    const o = <usize>j << 2;
    const a = load<f32>(aPtr + o);
    if (!(a > 0 && a < clip)) store<f32>(dPtr + o, 0);
  }
}

// Adam (Kingma & Ba), f32: the constants rounded once to f32, as the twin does.
const BETA1: f32 = 0.9;
const BETA1C: f32 = 0.1;
const BETA2: f32 = 0.999;
const BETA2C: f32 = 0.001;
const EPSILON: f32 = 1e-8;

/**
 * One Adam step on n parameters from the summed gradient g (times scale = 1 / batch size):
 *   g' = g*scale; m = β1 m + (1-β1) g'; v = β2 v + ((1-β2) g') g'; p = p - (lrHat m) / (sqrt(v) + ε)
 * lrHat: the step size with Adam's bias correction folded in (src/host/adam.ts adamStepSize).
 */
export function adamStep(pPtr: usize, gPtr: usize, mPtr: usize, vPtr: usize, n: i32, scale: f32, lrHat: f32): void {
  const n4 = n & ~3;
  const sc = f32x4.splat(scale), lr = f32x4.splat(lrHat);
  const b1 = f32x4.splat(BETA1), b1c = f32x4.splat(BETA1C), b2 = f32x4.splat(BETA2), b2c = f32x4.splat(BETA2C), eps = f32x4.splat(EPSILON);
  for (let k = 0; k < n4; k += 4) {
    const o = <usize>k << 2;
    const g = f32x4.mul(v128.load(gPtr + o), sc);
    const m = f32x4.add(f32x4.mul(b1, v128.load(mPtr + o)), f32x4.mul(b1c, g));
    const v = f32x4.add(f32x4.mul(b2, v128.load(vPtr + o)), f32x4.mul(f32x4.mul(b2c, g), g));
    v128.store(mPtr + o, m);
    v128.store(vPtr + o, v);
    v128.store(pPtr + o, f32x4.sub(v128.load(pPtr + o), f32x4.div(f32x4.mul(lr, m), f32x4.add(f32x4.sqrt(v), eps))));
  }
  for (let k = n4; k < n; k++) {
    const o = <usize>k << 2;
    const g = load<f32>(gPtr + o) * scale;
    const m = BETA1 * load<f32>(mPtr + o) + BETA1C * g;
    const v = BETA2 * load<f32>(vPtr + o) + (BETA2C * g) * g;
    store<f32>(mPtr + o, m);
    store<f32>(vPtr + o, v);
    store<f32>(pPtr + o, load<f32>(pPtr + o) - (lrHat * m) / (sqrt<f32>(v) + EPSILON));
  }
}

/**
 * im2col of one C x H x W input (channel-major) for a kh x kw convolution (stride st, zero
 * padding pad) with OH x OW outputs, P = OH*OW positions, as a (C*kh*kw) x P matrix:
 *   cols[((c*kh + dy)*kw + dx)*P + oy*OW + ox] = x[c, oy*st + dy - pad, ox*st + dx - pad]
 * (0 in the padding). Row t is weight column t (the weights' own order), so output (k, p) =
 * sum_t W[k, t] cols[t, p] is one product, and a depthwise layer's channel c is rows c*kh*kw ...
 */
export function im2col(
  xPtr: usize, C: i32, H: i32, W: i32, kh: i32, kw: i32, st: i32, pad: i32, OH: i32, OW: i32, colsPtr: usize,
): void {
  let row = colsPtr;
  for (let c = 0; c < C; c++) {
    for (let dy = 0; dy < kh; dy++) {
      for (let dx = 0; dx < kw; dx++) {
        // outputs ox whose input column ox*st + dx - pad lies in [0, W): [lo, hi)
        const lo = min<i32>(OW, max<i32>(0, (pad - dx + st - 1) / st));
        const e = W - 1 + pad - dx;
        const hi = e < 0 ? lo : max<i32>(lo, min<i32>(OW, e / st + 1));
        for (let oy = 0; oy < OH; oy++) {
          const iy = oy * st + dy - pad;
          const out = row + (<usize>(oy * OW) << 2);
          if (iy < 0 || iy >= H) {
            memory.fill(out, 0, <usize>OW << 2);
            continue;
          }
          const src = xPtr + (<usize>((c * H + iy) * W + dx - pad) << 2);
          for (let ox = 0; ox < lo; ox++) store<f32>(out + (<usize>ox << 2), 0);
          for (let ox = lo; ox < hi; ox++) store<f32>(out + (<usize>ox << 2), load<f32>(src + (<usize>(ox * st) << 2)));
          for (let ox = hi; ox < OW; ox++) store<f32>(out + (<usize>ox << 2), 0);
        }
        row += <usize>(OH * OW) << 2;
      }
    }
  }
}

/**
 * The adjoint of im2col: dx (C x H x W) = 0, then every in-image tap's cols value added to its
 * input, in im2col's loop order (c, dy, dx, oy, ox). Taps in the padding are dropped.
 */
export function col2im(
  colsPtr: usize, C: i32, H: i32, W: i32, kh: i32, kw: i32, st: i32, pad: i32, OH: i32, OW: i32, dxPtr: usize,
): void {
  memory.fill(dxPtr, 0, <usize>(C * H * W) << 2);
  let row = colsPtr;
  for (let c = 0; c < C; c++) {
    for (let dy = 0; dy < kh; dy++) {
      for (let dx = 0; dx < kw; dx++) {
        const lo = min<i32>(OW, max<i32>(0, (pad - dx + st - 1) / st));
        const e = W - 1 + pad - dx;
        const hi = e < 0 ? lo : max<i32>(lo, min<i32>(OW, e / st + 1));
        for (let oy = 0; oy < OH; oy++) {
          const iy = oy * st + dy - pad;
          if (iy < 0 || iy >= H) continue;
          const src = row + (<usize>(oy * OW) << 2);
          const dst = dxPtr + (<usize>((c * H + iy) * W + dx - pad) << 2);
          for (let ox = lo; ox < hi; ox++) {
            const q = dst + (<usize>(ox * st) << 2);
            store<f32>(q, load<f32>(q) + load<f32>(src + (<usize>ox << 2)));
          }
        }
        row += <usize>(OH * OW) << 2;
      }
    }
  }
}

/** Arenas are allocated once, up front, by the host (src/host/teacher-engine.ts). */
export function alloc(bytes: usize): usize {
  return heap.alloc(bytes);
}
