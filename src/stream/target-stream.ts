/**
 * The simulator's own target stream (how ncsim itself runs, not the modelled host/link/chip
 * pipeline of src/pipeline/): layer targets (targetsFor) for samples in a given order,
 * produced ahead of the training loop that consumes them, so that the ANN teacher runs on the
 * next samples while the wasm chip trains on the current one.
 *
 *   const stream = createTargetStream({ teacher, data, norms, order, threaded: true });
 *   for (let s = 0; s < order.length; s++) { const targets = stream.next(); ... }
 *   stream.close();
 *
 * threaded: the teacher runs in a worker_threads Worker (targets-worker.ts, bundled to
 *   dist/targets-worker.js) that fills a bounded ring of `slots` samples in a
 *   SharedArrayBuffer; `next()` blocks (Atomics.wait) until the next sample's targets are there.
 *   Memory is bounded: slots x Σ nOut float32, plus one shared copy of the images made once.
 * in-thread: `next()` calls targetsFor itself. Same interface, same values.
 *
 * The values are bit for bit those of targetsFor(teacher, data, order[s], norms, out) (or, with
 * `batchNorms`, of train.ts's per-batch loop: norms = batchNorms(...) over order[s .. s+batch)
 * at every s that is a multiple of batch), because the worker runs the same code on the same
 * float32 weights and images.
 *
 * Failure is an Error, never a hang: an exception in the worker is re-thrown by `next()` at the
 * sample it concerns (with the worker's message); a worker thread that exits is reported at once
 * (its exit handler marks shared memory and wakes the consumer); one that stops making progress
 * (hard crash, deadlock) is reported after `timeoutMs` without a new sample.
 *
 * For several passes (epochs) over one data set, a producer keeps the worker, the teacher and
 * the images and runs one stream per pass: `createTargetProducer(...).stream({ order, norms })`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Teacher } from '../host/teacher.js';
import { InThreadProducer, checkPass, closedError, exhaustedError, type PassOptions, type TargetProducer, type TargetStream } from './in-thread.js';
import type { Dataset } from '../host/mnist.js';
import {
  HEAD, LIFE_STATE, LIFE_WORDS, PASS_FAILED, PASS_WORDS, STATUS, STOP, TAIL, WORKER_EXITED, WORKER_FAILED, WORKER_STARTING,
  lifeBytes, readError, slotLayout, type PassMessage, type WorkerInit,
} from './protocol.js';

export type { BatchNormSpec, InjectedFault } from './protocol.js';
export type { PassOptions, TargetProducer, TargetStream } from './in-thread.js';

/** Ring slots (samples the worker may run ahead) by default: more than two batches of 100. */
export const DEFAULT_SLOTS = 256;
/** How long `next()` waits for a sample before it reports the worker as stuck (ms). */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** `next()` sleeps in slices of this many ms between looks at the worker's state. */
const WAIT_SLICE_MS = 50;

export interface TargetProducerOptions {
  teacher: Teacher;
  data: Dataset;
  /** run the teacher in a worker thread (true) or in next() itself (false) */
  threaded: boolean;
  /** ring slots, an integer >= 1 (default DEFAULT_SLOTS) */
  slots?: number;
  /** ms without a new sample after which next() gives up with an Error (default DEFAULT_TIMEOUT_MS) */
  timeoutMs?: number;
  /** where the worker bundle is (default: next to the running bundle, or <repo>/dist from src/) */
  workerUrl?: URL;
}

export interface TargetStreamOptions extends TargetProducerOptions, PassOptions {}


/** One pass; closing the stream also closes its producer. */
export function createTargetStream(opts: TargetStreamOptions): TargetStream {
  const producer = createTargetProducer(opts);
  let stream: TargetStream;
  try {
    stream = producer.stream(opts);
  } catch (e) {
    producer.close();
    throw e;
  }
  return {
    next: () => stream.next(),
    close: () => {
      stream.close();
      producer.close();
    },
    get length() {
      return stream.length;
    },
    get position() {
      return stream.position;
    },
    threaded: stream.threaded,
  };
}

