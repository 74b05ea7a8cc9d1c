/**
 * The ANN teacher of LTL (§2.2): an MLP trained on the host, whose layer activations become the
 * SNN's layer targets (targets.ts).
 *
 *   hidden layer l:  a_l = clip(W_l · a_{l-1} + b_l) ,  clip(z) = min(max(z, 0), c)
 *   output layer:    a_L = W_L · a_{L-1} + b_L          (logits; prediction = argmax)
 *
 * Why a clipped ReLU: a spiking neuron's firing rate C[T]/T lies in [0, 1], so a bounded
 * activation is what a spike count can mimic (the clip is the ANN side of rate saturation).
 * c = 1 by default: inputs are pixels in [0, 1] and activations stay on that scale; on MNIST it
 * trained better than c = 2 and than a plain ReLU (c = Infinity), measured.
 *
 * Training: softmax cross-entropy on the logits, mini-batch Adam (β1 0.9, β2 0.999, ε 1e-8,
 * bias correction folded into the step size as in Kingma & Ba §2) on the batch-mean gradient,
 * learning rate cosine-annealed to 0 over all steps by default (it gained about half a point of
 * test accuracy over a constant rate at 5 epochs); He-normal init for the clipped-ReLU layers,
 * Glorot-normal for the linear output, biases 0; sample order reshuffled every epoch; optional
 * random translations of the training images (`shift`). Everything random comes from one
 * Rng(seed) and every sum runs in a fixed order, so a seed fixes the weights bit for bit.
 * Sums accumulate in f64; weights and activations are stored in f32.
 *
 * Speed: inputs and activations are mostly zero (about 80 % of MNIST pixels, 40 % of the
 * hidden units), so each layer walks the list of its input's nonzero entries (skipping a zero
 * term changes no sum), and back-propagation skips units whose clipped ReLU is flat.
 */
import { Rng } from './rng.js';
import type { Dataset } from './mnist.js';
import { convForward, convFlops } from './conv-forward.js';
import type { ConvGeometry } from '../model/types.js';
import { adam, adamStepSize } from './adam.js';

export interface TeacherLayer {
  nIn: number;
  nOut: number;
  /** nOut*nIn, row-major: W[i*nIn + j] connects input j to output i */
  weights: Float32Array;
  bias: Float32Array;
  /**
   * A convolution (cnn.ts, conv-forward.ts): weights K x C x kh x kw row-major, one bias per output channel,
   * activations channel-major. With `fixed`, an average pooling (no clip, never trained).
   */
  conv?: ConvGeometry;
  fixed?: boolean;
}

export interface Teacher {
  /** widths from input to output: [nIn, ...hidden, classes] */
  sizes: number[];
  /** upper bound c of the hidden layers' clipped ReLU */
  clip: number;
  layers: TeacherLayer[];
}

export interface TeacherOptions {
  hidden: number[];
  epochs: number;
  learningRate: number;
  batchSize: number;
  seed: number;
  /** clipped-ReLU bound c (default 1; Infinity gives a plain ReLU) */
  clip?: number;
  /** learning-rate schedule over all steps: 'cosine' (default) anneals to 0, 'constant' keeps it */
  schedule?: 'cosine' | 'constant';
  /**
   * data augmentation: each training sample is translated by a random (dx, dy) in
   * [-shift, shift]^2 pixels, zero fill (default 0 = none; needs square images)
   */
  shift?: number;
  /** output width (default 10) */
  classes?: number;
}


/** Shared list of nonzero input indices for teacherForward (grown on demand). */
let forwardNonzero = new Int32Array(0);

/** Indices j with x[xOffset + j] != 0, written to nz; returns their count. */
function nonzeros(x: Float32Array, xOffset: number, n: number, nz: Int32Array): number {
  let count = 0;
  for (let j = 0; j < n; j++) if (x[xOffset + j] !== 0) nz[count++] = j;
  return count;
}

/**
 * One layer: out[i] = act(b[i] + Σ_j W[i,j] · x[j]) summed over the nonzero x only, in
 * increasing j. act is the clipped ReLU when clip is given, identity (logits) otherwise.
 */
function layerForward(
  layer: TeacherLayer,
  x: Float32Array,
  xOffset: number,
  nz: Int32Array,
  nnz: number,
  out: Float32Array,
  clip: number | undefined,
): void {
  const { nIn, nOut, weights: w, bias: b } = layer;
  for (let i = 0; i < nOut; i++) {
    const row = i * nIn;
    let z = b[i];
    for (let k = 0; k < nnz; k++) {
      const j = nz[k];
      z += w[row + j] * x[xOffset + j];
    }
    if (clip !== undefined) z = z <= 0 ? 0 : z >= clip ? clip : z;
    out[i] = z;
  }
}

