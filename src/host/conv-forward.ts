/**
 * The f64 teacher's convolution on the host (teacher-f64.ts's forward pass, and the tap table
 * that cnn-f64.ts walks again for its gradients), and the FLOP count of a convolution that
 * teacher.ts reports for either arithmetic. The f32 teacher convolves with im2col and the
 * wasm products instead (teacher-engine.ts).
 */
import type { ConvGeometry } from '../model/types.js';
import { convFanIn } from '../reference/conv.js';

/** What the forward pass reads of a teacher layer (teacher.ts TeacherLayer). */
export interface ConvLayer { conv?: ConvGeometry; weights: Float32Array; bias: Float32Array }

let zScratch = new Float64Array(0);

/** Valid kernel taps along one axis for output position o: #{d in [0, k) : 0 <= o*s + d - pad < n}. */
function tapsAt(o: number, k: number, s: number, pad: number, n: number): number {
  const lo = Math.max(0, pad - o * s), hi = Math.min(k, n + pad - o * s);
  return Math.max(0, hi - lo);
}

/** Multiply-adds of a convolution (padding taps left out), counted as 2 FLOPs each. */
export function convFlops(g: ConvGeometry): number {
  let ty = 0, tx = 0;
  for (let oy = 0; oy < g.height; oy++) ty += tapsAt(oy, g.kernelHeight, g.stride, g.padding, g.inHeight);
  for (let ox = 0; ox < g.width; ox++) tx += tapsAt(ox, g.kernelWidth, g.stride, g.padding, g.inWidth);
  return 2 * ty * tx * g.channels * (g.depthwise ? 1 : g.inChannels);
}

/**
 * The connections of a convolution, derived once per geometry: for input j (channel-major
 * index), taps start[j] .. start[j + 1] - 1 in kernel-offset order (dy, then dx), each the
 * output it reaches (`out`: the position, or c*P + position for a depthwise layer, whose
 * channel k is c) and the weight it reads (`w`: (c*kh + dy)*kw + dx; output channel k reads
 * w + k * taps and reaches out + k * P). Forward, weight gradient and input gradient all walk it.
 */
export interface InputTaps { start: Int32Array; out: Int32Array; w: Int32Array }

const tapCache = new WeakMap<ConvGeometry, InputTaps>();

export function inputTaps(g: ConvGeometry): InputTaps {
  const cached = tapCache.get(g);
  if (cached) return cached;
  const C = g.inChannels, H = g.inHeight, W = g.inWidth, OH = g.height, OW = g.width;
  const kh = g.kernelHeight, kw = g.kernelWidth, s = g.stride, pad = g.padding;
  const P = OH * OW, plane = H * W, nIn = C * plane;
  const start = new Int32Array(nIn + 1), out: number[] = [], w: number[] = [];
  for (let j = 0; j < nIn; j++) {
    start[j] = out.length;
    const c = (j / plane) | 0, r = j - c * plane, iy = (r / W) | 0, ix = r - iy * W;
    for (let dy = 0; dy < kh; dy++) {
      const ty = iy + pad - dy;
      if (ty < 0) break;
      const oy = (ty / s) | 0;
      if (oy * s !== ty || oy >= OH) continue;
      for (let dx = 0; dx < kw; dx++) {
        const tx = ix + pad - dx;
        if (tx < 0) break;
        const ox = (tx / s) | 0;
        if (ox * s !== tx || ox >= OW) continue;
        const pos = oy * OW + ox;
        out.push(g.depthwise ? c * P + pos : pos);
        w.push((c * kh + dy) * kw + dx);
      }
    }
  }
  start[nIn] = out.length;
  const t = { start, out: Int32Array.from(out), w: Int32Array.from(w) };
  tapCache.set(g, t);
  return t;
}

/**
 * One convolution (or pooling) layer: out = act(conv(W, x[xOffset ..]) + b). act is the clipped
 * ReLU when clip is given, identity otherwise. Each output's sum runs over the nonzero inputs in
 * increasing index, then offsets (dy, dx) in order, then the bias is added.
 */
export function convForward(layer: ConvLayer, x: Float32Array, xOffset: number, out: Float32Array, clip: number | undefined): void {
  const g = layer.conv as ConvGeometry;
  const K = g.channels, P = g.height * g.width, taps = convFanIn(g), n = K * P, nIn = g.inChannels * g.inHeight * g.inWidth;
  const K1 = g.depthwise ? 1 : K;
  const t = inputTaps(g);
  if (zScratch.length < n) zScratch = new Float64Array(n);
  const z = zScratch;
  z.fill(0, 0, n);
  const w = layer.weights;
  for (let j = 0; j < nIn; j++) {
    const v = x[xOffset + j];
    if (v === 0) continue;
    for (let e = t.start[j], end = t.start[j + 1]; e < end; e++) {
      for (let k = 0, o = t.out[e], wi = t.w[e]; k < K1; k++, o += P, wi += taps) z[o] += w[wi] * v;
    }
  }
  const b = layer.bias;
  for (let k = 0; k < K; k++) {
    const bk = b[k];
    for (let p = k * P, e = p + P; p < e; p++) {
      let a = z[p] + bk;
      if (clip !== undefined) a = a <= 0 ? 0 : a >= clip ? clip : a;
      out[p] = a;
    }
  }
}
