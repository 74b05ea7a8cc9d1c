/**
 * One thread's share of a sample on a chip simulated by several threads (src/chip/threads.ts):
 * the main thread runs it as thread 0, every worker (src/chip/thread-worker.ts) as thread k.
 * Each layer's output neurons are cut into one contiguous slice per thread; a thread integrates,
 * steps and accumulates its slice, and runs online LTL's learning circuit (signal and outer-
 * product writer) on it. The weights of a postsynaptic neuron (a column of the fan-out-major
 * weight rows) are read and written by its slice's thread only, so weight writes never race.
 * What threads share is each layer's spikes: after a hidden layer's step every thread waits at a
 * barrier, then joins the slices' spike lists, in slice order (ascending, as one thread lists
 * them), into its own copy of the layer's events. Counters: each thread counts into its own
 * block; the main thread adds them up after the sample (integer counts, exact in f64, so the
 * order does not change a bit); a layer's delivered events are counted by thread 0 only.
 * Spike lists, counts and event copies are kept per step parity, so one barrier per hidden layer
 * per step is enough (a slot is rewritten two steps later, after a barrier every reader passed);
 * with a synaptic delay of one step the readers lag a step, so a barrier closes every step.
 */
import type { WasmExports } from './wasm.js';
import { COUNTER_SLOTS as SLOTS } from '../reference/counters.js';

/** The slots of the control block (an Int32Array on a SharedArrayBuffer). */
export const CTL = {
  /** Threads arrived at the barrier, and its generation (bumped when the last one arrives). */
  COUNT: 0, GEN: 1,
  /** Threads asleep in Atomics.wait at the barrier (the last arriving thread wakes them only then). */
  SLEEP: 2,
  /** Set: the workers leave their loop. */
  QUIT: 3,
  /** The sample's time steps, 1 when the sample learns, 1 when its steps are recorded for an observer. */
  STEPS: 4, LEARN: 5, RECORD: 7,
  /** Set by a failing thread (its message is posted on its port): every barrier then throws. */
  FAILED: 6,
  /** Spike counts: slot SPIKES + (l * 2 + parity) * threads + k. */
  SPIKES: 8,
} as const;

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
}

/** Everything a thread needs to run its share (plain numbers: posted to the workers). */
export interface ThreadLayout {
  threads: number;
  inputSize: number;
  analogInput: 0 | 1;
  delay: 0 | 1;
  reset: number;
  maxCount: number;
  /** The sample's input, steps x inputSize f32 (written by the main thread before each sample). */
  x: number;
  /** Per thread and parity: its gathered input events (thread 0: the chip's). */
  inputIdx: [number, number][];
  inputVal: [number, number][];
  layers: ThreadLayer[];
  /** Online LTL's options; negLr per layer is in the f64 control block (learning-rate schedules change it). */
  learn: { warmup: number; width: number; height: number; errorMode: number; atStep: boolean } | null;
  /** Per thread: the outer-product writer's scratch (thread 0: the module's static one, -1). */
  scratch: number[];
  /** Where a recorded sample keeps every step (threadsHistory): the chip replays them to an observer (the step timer). */
  history: StepHistory;
}

/**
 * A recorded sample, step by step (t = 1..T), for an observer that reads events and counters:
 * the input events and every hidden layer's joined spike list with their counts (thread 0 writes
 * them); each thread's own spike list of the last layer (joined when replayed: no thread waits
 * for the others to record a step) and its counter blocks after the step.
 */
export interface StepHistory {
  /** inputSize i32 indices and f32 values per step. */
  inIdx: number; inVal: number;
  /** Per layer: nOut i32 per step (the last layer: nOut i32 per step and thread, the thread's slice's list). */
  events: number[];
  /** Counts: (layers + threads) i32 per step: the input events', each hidden layer's, then each thread's last-layer list's. */
  counts: number;
  /** Counter blocks: per step, per thread, per layer COUNTER_SLOTS f64. */
  cnt: number;
}

/** Bytes of a StepHistory of `steps` steps (the layout's order). */
export function historyBytes(steps: number, inputSize: number, nOut: number[], threads: number, counterSlots: number): number {
  const a = (n: number) => Math.ceil(n / 16) * 16;
  const last = nOut.length - 1;
  return 2 * a(steps * inputSize * 4) + nOut.reduce((s, n, l) => s + a(steps * n * 4 * (l === last ? threads : 1)), 0)
    + a(steps * (nOut.length + threads) * 4) + a(steps * threads * nOut.length * counterSlots * 8);
}

/** A thread that failed: the others stop at their next barrier. */
export class ThreadFailure extends Error {}

