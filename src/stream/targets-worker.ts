/**
 * The teacher worker (a worker_threads Worker, bundled to dist/targets-worker.js): runs the ANN
 * teacher on the samples of each pass, in the pass's order, and writes each sample's layer
 * targets (targetsFor, the very code the main thread would run) into the pass's ring of slots.
 * The protocol is in protocol.ts; the consumer is target-stream.ts.
 *
 * The teacher's weights arrive once (workerData, a copy) and the images once (a Float32Array on
 * a SharedArrayBuffer, shared). Passes arrive as messages and run one at a time; between passes
 * the worker idles in its event loop.
 */
// Node's platform first: the teacher's kernels are read through it (src/host/teacher-kernels.ts).
import '../node/platform.js';
import { parentPort, workerData } from 'node:worker_threads';
import { batchNorms, targetsFor } from '../host/targets.js';
import { teacherActs, type Teacher } from '../host/teacher.js';
import type { Dataset } from '../host/mnist.js';
import {
  HEAD, LIFE_STATE, LIFE_WORDS, PASS_DONE, PASS_FAILED, PASS_RUNNING, PASS_STOPPED, PASS_WORDS, STATUS, STOP, TAIL,
  WORKER_EXITED, WORKER_FAILED, WORKER_READY, slotLayout, writeError, type PassMessage, type WorkerInit,
} from './protocol.js';

/** How long one wait for a free slot sleeps before it looks at STOP again (ms). */
const WAIT_SLICE_MS = 200;

if (parentPort === null) throw new Error('targets-worker: must run as a worker thread');
const init = workerData as WorkerInit;
const life = new Int32Array(init.life, 0, LIFE_WORDS);
const teacher: Teacher = init.teacher;
const data: Dataset = { n: init.n, size: init.size, images: init.images, labels: new Uint8Array(0) };
const scratch = teacherActs(teacher);
const widths = teacher.layers.map((l) => l.nOut);
const layout = slotLayout(widths);
/** The control words of the pass being produced (woken when the worker dies). */
let current: Int32Array | undefined;

process.on('exit', (code) => {
  if (Atomics.load(life, LIFE_STATE) !== WORKER_FAILED) {
    if (Atomics.load(life, LIFE_STATE) !== WORKER_EXITED) writeError(init.life, `the teacher worker exited (code ${code})`);
    Atomics.store(life, LIFE_STATE, code === 0 ? WORKER_EXITED : WORKER_FAILED);
  }
  Atomics.notify(life, LIFE_STATE);
  if (current) Atomics.notify(current, HEAD);
});

parentPort.on('message', (msg: PassMessage) => runPass(msg));
Atomics.store(life, LIFE_STATE, WORKER_READY);
Atomics.notify(life, LIFE_STATE);

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

function runPass(msg: PassMessage): void {
  const ctrl = new Int32Array(msg.ctrl, 0, PASS_WORDS);
  current = ctrl;
  Atomics.store(ctrl, STATUS, PASS_RUNNING);
  let status = PASS_DONE;
  try {
    if (!produce(msg, ctrl)) status = PASS_STOPPED;
  } catch (e) {
    writeError(init.life, describe(e));
    status = PASS_FAILED;
  }
  Atomics.store(ctrl, STATUS, status);
  Atomics.notify(ctrl, HEAD);
  current = undefined;
}

/** Produces the whole pass; false when it was stopped first. */
function produce(msg: PassMessage, ctrl: Int32Array): boolean {
  const K = msg.slotCount;
  const order = msg.order;
  const views: Float32Array[][] = [];
  for (let k = 0; k < K; k++) {
    views.push(widths.map((w, l) => new Float32Array(msg.slots, (k * layout.width + layout.offsets[l]) * 4, w)));
  }
  let norms = msg.norms ?? [];
  for (let p = 0; p < order.length; p++) {
    // wait for a free slot
    for (;;) {
      if (Atomics.load(ctrl, STOP) !== 0) return false;
      const tail = Atomics.load(ctrl, TAIL);
      if (p - tail < K) break;
      Atomics.wait(ctrl, TAIL, tail, WAIT_SLICE_MS);
    }
    if (msg.fault && msg.fault.at === p) {
      injectFault(msg.fault.kind, ctrl);
      return false;
    }
    const spec = msg.batchNorms;
    if (spec && p % spec.batch === 0) {
      norms = batchNorms(teacher, data, order.subarray(p, Math.min(order.length, p + spec.batch)), spec.percentile);
    }
    targetsFor(teacher, data, order[p], norms, views[p % K], scratch);
    Atomics.store(ctrl, HEAD, p + 1);
    Atomics.notify(ctrl, HEAD);
  }
  return true;
}

/** Throws, exits, or (hang) waits until the pass is stopped. */
function injectFault(kind: 'throw' | 'exit' | 'hang', ctrl: Int32Array): void {
  if (kind === 'throw') throw new Error('injected fault (tests)');
  if (kind === 'exit') process.exit(1);
  while (Atomics.load(ctrl, STOP) === 0) Atomics.wait(ctrl, STOP, 0, WAIT_SLICE_MS);
}
