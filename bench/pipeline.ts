/**
 * The simulator's own host/chip pipeline, measured in one run: the same slice of an epoch
 * (same teacher, same order, same seeded chip) trained twice through the production training
 * loop (src/train/loop.ts, what `ncsim train` runs), set up by a TrainSession as `ncsim train`
 * sets it up (the default options, a one-epoch teacher),
 *   in-thread: targetsFor runs in the training loop before each sample;
 *   threaded:  the teacher runs in a worker (src/stream/target-stream.ts) ahead of the loop.
 * Both walls include making the stream (and the worker) and closing it. Both runs must make the
 * same predictions (the targets are bit for bit the same). The discrete-event model's prediction
 * from the measured per-sample teacher and chip times (a free link, one sample per "batch",
 * the ring's slots as buffers) is printed beside the measurement.
 */
import { availableParallelism, loadavg } from 'node:os';
import { Rng } from '../src/host/rng.js';
import { TRAIN_DEFAULTS, TrainSession, type TrainOptions } from '../src/train/train.js';
import { trainSamples, type SampleLoopResult } from '../src/train/loop.js';
import { createTargetStream, DEFAULT_SLOTS } from '../src/stream/target-stream.js';
import { simulatePipeline, type PipelineParams } from '../src/pipeline/des.js';

export interface PipelineBenchOptions {
  /** shorter run (200 samples) */
  quick?: boolean;
  /** samples in the slice (default 1000, quick 200) */
  samples?: number;
  /** measured runs of each kind; the fastest counts (default 2, quick 1) */
  repeats?: number;
  /** worker bundle location (default: next to the running bundle) */
  workerUrl?: URL;
}

export interface PipelineBenchResult {
  samples: number;
  steps: number;
  sizes: number[];
  cores: number;
  slots: number;
  /** producing every target of the slice in-thread, no training (s) */
  teacherSeconds: number;
  /** the slice with targets computed in the loop (s) */
  inThreadSeconds: number;
  /** part of it spent computing targets in the loop (s) */
  inThreadTargetSeconds: number;
  /** the slice with targets from the worker (s) */
  threadedSeconds: number;
  /** part of it the loop spent waiting for the worker's targets (s; includes the worker's start) */
  threadedWaitSeconds: number;
  /** 1-minute load average when the bench started: other work on the machine takes the cores the worker needs */
  loadAverage: number;
  /** inThreadSeconds / threadedSeconds */
  speedup: number;
  /** the discrete-event model's makespans from the measured per-sample times */
  modelled: { sequentialSeconds: number; pipelinedSeconds: number; speedup: number };
  /** both runs predicted the same class for every sample */
  samePredictions: boolean;
  /** training samples the in-thread run predicted right while learning them (the chip learns) */
  correct: number;
}

export function benchPipeline(opts: PipelineBenchOptions = {}): PipelineBenchResult {
  const samples = opts.samples ?? (opts.quick ? 200 : 1000);
  const repeats = opts.repeats ?? (opts.quick ? 1 : 2);
  const o: TrainOptions = { ...TRAIN_DEFAULTS, epochs: 1, samples, testSamples: 1, teacherEpochs: 1, teacherWorker: false, threads: 1 };
  const session = new TrainSession(o);
  try {
    return measure(session, samples, repeats, opts.workerUrl);
  } finally {
    session.close();
  }
}