/**
 * How long a thread spins at a barrier before it sleeps, adapted as it goes: doubled when
 * spinning caught the barrier, halved when the thread had to sleep anyway. On free cores the
 * threads meet within a few µs and spinning saves the ~10-50 µs of a sleep and wake-up; on a
 * machine with more runnable threads than cores the thread waited for is often descheduled,
 * and spinning would only burn the time slice it needs: the budget then falls to almost nothing.
 */
export interface Spin { budget: number; max: number }

/**
 * A counting barrier on the control block: spin on Atomics.load for spin.budget looks, then
 * sleep in Atomics.wait (the last thread to arrive wakes sleepers only when there are any).
 */
export function arrive(ctl: Int32Array, threads: number, spin: Spin): void {
  const gen = Atomics.load(ctl, CTL.GEN);
  if (Atomics.add(ctl, CTL.COUNT, 1) === threads - 1) {
    Atomics.store(ctl, CTL.COUNT, 0);
    Atomics.add(ctl, CTL.GEN, 1);
    if (Atomics.load(ctl, CTL.SLEEP) > 0) Atomics.notify(ctl, CTL.GEN);
  } else {
    const limit = spin.budget;
    let i = 0;
    while (i < limit && Atomics.load(ctl, CTL.GEN) === gen) i++;
    if (i < limit) {
      spin.budget = Math.min(spin.max, 2 * limit + 16);
    } else {
      spin.budget = limit >> 1;
      Atomics.add(ctl, CTL.SLEEP, 1);
      while (Atomics.load(ctl, CTL.GEN) === gen) Atomics.wait(ctl, CTL.GEN, gen, 1000);
      Atomics.sub(ctl, CTL.SLEEP, 1);
    }
  }
  if (Atomics.load(ctl, CTL.FAILED)) throw new ThreadFailure('a chip thread failed');
}

/** This thread's spin budgets: at the barriers within a sample, and at the start of a sample (each thread has its own module instance). */
export const SPIN = { step: { budget: 256, max: 1 << 15 }, idle: { budget: 256, max: 1 << 18 } };

/** Mark the run failed and release every thread waiting at a barrier. */
export function fail(ctl: Int32Array): void {
  Atomics.store(ctl, CTL.FAILED, 1);
  Atomics.add(ctl, CTL.GEN, 1);
  Atomics.notify(ctl, CTL.GEN);
}

/** What thread 0 leaves for the chip's own state: the spike counts of every layer's joined list and the input events, per parity. */
export interface ThreadCounts { spikes: [number, number][]; input: [number, number] }

/**
 * Thread k's share of one sample of `steps` steps (learning when `learn`), from the chip's
 * reset state to the last step; ends at a barrier that every thread reaches, so the main thread
 * sees all the threads' writes after it.
 */