function checkActs(t: Teacher, acts: Float32Array[]): void {
  if (acts.length < t.layers.length) {
    throw new RangeError(`teacherForward: acts has ${acts.length} arrays, needs one per layer (${t.layers.length})`);
  }
  for (let l = 0; l < t.layers.length; l++) {
    if (acts[l].length < t.layers[l].nOut) {
      throw new RangeError(`teacherForward: acts[${l}] holds ${acts[l].length} values, layer ${l} has ${t.layers[l].nOut}`);
    }
  }
}

/** Arrays for teacherForward's activations, one per layer. */
export function teacherActs(t: Teacher): Float32Array[] {
  return t.layers.map((layer) => new Float32Array(layer.nOut));
}

/** activations of every layer for one input: hidden layers after the clipped ReLU, the last layer's logits */
export function teacherForward(t: Teacher, x: Float32Array, xOffset: number, acts: Float32Array[]): void {
  const nIn = t.sizes[0];
  if (!Number.isInteger(xOffset) || xOffset < 0 || xOffset + nIn > x.length) {
    throw new RangeError(`teacherForward: input [${xOffset}, ${xOffset + nIn}) is outside x of length ${x.length}`);
  }
  checkActs(t, acts);
  const widest = Math.max(...t.sizes);
  if (forwardNonzero.length < widest) forwardNonzero = new Int32Array(widest);
  const nz = forwardNonzero;
  const last = t.layers.length - 1;
  let input = x;
  let offset = xOffset;
  for (let l = 0; l <= last; l++) {
    const layer = t.layers[l];
    if (layer.conv) {
      convForward(layer, input, offset, acts[l], layer.fixed ? undefined : t.clip);
    } else {
      const nnz = nonzeros(input, offset, layer.nIn, nz);
      layerForward(layer, input, offset, nz, nnz, acts[l], l < last ? t.clip : undefined);
    }
    input = acts[l];
    offset = 0;
  }
}

/** Index of the largest value of v[0 .. n) (the first one on ties). */
export function argmax(v: Float32Array, n: number = v.length): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (v[i] > v[best]) best = i;
  return best;
}

export function teacherAccuracy(t: Teacher, data: Dataset): number {
  checkData(t, data, 'teacherAccuracy');
  if (data.n === 0) throw new RangeError('teacherAccuracy: the data set is empty');
  const acts = teacherActs(t);
  const logits = acts[acts.length - 1];
  let correct = 0;
  for (let s = 0; s < data.n; s++) {
    teacherForward(t, data.images, s * data.size, acts);
    if (argmax(logits) === data.labels[s]) correct++;
  }
  return correct / data.n;
}

/** Dense multiply-adds of one forward pass, each counted as 2 FLOPs (the bias is the sum's start). */
export function teacherFlopsPerSample(t: Teacher): number {
  let flops = 0;
  for (const layer of t.layers) flops += layer.conv ? convFlops(layer.conv) : 2 * layer.nIn * layer.nOut;
  return flops;
}

function checkData(t: Teacher, data: Dataset, who: string): void {
  if (data.size !== t.sizes[0]) throw new RangeError(`${who}: samples have ${data.size} values, the teacher takes ${t.sizes[0]}`);
  if (data.images.length < data.n * data.size) throw new RangeError(`${who}: images hold fewer than n*size values`);
}

function checkOptions(opts: TeacherOptions): void {
  const positiveInt = (v: number): boolean => Number.isInteger(v) && v >= 1;
  if (!Array.isArray(opts.hidden) || !opts.hidden.every(positiveInt)) {
    throw new RangeError(`trainTeacher: hidden must be a list of positive integers, got ${JSON.stringify(opts.hidden)}`);
  }
  if (!Number.isInteger(opts.epochs) || opts.epochs < 0) throw new RangeError(`trainTeacher: epochs must be an integer >= 0, got ${opts.epochs}`);
  if (!(opts.learningRate > 0) || !Number.isFinite(opts.learningRate)) {
    throw new RangeError(`trainTeacher: learningRate must be finite and > 0, got ${opts.learningRate}`);
  }
  if (!positiveInt(opts.batchSize)) throw new RangeError(`trainTeacher: batchSize must be a positive integer, got ${opts.batchSize}`);
  if (!Number.isFinite(opts.seed)) throw new RangeError(`trainTeacher: seed must be a finite number, got ${opts.seed}`);
  if (opts.clip !== undefined && !(opts.clip > 0)) throw new RangeError(`trainTeacher: clip must be > 0, got ${opts.clip}`);
  if (opts.schedule !== undefined && opts.schedule !== 'cosine' && opts.schedule !== 'constant') {
    throw new RangeError(`trainTeacher: schedule must be 'cosine' or 'constant', got ${String(opts.schedule)}`);
  }
  if (opts.shift !== undefined && !(Number.isInteger(opts.shift) && opts.shift >= 0)) {
    throw new RangeError(`trainTeacher: shift must be an integer >= 0, got ${opts.shift}`);
  }
  if (opts.classes !== undefined && !(Number.isInteger(opts.classes) && opts.classes >= 2)) {
    throw new RangeError(`trainTeacher: classes must be an integer >= 2, got ${opts.classes}`);
  }
}

