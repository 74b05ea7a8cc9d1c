/**
 * The f32 teacher: the MLP's and the CNN's forward pass, back-propagation and Adam, run by the
 * wasm SIMD kernels of assembly/teacher.ts (teacher-kernels.ts) on one arena laid out once.
 *
 *   dense layer:  A_l = act(A_{l-1} · W_l^T + b_l)        one product over the whole batch
 *   conv layer:   per sample, cols = im2col(a_{l-1}), a_l = act(W_l · cols + b_l)    (gemmNN)
 *   pool layer:   the same per channel (depthwise, fixed weights 1/(kh*kw), no act)
 *   gradients:    gW_l += D_l^T · A_{l-1} (dense) or D_l · cols^T (conv), gb_l += column / row
 *                 sums (products with a vector of ones), D_{l-1} = D_l · W_l (dense) or
 *                 col2im(W_l^T · D_l) (conv), then 0 where the clipped ReLU below is flat
 *   Adam:         on the batch-mean gradient, f32 moments, step size from adam.ts
 *
 * act is the clipped ReLU min(max(z, 0), c) on hidden layers (none on the logits and on pools).
 * Softmax cross-entropy is taken on the host in f64 (10 exponentials per sample; wasm's exp is
 * not V8's, so it stays on one side), its gradient stored in f32. Every sum has a fixed order
 * (the kernels' dot rule and k order), so a seed fixes the weights bit for bit, on either backend.
 * Inference (teacherForward, calibration, targets) runs an engine of one sample on the teacher's
 * own row-major weights (a dense layer is then a gemmNT, dot rule, where training multiplies by
 * W^T with gemmNN to skip zero inputs): its activations equal training's to f32 rounding, not
 * bit for bit; a seed still fixes both.
 */
import type { Dataset } from './mnist.js';
import type { Rng } from './rng.js';
import type { Teacher, TeacherLoopOptions } from './teacher-types.js';
import { adamStepSize } from './adam.js';
import { translate } from './teacher-init.js';
import { createTeacherKernels, INIT_ACC, INIT_ZERO, INIT_BIAS_COL, INIT_BIAS_ROW, type TeacherBackend, type TeacherKernels } from './teacher-kernels.js';

/** Byte pointers of one layer's buffers in the arena (0: not allocated). */
interface LayerSlots {
  w: number; b: number;
  gw: number; gb: number; mw: number; vw: number; mb: number; vb: number;
  /** activations and their gradient, batch x nOut */
  a: number; d: number;
  /** conv: im2col of each sample of the batch ((C*kh*kw) x P, kept from forward for the weight gradient), and one gradient of it */
  cols: number; colsSize: number; dcols: number;
}

/** The f32 teacher on one arena: weights, and for training, gradients, moments and batch buffers. */
export class TeacherEngine {
  readonly k: TeacherKernels;
  readonly slots: LayerSlots[];
  /** input rows, batch x sizes[0] */
  readonly x: number;
  readonly batch: number;
  private readonly ones: number;
  private readonly pack: number;
  private readonly clip: number;
  /** t.clip and t.layers.length when the engine was made (an inference engine is remade when they change) */
  readonly clipOf: number;
  readonly layerCount: number;
  /** every layer's weights and biases as views of the arena (params) */
  readonly views: { weights: Float32Array; bias: Float32Array }[];

