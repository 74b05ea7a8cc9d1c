/**
 * The plan of a chip simulated by several threads (src/chip/threads.ts): where every thread's
 * share of a sample finds its buffers, written once into shared memory for the kernels that run
 * the shares (assembly/threaded.ts: one wasm call per sample per thread, the barriers inside
 * wasm). Each layer's output neurons are cut into one contiguous slice per thread; a thread
 * integrates, steps and accumulates its slice, and runs online LTL's learning circuit (signal and
 * outer-product writer) on it, in blocks of its own: its slice's weights (nIn rows of its width:
 * the weights of a postsynaptic neuron are read and written by its slice's thread only, so
 * weight writes never race), their accumulated changes and its neurons' state (STATE). Thread 0
 * gathers the input events for every thread. What threads share is the input events and each
 * layer's spikes: a thread that needs a layer waits until every thread has published its slice,
 * then joins the slices' spike lists, in slice order (ascending, as one thread lists them), into
 * its own copy of the layer's events. Counters: each thread counts into its own
 * block; thread 0 adds them up after the sample (integer counts, exact in f64, so the order does
 * not change a bit); a layer's delivered events are counted by thread 0 only.
 * The slots below mirror assembly/threaded.ts (the plan's sizes are checked against its exports).
 */

/** The slots of the control block (i32, in shared wasm memory): the barrier's count and generation, sleepers, quit, failed. */
export const CTL = { COUNT: 0, GEN: 1, SLEEP: 2, QUIT: 3, FAILED: 4, THREADS: 16 } as const;

/** The plan's slots (assembly/threaded.ts H_*, T_*, L_*, P_*). */
const H = {
  THREADS: 0, INPUT: 1, ANALOG: 2, DELAY: 3, RESET: 4, MAXCOUNT: 5, X: 6, LAYERS: 7, LEARNS: 8, WARMUP: 9, WIDTH: 10, HEIGHT: 11,
  ERROR: 12, ATSTEP: 13, HIST_INIDX: 14, HIST_INVAL: 15, HIST_COUNTS: 16, HIST_CNT: 17, STEPS: 18, LEARN: 19, RECORD: 20, CTL: 21,
  NEGLR: 22, THREAD: 23, LAYER: 24, FLAGS: 25, FLAGSTRIDE: 26, STALL: 27,
} as const;
export const PLAN = { HEADER: 32, THREAD: 8, LAYER: 24, PER_THREAD: 13, CTL_THREADS: CTL.THREADS } as const;

/** A layer's kind as the threads run it (assembly/threaded.ts KIND_*). */
export const KIND = { DENSE: 0, CONV: 1, DEPTHWISE: 2 } as const;

/**
 * The arrays of a thread's state block of a layer (assembly/threaded.ts S_*): I, U, S per parity,
 * C, online LTL's m and active list, the biases and their accumulated changes; ARRAYS of them.
 */
export const STATE = { I: 0, U: 1, S: 2, C: 4, M: 5, ACTIVE: 6, BIAS: 7, GB: 8, ARRAYS: 9 } as const;

/** Byte pointer of array a of the state block at `block` of a slice of w neurons (each array on whole lines). */
export const stateArray = (block: number, w: number, a: number) => block + a * Math.ceil((w * 4) / 64) * 64;
/** A thread block's slot of the pointer to its wait statistics (assembly/threaded.ts T_STATS): waits, then sleeps. */
const T_STATS = 6;

/** Byte pointers and sizes of one layer's buffers, and its slices. */
export interface ThreadLayer {
  nOut: number;
  wt: number; bias: number; thr: number; thrStride: number; leak: number; leakStride: number;
  i: number; u: number; s: [number, number]; c: number;
  /** threads + 1 slice bounds: thread k owns neurons [slices[k], slices[k + 1]). */
  slices: number[];
  /** Per thread: its counter block (thread 0: the chip's). */
  cnt: number[];
  /** Per thread and parity: the spike list of its slice (indices from the slice's start). */
  local: [number, number][];
  /** Per thread and parity: its copy of the layer's joined spike list (thread 0: the chip's own). */
  events: [number, number][];
  /** Online LTL's buffers (-1: the layer does not learn): targets, m, active lists (per slice), the accumulator (updates at "sample"). */
  target: number; m: number; active: number; g: number; gb: number;
  /**
   * Per thread: its slice's weights as a matrix of its own, nIn rows of its slice's width (where
   * the threads read and write them while samples run), and its accumulated changes (-1: none).
   */
  wtBlock: number[]; gBlock: number[];
  /** Per thread: its state block (STATE), the arrays its slice's neurons work in while samples run. */
  state: number[];
  /** KIND of the layer; a convolution's: per thread the geometry of its channels (-1: dense). */
  kind: number;
  geo: number[];
  /** A depthwise layer's: per thread its channels' input indices [lo, hi) and its list of their events (indices, values); -1 elsewhere. */
  lo: number[]; hi: number[]; filt: number[]; filtVal: number[];
  /** Its stored weights as blocks see them (thread-plan.ts layerSplit): rows x cols, thread k's columns from cols0[k]; its biases' bounds. */
  rows: number; cols: number; cols0: number[]; biases: number[];
}

