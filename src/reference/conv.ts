// TypeScript twin of assembly/conv.ts: same operations, same order, f32 via Math.fround.
//
// Convolution, event-driven (ALGORITHMS §2 with weight sharing): a layer of K x OH x OW neurons
// (channel-major, index (k*OH + oy)*OW + ox, as PyTorch flattens) sees the C x H x W neurons of
// the layer below (same layout). For every presynaptic event (c, iy, ix) with value v and every
// kernel offset (dy, dx) that lands on a valid output position
//     oy = (iy + pad - dy) / stride,  ox = (ix + pad - dx) / stride   (whole, in range),
//     I[k, oy, ox] += W[k, c, dy, dx] * v     for every output channel k
// (depthwise: only k = c, one weight per channel and offset; average pooling is a depthwise
// convolution with fixed weights). Then I[k, ., .] += b[k]. The work is proportional to the
// presynaptic events; the weights are shared by all positions: K*C*kh*kw of them (depthwise:
// C*kh*kw), stored offset-major, row (c, dy, dx) holding the K weights an event reads at one
// offset: w[((c*kh + dy)*kw + dx)*K + k]. One weight read per (event, output neuron reached).
//
// The online LTL learning circuit on a convolution (ALGORITHMS §7 with shared weights): with
// m[k, oy, ox] = -eta * delta[k, oy, ox] per neuron (ltlOnlineSignal), the shared weight changes
// by the sum over the positions it serves,
//     dW[k, c, dy, dx] += m[k, oy, ox] * v    for every event (c, iy, ix; v) and valid offset,
//     db[k] += m[k, oy, ox]                    for every neuron with m != 0,
// in event order, then offset order, then channel order. A nonzero per-connection contribution
// is an update event; the dense count is every connection the events reach (events x valid
// offsets x K), what a rule without gates would write.
//
// The gradient rules on a convolution (offline LTL §6, STOP and BPTT §8). A convolution is a
// dense layer whose matrix W[i, j] has, for neuron i = (k, oy, ox) and input j = (c, iy, ix)
// with iy = oy*stride - pad + dy, ix = ox*stride - pad + dx, the entry W[k, c, dy, dx] (0 where
// no offset connects them). So every dense equation holds with this matrix, and the gradient of
// a shared weight is the sum of the gradients of the entries that share it:
//     dL/dW[k, c, dy, dx] = sum over (oy, ox) of dL/dW_dense[(k, oy, ox), (c, iy, ix)]
//     dL/db[k]            = sum over (oy, ox) of dL/db_dense[(k, oy, ox)]
// - Offline LTL and BPTT: dL/dW_dense[i, j] = sum_t dL/dI_i[t] * S_j[t-d], which is
//   convOuterUpdate with m = dL/dI[t] and the stored presynaptic row as events.
// - The error sent down (BPTT, STOP): dL/dS_{l-1}[j] = sum_i W[i, j] delta_i, a transposed
//   convolution (convBackpropError): each active neuron scatters delta_i * W[k, c, dy, dx] to
//   the inputs it reads; work and weight reads are one per (active neuron, connection).
// - STOP with one alpha per layer: the per-connection trace e_W,ij = alpha e_W,ij + S_j is the
//   same for every i, so one trace per input serves all of them (convTraceSynapses), and
//     dl_t/dW[k, c, dy, dx] = sum over (oy, ox) of delta[k, oy, ox] * e_W[c, iy, ix]   (convStopGrad)
//   (a per-neuron alpha would need one trace per connection: not provided).
// Pooling is a depthwise convolution with fixed weights: errors pass through it
// (convBackpropError), nothing is learned.
import type { ConvGeometry } from '../model/types.js';
import { Mem, bump } from './memory.js';
import {
  SYN_EVENTS, SYN_READS, SYN_ACS, SYN_MACS, LEARN_UPDATES, LEARN_DENSE, LEARN_WEIGHT_WRITES, LEARN_BIAS_UPDATES,
  LEARN_ERROR_EVALS, TRACE_UPDATES, TRACE_READS,
} from './counters.js';
import { thresholdLeakGrad, thresholdStep, clampParam } from './traces.js';