  constructor(readonly t: Teacher, batch: number, readonly training: boolean, backend: TeacherBackend = 'wasm') {
    this.batch = batch;
    this.clip = t.clip;
    this.clipOf = t.clip;
    const L = t.layers.length;
    let bytes = 16; // no buffer at offset 0, so that 0 can mean 'none'
    const take = (floats: number): number => {
      const at = bytes;
      bytes += Math.ceil((floats * 4) / 16) * 16;
      return at;
    };
    const slots: LayerSlots[] = [];
    let onesLen = batch, packLen = batch;
    for (let l = 0; l < L; l++) {
      const layer = t.layers[l];
      const trains = training && !layer.fixed;
      const nw = layer.weights.length, nb = layer.bias.length;
      let cols = 0, colsSize = 0, dcols = 0;
      const g = layer.conv;
      if (g) {
        if (g.depthwise && !layer.fixed) throw new RangeError('teacher: a depthwise convolution must be a fixed pooling');
        const P = g.height * g.width, kk = g.kernelHeight * g.kernelWidth;
        colsSize = g.inChannels * P * kk;
        cols = take(batch * colsSize);
        if (training) dcols = take(colsSize);
        onesLen = Math.max(onesLen, P);
        packLen = Math.max(packLen, g.inChannels * kk, g.channels);
      } else {
        packLen = Math.max(packLen, layer.nIn);
      }
      slots.push({
        w: take(nw), b: take(nb),
        gw: trains ? take(nw) : 0, gb: trains ? take(nb) : 0,
        mw: trains ? take(nw) : 0, vw: trains ? take(nw) : 0, mb: trains ? take(nb) : 0, vb: trains ? take(nb) : 0,
        a: take(batch * layer.nOut), d: training ? take(batch * layer.nOut) : 0,
        cols, colsSize, dcols,
      });
    }
    const x = take(batch * t.sizes[0]);
    const ones = take(onesLen);
    const pack = take(5 * packLen);
    this.k = createTeacherKernels(backend, bytes);
    const base = this.k.base;
    for (const s of slots) {
      for (const key of ['w', 'b', 'gw', 'gb', 'mw', 'vw', 'mb', 'vb', 'a', 'd', 'cols', 'dcols'] as const) if (s[key] !== 0) s[key] += base;
    }
    this.slots = slots;
    this.x = x + base;
    this.ones = ones + base;
    this.pack = pack + base;
    this.k.mem.f32.fill(1, this.ones >>> 2, (this.ones >>> 2) + onesLen);
    this.layerCount = L;
    this.views = t.layers.map((_, l) => this.params(l));
    this.load();
  }

  /** Layer l's weights and biases as views of the arena (valid while the engine lives: the arena never grows). */
  params(l: number): { weights: Float32Array; bias: Float32Array } {
    const s = this.slots[l], layer = this.t.layers[l], f = this.k.mem.f32;
    return {
      weights: f.subarray(s.w >>> 2, (s.w >>> 2) + layer.weights.length),
      bias: f.subarray(s.b >>> 2, (s.b >>> 2) + layer.bias.length),
    };
  }

  /** Copy the teacher's weights and biases into the arena. */
  load(): void {
    const f = this.k.mem.f32;
    this.t.layers.forEach((layer, l) => {
      const w = this.slots[l].w >>> 2;
      if (this.transposed(l)) {
        const { nIn, nOut, weights } = layer;
        for (let i = 0; i < nOut; i++) for (let j = 0; j < nIn; j++) f[w + j * nOut + i] = weights[i * nIn + j];
      } else {
        f.set(layer.weights, w);
      }
      f.set(layer.bias, this.slots[l].b >>> 2);
    });
  }

  /**
   * Whether layer l's weights are kept transposed in the arena (W^T: nIn x nOut): a training
   * engine's dense layers, so that the forward pass and the weight gradient are products whose
   * zero-skipping blocks run over the inputs (most pixels and many activations are 0). An
   * inference engine keeps the teacher's row-major layout (its arrays are views of the arena).
   */
  transposed(l: number): boolean {
    return this.training && !this.t.layers[l].conv;
  }

  /** Copy the arena's weights and biases back into the teacher's arrays. */
  store(): void {
    const f = this.k.mem.f32;
    this.t.layers.forEach((layer, l) => {
      const s = this.slots[l], w = s.w >>> 2;
      if (this.transposed(l)) {
        const { nIn, nOut, weights } = layer;
        for (let i = 0; i < nOut; i++) for (let j = 0; j < nIn; j++) weights[i * nIn + j] = f[w + j * nOut + i];
      } else {
        layer.weights.set(f.subarray(w, w + layer.weights.length));
      }
      layer.bias.set(f.subarray(s.b >>> 2, (s.b >>> 2) + layer.bias.length));
    });
  }

  /** Views of layer l's activations for the first `rows` samples (valid while the engine lives). */
  acts(l: number, rows = 1): Float32Array {
    const at = this.slots[l].a >>> 2;
    return this.k.mem.f32.subarray(at, at + rows * this.t.layers[l].nOut);
  }

