/**
 * The target stream's interfaces and its in-thread producer (no threads, no Node): the teacher
 * computes each sample's layer targets in next() itself. The threaded producer (a worker thread
 * a batch ahead, same values) is Node's, in target-stream.ts; a browser runs this one.
 */
import { batchNorms, targetsFor } from '../host/targets.js';
import { teacherActs, type Teacher } from '../host/teacher.js';
import type { Dataset } from '../host/mnist.js';
import type { BatchNormSpec, InjectedFault } from './protocol.js';

export interface TargetStream {
  /**
   * The next sample's layer targets, one Float32Array per teacher layer (layer l holds nOut_l
   * values). The arrays belong to the stream and are overwritten by the following call.
   */
  next(): Float32Array[];
  /** Stops producing (the worker abandons this pass); idempotent. */
  close(): void;
  /** samples in the pass (order.length) */
  readonly length: number;
  /** samples taken so far by next() */
  readonly position: number;
  readonly threaded: boolean;
}

export interface PassOptions {
  /** sample indices into data, in the order the training loop takes them (repeats allowed) */
  order: ArrayLike<number>;
  /** y_norm per teacher layer (calibrateNorms); unused when batchNorms is given */
  norms?: number[];
  /** per-batch norms, as train.ts's `normalization: 'batch'` */
  batchNorms?: BatchNormSpec;
  /** threaded streams only: make the worker fail at an order position (for tests) */
  faultForTests?: InjectedFault;
}

export interface TargetProducer {
  readonly threaded: boolean;
  /** Starts a pass; a stream of this producer that is still open is closed first. */
  stream(pass: PassOptions): TargetStream;
  /** Closes the open stream and ends the worker; idempotent. */
  close(): void;
}

export function checkPass(teacher: Teacher, data: Dataset, pass: PassOptions): void {
  const { order } = pass;
  if (order === null || typeof order !== 'object' || typeof order.length !== 'number') throw new TypeError('target stream: order must be an array of sample indices');
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (!Number.isInteger(i) || i < 0 || i >= data.n) throw new RangeError(`target stream: order[${k}] = ${i} is not a sample index in [0, ${data.n})`);
  }
  const L = teacher.layers.length;
  if (pass.batchNorms) {
    const { batch, percentile } = pass.batchNorms;
    if (!Number.isInteger(batch) || batch < 1) throw new RangeError(`target stream: batchNorms.batch must be an integer >= 1, got ${batch}`);
    if (!(percentile >= 0 && percentile <= 100)) throw new RangeError(`target stream: batchNorms.percentile must be in [0, 100], got ${percentile}`);
  } else if (!Array.isArray(pass.norms) || pass.norms.length !== L) {
    throw new RangeError(`target stream: norms must hold one y_norm per teacher layer (${L}), got ${pass.norms === undefined ? 'none' : pass.norms.length}`);
  }
}

export function closedError(): Error {
  return new Error('target stream: next() after close()');
}

export function exhaustedError(length: number): Error {
  return new Error(`target stream: all ${length} samples of the pass were taken`);
}

export class InThreadProducer implements TargetProducer {
  readonly threaded = false;
  private open: TargetStream | undefined;
  private readonly scratch: Float32Array[];

  constructor(private readonly teacher: Teacher, private readonly data: Dataset) {
    this.scratch = teacherActs(teacher);
  }

  stream(pass: PassOptions): TargetStream {
    checkPass(this.teacher, this.data, pass);
    this.open?.close();
    const { teacher, data, scratch } = this;
    const order = Int32Array.from(pass.order);
    const out = teacher.layers.map((l) => new Float32Array(l.nOut));
    const spec = pass.batchNorms;
    let norms = pass.norms ?? [];
    let position = 0;
    let closed = false;
    const s: TargetStream = {
      next() {
        if (closed) throw closedError();
        if (position >= order.length) throw exhaustedError(order.length);
        const p = position;
        if (spec && p % spec.batch === 0) norms = batchNorms(teacher, data, order.subarray(p, Math.min(order.length, p + spec.batch)), spec.percentile);
        targetsFor(teacher, data, order[p], norms, out, scratch);
        position = p + 1;
        return out;
      },
      close() {
        closed = true;
      },
      get length() {
        return order.length;
      },
      get position() {
        return position;
      },
      threaded: false,
    };
    this.open = s;
    return s;
  }

  close(): void {
    this.open?.close();
    this.open = undefined;
  }
}