const fr = Math.fround;

// Slots of the geometry block (i32), the same in assembly/conv.ts.
export const GEO_IN_C = 0;
export const GEO_IN_H = 1;
export const GEO_IN_W = 2;
export const GEO_OUT_C = 3;
export const GEO_OUT_H = 4;
export const GEO_OUT_W = 5;
export const GEO_KH = 6;
export const GEO_KW = 7;
export const GEO_STRIDE = 8;
export const GEO_PAD = 9;
export const GEO_DEPTHWISE = 10;
export const GEO_SLOTS = 12;

/** Output side of a convolution: floor((n + 2*pad - k) / stride) + 1 (0 when the kernel does not fit). */
export function convOutSize(n: number, k: number, stride: number, pad: number): number {
  const span = n + 2 * pad - k;
  return span < 0 ? 0 : Math.floor(span / stride) + 1;
}

/** Weights stored for a geometry: K*C*kh*kw, or C*kh*kw depthwise. */
export function convWeightCount(g: ConvGeometry): number {
  return (g.depthwise ? 1 : g.channels) * g.inChannels * g.kernelHeight * g.kernelWidth;
}

/** Inputs each output neuron is connected to (padding taps included): C*kh*kw, or kh*kw depthwise. */
export function convFanIn(g: ConvGeometry): number {
  return (g.depthwise ? 1 : g.inChannels) * g.kernelHeight * g.kernelWidth;
}

/** The geometry block the kernels read (GEO_* slots). */
export function geometryBlock(g: ConvGeometry): Int32Array {
  const b = new Int32Array(GEO_SLOTS);
  b[GEO_IN_C] = g.inChannels; b[GEO_IN_H] = g.inHeight; b[GEO_IN_W] = g.inWidth;
  b[GEO_OUT_C] = g.channels; b[GEO_OUT_H] = g.height; b[GEO_OUT_W] = g.width;
  b[GEO_KH] = g.kernelHeight; b[GEO_KW] = g.kernelWidth; b[GEO_STRIDE] = g.stride; b[GEO_PAD] = g.padding;
  b[GEO_DEPTHWISE] = g.depthwise ? 1 : 0;
  return b;
}

/** A geometry that is not self-consistent, as a message (null when it is). */
export function checkGeometry(g: ConvGeometry): string | null {
  const ints: (keyof ConvGeometry)[] = ['inChannels', 'inHeight', 'inWidth', 'channels', 'height', 'width', 'kernelHeight', 'kernelWidth', 'stride'];
  for (const k of ints) if (!Number.isInteger(g[k]) || (g[k] as number) < 1) return `${k} must be an integer >= 1, got ${String(g[k])}`;
  if (!Number.isInteger(g.padding) || g.padding < 0) return `padding must be an integer >= 0, got ${g.padding}`;
  if (g.depthwise && g.channels !== g.inChannels) return `a depthwise layer keeps the channels: ${g.channels} != ${g.inChannels}`;
  const h = convOutSize(g.inHeight, g.kernelHeight, g.stride, g.padding);
  const w = convOutSize(g.inWidth, g.kernelWidth, g.stride, g.padding);
  if (g.height !== h || g.width !== w) return `output ${g.height} x ${g.width} does not follow from the input, kernel, stride and padding (${h} x ${w})`;
  return null;
}

/** Integer division of non-negative numbers (the kernels' i32 `/`). */
const idiv = (a: number, b: number) => (a / b) | 0;