  /** The forward pass of the first `rows` input rows (x). */
  forward(rows: number): void {
    const { k, t } = this;
    const L = t.layers.length;
    for (let l = 0; l < L; l++) {
      const layer = t.layers[l], s = this.slots[l];
      const inp = l === 0 ? this.x : this.slots[l - 1].a;
      const { nIn, nOut } = layer;
      const g = layer.conv;
      if (!g) {
        const act = l < L - 1 ? 1 : 0;
        if (this.transposed(l)) k.gemmNN(inp, nIn, 1, s.w, nOut, s.a, nOut, rows, nOut, nIn, INIT_BIAS_COL, s.b, act, this.clip, this.pack);
        else k.gemmNT(inp, nIn, s.w, nIn, s.a, nOut, rows, nOut, nIn, INIT_BIAS_COL, s.b, act, this.clip);
        continue;
      }
      const act = layer.fixed ? 0 : 1;
      const P = g.height * g.width, kk = g.kernelHeight * g.kernelWidth, T = g.inChannels * kk;
      for (let r = 0; r < rows; r++) {
        const cols = s.cols + r * s.colsSize * 4, xr = inp + r * nIn * 4, ar = s.a + r * nOut * 4;
        k.im2col(xr, g.inChannels, g.inHeight, g.inWidth, g.kernelHeight, g.kernelWidth, g.stride, g.padding, g.height, g.width, cols);
        if (!g.depthwise) {
          k.gemmNN(s.w, T, 1, cols, P, ar, P, g.channels, P, T, INIT_BIAS_ROW, s.b, act, this.clip, this.pack);
        } else {
          for (let c = 0; c < g.channels; c++) {
            k.gemmNN(s.w + c * kk * 4, kk, 1, cols + c * kk * P * 4, P, ar + c * P * 4, P, 1, P, kk, INIT_BIAS_ROW, s.b + c * 4, act, this.clip, this.pack);
          }
        }
      }
    }
  }

  /**
   * Back-propagation of the gradient in the last layer's d (rows x classes) into every trained
   * layer's gw, gb (summed over the rows), after forward(rows).
   */
  backward(rows: number): void {
    const { k, t } = this;
    const L = t.layers.length;
    for (let l = L - 1; l >= 0; l--) {
      const layer = t.layers[l], s = this.slots[l];
      const inp = l === 0 ? this.x : this.slots[l - 1].a;
      const { nIn, nOut } = layer;
      const trains = !layer.fixed;
      const below = l > 0 ? this.slots[l - 1] : undefined;
      const g = layer.conv;
      if (!g) {
        if (trains) {
          // gW^T += A_{l-1}^T · D_l, skipping the inputs that are 0
          k.gemmNN(inp, 1, nIn, s.d, nOut, s.gw, nOut, nIn, nOut, rows, INIT_ZERO, 0, 0, 0, this.pack);
          k.gemmNN(this.ones, 0, 1, s.d, nOut, s.gb, nOut, 1, nOut, rows, INIT_ZERO, 0, 0, 0, this.pack);
        }
        // D_{l-1} = D_l · W = rows of D_l dotted with rows of W^T
        if (below) k.gemmNT(s.d, nOut, s.w, nOut, below.d, nIn, rows, nIn, nOut, INIT_ZERO, 0, 0, 0);
      } else {
        const P = g.height * g.width, kk = g.kernelHeight * g.kernelWidth, T = g.inChannels * kk, K = g.channels;
        for (let r = 0; r < rows; r++) {
          const cols = s.cols + r * s.colsSize * 4, dr = s.d + r * nOut * 4;
          if (trains) {
            // summed over the batch: the first sample's product starts the sums
            const init = r === 0 ? INIT_ZERO : INIT_ACC;
            k.gemmNT(dr, P, cols, P, s.gw, T, K, T, P, init, 0, 0, 0);
            k.gemmNT(dr, P, this.ones, P, s.gb, 1, K, 1, P, init, 0, 0, 0);
          }
          if (!below) continue;
          if (!g.depthwise) {
            k.gemmNN(s.w, 1, T, dr, P, s.dcols, P, T, P, K, INIT_ZERO, 0, 0, 0, this.pack);
          } else {
            for (let c = 0; c < K; c++) {
              k.gemmNN(s.w + c * kk * 4, 1, 0, dr + c * P * 4, P, s.dcols + c * kk * P * 4, P, kk, P, 1, INIT_ZERO, 0, 0, 0, this.pack);
            }
          }
          k.col2im(s.dcols, g.inChannels, g.inHeight, g.inWidth, g.kernelHeight, g.kernelWidth, g.stride, g.padding, g.height, g.width, below.d + r * nIn * 4);
        }
      }
      // the layer below passes a gradient only where its clipped ReLU has slope 1 (a pool is linear)
      if (below && !t.layers[l - 1].fixed) k.reluGradMask(below.d, below.a, rows * nIn, this.clip);
    }
  }

