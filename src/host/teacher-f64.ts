/**
 * The earlier teacher, kept reachable (`precision: 'f64'`, `--teacher-precision f64`) so that runs
 * made before the f32 wasm teacher (teacher-engine.ts) can be reproduced bit for bit, and so that
 * the bench can time the two in one run. This is the MLP's training loop and the forward pass
 * of that teacher, unchanged: sums accumulate in f64, weights and activations are stored in f32.
 *
 * Speed: inputs and activations are mostly zero (about 80 % of MNIST pixels, 40 % of the
 * hidden units), so each layer walks the list of its input's nonzero entries (skipping a zero
 * term changes no sum), and back-propagation skips units whose clipped ReLU is flat.
 */
import type { Rng } from './rng.js';
import type { Dataset } from './mnist.js';
import { convForward } from './conv-forward.js';
import { adam, adamStepSize } from './adam.js';
import type { Teacher, TeacherLayer, TeacherLoopOptions } from './teacher-types.js';
import { translate } from './teacher-init.js';

/** Shared list of nonzero input indices for teacherForwardF64 (grown on demand). */
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

/** The f64 teacher's forward pass (arguments checked by teacher.ts teacherForward). */
export function teacherForwardF64(t: Teacher, x: Float32Array, xOffset: number, acts: Float32Array[]): void {
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


/**
 * Train the initialised MLP `teacher` in place (the earlier loop): weights kept transposed so that
 * every inner loop runs over contiguous memory; per output, sums start at the bias and add inputs
 * in increasing j, so the forward pass equals teacherForwardF64's bit for bit.
 */
export function trainTeacherF64(
  teacher: Teacher, train: Dataset, opts: TeacherLoopOptions, rng: Rng, onEpoch?: (epoch: number, loss: number) => void,
): void {
  const { sizes, clip, layers } = teacher;
  const L = layers.length;
  const classes = sizes[L];
  const { shift, width } = opts;
  const acts = layers.map((layer) => new Float32Array(layer.nOut));
  const schedule = opts.schedule;
  const totalSteps = opts.epochs * Math.ceil(train.n / opts.batchSize);

  const wT = layers.map((layer) => transpose(layer.weights, layer.nOut, layer.nIn));
  const z = sizes.slice(1).map((n) => new Float64Array(n));
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

/** rows x cols row-major -> cols x rows row-major. */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}

