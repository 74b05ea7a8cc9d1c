// A chip on several threads, one wasm call per sample per thread (src/chip/threads.ts; shared-
// memory build only: assembly/shared.ts). Thread k runs its share of a whole sample: every step,
// every layer, its slice of the layer's neurons (the slice kernels of synapse.ts and learning.ts,
// the neuron step and the accumulator, so each neuron's arithmetic is the one-thread chip's), and
// publishes its slice's spikes after each layer's step. Its slice's weights, changes and state
// live in blocks of its own while samples run (P_WT, P_G, P_STATE), and thread 0 alone reads the
// sample's input (gatherInput): no cache line is written by one thread and read by another but
// the spikes they exchange (docs/speed.md, "Threads"). Nothing per layer-step goes through
// JavaScript: meeting another thread costs a few atomic operations when both are on time, where
// the earlier JavaScript loop paid a call per kernel and per barrier (docs/speed.md, "Threads").
//
// Who waits for whom: a thread that owns neurons of layer l + 1 needs every slice of layer l
// (its dendritic sum and its learning read the whole list), so it waits until every thread has
// published layer l for this step, then joins the slices' lists, in slice order, into a copy of
// its own. Every thread also waits for layer 0 each step, so no thread is ever more than a step
// ahead of another: a list written at step t is rewritten at step t + 2 only, after every
// reader of it has published layer 0 of step t + 1 and so finished step t. Publishing is a
// sequence number per thread and layer (each thread publishes the same sequence, so the number
// a thread has just published is the one it waits for from the others).
//
// Everything a thread reads is in a plan that the host writes once into shared memory (its
// slots below; src/chip/thread-loop.ts mirrors them and checks PLAN_* at start): pointers into
// the chip's arena, the slices, each thread's own buffers, and per sample its steps, whether it
// learns or records, and -eta per layer. Spike lists, counts and joined copies are kept per step
// parity. A sample starts and ends at a barrier of all the threads.
import { gatherEvents, integrateSlice } from "./synapse";
import { neuronStep } from "./neuron";
import { accumulate } from "./accumulator";
import { ltlOnlineSignal, outerUpdateSlice, setLearningScratch } from "./learning";
import { convIntegrateSlice, convOuterUpdate, setConvScratch } from "./conv";
import { COUNTER_SLOTS } from "./counters";

// The plan's header (i32 slots; f32 where said).
const H_THREADS = 0, H_INPUT = 1, H_ANALOG = 2, H_DELAY = 3, H_RESET = 4, H_MAXCOUNT = 5, H_X = 6, H_LAYERS = 7;
const H_LEARNS = 8, H_WARMUP = 9, H_WIDTH = 10, H_HEIGHT = 11, H_ERROR = 12, H_ATSTEP = 13;
const H_HIST_INIDX = 14, H_HIST_INVAL = 15, H_HIST_COUNTS = 16, H_HIST_CNT = 17;
const H_STEPS = 18, H_LEARN = 19, H_RECORD = 20, H_CTL = 21, H_NEGLR = 22, H_THREAD = 23, H_LAYER = 24, H_FLAGS = 25, H_FLAGSTRIDE = 26, H_STALL = 27;
/** i32 slots of the plan's header. */
export const PLAN_HEADER: i32 = 32;
// One thread's block: its input events per parity, its writer scratch (-1: the module's own), its
// counts (2 + 2 * layers i32: the input events' per parity, then each layer's joined list per
// parity) and its statistics (how often it waited for another thread, how often it slept): both
// pointers to its own line of the control block, which no other thread writes.
const T_INIDX = 0, T_INVAL = 2, T_SCRATCH = 4, T_COUNTS = 5, T_STATS = 6, T_CONV = 7;
/** i32 slots of a thread's block. */
export const PLAN_THREAD: i32 = 8;
// One layer's block: the chip's buffers, online LTL's (-1: the layer does not learn), where its
// history keeps its lists, its slice bounds (threads + 1 i32), its per-thread buffers (PER_THREAD
// i32 each), and the thread that counts its delivered events (the first with a nonempty slice).
const L_NOUT = 0, L_WT = 1, L_BIAS = 2, L_THR = 3, L_THRSTRIDE = 4, L_LEAK = 5, L_LEAKSTRIDE = 6, L_I = 7, L_U = 8, L_S = 9;
const L_C = 11, L_TARGET = 12, L_M = 13, L_ACTIVE = 14, L_G = 15, L_GB = 16, L_HIST = 17, L_SLICES = 18, L_PER = 19, L_COUNTER = 20;
// The layer's kind: dense; a convolution (sliced by output channels: each thread runs the conv
// kernels on a geometry of its channels, P_GEO, with its block of the shared weights); a
// depthwise one (pooling: output channel c reads input channel c only, so a thread takes only
// its channels' events, a contiguous run of the ascending list: P_LO, P_HI).
const L_KIND = 21;
const KIND_DENSE = 0, KIND_CONV = 1, KIND_DEPTHWISE = 2;
/** i32 slots of a layer's block. */
export const PLAN_LAYER: i32 = 24;
// Per thread of a layer: its counter block, its slice's spike list per parity, its joined copy per
// parity, and its slice's weights and accumulated changes (-1: none) as a matrix of its own (nIn
// rows of its slice's width, src/chip/threads.ts): in the arena's rows the two threads' columns
// alternate every row, and the prefetchers pull lines across the boundary that the other thread
// then writes (docs/speed.md, "Threads").
// And its neurons' state as arrays of its own (P_STATE, the S_* arrays below): written by the
// thread at every step, so kept away from the lines another thread writes; copied into the chip's
// arrays at the end of each sample.
// Convolutions: the geometry of its slice's channels (P_GEO); depthwise ones: the input indices
// of its channels [P_LO, P_HI) and a list for their events, re-based (P_FILT, P_FILTVAL).
const P_CNT = 0, P_LOCAL = 1, P_EVENTS = 3, P_WT = 5, P_G = 6, P_STATE = 7, P_GEO = 8, P_LO = 9, P_HI = 10, P_FILT = 11, P_FILTVAL = 12;
/** i32 slots per thread of a layer. */
export const PLAN_PER_THREAD: i32 = 13;
// A thread's state block of a layer: arrays of its slice's width, each on whole lines (stateArray):
// I, U, S per parity, C, online LTL's m and active list, the biases and their accumulated changes.
const S_I = 0, S_U = 1, S_S = 2, S_C = 4, S_M = 5, S_ACTIVE = 6, S_BIAS = 7, S_GB = 8;
/** Arrays in a thread's state block of a layer (src/chip/thread-loop.ts stateArray). */
export const STATE_ARRAYS: i32 = 9;