export function createTargetProducer(opts: TargetProducerOptions): TargetProducer {
  const { teacher, data } = opts;
  if (data.size !== teacher.sizes[0]) throw new RangeError(`target stream: samples have ${data.size} values, the teacher takes ${teacher.sizes[0]}`);
  if (data.images.length < data.n * data.size) throw new RangeError('target stream: images hold fewer than n*size values');
  const slots = opts.slots ?? DEFAULT_SLOTS;
  if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`target stream: slots must be an integer >= 1, got ${slots}`);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new RangeError(`target stream: timeoutMs must be > 0, got ${timeoutMs}`);
  return opts.threaded ? new ThreadedProducer(teacher, data, slots, timeoutMs, opts.workerUrl) : new InThreadProducer(teacher, data);
}

/** dist/targets-worker.js: next to the running bundle, or <repo>/dist when running from src/ (vitest). */
export function defaultWorkerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../dist/targets-worker.js', here) : new URL('./targets-worker.js', here);
}

class ThreadedProducer implements TargetProducer {
  readonly threaded = true;
  private readonly worker: Worker;
  private readonly life: SharedArrayBuffer;
  private readonly lifeWords: Int32Array;
  private readonly widths: number[];
  private open: TargetStream | undefined;
  /** set when the worker is known to be gone or stuck: every later call fails with it */
  private broken: Error | undefined;
  private closed = false;

  constructor(
    private readonly teacher: Teacher,
    private readonly data: Dataset,
    private readonly slots: number,
    private readonly timeoutMs: number,
    workerUrl: URL | undefined,
  ) {
    const url = workerUrl ?? defaultWorkerUrl();
    if (url.protocol === 'file:' && !existsSync(fileURLToPath(url))) {
      throw new Error(`target stream: the teacher worker bundle is missing at ${fileURLToPath(url)} (run \`npm run build\`)`);
    }
    this.widths = teacher.layers.map((l) => l.nOut);
    this.life = new SharedArrayBuffer(lifeBytes());
    this.lifeWords = new Int32Array(this.life, 0, LIFE_WORDS);
    const init: WorkerInit = {
      teacher: {
        sizes: teacher.sizes.slice(),
        clip: teacher.clip,
        ...(teacher.precision ? { precision: teacher.precision } : {}),
        // slice(): a view's own values, not its whole underlying buffer, go to the worker
        // (a convolution's geometry and a pooling's `fixed` go along: teacherForward needs them)
        layers: teacher.layers.map((l) => ({
          nIn: l.nIn, nOut: l.nOut, weights: l.weights.slice(), bias: l.bias.slice(),
          ...(l.conv ? { conv: { ...l.conv } } : {}), ...(l.fixed ? { fixed: true } : {}),
        })),
      },
      images: sharedImages(data),
      n: data.n,
      size: data.size,
      life: this.life,
    };
    this.worker = new Worker(url, { workerData: init });
    this.worker.unref();
    // Events only arrive when the main thread's event loop runs; the shared state words are what
    // next() relies on. The listener keeps an 'error' event from being an uncaught exception.
    this.worker.on('error', () => {});
  }

