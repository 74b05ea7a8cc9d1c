/**
 * The ANN teacher of a network with convolutions (issue 7): the layers of a net file
 * (src/net/file.ts) as an ANN on the host, trained like the MLP teacher of teacher.ts, so that
 * every chip layer has a teacher layer whose activation is its target (ALGORITHMS §5).
 *
 *   conv layer:   a = clip(conv(W, a_below) + b)     W: K x C x kh x kw, b: one per channel
 *   pool layer:   a = avgpool(a_below)               fixed weights 1/(kh*kw), no bias, no clip
 *   dense hidden: a = clip(W · a_below + b)          (a conv volume is flattened channel-major)
 *   last layer:   logits = W · a_below + b
 *
 * Activations are stored channel-major, as the chip's neurons: neuron (k, y, x) of a conv layer
 * is value (k*OH + y)*OW + x. The clip (clipped ReLU, c = 1) bounds the activations as a spike
 * rate is bounded; an average pooling of clipped activations stays in [0, c], so it needs none.
 *
 * Training (as teacher.ts): softmax cross-entropy, mini-batch Adam (β1 0.9, β2 0.999, ε 1e-8,
 * bias correction folded into the step size), learning rate cosine-annealed to 0 over all
 * steps by default; He-normal init for the clipped layers (std sqrt(2 / fan-in), fan-in
 * C*kh*kw for a convolution), Glorot-normal for the logits, biases 0; the order reshuffled
 * every epoch; one Rng(seed) for everything; sums in f64, weights and activations in f32. The
 * forward pass is teacherForward itself, so training and inference agree bit for bit.
 *
 * Work follows the nonzero inputs: a convolution scatters each nonzero input over the outputs
 * it reaches, the weight gradient is gathered the same way, and the input gradient is computed
 * only where the layer below passes one (0 < a < c for a clipped layer; everywhere for a pool).
 */
import { Rng } from './rng.js';
import type { Dataset } from './mnist.js';
import { teacherActs, teacherForward, type Teacher, type TeacherLayer } from './teacher.js';
import { inputTaps } from './conv-forward.js';
import type { ConvGeometry } from '../model/types.js';
import { convFanIn, convWeightCount } from '../reference/conv.js';
import type { Net } from '../net/file.js';
import { adam, adamStepSize } from './adam.js';

export interface NetTeacherOptions {
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
  /** clipped-ReLU bound c (default 1) */
  clip?: number;
  /** 'cosine' (default) or 'constant' */
  schedule?: 'cosine' | 'constant';
}

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

/** Train the teacher of a net (with convolutions) on `train`; see the header for the method. */
export function trainNetTeacher(train: Dataset, net: Net, opts: NetTeacherOptions, onEpoch?: (epoch: number, loss: number) => void): Teacher {
  if (!Number.isInteger(opts.epochs) || opts.epochs < 0) throw new RangeError(`trainNetTeacher: epochs must be an integer >= 0, got ${opts.epochs}`);
  if (!(opts.learningRate > 0) || !Number.isFinite(opts.learningRate)) throw new RangeError(`trainNetTeacher: learningRate must be finite and > 0, got ${opts.learningRate}`);
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new RangeError(`trainNetTeacher: batchSize must be a positive integer, got ${opts.batchSize}`);
  const rng = new Rng(opts.seed);
  const clip = opts.clip ?? 1;
  const teacher = initNetTeacher(net, rng, clip);
  const L = teacher.layers.length;
  const classes = teacher.layers[L - 1].nOut;
  if (train.size !== teacher.sizes[0]) throw new RangeError(`trainNetTeacher: samples have ${train.size} values, the network takes ${teacher.sizes[0]}`);
  for (let s = 0; s < train.n; s++) {
    if (train.labels[s] >= classes) throw new RangeError(`trainNetTeacher: label ${train.labels[s]} of sample ${s} is not < classes (${classes})`);
  }
  if (train.n === 0) return teacher;
  const schedule = opts.schedule ?? 'cosine';
  const totalSteps = opts.epochs * Math.ceil(train.n / opts.batchSize);
  const layers = teacher.layers;
  const trainable = layers.map((l) => !l.fixed);
  const acts = teacherActs(teacher);
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
        teacherForward(teacher, train.images, off, acts);
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
  return teacher;
}

