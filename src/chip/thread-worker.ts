/**
 * A worker thread of a chip simulated on several threads (src/chip/threads.ts), bundled as
 * dist/thread-worker.js: instantiates the shared-memory kernels on the chip's memory, then runs
 * its share of every sample (src/chip/thread-loop.ts) until told to quit. A failure is posted on
 * its port and marked in the control block, so the main thread throws instead of waiting.
 */
import { workerData } from 'node:worker_threads';
import { arrive, CTL, SPIN, fail, runShare, ThreadFailure } from './thread-loop.js';
import type { WorkerInit } from './threads.js';
import { instantiateSharedKernels } from './wasm.js';

const init = workerData as WorkerInit;
const ctl = new Int32Array(init.ctl);
const negLr = new Float64Array(init.negLr);
const L = init.layout;
try {
  const ex = instantiateSharedKernels(init.module, init.memory);
  // Static memory is shared by every instance: this thread's outer-product writer gets scratch of its own.
  ex.setLearningScratch(L.scratch[init.k]);
  const i32 = new Int32Array(init.memory.buffer);
  arrive(ctl, L.threads, SPIN.idle);
  for (;;) {
    arrive(ctl, L.threads, SPIN.idle);
    if (Atomics.load(ctl, CTL.QUIT)) break;
    runShare(ex, i32, ctl, negLr, L, init.k, Atomics.load(ctl, CTL.STEPS), Atomics.load(ctl, CTL.LEARN) === 1, Atomics.load(ctl, CTL.RECORD) === 1);
  }
} catch (e) {
  if (!(e instanceof ThreadFailure) && !Atomics.load(ctl, CTL.QUIT)) {
    init.port.postMessage(e instanceof Error ? e.stack ?? e.message : String(e));
    fail(ctl);
  }
}
init.port.close();