export function convIntegrate(
  m: Mem, geo: number, wPtr: number, idxPtr: number, valPtr: number, nEv: number, analog: number,
  biasPtr: number, iPtr: number, cnt: number,
): void {
  const f32 = m.f32, i32 = m.i32, G = geo >>> 2;
  const inH = i32[G + GEO_IN_H], inW = i32[G + GEO_IN_W];
  const K = i32[G + GEO_OUT_C], oH = i32[G + GEO_OUT_H], oW = i32[G + GEO_OUT_W];
  const kh = i32[G + GEO_KH], kw = i32[G + GEO_KW], s = i32[G + GEO_STRIDE], pad = i32[G + GEO_PAD];
  const dw = i32[G + GEO_DEPTHWISE];
  const P = oH * oW, plane = inH * inW;
  const I = iPtr >>> 2, W = wPtr >>> 2, B = biasPtr >>> 2;
  f32.fill(0, I, I + K * P);
  let reads = 0;
  for (let e = 0; e < nEv; e++) {
    const j = i32[(idxPtr >>> 2) + e];
    const c = idiv(j, plane), r = j - c * plane, iy = idiv(r, inW), ix = r - iy * inW;
    const v = analog ? f32[(valPtr >>> 2) + e] : 1;
    for (let dy = 0; dy < kh; dy++) {
      const ty = iy + pad - dy;
      if (ty < 0) break;
      const oy = idiv(ty, s);
      if (oy * s !== ty || oy >= oH) continue;
      for (let dx = 0; dx < kw; dx++) {
        const tx = ix + pad - dx;
        if (tx < 0) break;
        const ox = idiv(tx, s);
        if (ox * s !== tx || ox >= oW) continue;
        const pos = oy * oW + ox;
        if (dw) {
          const w = f32[W + (c * kh + dy) * kw + dx];
          const o = I + c * P + pos;
          f32[o] = fr(f32[o] + (analog ? fr(w * v) : w));
          reads += 1;
        } else {
          const row = W + ((c * kh + dy) * kw + dx) * K;
          let o = I + pos;
          if (analog) {
            for (let k = 0; k < K; k++) { f32[o] = fr(f32[o] + fr(f32[row + k] * v)); o += P; }
          } else {
            for (let k = 0; k < K; k++) { f32[o] = fr(f32[o] + f32[row + k]); o += P; }
          }
          reads += K;
        }
      }
    }
  }
  for (let k = 0; k < K; k++) {
    const b = f32[B + k];
    const o = I + k * P;
    for (let p = 0; p < P; p++) f32[o + p] = fr(f32[o + p] + b);
  }
  bump(m, cnt, SYN_EVENTS, nEv);
  bump(m, cnt, SYN_READS, reads);
  bump(m, cnt, analog ? SYN_MACS : SYN_ACS, reads);
}

export function convOuterUpdate(
  m: Mem, geo: number, dstPtr: number, dstBiasPtr: number, idxPtr: number, valPtr: number, nEv: number, analog: number,
  mPtr: number, activeIdxPtr: number, nActive: number, writesWeights: number, cnt: number,
): void {
  const f32 = m.f32, i32 = m.i32, G = geo >>> 2;
  const inH = i32[G + GEO_IN_H], inW = i32[G + GEO_IN_W];
  const K = i32[G + GEO_OUT_C], oH = i32[G + GEO_OUT_H], oW = i32[G + GEO_OUT_W];
  const kh = i32[G + GEO_KH], kw = i32[G + GEO_KW], s = i32[G + GEO_STRIDE], pad = i32[G + GEO_PAD];
  const dw = i32[G + GEO_DEPTHWISE];
  const P = oH * oW, plane = inH * inW;
  const D = dstPtr >>> 2, DB = dstBiasPtr >>> 2, M = mPtr >>> 2, A = activeIdxPtr >>> 2;
  let issued = 0, dense = 0;
  for (let e = 0; e < nEv; e++) {
    const j = i32[(idxPtr >>> 2) + e];
    const c = idiv(j, plane), r = j - c * plane, iy = idiv(r, inW), ix = r - iy * inW;
    const v = analog ? f32[(valPtr >>> 2) + e] : 1;
    for (let dy = 0; dy < kh; dy++) {
      const ty = iy + pad - dy;
      if (ty < 0) break;
      const oy = idiv(ty, s);
      if (oy * s !== ty || oy >= oH) continue;
      for (let dx = 0; dx < kw; dx++) {
        const tx = ix + pad - dx;
        if (tx < 0) break;
        const ox = idiv(tx, s);
        if (ox * s !== tx || ox >= oW) continue;
        const pos = oy * oW + ox;
        if (dw) {
          dense += 1;
          if (nActive === 0) continue;
          const mi = f32[M + c * P + pos];
          const d = analog ? fr(mi * v) : mi;
          if (d !== 0) {
            const o = D + (c * kh + dy) * kw + dx;
            f32[o] = fr(f32[o] + d);
            issued++;
          }
        } else {
          dense += K;
          if (nActive === 0) continue;
          const row = D + ((c * kh + dy) * kw + dx) * K;
          let q = M + pos;
          for (let k = 0; k < K; k++) {
            const mi = f32[q];
            q += P;
            const d = analog ? fr(mi * v) : mi;
            if (d !== 0) {
              f32[row + k] = fr(f32[row + k] + d);
              issued++;
            }
          }
        }
      }
    }
  }
  for (let a = 0; a < nActive; a++) {
    const i = i32[A + a];
    const k = idiv(i, P);
    f32[DB + k] = fr(f32[DB + k] + f32[M + i]);
  }
  bump(m, cnt, LEARN_UPDATES, issued);
  bump(m, cnt, LEARN_DENSE, dense);
  bump(m, cnt, LEARN_BIAS_UPDATES, nActive);
  if (writesWeights) bump(m, cnt, LEARN_WEIGHT_WRITES, issued);
}

