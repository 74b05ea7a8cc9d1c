/**
 * The earlier CNN teacher's training loop, kept reachable (`precision: 'f64'`) so that runs
 * made before the f32 wasm teacher (teacher-engine.ts) can be reproduced bit for bit, and so that
 * the bench can time the two in one run. Unchanged: sums in f64, weights and activations in f32;
 * the forward pass is teacherForwardF64 itself.
 *
 * Work follows the nonzero inputs: a convolution scatters each nonzero input over the outputs
 * it reaches, the weight gradient is gathered the same way, and the input gradient is computed
 * only where the layer below passes one (0 < a < c for a clipped layer; everywhere for a pool).
 */
import type { Rng } from './rng.js';
import type { Dataset } from './mnist.js';
import { inputTaps } from './conv-forward.js';
import type { ConvGeometry } from '../model/types.js';
import { convFanIn } from '../reference/conv.js';
import { adam, adamStepSize } from './adam.js';
import type { Teacher } from './teacher-types.js';
import { teacherForwardF64 } from './teacher-f64.js';

/** gW[k, c, dy, dx] += Σ d[k, oy, ox] · x[c, iy, ix] over the nonzero inputs; gB[k] += Σ_p d[k, p]. */
function convGrad(g: ConvGeometry, x: Float32Array, xOffset: number, d: Float64Array, gW: Float64Array, gB: Float64Array): void {
  const K = g.channels, P = g.height * g.width, taps = convFanIn(g), nIn = g.inChannels * g.inHeight * g.inWidth;
  const K1 = g.depthwise ? 1 : K;
  const t = inputTaps(g);
  for (let k = 0; k < K; k++) {
    let sum = 0;
    for (let p = k * P, e = p + P; p < e; p++) sum += d[p];
    gB[k] += sum;
  }
  for (let j = 0; j < nIn; j++) {
    const v = x[xOffset + j];
    if (v === 0) continue;
    for (let e = t.start[j], end = t.start[j + 1]; e < end; e++) {
      for (let k = 0, o = t.out[e], wi = t.w[e]; k < K1; k++, o += P, wi += taps) gW[wi] += d[o] * v;
    }
  }
}

/** dX[c, iy, ix] = Σ W[k, c, dy, dx] · d[k, oy, ox] where `pass(j)`; 0 elsewhere. */
function convBackInput(g: ConvGeometry, w: Float32Array, d: Float64Array, dX: Float64Array, pass: (j: number) => boolean): void {
  const K = g.channels, P = g.height * g.width, taps = convFanIn(g), nIn = g.inChannels * g.inHeight * g.inWidth;
  const K1 = g.depthwise ? 1 : K;
  const t = inputTaps(g);
  for (let j = 0; j < nIn; j++) {
    if (!pass(j)) {
      dX[j] = 0;
      continue;
    }
    let sum = 0;
    for (let e = t.start[j], end = t.start[j + 1]; e < end; e++) {
      for (let k = 0, o = t.out[e], wi = t.w[e]; k < K1; k++, o += P, wi += taps) sum += w[wi] * d[o];
    }
    dX[j] = sum;
  }
}

