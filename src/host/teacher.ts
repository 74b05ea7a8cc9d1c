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
 *
 * Arithmetic (`precision`): 'f32' (the default) runs the wasm SIMD kernels of
 * assembly/teacher.ts through teacher-engine.ts, in training and in teacherForward alike
 * (calibration and targets go through the same kernels); 'f64' is the earlier TypeScript
 * teacher (teacher-f64.ts: f64 sums, f32 storage), kept to reproduce older runs.
 */
import { Rng } from './rng.js';
import type { Dataset } from './mnist.js';
import { convFlops } from './conv-forward.js';
import type { Teacher, TeacherOptions } from './teacher-types.js';
import { initMlpTeacher } from './teacher-init.js';
import { teacherForwardF64, trainTeacherF64 } from './teacher-f64.js';
import { TeacherEngine, trainTeacherF32 } from './teacher-engine.js';

export type { Teacher, TeacherLayer, TeacherOptions, TeacherPrecision } from './teacher-types.js';

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

/** The f32 engine teacherForward runs a teacher on: made on first use, kept while the teacher's arrays are its own. */
const engines = new WeakMap<Teacher, TeacherEngine>();

/**
 * The inference engine of t. On first use t's weights and biases are copied into an engine's
 * arena and t's layers are pointed at the arena's copies, so that later in-place changes to
 * t.layers[l].weights are what the kernels read; assigning a new array (or changing the shape)
 * makes a new engine on the next call.
 */
function inferenceEngine(t: Teacher): TeacherEngine {
  const e = engines.get(t);
  if (e && e.t === t && e.clipOf === t.clip && e.layerCount === t.layers.length
    && t.layers.every((layer, l) => layer.weights === e.views[l].weights && layer.bias === e.views[l].bias)) return e;
  const fresh = new TeacherEngine(t, 1, false);
  t.layers.forEach((layer, l) => {
    layer.weights = fresh.views[l].weights;
    layer.bias = fresh.views[l].bias;
  });
  engines.set(t, fresh);
  return fresh;
}

/** activations of every layer for one input: hidden layers after the clipped ReLU, the last layer's logits */
export function teacherForward(t: Teacher, x: Float32Array, xOffset: number, acts: Float32Array[]): void {
  const nIn = t.sizes[0];
  if (!Number.isInteger(xOffset) || xOffset < 0 || xOffset + nIn > x.length) {
    throw new RangeError(`teacherForward: input [${xOffset}, ${xOffset + nIn}) is outside x of length ${x.length}`);
  }
  checkActs(t, acts);
  if (t.precision === 'f64') {
    teacherForwardF64(t, x, xOffset, acts);
    return;
  }
  const e = inferenceEngine(t);
  e.k.mem.f32.set(x.subarray(xOffset, xOffset + nIn), e.x >>> 2);
  e.forward(1);
  for (let l = 0; l < t.layers.length; l++) acts[l].set(e.acts(l));
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
  if (opts.precision !== undefined && opts.precision !== 'f32' && opts.precision !== 'f64') {
    throw new RangeError(`trainTeacher: precision must be 'f32' or 'f64', got ${String(opts.precision)}`);
  }
  if (opts.classes !== undefined && !(Number.isInteger(opts.classes) && opts.classes >= 2)) {
    throw new RangeError(`trainTeacher: classes must be an integer >= 2, got ${opts.classes}`);
  }
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
  const teacher = initMlpTeacher(sizes, clip, rng);
  if (opts.precision === 'f64') teacher.precision = 'f64';
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
  const loop = { epochs: opts.epochs, learningRate: opts.learningRate, batchSize: opts.batchSize, schedule: opts.schedule ?? 'cosine', shift, width };
  if (opts.precision === 'f64') trainTeacherF64(teacher, train, loop, rng, onEpoch);
  else trainTeacherF32(teacher, train, loop, rng, onEpoch);
  return teacher;
}