/** He-normal (clipped-ReLU layers) or Glorot-normal (linear output) weights, zero biases. */
function initLayer(nIn: number, nOut: number, isOutput: boolean, rng: Rng): TeacherLayer {
  const std = isOutput ? Math.sqrt(2 / (nIn + nOut)) : Math.sqrt(2 / nIn);
  const weights = new Float32Array(nOut * nIn);
  for (let k = 0; k < weights.length; k++) weights[k] = std * rng.normal();
  return { nIn, nOut, weights, bias: new Float32Array(nOut) };
}

export function trainTeacher(
  train: Dataset,
  opts: TeacherOptions,
  onEpoch?: (epoch: number, loss: number) => void,
): Teacher {
  checkOptions(opts);
  const classes = opts.classes ?? 10;
  const clip = opts.clip ?? 1;
  const sizes = [train.size, ...opts.hidden, classes];
  const rng = new Rng(opts.seed);
  const L = sizes.length - 1;
  const layers: TeacherLayer[] = [];
  for (let l = 0; l < L; l++) layers.push(initLayer(sizes[l], sizes[l + 1], l === L - 1, rng));
  const teacher: Teacher = { sizes, clip, layers };
  checkData(teacher, train, 'trainTeacher');
  for (let s = 0; s < train.n; s++) {
    if (train.labels[s] >= classes) throw new RangeError(`trainTeacher: label ${train.labels[s]} of sample ${s} is not < classes (${classes})`);
  }
  const shift = opts.shift ?? 0;
  const width = Math.round(Math.sqrt(train.size));
  if (shift > 0 && width * width !== train.size) {
    throw new RangeError(`trainTeacher: shift needs square images, but samples have ${train.size} values`);
  }
  if (train.n === 0) return teacher;
  const schedule = opts.schedule ?? 'cosine';
  const totalSteps = opts.epochs * Math.ceil(train.n / opts.batchSize);

  // Training keeps W transposed (wT[j*nOut + i]) so that every inner loop runs over contiguous
  // memory with no loop-carried sum: forward and weight gradient are axpy's over the outputs i.
  // Per output, sums still start at the bias and add inputs in increasing j, so the forward
  // pass equals teacherForward's bit for bit; the row-major weights are written back at the end.
  const wT = layers.map((layer) => transpose(layer.weights, layer.nOut, layer.nIn));
  const z = sizes.slice(1).map((n) => new Float64Array(n));
  const acts = teacherActs(teacher);
  const nz = sizes.slice(0, L).map((n) => new Int32Array(n));
  const nnz = new Int32Array(L);
  const delta = sizes.slice(1).map((n) => new Float64Array(n));
  const gradW = layers.map((layer) => new Float64Array(layer.weights.length)); // transposed like wT
  const gradB = layers.map((layer) => new Float64Array(layer.nOut));
  const m = layers.map((layer) => ({ w: new Float64Array(layer.weights.length), b: new Float64Array(layer.nOut) }));
  const v = layers.map((layer) => ({ w: new Float64Array(layer.weights.length), b: new Float64Array(layer.nOut) }));
  const order = new Int32Array(train.n);
  for (let s = 0; s < train.n; s++) order[s] = s;
  const x = train.images;
  const shifted = new Float32Array(train.size);
  const logits = acts[L - 1];
  let step = 0;

  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    rng.shuffle(order);
    let lossSum = 0;
    for (let start = 0; start < train.n; start += opts.batchSize) {
      const end = Math.min(start + opts.batchSize, train.n);
      for (let l = 0; l < L; l++) {
        gradW[l].fill(0);
        gradB[l].fill(0);
      }
      for (let p = start; p < end; p++) {
        const s = order[p];
        const label = train.labels[s];
        // forward, keeping each layer's list of nonzero inputs for the weight gradient
        let input = x;
        let offset = s * train.size;
        if (shift > 0) {
          translate(x, offset, width, rng.int(2 * shift + 1) - shift, rng.int(2 * shift + 1) - shift, shifted);
          input = shifted;
          offset = 0;
        }
        const input0 = input;
        const offset0 = offset;
        for (let l = 0; l < L; l++) {
          const nOut = sizes[l + 1];
          const w = wT[l];
          const zl = z[l];
          const list = nz[l];
          const count = nonzeros(input, offset, sizes[l], list);
          nnz[l] = count;
          const b = layers[l].bias;
          for (let i = 0; i < nOut; i++) zl[i] = b[i];
          for (let k = 0; k < count; k++) {
            const j = list[k];
            const xj = input[offset + j];
            axpy(zl, w, j * nOut, xj, nOut);
          }
          const a = acts[l];
          if (l < L - 1) {
            for (let i = 0; i < nOut; i++) {
              const zi = zl[i];
              a[i] = zi <= 0 ? 0 : zi >= clip ? clip : zi;
            }
          } else {
            for (let i = 0; i < nOut; i++) a[i] = zl[i];
          }
          input = a;
          offset = 0;
        }
        // softmax cross-entropy: loss = log Σ exp(z) - z_label; ∂loss/∂z = softmax(z) - onehot
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

        // backward, top layer first
        for (let l = L - 1; l >= 0; l--) {
          const nOut = sizes[l + 1];
          const nIn = sizes[l];
          const w = wT[l];
          const d = delta[l];
          const gW = gradW[l];
          const gB = gradB[l];
          for (let i = 0; i < nOut; i++) gB[i] += d[i];
          const inp = l === 0 ? input0 : acts[l - 1];
          const inOff = l === 0 ? offset0 : 0;
          const list = nz[l];
          const count = nnz[l];
          for (let k = 0; k < count; k++) {
            const j = list[k];
            const xj = inp[inOff + j];
            axpyInto(gW, j * nOut, d, xj, nOut);
          }
          if (l === 0) break;
          // δ_{l-1}[j] = Σ_i W[i,j] δ_l[i] for the units whose clipped ReLU has slope 1 (0 < a < c)
          const a = acts[l - 1];
          const dPrev = delta[l - 1];
          for (let j = 0; j < nIn; j++) {
            const aj = a[j];
            if (!(aj > 0 && aj < clip)) {
              dPrev[j] = 0;
              continue;
            }
            const base = j * nOut;
            let sum = 0;
            for (let i = 0; i < nOut; i++) sum += w[base + i] * d[i];
            dPrev[j] = sum;
          }
        }
      }
      // Adam on the batch-mean gradient
      step++;
      const scale = 1 / (end - start);
      const lrHat = adamStepSize(opts.learningRate, schedule, step, totalSteps);
      for (let l = 0; l < L; l++) {
        adam(wT[l], gradW[l], m[l].w, v[l].w, scale, lrHat);
        adam(layers[l].bias, gradB[l], m[l].b, v[l].b, scale, lrHat);
      }
    }
    onEpoch?.(epoch, lossSum / train.n);
  }
  for (let l = 0; l < L; l++) layers[l].weights.set(transpose(wT[l], sizes[l], sizes[l + 1]));
  return teacher;
}

// Unrolled by 4 (about 1.4x faster in V8, which does not vectorize); each element's sum keeps its order.

/** y[i] += a[base + i] * s, i < n */
function axpy(y: Float64Array, a: Float32Array, base: number, s: number, n: number): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const b = base + i;
    y[i] += a[b] * s;
    y[i + 1] += a[b + 1] * s;
    y[i + 2] += a[b + 2] * s;
    y[i + 3] += a[b + 3] * s;
  }
  for (; i < n; i++) y[i] += a[base + i] * s;
}

/** y[base + i] += d[i] * s, i < n */
function axpyInto(y: Float64Array, base: number, d: Float64Array, s: number, n: number): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const b = base + i;
    y[b] += d[i] * s;
    y[b + 1] += d[i + 1] * s;
    y[b + 2] += d[i + 2] * s;
    y[b + 3] += d[i + 3] * s;
  }
  for (; i < n; i++) y[base + i] += d[i] * s;
}

/** out = the width x width image at x[offset..] moved by dx columns and dy rows, zero fill. */
function translate(x: Float32Array, offset: number, width: number, dx: number, dy: number, out: Float32Array): void {
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

/** rows x cols row-major -> cols x rows row-major. */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}

