/**
 * A worker thread of a chip simulated on several threads (src/chip/threads.ts), bundled as
 * dist/thread-worker.js: instantiates the shared-memory kernels on the chip's memory, then hands
 * its whole life to one wasm call (assembly/threaded.ts threadLoop: a share of every sample the
 * main thread starts, until the run is closed). A failure is posted on its port and marked in the
 * control block, so the other threads stop at their next barrier instead of waiting.
 */
import { workerData } from 'node:worker_threads';
import type { WorkerInit } from './threads.js';
import { CTL, fail } from './thread-loop.js';
import { instantiateSharedKernels } from './wasm.js';

const init = workerData as WorkerInit;
const i32 = new Int32Array(init.memory.buffer);
const ctl = init.ctl >>> 2;
try {
  const ex = instantiateSharedKernels(init.module, init.memory);
  ex.threadLoop(init.plan, init.k);
} catch (e) {
  if (!Atomics.load(i32, ctl + CTL.QUIT)) {
    init.port.postMessage(e instanceof Error ? e.stack ?? e.message : String(e));
    fail(i32, ctl);
  }
}
init.port.close();