  stream(pass: PassOptions): TargetStream {
    if (this.closed) throw new Error('target stream: the producer is closed');
    if (this.broken) throw this.broken;
    checkPass(this.teacher, this.data, pass);
    this.open?.close();
    const K = this.slots;
    const layout = slotLayout(this.widths);
    const ctrlBuf = new SharedArrayBuffer(PASS_WORDS * 4);
    const ctrl = new Int32Array(ctrlBuf);
    const slotBuf = new SharedArrayBuffer(K * layout.width * 4);
    const slotsAll = new Float32Array(slotBuf);
    const order = new Int32Array(new SharedArrayBuffer(Math.max(1, pass.order.length) * 4), 0, pass.order.length);
    for (let k = 0; k < order.length; k++) order[k] = pass.order[k];
    const msg: PassMessage = {
      ctrl: ctrlBuf, slots: slotBuf, slotCount: K, order,
      norms: pass.norms?.slice(), batchNorms: pass.batchNorms && { ...pass.batchNorms }, fault: pass.faultForTests,
    };
    this.worker.postMessage(msg);
    const out = this.widths.map((w) => new Float32Array(w));
    const producer = this;
    let position = 0;
    let closed = false;
    let failure: Error | undefined;

    const stop = () => {
      Atomics.store(ctrl, STOP, 1);
      Atomics.notify(ctrl, TAIL);
    };
    const s: TargetStream = {
      next() {
        if (failure) throw failure;
        if (closed) throw closedError();
        if (position >= order.length) throw exhaustedError(order.length);
        const p = position;
        try {
          producer.waitFor(ctrl, p, order);
        } catch (e) {
          failure = e as Error;
          stop();
          throw failure;
        }
        const base = (p % K) * layout.width;
        for (let l = 0; l < out.length; l++) out[l].set(slotsAll.subarray(base + layout.offsets[l], base + layout.offsets[l] + out[l].length));
        position = p + 1;
        Atomics.store(ctrl, TAIL, position);
        Atomics.notify(ctrl, TAIL);
        return out;
      },
      close() {
        if (closed) return;
        closed = true;
        stop();
      },
      get length() {
        return order.length;
      },
      get position() {
        return position;
      },
      threaded: true,
    };
    this.open = s;
    return s;
  }

  /** Blocks until sample p of the pass is in its slot, or throws why it never will be. */
  private waitFor(ctrl: Int32Array, p: number, order: Int32Array): void {
    if (this.broken) throw this.broken;
    let head = Atomics.load(ctrl, HEAD);
    if (head > p) return;
    let lastHead = head;
    let since = performance.now();
    for (;;) {
      if (Atomics.load(ctrl, STATUS) === PASS_FAILED) {
        throw new Error(`target stream: the teacher worker failed on order[${p}] = sample ${order[p]}: ${readError(this.life)}`);
      }
      const state = Atomics.load(this.lifeWords, LIFE_STATE);
      if (state === WORKER_EXITED || state === WORKER_FAILED) {
        throw this.fail(new Error(`target stream: ${readError(this.life)} before producing order[${p}] = sample ${order[p]}`));
      }
      const waited = performance.now() - since;
      if (waited >= this.timeoutMs) {
        const why = state === WORKER_STARTING ? 'the teacher worker never started' : 'the teacher worker made no progress';
        throw this.fail(new Error(`target stream: ${why} for ${this.timeoutMs} ms while the consumer waited for order[${p}] = sample ${order[p]} (crashed or stuck)`));
      }
      Atomics.wait(ctrl, HEAD, head, Math.min(WAIT_SLICE_MS, this.timeoutMs - waited));
      head = Atomics.load(ctrl, HEAD);
      if (head > p) return;
      if (head !== lastHead) {
        lastHead = head;
        since = performance.now();
      }
    }
  }

  /** The worker is gone or stuck: remember why, end it, and return the error to throw. */
  private fail(e: Error): Error {
    this.broken = e;
    void this.worker.terminate().catch(() => {});
    return e;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.open?.close();
    this.open = undefined;
    void this.worker.terminate().catch(() => {});
  }
}

/** The data set's images on a SharedArrayBuffer: shared as they are if they already are, else copied once. */
function sharedImages(data: Dataset): Float32Array {
  const count = data.n * data.size;
  if (data.images.buffer instanceof SharedArrayBuffer) return data.images.subarray(0, count);
  const shared = new Float32Array(new SharedArrayBuffer(Math.max(1, count) * 4), 0, count);
  shared.set(data.images.subarray(0, count));
  return shared;
}
