// Convolution as a chip circuit, event-driven, with shared weights (ALGORITHMS §2, §7); the
// TypeScript twin is src/reference/conv.ts, whose header states the equations.
// Neurons are channel-major (k, oy, ox) -> (k*OH + oy)*OW + ox, the layer below likewise. For
// each presynaptic event (c, iy, ix; v) and each kernel offset (dy, dx) landing on a valid output
// position, the K weights of row (c, dy, dx) are read and added to I[., oy, ox]: the work is
// proportional to the events, and one weight is read per (event, output neuron reached).
// Depthwise (average pooling as a fixed-weight convolution): only output channel k = c.
// The scalar loops keep each output's sum in event, then offset order: bit-identical to the twin.
import {
  bump, SYN_EVENTS, SYN_READS, SYN_ACS, SYN_MACS, LEARN_UPDATES, LEARN_DENSE, LEARN_WEIGHT_WRITES, LEARN_BIAS_UPDATES,
} from "./counters";

// Slots of the geometry block (i32), as in src/reference/conv.ts.
export const GEO_IN_C: i32 = 0;
export const GEO_IN_H: i32 = 1;
export const GEO_IN_W: i32 = 2;
export const GEO_OUT_C: i32 = 3;
export const GEO_OUT_H: i32 = 4;
export const GEO_OUT_W: i32 = 5;
export const GEO_KH: i32 = 6;
export const GEO_KW: i32 = 7;
export const GEO_STRIDE: i32 = 8;
export const GEO_PAD: i32 = 9;
export const GEO_DEPTHWISE: i32 = 10;

// @ts-ignore: decorator
@inline function geo(g: usize, slot: i32): i32 {
  return load<i32>(g + (<usize>slot << 2));
}

/** I[k, oy, ox] = sum over events and offsets of W[k, c, dy, dx] * v, then + b[k] (spikes: v = 1, AC). */
export function convIntegrate(
  g: usize, wPtr: usize, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32, biasPtr: usize, iPtr: usize, cnt: usize,
): void {
  const inH = geo(g, GEO_IN_H), inW = geo(g, GEO_IN_W);
  const K = geo(g, GEO_OUT_C), oH = geo(g, GEO_OUT_H), oW = geo(g, GEO_OUT_W);
  const kh = geo(g, GEO_KH), kw = geo(g, GEO_KW), s = geo(g, GEO_STRIDE), pad = geo(g, GEO_PAD);
  const dw = geo(g, GEO_DEPTHWISE);
  const P = oH * oW, plane = inH * inW;
  const step = <usize>P << 2;
  memory.fill(iPtr, 0, <usize>(K * P) << 2);
  let reads: f64 = 0;
  for (let e = 0; e < nEv; e++) {
    const j = load<i32>(idxPtr + (<usize>e << 2));
    const c = j / plane, r = j - c * plane, iy = r / inW, ix = r - iy * inW;
    const v: f32 = analog ? load<f32>(valPtr + (<usize>e << 2)) : <f32>1;
    for (let dy = 0; dy < kh; dy++) {
      const ty = iy + pad - dy;
      if (ty < 0) break;
      const oy = ty / s;
      if (oy * s != ty || oy >= oH) continue;
      for (let dx = 0; dx < kw; dx++) {
        const tx = ix + pad - dx;
        if (tx < 0) break;
        const ox = tx / s;
        if (ox * s != tx || ox >= oW) continue;
        const pos = oy * oW + ox;
        if (dw) {
          const w = load<f32>(wPtr + (<usize>((c * kh + dy) * kw + dx) << 2));
          const o = iPtr + (<usize>(c * P + pos) << 2);
          store<f32>(o, load<f32>(o) + (analog ? w * v : w));
          reads += 1;
        } else {
          const row = wPtr + (<usize>(((c * kh + dy) * kw + dx) * K) << 2);
          let o = iPtr + (<usize>pos << 2);
          if (analog) {
            for (let k = 0; k < K; k++) {
              store<f32>(o, load<f32>(o) + load<f32>(row + (<usize>k << 2)) * v);
              o += step;
            }
          } else {
            for (let k = 0; k < K; k++) {
              store<f32>(o, load<f32>(o) + load<f32>(row + (<usize>k << 2)));
              o += step;
            }
          }
          reads += <f64>K;
        }
      }
    }
  }
  for (let k = 0; k < K; k++) {
    const b = load<f32>(biasPtr + (<usize>k << 2));
    const o = iPtr + (<usize>(k * P) << 2);
    for (let p = 0; p < P; p++) {
      const q = o + (<usize>p << 2);
      store<f32>(q, load<f32>(q) + b);
    }
  }
  bump(cnt, SYN_EVENTS, <f64>nEv);
  bump(cnt, SYN_READS, reads);
  bump(cnt, analog ? SYN_MACS : SYN_ACS, reads);
}