export function runShare(
  ex: WasmExports, i32: Int32Array, ctl: Int32Array, negLr: Float64Array, L: ThreadLayout, k: number, steps: number, learn: boolean, record = false,
): ThreadCounts {
  const N = L.threads, layers = L.layers, nl = layers.length, n = L.inputSize;
  const inIdx = L.inputIdx[k], inVal = L.inputVal[k];
  const counts: ThreadCounts = { spikes: layers.map(() => [0, 0]), input: [0, 0] };
  const lr = L.learn;
  let f64: Float64Array | undefined;
  for (let t = 1; t <= steps; t++) {
    const cur = t & 1, prev = cur ^ 1;
    const slot = L.delay === 0 ? cur : prev;
    counts.input[cur] = ex.gatherEvents(L.x + (t - 1) * n * 4, n, inIdx[cur], inVal[cur]);
    for (let l = 0; l < nl; l++) {
      const y = layers[l], i0 = y.slices[k], w = y.slices[k + 1] - i0, o = i0 * 4, cnt = y.cnt[k];
      const evIdx = l === 0 ? inIdx[slot] : layers[l - 1].events[k][slot];
      const evVal = l === 0 ? inVal[slot] : 0;
      const evN = l === 0 ? counts.input[slot] : counts.spikes[l - 1][slot];
      const analog = l === 0 ? L.analogInput : 0;
      const local = y.local[k][cur];
      ex.integrateSlice(y.wt + o, y.nOut, w, evIdx, evVal, evN, analog, y.bias + o, y.i + o, k === 0 ? 1 : 0, cnt);
      const ns = ex.neuronStep(w, y.i + o, y.u + o, y.s[prev] + o, y.s[cur] + o, local, y.thr + y.thrStride * o, y.thrStride,
        y.leak + y.leakStride * o, y.leakStride, L.reset, cnt);
      ex.accumulate(local, ns, y.c + o, L.maxCount, cnt);
      Atomics.store(ctl, CTL.SPIKES + (l * 2 + cur) * N + k, ns);
      if (l < nl - 1) {
        arrive(ctl, N, SPIN.step);
        counts.spikes[l][cur] = join(i32, ctl, y, k, cur, N, l);
      }
    }
    if (learn && lr && t > lr.warmup) {
      for (let l = 0; l < nl; l++) {
        const y = layers[l];
        if (y.m < 0) continue;
        const i0 = y.slices[k], w = y.slices[k + 1] - i0, o = i0 * 4, cnt = y.cnt[k];
        const evIdx = l === 0 ? inIdx[slot] : layers[l - 1].events[k][slot];
        const evVal = l === 0 ? inVal[slot] : 0;
        const evN = l === 0 ? counts.input[slot] : counts.spikes[l - 1][slot];
        const analog = l === 0 ? L.analogInput : 0;
        const nActive = ex.ltlOnlineSignal(w, y.c + o, y.target + o, y.u + o, y.thr + y.thrStride * o, y.thrStride, t, lr.width, lr.height,
          lr.errorMode, negLr[l], y.m + o, y.active + o, cnt);
        const dst = lr.atStep ? y.wt : y.g, dstBias = lr.atStep ? y.bias : y.gb;
        ex.outerUpdateSlice(dst + o, dstBias + o, y.nOut, w, evIdx, evVal, evN, analog, y.m + o, y.active + o, nActive, lr.atStep ? 1 : 0, cnt);
      }
    }
    // Each thread keeps what an observer will read of its step.
    if (record) recordStep(i32, f64 ??= new Float64Array(i32.buffer, 0, i32.buffer.byteLength >>> 3), ctl, L, k, t, counts);
    if (L.delay === 1) arrive(ctl, N, SPIN.step);
  }
  arrive(ctl, N, SPIN.step);
  return counts;
}

/**
 * Thread k's copy of layer y's spike list at parity p: every slice's list in slice order, its
 * indices moved by the slice's start (thread 0 writes the chip's own list). Returns its length.
 */
export function join(i32: Int32Array, ctl: Int32Array, y: ThreadLayer, k: number, p: number, N: number, l: number): number {
  const dst = y.events[k][p] >>> 2;
  let total = 0;
  for (let q = 0; q < N; q++) {
    const m = Atomics.load(ctl, CTL.SPIKES + (l * 2 + p) * N + q);
    const src = y.local[q][p] >>> 2, base = y.slices[q];
    for (let e = 0; e < m; e++) i32[dst + total + e] = i32[src + e] + base;
    total += m;
  }
  return total;
}

/**
 * Keep step t of thread k in the history: its counter blocks and its slice's last-layer spike
 * list; thread 0 also the input events and the hidden layers' joined lists, with their counts.
 */
function recordStep(i32: Int32Array, f64: Float64Array, ctl: Int32Array, L: ThreadLayout, k: number, t: number, counts: ThreadCounts): void {
  const h = L.history, N = L.threads, nl = L.layers.length, cur = t & 1, last = nl - 1;
  for (let l = 0; l < nl; l++) {
    const src = L.layers[l].cnt[k] >>> 3, dst = (h.cnt >>> 3) + (((t - 1) * N + k) * nl + l) * SLOTS;
    f64.copyWithin(dst, src, src + SLOTS);
  }
  const y = L.layers[last], c = (h.counts >>> 2) + (t - 1) * (nl + N);
  const m = Atomics.load(ctl, CTL.SPIKES + (last * 2 + cur) * N + k), src = y.local[k][cur] >>> 2;
  i32[c + nl + k] = m;
  i32.copyWithin((h.events[last] >>> 2) + ((t - 1) * N + k) * y.nOut, src, src + m);
  if (k !== 0) return;
  const n = L.inputSize, ni = counts.input[cur];
  i32.copyWithin((h.inIdx >>> 2) + (t - 1) * n, L.inputIdx[0][cur] >>> 2, (L.inputIdx[0][cur] >>> 2) + ni);
  i32.copyWithin((h.inVal >>> 2) + (t - 1) * n, L.inputVal[0][cur] >>> 2, (L.inputVal[0][cur] >>> 2) + ni);
  i32[c] = ni;
  for (let l = 0; l < last; l++) {
    const z = L.layers[l], ml = counts.spikes[l][cur];
    i32[c + 1 + l] = ml;
    i32.copyWithin((h.events[l] >>> 2) + (t - 1) * z.nOut, z.events[0][cur] >>> 2, (z.events[0][cur] >>> 2) + ml);
  }
}
