// Test helper: a convolution's connections enumerated the slow, obvious way (for every neuron,
// every kernel offset that lands inside the input), to check the event-driven kernels against.
import type { ConvGeometry } from '../../src/model/types.js';

/** Every connection of a geometry: neuron i, input j, stored weight index (row (c, dy, dx), column k) and paper index. */
export function connections(g: ConvGeometry): { i: number; j: number; stored: number; paper: number }[] {
  const out: { i: number; j: number; stored: number; paper: number }[] = [];
  const K = g.channels, C = g.inChannels, kh = g.kernelHeight, kw = g.kernelWidth;
  for (let k = 0; k < K; k++) {
    for (let oy = 0; oy < g.height; oy++) {
      for (let ox = 0; ox < g.width; ox++) {
        for (let c = 0; c < C; c++) {
          if (g.depthwise && c !== k) continue;
          for (let dy = 0; dy < kh; dy++) {
            for (let dx = 0; dx < kw; dx++) {
              const iy = oy * g.stride - g.padding + dy, ix = ox * g.stride - g.padding + dx;
              if (iy < 0 || iy >= g.inHeight || ix < 0 || ix >= g.inWidth) continue;
              const tap = (c * kh + dy) * kw + dx;
              out.push({
                i: (k * g.height + oy) * g.width + ox, j: (c * g.inHeight + iy) * g.inWidth + ix,
                stored: g.depthwise ? tap : tap * K + k, paper: g.depthwise ? tap : (k * C + c) * kh * kw + (dy * kw + dx),
              });
            }
          }
        }
      }
    }
  }
  return out;
}