/** Array a of a state block of width w: each array on whole cache lines. */
// @ts-ignore: decorator
@inline function stateArray(sb: usize, w: i32, a: i32): usize {
  return sb + <usize>a * ((<usize>w * 4 + 63) & ~(<usize>63));
}
// The control block (i32 slots, its own cache lines): the barrier's count and generation, sleepers,
// quit, failed; then from CTL_THREADS (= H_FLAGS) each thread's region of H_FLAGSTRIDE slots, lines
// that only it writes: what it publishes (its sequence number per layer, then its slice's spike
// count per layer and parity, so a reader finds the count on the line it polled), then its counts
// and statistics (T_COUNTS, T_STATS). When two threads wrote one line (the slices' spike counts
// side by side, two threads' counts and statistics in the plan), every write moved it between the cores.
const C_COUNT = 0, C_GEN = 1, C_SLEEP = 2, C_QUIT = 3, C_FAILED = 4;
/** Slot of the first thread's region in the control block. */
export const CTL_THREADS: i32 = 16;

// How long a thread spins (looks, a few ns each) before it sleeps in memory.atomic.wait32: doubled
// when spinning caught the other thread, cut by an eighth when the thread had to sleep. On free
// cores the threads meet within a few µs, and a sleep costs system calls (~3.5 µs of CPU measured
// per sleep and wake-up) and the wake-up's latency; waits are rarely long there (a descheduled thread), so a rare sleep must not collapse
// the budget. On a machine with more runnable threads than cores, where almost every wait ends in
// a sleep, spinning burns the time slice the awaited thread needs, and the budget falls to SPIN_MIN.
// Per instance (globals are not shared), so per thread.
const SPIN_MIN: i32 = 1 << 8;
const SPIN_MAX_STEP: i32 = 1 << 15;
const SPIN_MAX_IDLE: i32 = 1 << 17;
let spinStep: i32 = SPIN_MAX_STEP;
let spinIdle: i32 = SPIN_MAX_IDLE;
// Every PROBE_EVERY-th wait with a budget below the longest spins the longest (waitChange).
const PROBE_EVERY: i32 = 64;
let sinceProbe: i32 = 0;
// A sleeper looks at the flags again at least this often (ns): a failed or closed run never hangs.
// Within a sample (and, for the main thread, at a sample's start), a thread that sees no progress for H_STALL such looks in a row takes the thread
// it waits for as dead (a worker that ended without marking the run failed) and fails the run.
const WAIT_NS: i64 = 50_000_000;
/** Returned by threadSample when a thread stalled (no progress within the plan's limit). */
const STALLED: i32 = 2;