/**
 * The online LTL writer on shared weights: dst[(c, dy, dx), k] += m[k, oy, ox] * v for every
 * event and valid offset whose contribution is nonzero; dstBias[k] += m[i] for every active
 * neuron i of channel k. dst is the weight memory ("step") or the sample's accumulator ("sample").
 */
export function convOuterUpdate(
  g: usize, dstPtr: usize, dstBiasPtr: usize, idxPtr: usize, valPtr: usize, nEv: i32, analog: i32,
  mPtr: usize, activeIdxPtr: usize, nActive: i32, writesWeights: i32, cnt: usize,
): void {
  const inH = geo(g, GEO_IN_H), inW = geo(g, GEO_IN_W);
  const K = geo(g, GEO_OUT_C), oH = geo(g, GEO_OUT_H), oW = geo(g, GEO_OUT_W);
  const kh = geo(g, GEO_KH), kw = geo(g, GEO_KW), s = geo(g, GEO_STRIDE), pad = geo(g, GEO_PAD);
  const dw = geo(g, GEO_DEPTHWISE);
  const P = oH * oW, plane = inH * inW;
  const step = <usize>P << 2;
  let issued: f64 = 0, dense: f64 = 0;
  for (let e = 0; e < nEv; e++) {
    const j = load<i32>(idxPtr + (<usize>e << 2));
    const c = j / plane, r = j - c * plane, iy = r / inW, ix = r - iy * inW;
    const v: f32 = analog ? load<f32>(valPtr + (<usize>e << 2)) : <f32>1;
    for (let dy = 0; dy < kh; dy++) {
      const ty = iy + pad - dy;
      if (ty < 0) break;
      const oy = ty / s;
      if (oy * s != ty || oy >= oH) continue;
      for (let dx = 0; dx < kw; dx++) {
        const tx = ix + pad - dx;
        if (tx < 0) break;
        const ox = tx / s;
        if (ox * s != tx || ox >= oW) continue;
        const pos = oy * oW + ox;
        if (dw) {
          dense += 1;
          if (nActive == 0) continue;
          const mi = load<f32>(mPtr + (<usize>(c * P + pos) << 2));
          const d: f32 = analog ? mi * v : mi;
          if (d != 0) {
            const o = dstPtr + (<usize>((c * kh + dy) * kw + dx) << 2);
            store<f32>(o, load<f32>(o) + d);
            issued++;
          }
        } else {
          dense += <f64>K;
          if (nActive == 0) continue;
          const row = dstPtr + (<usize>(((c * kh + dy) * kw + dx) * K) << 2);
          let q = mPtr + (<usize>pos << 2);
          for (let k = 0; k < K; k++) {
            const mi = load<f32>(q);
            q += step;
            const d: f32 = analog ? mi * v : mi;
            if (d != 0) {
              const o = row + (<usize>k << 2);
              store<f32>(o, load<f32>(o) + d);
              issued++;
            }
          }
        }
      }
    }
  }
  for (let a = 0; a < nActive; a++) {
    const i = load<i32>(activeIdxPtr + (<usize>a << 2));
    const o = dstBiasPtr + (<usize>(i / P) << 2);
    store<f32>(o, load<f32>(o) + load<f32>(mPtr + (<usize>i << 2)));
  }
  bump(cnt, LEARN_UPDATES, issued);
  bump(cnt, LEARN_DENSE, dense);
  bump(cnt, LEARN_BIAS_UPDATES, <f64>nActive);
  if (writesWeights) bump(cnt, LEARN_WEIGHT_WRITES, issued);
}
