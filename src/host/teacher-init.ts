/**
 * What both teacher arithmetics (f32: teacher-engine.ts, f64: teacher-f64.ts, cnn-f64.ts) start
 * from, drawn from the one Rng(seed) in the same order: the initial weights (He-normal for the
 * clipped layers, Glorot-normal for the logits, biases 0, pooling weights 1/(kh*kw)), and the
 * random translation of a training image (`shift`).
 */
import type { Rng } from './rng.js';
import type { Net } from '../net/file.js';
import { convFanIn, convWeightCount } from '../reference/conv.js';
import type { Teacher, TeacherLayer } from './teacher-types.js';

/** He-normal (clipped-ReLU layers) or Glorot-normal (linear output) weights, zero biases. */
function initDense(nIn: number, nOut: number, isOutput: boolean, rng: Rng): TeacherLayer {
  const std = isOutput ? Math.sqrt(2 / (nIn + nOut)) : Math.sqrt(2 / nIn);
  const weights = new Float32Array(nOut * nIn);
  for (let k = 0; k < weights.length; k++) weights[k] = std * rng.normal();
  return { nIn, nOut, weights, bias: new Float32Array(nOut) };
}

/** The MLP teacher of widths `sizes`, initialised layer by layer from rng. */
export function initMlpTeacher(sizes: number[], clip: number, rng: Rng): Teacher {
  const L = sizes.length - 1;
  const layers: TeacherLayer[] = [];
  for (let l = 0; l < L; l++) layers.push(initDense(sizes[l], sizes[l + 1], l === L - 1, rng));
  return { sizes, clip, layers };
}

/** The teacher's layers for a net, initialised (He / Glorot normal, pool weights 1/(kh*kw)). */
export function initNetTeacher(net: Net, rng: Rng, clip = 1): Teacher {
  const L = net.layers.length;
  const layers: TeacherLayer[] = net.layers.map((nl, l) => {
    if (nl.conv) {
      const g = nl.conv;
      const weights = new Float32Array(convWeightCount(g));
      if (nl.type === 'pool') weights.fill(1 / (g.kernelHeight * g.kernelWidth));
      else {
        const std = Math.sqrt(2 / convFanIn(g));
        for (let k = 0; k < weights.length; k++) weights[k] = std * rng.normal();
      }
      return { nIn: nl.nIn, nOut: nl.nOut, weights, bias: new Float32Array(g.channels), conv: g, ...(nl.type === 'pool' ? { fixed: true } : {}) };
    }
    const isOutput = l === L - 1;
    const std = isOutput ? Math.sqrt(2 / (nl.nIn + nl.nOut)) : Math.sqrt(2 / nl.nIn);
    const weights = new Float32Array(nl.nOut * nl.nIn);
    for (let k = 0; k < weights.length; k++) weights[k] = std * rng.normal();
    return { nIn: nl.nIn, nOut: nl.nOut, weights, bias: new Float32Array(nl.nOut) };
  });
  return { sizes: [net.layers[0].nIn, ...net.layers.map((l) => l.nOut)], clip, layers };
}

/** out = the width x width image at x[offset..] moved by dx columns and dy rows, zero fill. */
export function translate(x: Float32Array, offset: number, width: number, dx: number, dy: number, out: Float32Array): void {
  out.fill(0);
  for (let r = 0; r < width; r++) {
    const rSrc = r - dy;
    if (rSrc < 0 || rSrc >= width) continue;
    for (let c = 0; c < width; c++) {
      const cSrc = c - dx;
      if (cSrc >= 0 && cSrc < width) out[r * width + c] = x[offset + rSrc * width + cSrc];
    }
  }
}