// @ts-ignore: decorator
@inline function slot(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline function ptr(p: usize, i: i32): usize {
  return <usize>load<i32>(p + (<usize>i << 2));
}

// This instance's plan and thread block (the stall limit, the wait statistics), set when its thread starts.
let plan: usize = 0;
let me: usize = 0;

/**
 * Wait until the i32 at p is no longer `old` (spin, then sleep); counts the wait. Returns false
 * when the run failed or was closed (the caller unwinds).
 */
function waitChange(ctl: usize, p: usize, old: i32, idle: bool): bool {
  const budget = idle ? spinIdle : spinStep, most = idle ? SPIN_MAX_IDLE : SPIN_MAX_STEP;
  // A worker may wait for the next sample as long as the host likes; the main thread (thread 0's
  // block) never waits unbounded: a worker that ended before the sample's start barrier is dead.
  const stall = idle && me != ptr(plan, H_THREAD) ? 0 : slot(plan, H_STALL);
  // Now and then a wait spins the longest budget, so that a budget fallen while the machine was
  // busy comes back once the threads have cores again (it grows only by waits caught spinning).
  const probe = budget < most && ++sinceProbe >= PROBE_EVERY;
  if (probe) sinceProbe = 0;
  const limit = probe ? most : budget;
  let i = 0;
  while (i < limit && atomic.load<i32>(p) == old) i++;
  const caught = i < limit;
  const stats = ptr(me, T_STATS);
  store<i32>(stats, load<i32>(stats) + 1);
  if (!caught) {
    store<i32>(stats + 4, load<i32>(stats + 4) + 1);
    atomic.add<i32>(ctl, 1, C_SLEEP << 2);
    let looks = 0;
    while (atomic.load<i32>(p) == old && !atomic.load<i32>(ctl, C_FAILED << 2) && !atomic.load<i32>(ctl, C_QUIT << 2)) {
      if (memory.atomic.wait32(p, old, WAIT_NS) == AtomicWaitResult.TIMED_OUT && stall > 0 && ++looks >= stall) {
        // The awaited thread is gone: fail the run (every thread stops at its next wait).
        atomic.store<i32>(ctl, STALLED, C_FAILED << 2);
        atomic.add<i32>(ctl, 1, C_GEN << 2);
        atomic.notify(ctl + (<usize>C_GEN << 2), -1);
      }
    }
    atomic.sub<i32>(ctl, 1, C_SLEEP << 2);
  }
  // Caught: double the budget (a probe: at least twice what this wait took); slept: an eighth less.
  const next = caught ? min<i32>(most, max<i32>(budget << 1, probe ? i << 1 : 0)) : max<i32>(SPIN_MIN, budget - (budget >> 3));
  if (idle) spinIdle = next;
  else spinStep = next;
  return atomic.load<i32>(ctl, C_FAILED << 2) == 0 && atomic.load<i32>(ctl, C_QUIT << 2) == 0;
}

/**
 * A counting barrier of n threads on the control block (the start and the end of a sample): the
 * last to arrive clears the count and bumps the generation (waking sleepers only if there are
 * any); the others wait for the generation to change. Returns false when the run failed or was closed.
 */
function barrier(ctl: usize, n: i32, idle: bool): bool {
  if (atomic.load<i32>(ctl, C_FAILED << 2)) return false;
  const gen = atomic.load<i32>(ctl, C_GEN << 2);
  if (atomic.add<i32>(ctl, 1, C_COUNT << 2) == n - 1) {
    atomic.store<i32>(ctl, 0, C_COUNT << 2);
    atomic.add<i32>(ctl, 1, C_GEN << 2);
    if (atomic.load<i32>(ctl, C_SLEEP << 2) > 0) atomic.notify(ctl + (<usize>C_GEN << 2), n);
    return atomic.load<i32>(ctl, C_FAILED << 2) == 0 && atomic.load<i32>(ctl, C_QUIT << 2) == 0;
  }
  return waitChange(ctl, ctl + (<usize>C_GEN << 2), gen, idle);
}

/** Thread k's published sequence number of layer l. */
// @ts-ignore: decorator
@inline function flag(P: usize, ctl: usize, k: i32, l: i32): usize {
  return ctl + (<usize>(slot(P, H_FLAGS) + k * slot(P, H_FLAGSTRIDE) + l) << 2);
}

/** Thread k's published spike count of its slice of layer l at parity p (on its line of sequence numbers). */
// @ts-ignore: decorator
@inline function spikes(P: usize, ctl: usize, k: i32, l: i32, p: i32): usize {
  return flag(P, ctl, k, slot(P, H_LAYERS) + l * 2 + p);
}

/** Publish thread k's slice of layer l for this step (its spike count first, then its sequence number); returns the number. */
function publish(P: usize, ctl: usize, k: i32, l: i32, p: i32, ns: i32): i32 {
  const N = slot(P, H_THREADS);
  atomic.store<i32>(spikes(P, ctl, k, l, p), ns);
  const f = flag(P, ctl, k, l), v = load<i32>(f) + 1;
  atomic.store<i32>(f, v);
  if (atomic.load<i32>(ctl, C_SLEEP << 2) > 0) atomic.notify(f, N);
  return v;
}

/** Wait until the sequence number at f has reached v. Returns false when the run failed or was closed. */
function awaitFlag(ctl: usize, f: usize, v: i32): bool {
  let seen = atomic.load<i32>(f);
  while (seen - v < 0) {
    if (!waitChange(ctl, f, seen, false)) return false;
    seen = atomic.load<i32>(f);
  }
  return true;
}

/** Wait until every other thread has published layer l up to sequence number v. Returns false when the run failed or was closed. */
function awaitLayer(P: usize, ctl: usize, k: i32, l: i32, v: i32): bool {
  const N = slot(P, H_THREADS);
  for (let q = 0; q < N; q++) {
    if (q != k && !awaitFlag(ctl, flag(P, ctl, q, l), v)) return false;
  }
  return true;
}

/** Thread 0's count of gathered input steps (on its line of sequence numbers, after the spike counts). */
// @ts-ignore: decorator
@inline function inputFlag(P: usize, ctl: usize): usize {
  return flag(P, ctl, 0, 3 * slot(P, H_LAYERS));
}

/** Step s's input events (s >= 1): their list in the history, and (at slot 0 of the step's counts) their number. */
// @ts-ignore: decorator
@inline function inputIdx(P: usize, s: i32): usize {
  return ptr(P, H_HIST_INIDX) + (<usize>((s - 1) * slot(P, H_INPUT)) << 2);
}
// @ts-ignore: decorator
@inline function inputVal(P: usize, s: i32): usize {
  return ptr(P, H_HIST_INVAL) + (<usize>((s - 1) * slot(P, H_INPUT)) << 2);
}
// @ts-ignore: decorator
@inline function stepCounts(P: usize, s: i32): usize {
  return ptr(P, H_HIST_COUNTS) + (<usize>((s - 1) * (1 + slot(P, H_LAYERS) * slot(P, H_THREADS))) << 2);
}

/**
 * Thread 0 gathers step s's input events (from the sample's x, which no other thread reads: the
 * host's copy of x each sample then stays in the main thread's cache) into the history, and
 * publishes them: one more gathered step.
 */
function gatherInput(P: usize, ctl: usize, s: i32): void {
  const n = slot(P, H_INPUT);
  atomic.store<i32>(stepCounts(P, s), gatherEvents(ptr(P, H_X) + (<usize>((s - 1) * n) << 2), n, inputIdx(P, s), inputVal(P, s)));
  const f = inputFlag(P, ctl);
  atomic.store<i32>(f, load<i32>(f) + 1);
  if (atomic.load<i32>(ctl, C_SLEEP << 2) > 0) atomic.notify(f, slot(P, H_THREADS));
}

/** Thread k's block of layer block lb: its counter block, lists, copies. */
// @ts-ignore: decorator
@inline function perThread(lb: usize, k: i32): usize {
  return ptr(lb, L_PER) + (<usize>(k * PLAN_PER_THREAD) << 2);
}

/** Layer l's block. */
// @ts-ignore: decorator
@inline function layerBlock(P: usize, l: i32): usize {
  return ptr(P, H_LAYER) + (<usize>(l * PLAN_LAYER) << 2);
}

/** Whether thread k owns neurons of layer block lb. */
// @ts-ignore: decorator
@inline function owns(lb: usize, k: i32): bool {
  const bounds = ptr(lb, L_SLICES);
  return slot(bounds, k + 1) > slot(bounds, k);
}

/**
 * Thread k's copy of a layer's spike list at parity p: every slice's list in slice order (each
 * ascending, so the whole is), its indices moved by the slice's start. Returns its length.
 */
function join(P: usize, ctl: usize, lb: usize, l: i32, k: i32, p: i32, n: i32): i32 {
  const dst = ptr(perThread(lb, k), P_EVENTS + p);
  const bounds = ptr(lb, L_SLICES);
  let total = 0;
  for (let q = 0; q < n; q++) {
    const m = atomic.load<i32>(spikes(P, ctl, q, l, p));
    const src = ptr(perThread(lb, q), P_LOCAL + p), base = slot(bounds, q);
    const out = dst + (<usize>total << 2);
    for (let e = 0; e < m; e++) store<i32>(out + (<usize>e << 2), load<i32>(src + (<usize>e << 2)) + base);
    total += m;
  }
  return total;
}

/**
 * The events a thread's slice of a depthwise layer sees: those of its input channels (indices in
 * [P_LO, P_HI), a contiguous run of the ascending list), re-based to its first channel, into its
 * list P_FILT (values: P_FILTVAL, when analog). Returns their number.
 */
function sliceEvents(pt: usize, idx: usize, val: usize, n: i32, analog: i32): i32 {
  const lo = slot(pt, P_LO), hi = slot(pt, P_HI), dst = ptr(pt, P_FILT), dstVal = ptr(pt, P_FILTVAL);
  let e = 0;
  while (e < n && load<i32>(idx + (<usize>e << 2)) < lo) e++;
  let m = 0;
  for (; e < n; e++) {
    const j = load<i32>(idx + (<usize>e << 2));
    if (j >= hi) break;
    store<i32>(dst + (<usize>m << 2), j - lo);
    if (analog) store<f32>(dstVal + (<usize>m << 2), load<f32>(val + (<usize>e << 2)));
    m++;
  }
  return m;
}

/**
 * Thread k's share of one sample (the plan's steps, learning and recording flags), from the
 * chip's reset state to the last step; ends at a barrier every thread reaches, so thread 0 sees
 * every thread's writes after it. Returns false when the run failed.
 */
function share(P: usize, k: i32): bool {
  const N = slot(P, H_THREADS), nl = slot(P, H_LAYERS), ctl = ptr(P, H_CTL);
  const steps = slot(P, H_STEPS), learn = slot(P, H_LEARN) != 0 && slot(P, H_LEARNS) != 0, record = slot(P, H_RECORD) != 0;
  const delay = slot(P, H_DELAY), reset = slot(P, H_RESET), maxCount = <u32>slot(P, H_MAXCOUNT);
  const analogInput = slot(P, H_ANALOG), warmup = slot(P, H_WARMUP), errorMode = slot(P, H_ERROR), atStep = slot(P, H_ATSTEP);
  const width = load<f32>(P + (<usize>H_WIDTH << 2)), height = load<f32>(P + (<usize>H_HEIGHT << 2));
  const negLr = ptr(P, H_NEGLR);
  const tb = ptr(P, H_THREAD) + (<usize>(k * PLAN_THREAD) << 2);
  const counts = ptr(tb, T_COUNTS);
  memory.fill(counts, 0, <usize>(2 + 2 * nl) << 2);
  // Thread 0 gathers each step's input events a step ahead (at the end of the step before); the others wait for them.
  if (k == 0) gatherInput(P, ctl, 1);
  // The sample starts from zero state (ALGORITHMS §1), as the chip's resetState leaves its arrays.
  for (let l = 0; l < nl; l++) {
    const lb = layerBlock(P, l), bounds = ptr(lb, L_SLICES), w = slot(bounds, k + 1) - slot(bounds, k);
    if (w > 0) memory.fill(ptr(perThread(lb, k), P_STATE), 0, <usize>(S_C + 1) * ((<usize>w * 4 + 63) & ~(<usize>63)));
  }
  for (let t = 1; t <= steps; t++) {
    const cur = t & 1, prev = cur ^ 1;
    const sl = delay == 0 ? cur : prev;
    // Step t's input, for a thread that did not gather it: thread 0 has gathered one step more
    // than this thread has published layer 0 (both once a step, every sample).
    if (k != 0 && !awaitFlag(ctl, inputFlag(P, ctl), load<i32>(flag(P, ctl, k, 0)) + 1)) return false;
    // Layer 0's events: the input of step t - delay (none before step 1).
    const ts = t - delay, inN = ts >= 1 ? atomic.load<i32>(stepCounts(P, ts)) : 0;
    const inIdx = ts >= 1 ? inputIdx(P, ts) : 0, inVal = ts >= 1 ? inputVal(P, ts) : 0;
    for (let l = 0; l < nl; l++) {
      const lb = layerBlock(P, l), pt = perThread(lb, k);
      const bounds = ptr(lb, L_SLICES);
      const i0 = slot(bounds, k), w = slot(bounds, k + 1) - i0, o = <usize>i0 << 2, cnt = ptr(pt, P_CNT);
      let ns = 0;
      if (w > 0) {
        const evIdx = l == 0 ? inIdx : ptr(perThread(layerBlock(P, l - 1), k), P_EVENTS + sl);
        const evVal = l == 0 ? inVal : 0;
        const evN = l == 0 ? inN : load<i32>(counts + (<usize>(2 + (l - 1) * 2 + sl) << 2));
        const local = ptr(pt, P_LOCAL + cur);
        const thrStride = slot(lb, L_THRSTRIDE), leakStride = slot(lb, L_LEAKSTRIDE);
        const sb = ptr(pt, P_STATE), I = stateArray(sb, w, S_I), kind = slot(lb, L_KIND), analog = l == 0 ? analogInput : 0;
        if (kind == KIND_DENSE) {
          integrateSlice(ptr(pt, P_WT), w, w, evIdx, evVal, evN, analog, stateArray(sb, w, S_BIAS), I, slot(lb, L_COUNTER) == k ? 1 : 0, cnt);
        } else if (kind == KIND_CONV) {
          convIntegrateSlice(ptr(pt, P_GEO), ptr(pt, P_WT), evIdx, evVal, evN, analog, stateArray(sb, w, S_BIAS), I, slot(lb, L_COUNTER) == k ? 1 : 0, cnt);
        } else {
          // Each thread delivers its channels' events: their counts add up to the layer's.
          const nF = sliceEvents(pt, evIdx, evVal, evN, analog);
          convIntegrateSlice(ptr(pt, P_GEO), ptr(pt, P_WT), ptr(pt, P_FILT), ptr(pt, P_FILTVAL), nF, analog, stateArray(sb, w, S_BIAS), I, 1, cnt);
        }
        ns = neuronStep(w, I, stateArray(sb, w, S_U), stateArray(sb, w, S_S + prev), stateArray(sb, w, S_S + cur), local,
          ptr(lb, L_THR) + (thrStride ? o : 0), thrStride, ptr(lb, L_LEAK) + (leakStride ? o : 0), leakStride, reset, cnt);
        accumulate(local, ns, stateArray(sb, w, S_C), maxCount, cnt);
      }
      const v = publish(P, ctl, k, l, cur, ns);
      // Who needs the whole layer waits for it (and every thread for layer 0: no one gets a step ahead).
      if (l < nl - 1 && (l == 0 || owns(layerBlock(P, l + 1), k))) {
        if (!awaitLayer(P, ctl, k, l, v)) return false;
        store<i32>(counts + (<usize>(2 + l * 2 + cur) << 2), join(P, ctl, lb, l, k, cur, N));
      }
    }
    if (learn && t > warmup) {
      for (let l = 0; l < nl; l++) {
        const lb = layerBlock(P, l);
        if (slot(lb, L_M) < 0 || !owns(lb, k)) continue;
        const pt = perThread(lb, k), bounds = ptr(lb, L_SLICES);
        const i0 = slot(bounds, k), w = slot(bounds, k + 1) - i0, o = <usize>i0 << 2, cnt = ptr(pt, P_CNT);
        const evIdx = l == 0 ? inIdx : ptr(perThread(layerBlock(P, l - 1), k), P_EVENTS + sl);
        const evVal = l == 0 ? inVal : 0;
        const evN = l == 0 ? inN : load<i32>(counts + (<usize>(2 + (l - 1) * 2 + sl) << 2));
        const thrStride = slot(lb, L_THRSTRIDE);
        const sb = ptr(pt, P_STATE), m = stateArray(sb, w, S_M), active = stateArray(sb, w, S_ACTIVE);
        const nActive = ltlOnlineSignal(w, stateArray(sb, w, S_C), ptr(lb, L_TARGET) + o, stateArray(sb, w, S_U), ptr(lb, L_THR) + (thrStride ? o : 0), thrStride,
          t, width, height, errorMode, load<f32>(negLr + (<usize>l << 2)), m, active, cnt);
        const dst = atStep ? ptr(pt, P_WT) : ptr(pt, P_G), dstBias = stateArray(sb, w, atStep ? S_BIAS : S_GB);
        const kind = slot(lb, L_KIND), analog = l == 0 ? analogInput : 0;
        if (kind == KIND_DENSE) {
          outerUpdateSlice(dst, dstBias, w, w, evIdx, evVal, evN, analog, m, active, nActive, atStep, cnt);
        } else if (kind == KIND_CONV) {
          convOuterUpdate(ptr(pt, P_GEO), dst, dstBias, evIdx, evVal, evN, analog, m, active, nActive, atStep, cnt);
        } else {
          const nF = sliceEvents(pt, evIdx, evVal, evN, analog);
          convOuterUpdate(ptr(pt, P_GEO), dst, dstBias, ptr(pt, P_FILT), ptr(pt, P_FILTVAL), nF, analog, m, active, nActive, atStep, cnt);
        }
      }
    }
    if (record) recordStep(P, k, t);
    if (k == 0 && t < steps) gatherInput(P, ctl, t + 1);
  }
  // The chip's arrays as one thread leaves them: each thread copies its slice's state in.
  for (let l = 0; l < nl; l++) {
    const lb = layerBlock(P, l), bounds = ptr(lb, L_SLICES), i0 = slot(bounds, k), w = slot(bounds, k + 1) - i0;
    if (w == 0) continue;
    const sb = ptr(perThread(lb, k), P_STATE), o = <usize>i0 << 2, bytes = <usize>w << 2;
    memory.copy(ptr(lb, L_I) + o, stateArray(sb, w, S_I), bytes);
    memory.copy(ptr(lb, L_U) + o, stateArray(sb, w, S_U), bytes);
    memory.copy(ptr(lb, L_S) + o, stateArray(sb, w, S_S), bytes);
    memory.copy(ptr(lb, L_S + 1) + o, stateArray(sb, w, S_S + 1), bytes);
    memory.copy(ptr(lb, L_C) + o, stateArray(sb, w, S_C), bytes);
    if (slot(lb, L_M) >= 0) {
      memory.copy(ptr(lb, L_M) + o, stateArray(sb, w, S_M), bytes);
      memory.copy(ptr(lb, L_ACTIVE) + o, stateArray(sb, w, S_ACTIVE), bytes);
    }
  }
  return barrier(ctl, N, false);
}

/**
 * Keep step t of thread k in the history (src/chip/thread-loop.ts StepHistory): its counter
 * blocks and its slices' spike lists with their counts (the input events are there already: gatherInput). No
 * thread waits for another to record (the lists are joined when replayed).
 */
function recordStep(P: usize, k: i32, t: i32): void {
  const N = slot(P, H_THREADS), nl = slot(P, H_LAYERS), ctl = ptr(P, H_CTL);
  const cur = t & 1;
  const hCnt = ptr(P, H_HIST_CNT), hc = ptr(P, H_HIST_COUNTS) + (<usize>((t - 1) * (1 + nl * N)) << 2);
  for (let l = 0; l < nl; l++) {
    const lb = layerBlock(P, l), pt = perThread(lb, k), nOut = slot(lb, L_NOUT);
    memory.copy(hCnt + (<usize>((((t - 1) * N + k) * nl + l) * COUNTER_SLOTS) << 3), ptr(pt, P_CNT), <usize>COUNTER_SLOTS << 3);
    const m = atomic.load<i32>(spikes(P, ctl, k, l, cur));
    store<i32>(hc + (<usize>(1 + l * N + k) << 2), m);
    memory.copy(ptr(lb, L_HIST) + (<usize>(((t - 1) * N + k) * nOut) << 2), ptr(pt, P_LOCAL + cur), <usize>m << 2);
  }
}

/**
 * The main thread's call per sample (thread 0): starts the sample (the workers wait for it at a
 * barrier), runs its share, then leaves the chip as one thread would: every layer's list of the
 * last two steps joined into the chip's, the workers' counters added to the chip's and cleared
 * (integer counts, exact in f64: the order of the additions changes no bit). Thread 0's counts
 * block then holds the input events' and every layer's list counts per parity. Returns 0, 1 when
 * a thread failed, STALLED when a thread made no progress within the plan's limit.
 */
export function threadSample(P: usize): i32 {
  const N = slot(P, H_THREADS), nl = slot(P, H_LAYERS), ctl = ptr(P, H_CTL);
  plan = P;
  me = ptr(P, H_THREAD);
  if (!barrier(ctl, N, true) || !share(P, 0)) return atomic.load<i32>(ctl, C_FAILED << 2) == STALLED ? STALLED : 1;
  const steps = slot(P, H_STEPS), tb = ptr(P, H_THREAD), counts = ptr(tb, T_COUNTS), n = slot(P, H_INPUT);
  // The input events of steps T and T - 1 in the chip's lists (one parity each), as one thread leaves them.
  for (let t = max<i32>(1, steps - 1); t <= steps; t++) {
    const p = t & 1, m = load<i32>(stepCounts(P, t));
    memory.copy(ptr(tb, T_INIDX + p), inputIdx(P, t), <usize>m << 2);
    memory.copy(ptr(tb, T_INVAL + p), inputVal(P, t), <usize>m << 2);
    store<i32>(counts + (<usize>p << 2), m);
  }
  for (let l = 0; l < nl; l++) {
    const lb = layerBlock(P, l);
    // The lists of steps T and T - 1 (one parity each), as one thread leaves them.
    for (let t = max<i32>(1, steps - 1); t <= steps; t++) store<i32>(counts + (<usize>(2 + l * 2 + (t & 1)) << 2), join(P, ctl, lb, l, 0, t & 1, N));
    const dst = ptr(perThread(lb, 0), P_CNT);
    for (let q = 1; q < N; q++) {
      const src = ptr(perThread(lb, q), P_CNT);
      for (let s = 0; s < COUNTER_SLOTS; s++) {
        const o = <usize>s << 3;
        store<f64>(dst + o, load<f64>(dst + o) + load<f64>(src + o));
        store<f64>(src + o, 0);
      }
    }
  }
  return 0;
}

/**
 * A worker's whole life (thread k >= 1): meet the others once started, then run a share of
 * every sample the main thread starts, until the run is closed (returns 0) or fails (returns 1).
 */
export function threadLoop(P: usize, k: i32): i32 {
  const N = slot(P, H_THREADS), ctl = ptr(P, H_CTL);
  plan = P;
  me = ptr(P, H_THREAD) + (<usize>(k * PLAN_THREAD) << 2);
  // Static memory is shared by every instance: this thread's outer-product writer gets scratch of its own.
  const scratch = slot(me, T_SCRATCH), conv = slot(me, T_CONV);
  if (scratch >= 0) setLearningScratch(<usize>scratch);
  if (conv >= 0) setConvScratch(<usize>conv);
  if (!barrier(ctl, N, true)) return atomic.load<i32>(ctl, C_FAILED << 2);
  while (barrier(ctl, N, true) && share(P, k));
  return atomic.load<i32>(ctl, C_FAILED << 2);
}

/**
 * Puts the chip's events and counters back as they were after step t of the recorded sample
 * (src/chip/threads.ts replayStep, for an observer such as the step timer): the input events,
 * every layer's slices' lists joined in slice order into the chip's list, every layer's counters
 * summed over the threads' blocks. The step's counts go to thread 0's counts block at t's parity.
 */
export function threadReplay(P: usize, t: i32): void {
  const N = slot(P, H_THREADS), nl = slot(P, H_LAYERS), n = slot(P, H_INPUT), p = t & 1;
  const hc = ptr(P, H_HIST_COUNTS) + (<usize>((t - 1) * (1 + nl * N)) << 2), hCnt = ptr(P, H_HIST_CNT);
  const tb = ptr(P, H_THREAD), counts = ptr(tb, T_COUNTS);
  const input = load<i32>(hc);
  memory.copy(ptr(tb, T_INIDX + p), ptr(P, H_HIST_INIDX) + (<usize>((t - 1) * n) << 2), <usize>input << 2);
  memory.copy(ptr(tb, T_INVAL + p), ptr(P, H_HIST_INVAL) + (<usize>((t - 1) * n) << 2), <usize>input << 2);
  store<i32>(counts + (<usize>p << 2), input);
  for (let l = 0; l < nl; l++) {
    const lb = layerBlock(P, l), nOut = slot(lb, L_NOUT), bounds = ptr(lb, L_SLICES), dst = ptr(perThread(lb, 0), P_EVENTS + p);
    let m = 0;
    for (let k = 0; k < N; k++) {
      const mk = load<i32>(hc + (<usize>(1 + l * N + k) << 2)), base = slot(bounds, k);
      const src = ptr(lb, L_HIST) + (<usize>(((t - 1) * N + k) * nOut) << 2), out = dst + (<usize>m << 2);
      for (let e = 0; e < mk; e++) store<i32>(out + (<usize>e << 2), load<i32>(src + (<usize>e << 2)) + base);
      m += mk;
    }
    store<i32>(counts + (<usize>(2 + l * 2 + p) << 2), m);
    const cnt = ptr(perThread(lb, 0), P_CNT);
    for (let s = 0; s < COUNTER_SLOTS; s++) {
      let v: f64 = 0;
      for (let k = 0; k < N; k++) v += load<f64>(hCnt + (<usize>((((t - 1) * N + k) * nl + l) * COUNTER_SLOTS + s) << 3));
      store<f64>(cnt + (<usize>s << 3), v);
    }
  }
}