export function convBackpropError(m: Mem, geo: number, wPtr: number, dPtr: number, activeIdxPtr: number, nActive: number, dstPtr: number, cnt: number): void {
  const f32 = m.f32, i32 = m.i32, G = geo >>> 2;
  const C = i32[G + GEO_IN_C], inH = i32[G + GEO_IN_H], inW = i32[G + GEO_IN_W];
  const K = i32[G + GEO_OUT_C], oH = i32[G + GEO_OUT_H], oW = i32[G + GEO_OUT_W];
  const kh = i32[G + GEO_KH], kw = i32[G + GEO_KW], s = i32[G + GEO_STRIDE], pad = i32[G + GEO_PAD];
  const dw = i32[G + GEO_DEPTHWISE];
  const P = oH * oW, plane = inH * inW;
  const W = wPtr >>> 2, D = dPtr >>> 2, A = activeIdxPtr >>> 2, DST = dstPtr >>> 2;
  f32.fill(0, DST, DST + C * plane);
  let reads = 0;
  for (let a = 0; a < nActive; a++) {
    const i = i32[A + a];
    const k = idiv(i, P), pos = i - k * P, oy = idiv(pos, oW), ox = pos - oy * oW;
    const d = f32[D + i];
    const c0 = dw ? k : 0, c1 = dw ? k + 1 : C;
    for (let c = c0; c < c1; c++) {
      for (let dy = 0; dy < kh; dy++) {
        const iy = oy * s - pad + dy;
        if (iy < 0) continue;
        if (iy >= inH) break;
        for (let dx = 0; dx < kw; dx++) {
          const ix = ox * s - pad + dx;
          if (ix < 0) continue;
          if (ix >= inW) break;
          const tap = (c * kh + dy) * kw + dx;
          const w = f32[W + (dw ? tap : tap * K + k)];
          const o = DST + c * plane + iy * inW + ix;
          f32[o] = fr(f32[o] + fr(w * d));
          reads += 1;
        }
      }
    }
  }
  bump(m, cnt, LEARN_ERROR_EVALS, C * plane);
  bump(m, cnt, SYN_READS, reads);
}

/** Output neurons one input (iy, ix) is connected to: valid offsets x perOffset (K, or 1 depthwise). */
function fanOut(iy: number, ix: number, oH: number, oW: number, kh: number, kw: number, s: number, pad: number, perOffset: number): number {
  let ny = 0, nx = 0;
  for (let dy = 0; dy < kh; dy++) {
    const ty = iy + pad - dy;
    if (ty < 0) break;
    const oy = idiv(ty, s);
    if (oy * s === ty && oy < oH) ny++;
  }
  for (let dx = 0; dx < kw; dx++) {
    const tx = ix + pad - dx;
    if (tx < 0) break;
    const ox = idiv(tx, s);
    if (ox * s === tx && ox < oW) nx++;
  }
  return ny * nx * perOffset;
}

