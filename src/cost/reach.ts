/**
 * Which presynaptic neurons a core holding part of a convolution (or pooling) listens to.
 *
 * A dense layer's neuron sees every neuron below, so every core holding part of it needs every
 * spike of the layer below. A convolution's neuron (k, oy, ox) sees only its receptive field,
 * the inputs (c, oy*s + dy - pad, ox*s + dx - pad) for every input channel c (depthwise: c = k)
 * and kernel offset (dy, dx) inside the image. A core holding neurons [first, first + count)
 * (channel-major) therefore needs the spikes of the union of their receptive fields only: a
 * spike elsewhere is not routed to it and activates no synaptic row there. This is what the
 * mapping's routing tables would do on a chip with a conv-aware compiler (Loihi's axon routing
 * is per core: a neuron's fan-out lists only the cores it projects to).
 *
 * `convReach(g, first, count)` marks the receptive fields of the slice once (a mask over input
 * positions per input channel, with prefix sums), then `reached(a, n)` counts how many of the
 * presynaptic neurons [a, a + n) project into the slice, in O(channels touched).
 */
import type { ConvGeometry } from '../model/types.js';

export interface ConvReach {
  /** Presynaptic neurons in [a, a + n) with at least one synapse onto the slice. */
  reached(a: number, n: number): number;
  /** Fraction of all the layer's presynaptic neurons that project into the slice. */
  readonly fraction: number;
}

/** Receptive-field reach of neurons [first, first + count) of a convolution; see the header. */
export function convReach(g: ConvGeometry, first: number, count: number): ConvReach {
  const H = g.inHeight, W = g.inWidth, OH = g.height, OW = g.width, P = OH * OW, plane = H * W;
  const kh = g.kernelHeight, kw = g.kernelWidth, s = g.stride, pad = g.padding;
  const kFirst = Math.floor(first / P), kLast = Math.floor((first + count - 1) / P);
  // mark[r][pos] for mask r: one mask shared by all input channels (a full convolution: every
  // channel sees the same positions), or one per output channel k = c (depthwise).
  const masks = g.depthwise ? kLast - kFirst + 1 : 1;
  const mark = Array.from({ length: masks }, () => new Uint8Array(plane));
  const full = new Uint8Array(masks);
  for (let k = kFirst; k <= kLast; k++) {
    const m = g.depthwise ? k - kFirst : 0;
    if (full[m]) continue;
    const lo = Math.max(first, k * P) - k * P, hi = Math.min(first + count, (k + 1) * P) - k * P; // positions [lo, hi)
    if (!g.depthwise && lo === 0 && hi === P) full[m] = 1; // a whole channel: every position of the plane it reaches
    const mk = mark[m];
    for (let p = lo; p < hi; p++) {
      const oy = Math.floor(p / OW), ox = p - oy * OW;
      for (let dy = 0; dy < kh; dy++) {
        const iy = oy * s + dy - pad;
        if (iy < 0 || iy >= H) continue;
        for (let dx = 0; dx < kw; dx++) {
          const ix = ox * s + dx - pad;
          if (ix >= 0 && ix < W) mk[iy * W + ix] = 1;
        }
      }
    }
  }
  // prefix[m][q] = marked positions among the first q of the plane.
  const prefix = mark.map((mk) => {
    const pre = new Int32Array(plane + 1);
    for (let q = 0; q < plane; q++) pre[q + 1] = pre[q] + mk[q];
    return pre;
  });
  const reached = (a: number, n: number): number => {
    if (n <= 0) return 0;
    let total = 0;
    const cFirst = Math.floor(a / plane), cLast = Math.floor((a + n - 1) / plane);
    for (let c = cFirst; c <= cLast; c++) {
      const m = g.depthwise ? c - kFirst : 0;
      if (m < 0 || m >= masks) continue; // depthwise: channel c feeds only output channel c
      const lo = Math.max(a, c * plane) - c * plane, hi = Math.min(a + n, (c + 1) * plane) - c * plane;
      total += prefix[m][hi] - prefix[m][lo];
    }
    return total;
  };
  const nIn = g.inChannels * plane;
  return { reached, fraction: reached(0, nIn) / nIn };
}
