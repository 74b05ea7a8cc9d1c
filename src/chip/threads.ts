/**
 * A chip simulated on several threads (`--threads N`): the chip's arena lives in shared wasm
 * memory (build/ncsim-shared.wasm), N - 1 worker threads (src/chip/thread-worker.ts) instantiate
 * the same kernels on it, and each sample runs as N shares at once, one wasm call per thread
 * (assembly/threaded.ts, laid out by src/chip/thread-loop.ts: each thread owns a slice of every
 * layer's neurons; they meet at a barrier in wasm after each hidden layer's step). The results
 * are the one-thread chip's, bit for bit: each neuron's arithmetic is unchanged and the counters
 * are integer counts added up after each sample.
 *
 * What runs on threads: the ideal f32 chip (no device), dense, convolution and pooling layers
 * (convolutions cut by output channels), spiking layers, learning with online LTL (or no rule:
 * inference). Anything else is refused before the run starts (threadsUnsupported), naming it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Chip, ChipRule, ParallelSamples } from './chip.js';
import { COUNTER_SLOTS } from '../reference/counters.js';
import { RESET_SUBTRACT, RESET_ZERO } from '../reference/neuron.js';
import { CTL, KIND, PLAN, STATE, fail, planBytes, planSample, planWaits, type PlanPointers, type StepHistory, type ThreadLayer, type ThreadLayout, stateArray, writePlan } from './thread-loop.js';
import type { WasmExports } from './wasm.js';
import { BLOCK_GAP, CONV_SCRATCH_BYTES, SCRATCH_BYTES, alignLine, blockBytes, layerSplit, stateBytes, threadsUnsupported } from './thread-plan.js';
import { GEO_IN_C, GEO_OUT_C, GEO_SLOTS, geometryBlock } from '../reference/conv.js';

/** What the threads take of online LTL (src/rules/ltl-online.ts): its circuit's settings, -η per layer, its buffers. */
export interface ThreadedRule extends ChipRule {
  circuit(): NonNullable<ThreadLayout['learn']>;
  negLearningRate(l: number): number;
  buffers(l: number): { target: number; m: number; active: number; g: number; gb: number };
}

function isThreadedRule(r: ChipRule): r is ThreadedRule {
  const t = r as Partial<ThreadedRule>;
  return r.name === 'ltl-online' && typeof t.circuit === 'function' && typeof t.negLearningRate === 'function' && typeof t.buffers === 'function';
}

/** What the workers get at start: the kernels, the memory, where the plan is (assembly/threaded.ts threadLoop). */
export interface WorkerInit {
  k: number;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  plan: number;
  /** The control block's byte pointer (a failing worker marks the run failed there). */
  ctl: number;
  port: MessagePort;
}

/** The worker bundle: next to the running bundle, or <repo>/dist when running from src/ (vitest). */
function workerUrl(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../dist/thread-worker.js', here) : new URL('./thread-worker.js', here);
}

/** How long the workers may take to start (instantiate the kernels) before the chip gives up, ms. */
const START_TIMEOUT_MS = 60_000;

/** Within a sample, how long a thread waits for another without progress before the run fails (a worker that died), ms. */
const STALL_MS = 60_000;

/** Returned by the kernels' threadSample when a thread stalled (assembly/threaded.ts STALLED). */
const STALLED = 2;

export class ChipThreads implements ParallelSamples {
  readonly threads: number;
  private readonly chip: Chip;
  private readonly rule?: ThreadedRule;
  private readonly layout: ThreadLayout;
  private readonly ex: WasmExports;
  private readonly i32: Int32Array;
  private readonly at: PlanPointers;
  /** The control block's i32 index. */
  private readonly ctl: number;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private closed = false;
  /** When the last sample's call returned, and the time and count of the gaps between calls (the main thread's JavaScript per sample). */
  private lastEnd = 0;
  private gapMs = 0;
  private gaps = 0;

  private readonly stallMs: number;
  /**
   * Where the weights and accumulated changes are current: in the arena (the host's: checkpoints,
   * exports, a chip back on one thread) or in the threads' blocks (while samples run). A sample
   * brings them to the blocks, settle() home; each move copies them once.
   */
  private home: 'arena' | 'blocks' = 'arena';