  /** One Adam step on every trained layer from its summed gradient (scale: 1 / rows). */
  adam(scale: number, lrHat: number): void {
    this.t.layers.forEach((layer, l) => {
      if (layer.fixed) return;
      const s = this.slots[l];
      this.k.adamStep(s.w, s.gw, s.mw, s.vw, layer.weights.length, scale, lrHat);
      this.k.adamStep(s.b, s.gb, s.mb, s.vb, layer.bias.length, scale, lrHat);
    });
  }
}

/** What the f32 training loop reads: the loop options, and the kernels' backend (the twin in tests). */
export interface F32LoopOptions extends TeacherLoopOptions {
  backend?: TeacherBackend;
}

/**
 * Train the initialised teacher in place with the f32 kernels: the order reshuffled every epoch
 * from rng, softmax cross-entropy, Adam on the batch-mean gradient with the learning rate
 * cosine-annealed (or constant) over all steps.
 */
export function trainTeacherF32(teacher: Teacher, train: Dataset, opts: F32LoopOptions, rng: Rng, onEpoch?: (epoch: number, loss: number) => void): void {
  const L = teacher.layers.length;
  const classes = teacher.layers[L - 1].nOut;
  const B = opts.batchSize;
  const e = new TeacherEngine(teacher, Math.min(B, train.n), true, opts.backend ?? 'wasm');
  const f = e.k.mem.f32;
  const size = train.size;
  const X = e.x >>> 2;
  const logitsAt = e.slots[L - 1].a >>> 2, dAt = e.slots[L - 1].d >>> 2;
  const order = new Int32Array(train.n).map((_, i) => i);
  const shifted = new Float32Array(size);
  const totalSteps = opts.epochs * Math.ceil(train.n / B);
  const exps = new Float64Array(classes);
  let step = 0;
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    rng.shuffle(order);
    let lossSum = 0;
    for (let start = 0; start < train.n; start += B) {
      const rows = Math.min(B, train.n - start);
      for (let r = 0; r < rows; r++) {
        const s = order[start + r];
        if (opts.shift > 0) {
          const dx = rng.int(2 * opts.shift + 1) - opts.shift, dy = rng.int(2 * opts.shift + 1) - opts.shift;
          translate(train.images, s * size, opts.width, dx, dy, shifted);
          f.set(shifted, X + r * size);
        } else {
          f.set(train.images.subarray(s * size, (s + 1) * size), X + r * size);
        }
      }
      e.forward(rows);
      // softmax cross-entropy on the host: loss = log Σ exp(z) - z_label, ∂loss/∂z = softmax(z) - onehot
      for (let r = 0; r < rows; r++) {
        const label = train.labels[order[start + r]];
        const z = logitsAt + r * classes, d = dAt + r * classes;
        let zMax = f[z];
        for (let i = 1; i < classes; i++) if (f[z + i] > zMax) zMax = f[z + i];
        let sumExp = 0;
        for (let i = 0; i < classes; i++) {
          exps[i] = Math.exp(f[z + i] - zMax);
          sumExp += exps[i];
        }
        lossSum += Math.log(sumExp) - (f[z + label] - zMax);
        for (let i = 0; i < classes; i++) f[d + i] = exps[i] / sumExp - (i === label ? 1 : 0);
      }
      e.backward(rows);
      step++;
      e.adam(1 / rows, adamStepSize(opts.learningRate, opts.schedule, step, totalSteps));
    }
    onEpoch?.(epoch, lossSum / train.n);
  }
  e.store();
}