/** Everything the threads' shares need, as the host lays it out (threads.ts) and writes it into the plan. */
export interface ThreadLayout {
  threads: number;
  inputSize: number;
  analogInput: 0 | 1;
  delay: 0 | 1;
  reset: number;
  maxCount: number;
  /** The sample's input, steps x inputSize f32 (written by the main thread before each sample; read by thread 0 only). */
  x: number;
  /** Per thread and parity: where the last steps' input events are left (thread 0: the chip's lists; the others: -1, none). */
  inputIdx: [number, number][];
  inputVal: [number, number][];
  layers: ThreadLayer[];
  /** Online LTL's options (null: no rule, inference only); -eta per layer is written per sample (learning-rate schedules change it). */
  learn: { warmup: number; width: number; height: number; errorMode: number; atStep: boolean } | null;
  /** Per thread: the outer-product writer's scratch (thread 0: the module's static one, -1). */
  scratch: number[];
  /** Per thread: the convolution kernels' scratch (thread 0: the module's static one, -1). */
  convScratch: number[];
  /** Where a recorded sample keeps every step: the chip replays them to an observer (the step timer). */
  history: StepHistory;
}

/**
 * A sample, step by step (t = 1..T): the input events with their count (thread 0 gathers them
 * here for every sample, a step ahead, and the other threads read them here); when the sample is
 * recorded for an observer that reads events and counters, also each thread's own spike list of every
 * layer's slice with its count (joined when replayed: no thread waits for the others to record a
 * step) and its counter blocks after the step.
 */
export interface StepHistory {
  /** inputSize i32 indices and f32 values per step. */
  inIdx: number; inVal: number;
  /** Per layer: nOut i32 per step and thread (the thread's slice's list, indices from the slice's start). */
  events: number[];
  /** Counts: 1 + layers x threads i32 per step: the input events', then each layer's slices' lists'. */
  counts: number;
  /** Counter blocks: per step, per thread, per layer COUNTER_SLOTS f64. */
  cnt: number;
}

/** Bytes rounded up to whole cache lines (the layout's buffers start on lines of their own). */
const line = (n: number) => Math.ceil(n / 64) * 64;

/** Bytes of a StepHistory of `steps` steps (the layout's order). */
export function historyBytes(steps: number, inputSize: number, nOut: number[], threads: number, counterSlots: number): number {
  return 2 * line(steps * inputSize * 4) + nOut.reduce((s, n) => s + line(steps * n * 4 * threads), 0)
    + line(steps * (1 + nOut.length * threads) * 4) + line(steps * threads * nOut.length * counterSlots * 8);
}

/** i32 slots of the plan (header, threads' blocks, layers' blocks, slices, per-thread slots, -eta). */
function planSlots(layers: number, threads: number): number {
  return PLAN.HEADER + threads * PLAN.THREAD + layers * (PLAN.LAYER + threads + 1 + threads * PLAN.PER_THREAD) + layers;
}

/** Whole cache lines of i32 slots. */
const lines = (slots: number) => Math.ceil(slots / 16) * 16;

/**
 * i32 slots of one thread's region of the control block, in lines no other thread writes: what
 * it publishes (a sequence number per layer, then its slice's spike count per layer and parity:
 * a reader finds the count on the line it polled; thread 0 then how many input steps it has
 * gathered into the history, for the others), what only it writes (its counts: the input
 * events' per parity and each layer's joined list per parity; then its waits and sleeps), and
 * an empty line (the prefetchers fetch lines in pairs).
 */
const threadSlots = (layers: number) => lines(3 * layers + 1) + lines(2 + 2 * layers + 2) + 16;

/** i32 slots of the control block: its words (a line), then each thread's region. */
const ctlSlots = (layers: number, threads: number) => CTL.THREADS + threads * threadSlots(layers);

/** Bytes of the plan and the control block (each on cache lines of its own). */
export function planBytes(layers: number, threads: number): number {
  return 64 + Math.ceil((planSlots(layers, threads) * 4) / 64) * 64 + ctlSlots(layers, threads) * 4 + 64;
}

/** Where the plan went: its pointer, the control block's, thread 0's counts (input per parity, then each layer's list per parity), -eta per layer (f32). */
export interface PlanPointers { plan: number; ctl: number; counts: number; negLr: number }

/** How often a waiting thread looks again while asleep, ms (assembly/threaded.ts WAIT_NS). */
const LOOK_MS = 50;

/**
 * Write the plan of `L` into the i32 view of shared memory at `at` (planBytes free bytes, zeroed);
 * the per-sample slots stay 0. `stallMs`: within a sample, how long a thread waits for another
 * without progress before it takes it for dead and fails the run.
 */
