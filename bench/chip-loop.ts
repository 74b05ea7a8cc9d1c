/**
 * The chip loop alone, measured in one run: the default job's training loop (online LTL,
 * 784-256-256-10, T = 16, updates every step; src/train/loop.ts, what `ncsim train` runs) on
 * targets computed before the clock starts, so neither the teacher nor waiting for it is timed.
 * The same slice trains from the same chip on every kernel build: the current wasm, the
 * previous release's kernels (build/ncsim-prev.wasm, built by build.mjs from git) and the
 * TypeScript twin; runs are interleaved so that machine noise hits each alike, and the median
 * of the repetitions counts. Every run must end with the same weights, bit for bit.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Chip, type ChipSpec } from '../src/chip/chip.js';
import type { Backend } from '../src/chip/kernels.js';
import { setWasmBytes } from '../src/chip/wasm.js';
import { findWasmFile } from '../src/node/platform.js';
import { Rng } from '../src/host/rng.js';
import { TRAIN_DEFAULTS, TrainSession, type TrainOptions } from '../src/train/train.js';
import { trainSamples } from '../src/train/loop.js';
import { createTargetStream } from '../src/stream/target-stream.js';
import { ChipThreads } from '../src/chip/threads.js';
import { threadBytes } from '../src/chip/thread-plan.js';

export interface ChipLoopOptions {
  /** training samples in the slice (default 600) */
  samples?: number;
  /** measured runs of each build (default 3); the median counts */
  repeats?: number;
  /** also run the TypeScript twin (once: it is slow) (default true) */
  twin?: boolean;
  /** more wasm builds to time beside these (name: file path) */
  extra?: Record<string, string>;
  /**
   * thread counts to time this build on besides one thread (default [2]; src/chip/threads.ts); 1:
   * the shared-memory build (build/ncsim-shared.wasm, one wasm call per sample) on one thread
   */
  threads?: number[];
  /** a network file instead of the default job's MLP (e.g. nets/cnn-mnist.json) */
  net?: string;
}

export interface ChipLoopRun {
  name: string; samplesPerSecond: number[]; median: number; sameWeights: boolean;
  /** CPU time of the whole process (every thread) per sample, ms: median over the runs. */
  cpuMsPerSample?: number; cpuMs?: number[];
  /** Threads: waits of a thread for another per sample (all threads) and the share of them that ended in a sleep, over all runs. */
  waitsPerSample?: number; slept?: number; waitCounts?: { waits: number; sleeps: number; samples: number };
  /** Threads: the main thread's time between two samples' calls (its JavaScript per sample, while the workers wait), ms: median over the runs. */
  betweenMs?: number; betweenRuns?: number[];
  /**
   * Linux only: per thread of the run (the busiest), ms per sample on a CPU and ms runnable but
   * waiting for a CPU (other processes had it): medians over the runs. On free cores the second is ~0.
   */
  perThread?: { cpu: number; queued: number }[]; perThreadRuns?: { cpu: number; queued: number }[][];
}

export interface ChipLoopResult {
  samples: number;
  sizes: number[];
  /** The network's source (a file, or "--hidden" for the default MLP). */
  net: string;
  steps: number;
  loadAverage: number[];
  runs: ChipLoopRun[];
  /** When threads ran: a cache line's round trip between two threads, ns, before and after the runs (crossCoreRoundTrip). */
  crossCoreNs?: number[];
}

/**
 * A cache line's round trip between this thread and a worker (ns, mean of `n`): each thread
 * spins until the other has written its number. Where the cores share a cache (on the 2-vCPU
 * KVM machine: when the host runs the two vCPUs on cores of one L3) it is ~120-150 ns; where
 * they do not, ~550-700 ns, and every line the two threads of a chip pass each other costs
 * that much (docs/speed.md, "Threads"). The host may move the vCPUs at any time.
 */