  /**
   * Runs `chip`'s samples on `threads` threads from now on (chip.parallel); the chip must be built
   * with threadBytes(spec, threads). `stallMs`: how long a thread waits for another within a
   * sample before the run fails (default 60 s; tests shorten it).
   */
  constructor(chip: Chip, rule: ChipRule | undefined, threads: number, opts: { stallMs?: number } = {}) {
    const why = threadsUnsupported(chip.spec, rule?.name);
    if (why) throw new RangeError(`--threads ${threads}: ${why}`);
    if (rule && !isThreadedRule(rule)) throw new RangeError(`--threads ${threads}: the rule ${rule.name} does not run on several threads`);
    const shared = chip.k.shared;
    if (!shared) throw new Error('ChipThreads: the chip was not built on shared memory (Chip option threadBytes)');
    const ex = shared.exports;
    if (ex.LEARNING_SCRATCH_BYTES.value !== SCRATCH_BYTES) throw new Error('ChipThreads: the writer scratch size differs from assembly/learning.ts');
    if (ex.CONV_SCRATCH_BYTES.value !== CONV_SCRATCH_BYTES) throw new Error('ChipThreads: the convolution scratch size differs from assembly/conv.ts');
    if (ex.PLAN_HEADER.value !== PLAN.HEADER || ex.PLAN_THREAD.value !== PLAN.THREAD || ex.PLAN_LAYER.value !== PLAN.LAYER
      || ex.PLAN_PER_THREAD.value !== PLAN.PER_THREAD || ex.CTL_THREADS.value !== PLAN.CTL_THREADS || ex.STATE_ARRAYS.value !== STATE.ARRAYS) {
      throw new Error('ChipThreads: the plan\'s slots differ from assembly/threaded.ts (rebuild the kernels)');
    }
    this.chip = chip;
    this.rule = rule;
    this.threads = threads;
    this.ex = ex;
    this.i32 = chip.k.mem.i32;
    const planAt = shared.extra + shared.extraBytes - planBytes(chip.spec.layers.length, threads);
    this.layout = this.lay(shared.extra, planAt - shared.extra);
    this.stallMs = opts.stallMs ?? STALL_MS;
    this.at = writePlan(this.i32, chip.k.mem.f32, planAt, this.layout, this.stallMs);
    this.ctl = this.at.ctl >>> 2;
    const url = workerUrl();
    if (threads > 1 && url.protocol === 'file:' && !existsSync(fileURLToPath(url))) {
      throw new Error(`--threads: the chip's worker bundle is missing at ${fileURLToPath(url)} (run \`npm run build\`)`);
    }
    for (let k = 1; k < threads; k++) {
      const { port1, port2 } = new MessageChannel();
      const init: WorkerInit = { k, module: shared.module, memory: shared.memory, plan: this.at.plan, ctl: this.at.ctl, port: port2 };
      const w = new Worker(url, { workerData: init, transferList: [port2] });
      w.unref();
      this.workers.push(w);
      this.ports.push(port1);
    }
    chip.parallel = this;
    // Every worker arrives once its kernels are instantiated: wait for all of them (bounded).
    const t0 = Date.now();
    try {
      this.startBarrier(t0);
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** The first barrier (assembly/threaded.ts's protocol): every worker started; a worker that never arrives is an error after START_TIMEOUT_MS. */
  private startBarrier(t0: number): void {
    const i32 = this.i32, c = this.ctl;
    const gen = Atomics.load(i32, c + CTL.GEN);
    if (Atomics.add(i32, c + CTL.COUNT, 1) === this.threads - 1) {
      Atomics.store(i32, c + CTL.COUNT, 0);
      Atomics.add(i32, c + CTL.GEN, 1);
      Atomics.notify(i32, c + CTL.GEN);
      return;
    }
    while (Atomics.load(i32, c + CTL.GEN) === gen) {
      Atomics.wait(i32, c + CTL.GEN, gen, 100);
      if (Atomics.load(i32, c + CTL.FAILED)) this.rethrow();
      if (Date.now() - t0 > START_TIMEOUT_MS) {
        fail(i32, c);
        throw new Error(`--threads: the chip's worker threads did not start within ${START_TIMEOUT_MS / 1000} s`);
      }
    }
  }

  /** Lay out the threads' buffers in [extra, extra + bytes): inputs, spike lists, counter blocks, scratch, the history. */
  private lay(extra: number, bytes: number): ThreadLayout {
    const chip = this.chip, spec = chip.spec, N = this.threads, i32 = this.i32;
    let at = extra;
    const take = (n: number) => {
      const p = at;
      at += alignLine(n);
      if (at > extra + bytes) throw new Error('ChipThreads: threadBytes() is too small for the layout');
      return p;
    };
    // First each thread's block of every layer's weights and changes, a gap before and after each.
    take(BLOCK_GAP);
    const blocks = spec.layers.map((l, n) => {
      const s = layerSplit(l, N), g = (this.rule?.buffers(n).g ?? -1) >= 0;
      const wt: number[] = [], gs: number[] = [], state: number[] = [];
      for (let k = 0; k < N; k++) {
        const cw = s.cols0[k + 1] - s.cols0[k];
        wt.push(take(blockBytes(s.rows, cw)));
        const gb = take(blockBytes(s.rows, cw));
        gs.push(g ? gb : -1);
        state.push(take(stateBytes(s.neurons[k + 1] - s.neurons[k])));
      }
      return { wt, g: gs, state, split: s };
    });
    const x = take(spec.maxSteps * spec.inputSize * 4);
    // Thread 0 gathers the input events (into the history) and leaves the last steps' in the chip's lists; the others read the history's.
    const inputIdx: [number, number][] = [chip.inIdx], inputVal: [number, number][] = [chip.inVal], scratch: number[] = [-1], convScratch: number[] = [-1];
    const convs = spec.layers.some((l) => l.conv);
    for (let k = 1; k < N; k++) {
      inputIdx.push([-1, -1]);
      inputVal.push([-1, -1]);
      scratch.push(take(SCRATCH_BYTES));
      convScratch.push(convs ? take(CONV_SCRATCH_BYTES) : -1);
    }
    const layers: ThreadLayer[] = spec.layers.map((l, n) => {
      const p = chip.layers[n];
      const bufs = this.rule?.buffers(n);
      const split = blocks[n].split, g = l.conv;
      const y: ThreadLayer = {
        nOut: l.nOut, wt: p.wt, bias: p.bias, thr: p.thr, thrStride: p.thrStride, leak: p.leak, leakStride: p.leakStride,
        i: p.i, u: p.u, s: p.s, c: p.c, slices: split.neurons, cnt: [], local: [], events: [],
        target: bufs?.target ?? -1, m: bufs?.m ?? -1, active: bufs?.active ?? -1, g: bufs?.g ?? -1, gb: bufs?.gb ?? -1,
        wtBlock: blocks[n].wt, gBlock: blocks[n].g, state: blocks[n].state,
        kind: !g ? KIND.DENSE : g.depthwise ? KIND.DEPTHWISE : KIND.CONV, geo: [], lo: [], hi: [], filt: [], filtVal: [],
        rows: split.rows, cols: split.cols, cols0: split.cols0, biases: split.biases,
      };
      for (let k = 0; k < N; k++) {
        // A convolution's slice: the layer's geometry with its channels only (a depthwise one's input channels too).
        const c0 = split.biases[k], nc = split.biases[k + 1] - c0;
        if (g) {
          const geo = geometryBlock(g);
          geo[GEO_OUT_C] = nc;
          if (g.depthwise) geo[GEO_IN_C] = nc;
          const at = take(GEO_SLOTS * 4);
          i32.set(geo, at >>> 2);
          y.geo.push(at);
        } else y.geo.push(-1);
        const plane = g ? g.inHeight * g.inWidth : 0;
        const dw = g?.depthwise === true;
        y.lo.push(dw ? c0 * plane : -1);
        y.hi.push(dw ? (c0 + nc) * plane : -1);
        y.filt.push(dw ? take(l.nIn * 4) : -1);
        y.filtVal.push(dw ? take(l.nIn * 4) : -1);
        const cnt = take(COUNTER_SLOTS * 8);
        y.cnt.push(k === 0 ? p.cnt : cnt);
        y.local.push([take(l.nOut * 4), take(l.nOut * 4)]);
        const ev: [number, number] = [take(l.nOut * 4), take(l.nOut * 4)];
        y.events.push(k === 0 ? p.spikeIdx : ev);
      }
      return y;
    });
    const T = spec.maxSteps;
    const history: StepHistory = {
      inIdx: take(T * spec.inputSize * 4), inVal: take(T * spec.inputSize * 4),
      events: spec.layers.map((l) => take(T * l.nOut * 4 * N)),
      counts: take(T * (1 + spec.layers.length * N) * 4), cnt: take(T * N * spec.layers.length * COUNTER_SLOTS * 8),
    };
    return {
      threads: N, inputSize: spec.inputSize, analogInput: chip.analogInput ? 1 : 0, delay: spec.delay ?? 0,
      reset: spec.reset === 'subtract' ? RESET_SUBTRACT : RESET_ZERO, maxCount: chip.maxCount, x, inputIdx, inputVal, layers,
      learn: this.rule ? this.rule.circuit() : null, scratch, convScratch, history,
    };
  }

  runSample(x: Float32Array, steps: number, learn: boolean, record = false): { spikes: [number, number][]; input: [number, number] } {
    if (this.closed) throw new Error('ChipThreads: closed');
    const L = this.layout, chip = this.chip, i32 = this.i32, f32 = chip.k.mem.f32;
    // Read when the sample starts: the input encoding may be set after the threads (createChip).
    if (L.analogInput !== (chip.analogInput ? 1 : 0)) throw new Error('ChipThreads: the chip\'s input changed between analog and spikes after the threads started');
    f32.set(x.subarray(0, steps * L.inputSize), L.x >>> 2);
    if (this.rule) for (let l = 0; l < L.layers.length; l++) f32[(this.at.negLr >>> 2) + l] = this.rule.negLearningRate(l);
    planSample(i32, this.at.plan, steps, learn && !!this.rule, record);
    if (this.home === 'arena') {
      this.copyBlocks(true);
      this.home = 'blocks';
    }
    let failed: number;
    const t0 = performance.now();
    if (this.lastEnd) {
      this.gapMs += t0 - this.lastEnd;
      this.gaps++;
    }
    try {
      // Thread 0's share: starts the workers' (a barrier in wasm), runs its own, sums the counters.
      failed = this.ex.threadSample(this.at.plan);
    } catch (e) {
      fail(i32, this.ctl);
      throw e;
    }
    this.lastEnd = performance.now();
    if (failed === STALLED) {
      this.close();
      throw new Error(`a chip worker thread made no progress for ${this.stallMs / 1000} s (it ended without a message?)`);
    }
    if (failed) this.rethrow();
    // Thread 0's counts: the input events' per parity, then each layer's joined list per parity.
    const c = this.at.counts >>> 2;
    return { input: [i32[c], i32[c + 1]], spikes: L.layers.map((_, l) => [i32[c + 2 + 2 * l], i32[c + 3 + 2 * l]]) };
  }

  /**
   * Bring the weights and accumulated changes home to the arena (the blocks' columns into the
   * arena's rows), before the host reads or writes them; the next sample takes them back.
   */
  settle(): void {
    if (this.home !== 'blocks') return;
    this.copyBlocks(false);
    this.home = 'arena';
  }

  /**
   * Copy every layer's weights, accumulated changes, biases and learning signal between the
   * arena and the threads' blocks (a copy of bits: NaNs keep theirs). The neurons' state needs
   * none: a sample starts from zero and each thread copies its slice's into the arena at its end.
   */
  private copyBlocks(toBlocks: boolean): void {
    const f32 = this.chip.k.mem.f32, N = this.threads;
    const copy = (arena: number, block: number, n: number) => {
      if (toBlocks) f32.copyWithin(block, arena, arena + n);
      else f32.copyWithin(arena, block, block + n);
    };
    this.layout.layers.forEach((y) => {
      for (let k = 0; k < N; k++) {
        const i0 = y.slices[k], w = y.slices[k + 1] - i0;
        if (w === 0) continue;
        // Per neuron (m, the active list), or per bias (a convolution's: per output channel).
        const b0 = y.biases[k], nb = y.biases[k + 1] - b0;
        for (const [arena, a, first, n] of [[y.bias, STATE.BIAS, b0, nb], [y.gb, STATE.GB, b0, nb], [y.m, STATE.M, i0, w], [y.active, STATE.ACTIVE, i0, w]] as const) {
          if (arena >= 0) copy((arena >>> 2) + first, stateArray(y.state[k], w, a) >>> 2, n);
        }
      }
      // The stored weights: rows x cols in the arena, thread k's columns as a rows x cw block.
      for (const [mat, blocks] of [[y.wt, y.wtBlock], [y.g, y.gBlock]] as const) {
        if (mat < 0) continue;
        for (let k = 0; k < N; k++) {
          const c0 = y.cols0[k], cw = y.cols0[k + 1] - c0;
          if (cw === 0 || blocks[k] < 0) continue;
          const a = (mat >>> 2) + c0, b = blocks[k] >>> 2;
          for (let j = 0; j < y.rows; j++) copy(a + j * y.cols, b + j * cw, cw);
        }
      }
    });
  }

  /**
   * Updates at "sample": add layer l's accumulated changes to its weights where they are while
   * samples run (each thread's block, the same elementwise sums and counts as the arena's
   * applyAccumulated); false when they are home in the arena (the caller applies them there).
   */
  learnApply(l: number): boolean {
    if (this.home !== 'blocks') return false;
    const y = this.layout.layers[l];
    if (y.g < 0) return false;
    for (let k = 0; k < this.threads; k++) {
      const w = y.slices[k + 1] - y.slices[k], cw = y.cols0[k + 1] - y.cols0[k], nb = y.biases[k + 1] - y.biases[k];
      if (w > 0) this.chip.k.applyAccumulated(y.wtBlock[k], y.gBlock[k], y.rows * cw, stateArray(y.state[k], w, STATE.BIAS), stateArray(y.state[k], w, STATE.GB), nb, y.cnt[0]);
    }
    return true;
  }

  /**
   * Puts the chip's events and counters back as they were after step t of the recorded sample
   * (the steps in order: the chip ends as the sample left it); returns the step's counts: the
   * input events' and each layer's spikes.
   */
  replayStep(t: number): { input: number; spikes: number[] } {
    // In wasm (assembly/threaded.ts threadReplay): the steps' lists joined, the counters summed.
    this.ex.threadReplay(this.at.plan, t);
    const i32 = this.i32, c = this.at.counts >>> 2, p = t & 1;
    return { input: i32[c + p], spikes: this.layout.layers.map((_, l) => i32[c + 2 + 2 * l + p]) };
  }

  /**
   * How the threads spent their waits: per thread, how often it waited for another one (within
   * samples and between them) and how often the wait ended asleep (the rest it caught spinning);
   * and the mean time between two samples' calls, ms: the main thread's JavaScript per sample
   * (the loop's, the encoder's, the rule's), while the workers wait.
   */
  stats(): { threads: { waits: number; sleeps: number }[]; betweenMs: number } {
    return { threads: Array.from({ length: this.threads }, (_, k) => planWaits(this.i32, this.at.plan, k)), betweenMs: this.gapMs / Math.max(1, this.gaps) };
  }

  /** A worker's failure as an Error with its message. */
  private rethrow(): never {
    const msgs: string[] = [];
    this.ports.forEach((p, i) => {
      const m = receiveMessageOnPort(p);
      if (m) msgs.push(`thread ${i + 1}: ${String(m.message)}`);
    });
    this.close();
    throw new Error(`a chip worker thread failed: ${msgs.join('; ') || 'no message'}`);
  }

  /** Ends the workers (idempotent); the chip runs on one thread after. */
  close(): void {
    if (this.closed) return;
    this.settle();
    this.closed = true;
    if (this.chip.parallel === this) this.chip.parallel = undefined;
    const i32 = this.i32, c = this.ctl;
    Atomics.store(i32, c + CTL.QUIT, 1);
    Atomics.add(i32, c + CTL.GEN, 1);
    Atomics.notify(i32, c + CTL.GEN);
    for (const w of this.workers) void w.terminate();
    for (const p of this.ports) p.close();
  }
}