function measure(session: TrainSession, samples: number, repeats: number, workerUrl: URL | undefined): PipelineBenchResult {
  const o = session.opts, teacher = session.teacher, norms = session.norms, data = session.data.train;
  const order = Int32Array.from({ length: data.n }, (_, i) => i);
  new Rng(o.seed).shuffle(order);
  // One draw of the initial weights: every run starts from the same chip.
  const spec = session.initialSpec();

  type Run = SampleLoopResult & { wall: number; predictions: Int32Array };
  const run = (threaded: boolean, slice: Int32Array): Run => {
    const rule = session.createRule();
    const chip = session.createChip(spec, rule);
    const predictions = new Int32Array(slice.length);
    const x = new Float32Array(o.steps * data.size);
    const t0 = performance.now();
    const stream = createTargetStream({ teacher, data, norms, order: slice, threaded, workerUrl });
    try {
      const r = trainSamples({ chip, rule, set: session.source.train, order: slice, stream, steps: o.steps, encoding: o.encoding, rng: new Rng(o.seed), x, predictions });
      return { ...r, predictions, wall: (performance.now() - t0) / 1000 };
    } finally {
      stream.close();
    }
  };
  const teacherOnly = (): number => {
    const t0 = performance.now();
    const s = createTargetStream({ teacher, data, norms, order, threaded: false });
    for (let k = 0; k < order.length; k++) s.next();
    s.close();
    return (performance.now() - t0) / 1000;
  };

  // warm up both paths (JIT, wasm compilation, the worker bundle in the OS cache)
  const warm = order.subarray(0, Math.min(50, order.length));
  run(false, warm);
  run(true, warm);
  teacherOnly();

  const load = loadavg()[0];
  let inThread = Infinity, threaded = Infinity, teacherSeconds = Infinity, inThreadTargets = 0, threadedWait = 0, correct = 0;
  let same = true;
  for (let r = 0; r < repeats; r++) {
    teacherSeconds = Math.min(teacherSeconds, teacherOnly());
    const a = run(false, order);
    const b = run(true, order);
    if (a.wall < inThread) {
      inThread = a.wall;
      inThreadTargets = a.targetSeconds;
    }
    if (b.wall < threaded) {
      threaded = b.wall;
      threadedWait = b.targetSeconds;
    }
    correct = a.correct;
    same &&= a.correct === b.correct && a.predictions.every((p, k) => p === b.predictions[k]);
  }

  const hostPerSample = teacherSeconds / samples;
  const chipPerSample = Math.max(0, inThread - teacherSeconds) / samples;
  const params: PipelineParams = {
    batches: samples, batchSize: 1, hostSecondsPerSample: hostPerSample, hostJoulesPerSample: 0, linkBytesPerSample: 0,
    linkBandwidth: Infinity, linkLatency: 0, linkJoulesPerByte: 0, chipSecondsPerSample: chipPerSample, chipJoulesPerSample: 0,
    buffers: DEFAULT_SLOTS,
  };
  const seq = simulatePipeline(params, 'sequential').makespan;
  const pip = simulatePipeline(params, 'pipelined').makespan;
  return {
    samples, steps: o.steps, sizes: teacher.sizes, cores: availableParallelism(), slots: DEFAULT_SLOTS,
    teacherSeconds, inThreadSeconds: inThread, inThreadTargetSeconds: inThreadTargets, threadedSeconds: threaded,
    threadedWaitSeconds: threadedWait, loadAverage: load, speedup: inThread / threaded,
    modelled: { sequentialSeconds: seq, pipelinedSeconds: pip, speedup: pip > 0 ? seq / pip : 1 },
    samePredictions: same, correct,
  };
}

/** The bench's lines, for bench/main.ts to print. */
export function formatPipelineBench(r: PipelineBenchResult): string[] {
  const ms = (s: number) => `${(s * 1000).toFixed(0)} ms`;
  return [
    `${r.samples} samples, ${r.sizes.join('-')}, T = ${r.steps}, ${r.cores} cores (load average ${r.loadAverage.toFixed(2)}), ring of ${r.slots} samples`,
    `teacher alone (targets only, in-thread)   ${ms(r.teacherSeconds)}`,
    `targets + training, teacher in-thread     ${ms(r.inThreadSeconds)}  (${ms(r.inThreadTargetSeconds)} of it computing targets)`,
    `targets + training, teacher in a worker   ${ms(r.threadedSeconds)}  (${ms(r.threadedWaitSeconds)} of it waiting for targets)`,
    `speedup                                   ${r.speedup.toFixed(2)}x  (event model: ${r.modelled.speedup.toFixed(2)}x)`,
    `same predictions (bits)                   ${r.samePredictions}  (${r.correct} of ${r.samples} right while learning)`,
  ];
}