export function crossCoreRoundTrip(n = 100_000): number {
  const a = new Int32Array(new SharedArrayBuffer(192));
  // Slots on lines of their own: 0 the ping, 16 the pong, 32 started.
  const w = new Worker(
    `const a = new Int32Array(require('node:worker_threads').workerData); Atomics.store(a, 32, 1);
     for (;;) { const v = Atomics.load(a, 0); if (v < 0) break; if (v !== Atomics.load(a, 16)) Atomics.store(a, 16, v); }`,
    { eval: true, workerData: a.buffer },
  );
  try {
    const t0 = Date.now();
    while (Atomics.load(a, 32) === 0) if (Date.now() - t0 > 10_000) return NaN;
    for (let i = 1; i <= 1000; i++) { Atomics.store(a, 0, i); while (Atomics.load(a, 16) !== i); }
    const t1 = performance.now();
    for (let i = 1001; i <= 1000 + n; i++) { Atomics.store(a, 0, i); while (Atomics.load(a, 16) !== i); }
    return ((performance.now() - t1) * 1e6) / n;
  } finally {
    Atomics.store(a, 0, -1);
    void w.terminate();
  }
}

/** Linux's scheduler figures of every thread of this process (ns on a CPU, ns runnable but waiting for one); empty elsewhere. */
function schedStats(): Map<string, [number, number]> {
  const m = new Map<string, [number, number]>();
  if (!existsSync('/proc/self/task')) return m;
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const [run, wait] = readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ').map(Number);
      m.set(tid, [run, wait]);
    } catch {
      // The thread ended meanwhile.
    }
  }
  return m;
}

/** Per thread of the `n` busiest between two schedStats: ms on a CPU and ms waiting for one, per sample. */
function busiest(a: Map<string, [number, number]>, b: Map<string, [number, number]>, n: number, samples: number): { cpu: number; queued: number }[] {
  const d = [...b].map(([tid, [run, wait]]) => ({ cpu: (run - (a.get(tid)?.[0] ?? 0)) / 1e6 / samples, queued: (wait - (a.get(tid)?.[1] ?? 0)) / 1e6 / samples }));
  return d.sort((x, y) => y.cpu - x.cpu).slice(0, n);
}