export function convTraceSynapses(m: Mem, geo: number, ePtr: number, idxPtr: number, valPtr: number, nEv: number, analog: number, leakPtr: number, cnt: number): void {
  const f32 = m.f32, i32 = m.i32, G = geo >>> 2;
  const C = i32[G + GEO_IN_C], inH = i32[G + GEO_IN_H], inW = i32[G + GEO_IN_W];
  const K = i32[G + GEO_OUT_C], oH = i32[G + GEO_OUT_H], oW = i32[G + GEO_OUT_W];
  const kh = i32[G + GEO_KH], kw = i32[G + GEO_KW], s = i32[G + GEO_STRIDE], pad = i32[G + GEO_PAD];
  const perOffset = i32[G + GEO_DEPTHWISE] ? 1 : K;
  const plane = inH * inW, nIn = C * plane;
  const E = ePtr >>> 2, IX = idxPtr >>> 2, VX = valPtr >>> 2;
  const alpha = f32[leakPtr >>> 2];
  let k = 0, dense = 0;
  for (let j = 0; j < nIn; j++) {
    let v = 0;
    if (k < nEv && i32[IX + k] === j) {
      v = analog ? f32[VX + k] : 1;
      k++;
    }
    const e = fr(fr(alpha * f32[E + j]) + v);
    f32[E + j] = e;
    if (e !== 0) {
      const r = j % plane, iy = idiv(r, inW), ix = r - iy * inW;
      dense += fanOut(iy, ix, oH, oW, kh, kw, s, pad, perOffset);
    }
  }
  bump(m, cnt, LEARN_DENSE, dense);
  bump(m, cnt, TRACE_UPDATES, nIn);
}

export function convStopGrad(
  m: Mem, geo: number, gPtr: number, gbPtr: number, eWPtr: number, ebPtr: number, deltaPtr: number, activeIdxPtr: number, nActive: number,
  learnTL: number, ethPtr: number, eaPtr: number, gthPtr: number, gaPtr: number, cnt: number,
): void {
  if (nActive === 0) return;
  const f32 = m.f32, i32 = m.i32, G = geo >>> 2;
  const C = i32[G + GEO_IN_C], inH = i32[G + GEO_IN_H], inW = i32[G + GEO_IN_W];
  const K = i32[G + GEO_OUT_C], oH = i32[G + GEO_OUT_H], oW = i32[G + GEO_OUT_W];
  const kh = i32[G + GEO_KH], kw = i32[G + GEO_KW], s = i32[G + GEO_STRIDE], pad = i32[G + GEO_PAD];
  const dw = i32[G + GEO_DEPTHWISE];
  const P = oH * oW, plane = inH * inW;
  const GW = gPtr >>> 2, GB = gbPtr >>> 2, EW = eWPtr >>> 2, D = deltaPtr >>> 2, A = activeIdxPtr >>> 2;
  const ETH = ethPtr >>> 2, EA = eaPtr >>> 2, GTH = gthPtr >>> 2, GA = gaPtr >>> 2;
  const eb = f32[ebPtr >>> 2];
  let issued = 0, reads = 0, neuronUpdates = 0;
  for (let a = 0; a < nActive; a++) {
    const i = i32[A + a];
    const k = idiv(i, P), pos = i - k * P, oy = idiv(pos, oW), ox = pos - oy * oW;
    const d = f32[D + i];
    const c0 = dw ? k : 0, c1 = dw ? k + 1 : C;
    for (let c = c0; c < c1; c++) {
      for (let dy = 0; dy < kh; dy++) {
        const iy = oy * s - pad + dy;
        if (iy < 0) continue;
        if (iy >= inH) break;
        for (let dx = 0; dx < kw; dx++) {
          const ix = ox * s - pad + dx;
          if (ix < 0) continue;
          if (ix >= inW) break;
          const e = f32[EW + c * plane + iy * inW + ix];
          reads += 1;
          const ct = fr(d * e);
          if (ct !== 0) {
            const tap = (c * kh + dy) * kw + dx;
            const q = GW + (dw ? tap : tap * K + k);
            f32[q] = fr(f32[q] + ct);
            issued++;
          }
        }
      }
    }
    const cb = fr(d * eb);
    f32[GB + k] = fr(f32[GB + k] + cb);
    if (cb !== 0) neuronUpdates++;
    if (learnTL) neuronUpdates += thresholdLeakGrad(f32, d, i, ETH, EA, GTH, GA);
  }
  reads += nActive * (learnTL ? 3 : 1);
  bump(m, cnt, TRACE_READS, reads);
  bump(m, cnt, LEARN_UPDATES, issued);
  bump(m, cnt, LEARN_BIAS_UPDATES, neuronUpdates);
}