export function writePlan(i32: Int32Array, f32: Float32Array, at: number, L: ThreadLayout, stallMs: number): PlanPointers {
  const N = L.threads, nl = L.layers.length;
  const plan = Math.ceil(at / 64) * 64;
  let next = plan / 4 + PLAN.HEADER;
  const take = (slots: number) => {
    const p = next;
    next += slots;
    return p;
  };
  const h = plan / 4;
  const set = (s: number, v: number) => { i32[h + s] = v; };
  set(H.THREADS, N); set(H.INPUT, L.inputSize); set(H.ANALOG, L.analogInput); set(H.DELAY, L.delay); set(H.RESET, L.reset);
  set(H.MAXCOUNT, L.maxCount | 0); set(H.X, L.x); set(H.LAYERS, nl); set(H.LEARNS, L.learn ? 1 : 0);
  if (L.learn) {
    set(H.WARMUP, L.learn.warmup); set(H.ERROR, L.learn.errorMode); set(H.ATSTEP, L.learn.atStep ? 1 : 0);
    f32[h + H.WIDTH] = L.learn.width;
    f32[h + H.HEIGHT] = L.learn.height;
  }
  set(H.STALL, Math.max(1, Math.ceil(stallMs / LOOK_MS)));
  set(H.HIST_INIDX, L.history.inIdx); set(H.HIST_INVAL, L.history.inVal); set(H.HIST_COUNTS, L.history.counts); set(H.HIST_CNT, L.history.cnt);
  const threads = take(N * PLAN.THREAD), layers = take(nl * PLAN.LAYER);
  set(H.THREAD, threads * 4); set(H.LAYER, layers * 4);
  L.layers.forEach((y, l) => {
    const b = layers + l * PLAN.LAYER, slices = take(N + 1), per = take(N * PLAN.PER_THREAD);
    // The thread that counts the layer's delivered events: the first that owns neurons of it.
    const counter = y.slices.findIndex((b0, k) => k < N && y.slices[k + 1] > b0);
    i32.set([y.nOut, y.wt, y.bias, y.thr, y.thrStride, y.leak, y.leakStride, y.i, y.u, y.s[0], y.s[1], y.c, y.target, y.m, y.active, y.g, y.gb,
      L.history.events[l], slices * 4, per * 4, counter, y.kind], b);
    i32.set(y.slices, slices);
    for (let k = 0; k < N; k++) {
      i32.set([y.cnt[k], y.local[k][0], y.local[k][1], y.events[k][0], y.events[k][1], y.wtBlock[k], y.gBlock[k], y.state[k],
        y.geo[k], y.lo[k], y.hi[k], y.filt[k], y.filtVal[k]], per + k * PLAN.PER_THREAD);
    }
  });
  const negLr = take(nl) * 4;
  set(H.NEGLR, negLr);
  const ctl = Math.ceil((next * 4) / 64) * 64;
  set(H.CTL, ctl);
  set(H.FLAGS, CTL.THREADS);
  set(H.FLAGSTRIDE, threadSlots(nl));
  // Each thread's own counts and wait statistics: on its region's private line.
  const own = (k: number) => ctl + (CTL.THREADS + k * threadSlots(nl) + lines(3 * nl + 1)) * 4;
  for (let k = 0; k < N; k++) {
    i32.set([L.inputIdx[k][0], L.inputIdx[k][1], L.inputVal[k][0], L.inputVal[k][1], L.scratch[k], own(k), own(k) + (2 + 2 * nl) * 4, L.convScratch[k]], threads + k * PLAN.THREAD);
  }
  if (ctl + ctlSlots(nl, N) * 4 > at + planBytes(nl, N)) throw new Error('writePlan: planBytes() is too small for the plan');
  return { plan, ctl, counts: own(0), negLr };
}

/** Set the sample's slots of the plan: its steps, whether it learns and whether its steps are recorded. */
export function planSample(i32: Int32Array, plan: number, steps: number, learn: boolean, record: boolean): void {
  const h = plan >>> 2;
  i32[h + H.STEPS] = steps;
  i32[h + H.LEARN] = learn ? 1 : 0;
  i32[h + H.RECORD] = record ? 1 : 0;
}

/** How often thread k waited for another thread, and how often the wait ended in a sleep (since the plan was written). */
export function planWaits(i32: Int32Array, plan: number, k: number): { waits: number; sleeps: number } {
  const s = i32[(i32[(plan >>> 2) + H.THREAD] >>> 2) + k * PLAN.THREAD + T_STATS] >>> 2;
  return { waits: i32[s] >>> 0, sleeps: i32[s + 1] >>> 0 };
}

/** Mark the run failed and release every thread waiting at a barrier (ctl: the control block's i32 index). */
export function fail(i32: Int32Array, ctl: number): void {
  Atomics.store(i32, ctl + CTL.FAILED, 1);
  Atomics.add(i32, ctl + CTL.GEN, 1);
  Atomics.notify(i32, ctl + CTL.GEN);
}