/** One slice of the default job's epoch loop on the kernels `wasm` (bytes; null: the TS twin); returns samples/s and the final weights. */
function runSlice(session: TrainSession, spec: ChipSpec, order: Int32Array, targets: Float32Array[][], wasm: Uint8Array | null, threads = 0): {
  sps: number; cpuMs: number; weights: Float32Array[]; waits?: { waits: number; sleeps: number; betweenMs: number }; perThread: { cpu: number; queued: number }[];
} {
  const o = session.opts, data = session.source.train;
  const backend: Backend = wasm ? 'wasm' : 'ts';
  if (wasm) setWasmBytes(wasm);
  let par: ChipThreads | undefined;
  try {
    const rule = session.createRule();
    const chip = new Chip(spec, backend, rule, threads >= 1 ? { threadBytes: threadBytes(spec, threads) } : {});
    chip.analogInput = o.encoding === 'direct';
    // threads 0: the one-thread chip (build/ncsim.wasm); 1: the shared-memory build's loop on one thread.
    if (threads >= 1) par = new ChipThreads(chip, rule, threads);
    rule.setLearningRate?.(session.learningRate);
    let k = 0;
    const stream = { next: () => targets[k++] };
    const x = new Float32Array(o.steps * session.data.train.size);
    const s0 = schedStats(), t0 = performance.now(), c0 = process.cpuUsage();
    trainSamples({ chip, rule, set: data, order, stream, steps: o.steps, encoding: o.encoding, rng: new Rng(o.seed), x });
    const sps = order.length / ((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    const perThread = busiest(s0, schedStats(), Math.max(1, threads), order.length);
    // Every thread's waits for another one (within and between samples), summed.
    const st = par?.stats();
    const waits = st && { ...st.threads.reduce((a, b) => ({ waits: a.waits + b.waits, sleeps: a.sleeps + b.sleeps })), betweenMs: st.betweenMs };
    return { sps, cpuMs: (c.user + c.system) / 1000 / order.length, weights: chip.spec.layers.map((_, l) => chip.getWeights(l)), waits, perThread };
  } finally {
    par?.close();
    setWasmBytes(null);
  }
}

function sameBits(a: Float32Array[], b: Float32Array[]): boolean {
  return a.length === b.length && a.every((w, l) => Buffer.compare(Buffer.from(w.buffer, w.byteOffset, w.byteLength), Buffer.from(b[l].buffer, b[l].byteOffset, b[l].byteLength)) === 0);
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export function benchChipLoop(opts: ChipLoopOptions = {}): ChipLoopResult {
  const samples = opts.samples ?? 600, repeats = opts.repeats ?? 3;
  const o: TrainOptions = { ...TRAIN_DEFAULTS, epochs: 1, samples, testSamples: 1, teacherEpochs: 1, teacherWorker: false, ...(opts.net ? { net: opts.net } : {}) };
  const session = new TrainSession(o);
  try {
    const order = Int32Array.from({ length: session.data.train.n }, (_, i) => i);
    new Rng(o.seed).shuffle(order);
    // The targets of the slice, computed once before any clock starts (copies: the stream reuses its arrays).
    const stream = createTargetStream({ teacher: session.teacher, data: session.data.train, norms: session.norms, order, threaded: false });
    const targets = Array.from(order, () => stream.next().map((t) => Float32Array.from(t)));
    stream.close();
    // One draw of the initial weights: every run starts from the same chip.
    const spec = session.initialSpec();
    const builds: { name: string; wasm: Uint8Array | null; threads?: number }[] = [{ name: 'wasm (this build)', wasm: readFileSync(findWasmFile()!) }];
    for (const n of opts.threads ?? [2]) builds.push({ name: `wasm, ${n} thread${n === 1 ? '' : 's'}`, wasm: null, threads: n });
    const prev = findWasmFile('ncsim-prev.wasm');
    if (prev) builds.push({ name: 'wasm (previous kernels)', wasm: readFileSync(prev) });
    for (const [name, file] of Object.entries(opts.extra ?? {})) builds.push({ name, wasm: readFileSync(file) });
    const warm = order.subarray(0, Math.min(40, order.length));
    // A threaded run uses the shared-memory build (build/ncsim-shared.wasm) whatever setWasmBytes says.
    for (const b of builds) runSlice(session, spec, warm, targets, b.threads ? readFileSync(findWasmFile()!) : b.wasm, b.threads);
    const runs: ChipLoopRun[] = builds.map((b) => ({ name: b.name, samplesPerSecond: [], median: 0, sameWeights: true }));
    const load = [loadavg()[0]];
    const threaded = builds.some((b) => b.threads);
    const crossCoreNs = threaded ? [crossCoreRoundTrip()] : undefined;
    let reference: Float32Array[] | null = null;
    for (let r = 0; r < repeats; r++) {
      builds.forEach((b, q) => {
        const { sps, cpuMs, weights, waits, perThread } = runSlice(session, spec, order, targets, b.threads ? readFileSync(findWasmFile()!) : b.wasm, b.threads);
        runs[q].samplesPerSecond.push(sps);
        (runs[q].cpuMs ??= []).push(cpuMs);
        if (perThread.length) (runs[q].perThreadRuns ??= []).push(perThread);
        if (waits) {
          const w = (runs[q].waitCounts ??= { waits: 0, sleeps: 0, samples: 0 });
          w.waits += waits.waits;
          w.sleeps += waits.sleeps;
          w.samples += order.length;
          (runs[q].betweenRuns ??= []).push(waits.betweenMs);
        }
        reference ??= weights;
        runs[q].sameWeights &&= sameBits(reference, weights);
      });
    }
    if (opts.twin ?? true) {
      const { sps, weights } = runSlice(session, spec, order, targets, null);
      runs.push({ name: 'TypeScript twin', samplesPerSecond: [sps], median: sps, sameWeights: sameBits(reference!, weights) });
    }
    load.push(loadavg()[0]);
    if (crossCoreNs) crossCoreNs.push(crossCoreRoundTrip());
    for (const run of runs) {
      run.median = median(run.samplesPerSecond);
      if (run.cpuMs) run.cpuMsPerSample = median(run.cpuMs);
      const pt = run.perThreadRuns;
      if (pt?.length) run.perThread = pt[0].map((_, k) => ({ cpu: median(pt.map((r) => r[k]?.cpu ?? 0)), queued: median(pt.map((r) => r[k]?.queued ?? 0)) }));
      if (run.betweenRuns) run.betweenMs = median(run.betweenRuns);
      if (run.waitCounts) {
        run.waitsPerSample = run.waitCounts.waits / run.waitCounts.samples;
        run.slept = run.waitCounts.sleeps / Math.max(1, run.waitCounts.waits);
      }
    }
    return { samples, sizes: session.teacher.sizes, net: session.net.source, steps: o.steps, loadAverage: load, runs, crossCoreNs };
  } finally {
    session.close();
  }
}

/** The bench's lines, for bench/main.ts to print. */
export function formatChipLoopBench(r: ChipLoopResult): string[] {
  const base = r.runs[0].median;
  const lines = [
    `${r.samples} training samples, ${r.net === '--hidden' ? r.sizes.join('-') : r.net.replace(/"/g, '')}, T = ${r.steps}, targets precomputed (no teacher in the clock); load average ${r.loadAverage.map((x) => x.toFixed(2)).join(' -> ')}`,
    `${'kernels'.padEnd(26)}${'samples / s (median)'.padStart(22)}${'runs'.padStart(26)}${'this build is'.padStart(16)}  same weights (bits)`,
  ];
  for (const run of r.runs) {
    lines.push(`${run.name.padEnd(26)}${run.median.toFixed(0).padStart(22)}${run.samplesPerSecond.map((x) => x.toFixed(0)).join(' ').padStart(26)}${((base / run.median).toFixed(2) + 'x').padStart(16)}  ${run.sameWeights}`);
  }
  // Threads: wall-clock ratio to one thread, and CPU time per sample over all threads (on a
  // loaded machine more threads also win a larger share of the cores; the CPU time shows what
  // the split and its barriers cost on top of the work).
  const one = r.runs[0];
  for (const run of r.runs.filter((x) => / threads?$/.test(x.name))) {
    const n = Number(/, (\d+) threads?$/.exec(run.name)?.[1]);
    lines.push(`${run.name}: ${(run.median / one.median).toFixed(2)}x the samples/s of one thread; CPU ${run.cpuMsPerSample?.toFixed(3)} ms/sample over its ${n} threads (spinning and sleeping at barriers included) vs ${one.cpuMsPerSample?.toFixed(3)} on one`);
    const threadsOf = (x: ChipLoopRun) => x.perThread?.map((t) => `${t.cpu.toFixed(3)} on a CPU + ${t.queued.toFixed(3)} waiting for one`).join('; ');
    if (one.perThread?.length && run.perThread?.length) {
      lines.push(`  per thread, ms/sample (Linux schedstat): one thread ${threadsOf(one)}; ${n} threads ${threadsOf(run)}`);
    }
    if (run.waitsPerSample !== undefined) {
      lines.push(`  ${run.waitsPerSample.toFixed(1)} waits of a thread for another per sample (all threads), ${(100 * (run.slept ?? 0)).toFixed(1)} % of them ended asleep (the rest caught spinning); the main thread's JavaScript between samples ${(1000 * (run.betweenMs ?? 0)).toFixed(1)} µs per sample`);
    }
  }
  if (r.crossCoreNs) {
    lines.push(`a cache line's round trip between two threads: ${r.crossCoreNs.map((x) => x.toFixed(0)).join(' ns before the runs, ')} ns after (~120-150: the two cores share a cache; ~550-700: they do not, and two threads run at about half speed, docs/speed.md "Threads")`);
  }
  return lines;
}
