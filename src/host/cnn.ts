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
 * every epoch; one Rng(seed) for everything. By default in f32 with the wasm SIMD kernels
 * (teacher-engine.ts: a convolution is im2col + a matrix product); `precision: 'f64'` runs the
 * earlier TypeScript loop (cnn-f64.ts). Either way the forward pass is teacherForward's.
 */
import { Rng } from './rng.js';
import type { Dataset } from './mnist.js';
import type { Teacher, TeacherOptions } from './teacher-types.js';
import type { Net } from '../net/file.js';
import { initNetTeacher } from './teacher-init.js';
import { trainNetTeacherF64 } from './cnn-f64.js';
import { trainTeacherF32 } from './teacher-engine.js';

export { initNetTeacher } from './teacher-init.js';

/** The MLP teacher's training options but the layer sizes, the shifts and the classes (the net file gives the layers). */
export type NetTeacherOptions = Omit<TeacherOptions, 'hidden' | 'shift' | 'classes'>;

/** Train the teacher of a net (with convolutions) on `train`; see the header for the method. */
export function trainNetTeacher(train: Dataset, net: Net, opts: NetTeacherOptions, onEpoch?: (epoch: number, loss: number) => void): Teacher {
  if (!Number.isInteger(opts.epochs) || opts.epochs < 0) throw new RangeError(`trainNetTeacher: epochs must be an integer >= 0, got ${opts.epochs}`);
  if (!(opts.learningRate > 0) || !Number.isFinite(opts.learningRate)) throw new RangeError(`trainNetTeacher: learningRate must be finite and > 0, got ${opts.learningRate}`);
  if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1) throw new RangeError(`trainNetTeacher: batchSize must be a positive integer, got ${opts.batchSize}`);
  if (opts.precision !== undefined && opts.precision !== 'f32' && opts.precision !== 'f64') {
    throw new RangeError(`trainNetTeacher: precision must be 'f32' or 'f64', got ${String(opts.precision)}`);
  }
  const rng = new Rng(opts.seed);
  const clip = opts.clip ?? 1;
  const teacher = initNetTeacher(net, rng, clip);
  if (opts.precision === 'f64') teacher.precision = 'f64';
  const L = teacher.layers.length;
  const classes = teacher.layers[L - 1].nOut;
  if (train.size !== teacher.sizes[0]) throw new RangeError(`trainNetTeacher: samples have ${train.size} values, the network takes ${teacher.sizes[0]}`);
  for (let s = 0; s < train.n; s++) {
    if (train.labels[s] >= classes) throw new RangeError(`trainNetTeacher: label ${train.labels[s]} of sample ${s} is not < classes (${classes})`);
  }
  if (train.n === 0) return teacher;
  const loop = { epochs: opts.epochs, learningRate: opts.learningRate, batchSize: opts.batchSize, schedule: opts.schedule ?? 'cosine' } as const;
  if (opts.precision === 'f64') trainNetTeacherF64(teacher, train, loop, rng, onEpoch);
  else trainTeacherF32(teacher, train, { ...loop, shift: 0, width: 0 }, rng, onEpoch);
  return teacher;
}