export function convStopStep(
  m: Mem, geo: number, wPtr: number, bPtr: number, eWPtr: number, ebPtr: number, deltaPtr: number, activeIdxPtr: number, nActive: number, lrW: number,
  learnTL: number, ethPtr: number, eaPtr: number, thrPtr: number, leakPtr: number, lrTL: number, minParam: number, cnt: number,
): void {
  if (nActive === 0) return;
  const f32 = m.f32, i32 = m.i32, G = geo >>> 2;
  const C = i32[G + GEO_IN_C], inH = i32[G + GEO_IN_H], inW = i32[G + GEO_IN_W];
  const K = i32[G + GEO_OUT_C], oH = i32[G + GEO_OUT_H], oW = i32[G + GEO_OUT_W];
  const kh = i32[G + GEO_KH], kw = i32[G + GEO_KW], s = i32[G + GEO_STRIDE], pad = i32[G + GEO_PAD];
  const dw = i32[G + GEO_DEPTHWISE];
  const P = oH * oW, plane = inH * inW;
  const W = wPtr >>> 2, B = bPtr >>> 2, EW = eWPtr >>> 2, D = deltaPtr >>> 2, A = activeIdxPtr >>> 2;
  const ETH = ethPtr >>> 2, EA = eaPtr >>> 2, TH = thrPtr >>> 2, LK = leakPtr >>> 2;
  const lw = fr(lrW), lt = fr(lrTL), lo = fr(minParam);
  const eb = f32[ebPtr >>> 2];
  let issued = 0, reads = 0, neuronUpdates = 0, leakSum = 0;
  for (let a = 0; a < nActive; a++) {
    const i = i32[A + a];
    const k = idiv(i, P), pos = i - k * P, oy = idiv(pos, oW), ox = pos - oy * oW;
    const d = f32[D + i];
    const c0 = dw ? k : 0, c1 = dw ? k + 1 : C;
    for (let c = c0; c < c1; c++) {
      for (let dy = 0; dy < kh; dy++) {
        const iy = oy * s - pad + dy;
        if (iy < 0) continue;
        if (iy >= inH) break;
        for (let dx = 0; dx < kw; dx++) {
          const ix = ox * s - pad + dx;
          if (ix < 0) continue;
          if (ix >= inW) break;
          const e = f32[EW + c * plane + iy * inW + ix];
          reads += 1;
          const ct = fr(d * e);
          if (ct !== 0) {
            const tap = (c * kh + dy) * kw + dx;
            const q = W + (dw ? tap : tap * K + k);
            f32[q] = fr(f32[q] - fr(lw * ct));
            issued++;
          }
        }
      }
    }
    const cb = fr(d * eb);
    if (cb !== 0) {
      f32[B + k] = fr(f32[B + k] - fr(lw * cb));
      neuronUpdates++;
    }
    if (learnTL) {
      neuronUpdates += thresholdStep(f32, d, i, ETH, TH, lt, lo);
      const ca = fr(d * f32[EA + i]);
      leakSum = fr(leakSum + ca);
      if (ca !== 0) neuronUpdates++;
    }
  }
  if (learnTL) f32[LK] = clampParam(fr(f32[LK] - fr(lt * leakSum)), lo, 1);
  reads += nActive * (learnTL ? 3 : 1);
  bump(m, cnt, TRACE_READS, reads);
  bump(m, cnt, LEARN_UPDATES, issued);
  bump(m, cnt, LEARN_BIAS_UPDATES, neuronUpdates);
  bump(m, cnt, LEARN_WEIGHT_WRITES, issued);
}