/** Train the initialised net teacher in place (checked and initialised by cnn.ts trainNetTeacher). */
export function trainNetTeacherF64(
  teacher: Teacher, train: Dataset, opts: { epochs: number; learningRate: number; batchSize: number; schedule: 'cosine' | 'constant' },
  rng: Rng, onEpoch?: (epoch: number, loss: number) => void,
): void {
  const L = teacher.layers.length;
  const classes = teacher.layers[L - 1].nOut;
  const clip = teacher.clip;
  const schedule = opts.schedule;
  const totalSteps = opts.epochs * Math.ceil(train.n / opts.batchSize);
  const layers = teacher.layers;
  const trainable = layers.map((l) => !l.fixed);
  const acts = layers.map((layer) => new Float32Array(layer.nOut));
  const delta = layers.map((l) => new Float64Array(l.nOut));
  const gW = layers.map((l) => new Float64Array(l.fixed ? 0 : l.weights.length));
  const gB = layers.map((l) => new Float64Array(l.bias.length));
  const mom = layers.map((l) => ({ w: new Float64Array(l.weights.length), b: new Float64Array(l.bias.length) }));
  const vel = layers.map((l) => ({ w: new Float64Array(l.weights.length), b: new Float64Array(l.bias.length) }));
  const nz = new Int32Array(Math.max(...teacher.sizes));
  const order = new Int32Array(train.n).map((_, i) => i);
  const logits = acts[L - 1];
  let step = 0;

  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    rng.shuffle(order);
    let lossSum = 0;
    for (let start = 0; start < train.n; start += opts.batchSize) {
      const end = Math.min(start + opts.batchSize, train.n);
      for (let l = 0; l < L; l++) {
        gW[l].fill(0);
        gB[l].fill(0);
      }
      for (let p = start; p < end; p++) {
        const s = order[p];
        const label = train.labels[s];
        const off = s * train.size;
        teacherForwardF64(teacher, train.images, off, acts);
        // softmax cross-entropy: ∂loss/∂z = softmax(z) - onehot
        let zMax = logits[0];
        for (let i = 1; i < classes; i++) if (logits[i] > zMax) zMax = logits[i];
        let sumExp = 0;
        const dOut = delta[L - 1];
        for (let i = 0; i < classes; i++) {
          const e = Math.exp(logits[i] - zMax);
          dOut[i] = e;
          sumExp += e;
        }
        lossSum += Math.log(sumExp) - (logits[label] - zMax);
        for (let i = 0; i < classes; i++) dOut[i] /= sumExp;
        dOut[label] -= 1;

        for (let l = L - 1; l >= 0; l--) {
          const layer = layers[l];
          const d = delta[l];
          const inp = l === 0 ? train.images : acts[l - 1];
          const inOff = l === 0 ? off : 0;
          if (layer.conv) {
            if (trainable[l]) convGrad(layer.conv, inp, inOff, d, gW[l], gB[l]);
          } else {
            const { nIn, nOut } = layer;
            let count = 0;
            for (let j = 0; j < nIn; j++) if (inp[inOff + j] !== 0) nz[count++] = j;
            const g = gW[l], gb = gB[l];
            for (let i = 0; i < nOut; i++) {
              const di = d[i];
              gb[i] += di;
              if (di === 0) continue;
              const row = i * nIn;
              for (let q = 0; q < count; q++) {
                const j = nz[q];
                g[row + j] += di * inp[inOff + j];
              }
            }
          }
          if (l === 0) break;
          // δ of the layer below, where it passes a gradient: everywhere below a pool (linear),
          // where 0 < a < c below a clipped layer.
          const below = acts[l - 1];
          const linear = !!layers[l - 1].fixed;
          const pass = (j: number) => linear || (below[j] > 0 && below[j] < clip);
          const dPrev = delta[l - 1];
          if (layer.conv) {
            convBackInput(layer.conv, layer.weights, d, dPrev, pass);
          } else {
            const { nIn, nOut, weights: w } = layer;
            dPrev.fill(0);
            for (let i = 0; i < nOut; i++) {
              const di = d[i];
              if (di === 0) continue;
              const row = i * nIn;
              for (let j = 0; j < nIn; j++) dPrev[j] += w[row + j] * di;
            }
            for (let j = 0; j < nIn; j++) if (!pass(j)) dPrev[j] = 0;
          }
        }
      }
      step++;
      const scale = 1 / (end - start);
      const lrHat = adamStepSize(opts.learningRate, schedule, step, totalSteps);
      for (let l = 0; l < L; l++) {
        if (!trainable[l]) continue;
        adam(layers[l].weights, gW[l], mom[l].w, vel[l].w, scale, lrHat);
        adam(layers[l].bias, gB[l], mom[l].b, vel[l].b, scale, lrHat);
      }
    }
    onEpoch?.(epoch, lossSum / train.n);
  }
}
