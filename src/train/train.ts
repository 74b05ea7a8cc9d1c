/**
 * `ncsim train`: the whole on-chip learning loop. The host trains the ANN teacher, turns its
 * layer activations into normalized targets (ALGORITHMS §5), and the chip learns them one
 * sample at a time with the chosen rule; after each epoch the chip is tested on held-out
 * digits. Returns a report that is data first (src/report renders it).
 */
import { Chip, ChipRule, ChipSpec, weightCount } from '../chip/chip.js';
import type { Init, PresetName, Reset, RuleName, UpdateAt } from '../model/types.js';
import { Backend } from '../chip/kernels.js';
import { readCounters, addCounters, CounterValues } from '../chip/counters.js';
import { createRule, adaptSpec, RuleOptions } from '../rules/index.js';
import { RULE_TABLE, TRAIN_RULE_DEFAULTS, rulesUpdatingAt, updateAtFor, usesReadout } from '../rules/table.js';
import { learningMemoryCurves, LearningMemoryCurves } from '../rules/memory.js';
import { Rng } from '../host/rng.js';
import { loadMnist, Dataset } from '../host/mnist.js';
import { Encoding } from '../host/encoding.js';
import { trainTeacher, teacherAccuracy, teacherFlopsPerSample, Teacher, type TeacherPrecision } from '../host/teacher.js';
import { trainNetTeacher } from '../host/cnn.js';
import { calibrateNorms } from '../host/targets.js';
import { alignOnnxTeacher } from '../host/onnx/align.js';
import type { LoadedOnnxTeacher } from '../host/onnx/load.js';
import { trainSampleSteps } from './loop.js';
import { Net, NetLayer, readNetFile, mlpNet, hasConv, describeNet } from '../net/file.js';
import { netLayers, netNorms } from '../net/build.js';
import { DataSource, imageSource, mnistEventSource } from '../net/data.js';
import { trainExtras } from './extras.js';
import { InThreadProducer, type TargetProducer } from '../stream/in-thread.js';
import { InputError } from '../io/errors.js';
import type { CostReport } from '../cost/cost.js';
import type { HwModel } from '../cost/hwmodel.js';
import { mapWithPolicy, MapPolicy } from '../cost/mapping.js';
import { deviceFor } from '../chip/device.js';
import { StepTimer, StepSource } from '../timing/step-timer.js';
import { chipSource } from '../timing/chip-source.js';
import type { AccumulatorState, PhaseTiming } from '../timing/summary.js';
import type { PipelineReport } from '../pipeline/params.js';
import { Activity, ActivityLayer, ActivityPhase, ACTIVITY_SCHEMA } from '../cost/activity.js';
import { checkChipState, checkChipWeights, checkTeacher } from './finite.js';
import { BudgetInput, RunBudget, checkBudget, defaultMaxMemory, plannedLayers, runBudget } from './budget.js';
import { MAX_THREADS, autoThreads, threadBytes, threadsUnsupported } from '../chip/thread-plan.js';

export interface TrainOptions {
  rule: RuleName;
  epochs: number;
  samples: number;
  testSamples: number;
  steps: number;
  warmup: number;
  error: 'exact' | 'sign';
  /**
   * When the chip's updates land (online LTL, STOP: "step" or "sample"; the other rules
   * "sample" only, "step" refused); absent: the rule's default (updateAtFor: online LTL
   * "step", the others "sample").
   */
  updateAt?: UpdateAt;
  /** Learning rate; absent: the rule's default (the rule table's learningRate). */
  lr?: number;
  /** The learning rate of epoch e is lr * lrDecay^(e-1). */
  lrDecay: number;
  hidden: number[];
  encoding: Encoding;
  seed: number;
  threshold: number;
  leak: number;
  reset: Reset;
  delay: 0 | 1;
  width: number;
  height: 'unit' | 'normalized';
  percentile: number;
  normalization: 'calibration' | 'batch';
  batch: number;
  init: Init;
  /**
   * Run the ANN teacher in a worker thread, a batch ahead of the chip (same bits as in-thread);
   * "auto": when a core is left for it beside the chip's threads.
   */
  teacherWorker: boolean | 'auto';
  initGain: number;
  teacherEpochs: number;
  teacherLr: number;
  /** The teacher's arithmetic: 'f32' (wasm SIMD kernels, the default) or 'f64' (the earlier TypeScript teacher). */
  teacherPrecision: TeacherPrecision;
  backend: Backend;
  /**
   * A network description file (ncsim.net/1, nets/README.md), or a NIR graph (docs/nir.md: read
   * first with importNir, h5wasm being asynchronous); absent: the MLP of `hidden`.
   */
  net?: string;
  /** A NIR file's time step (s; docs/nir.md); absent: NIR_DEFAULT_DT. */
  dt?: number;
  /** 'mnist' (default), 'mnist-events' (saccade events) or 'events:FOLDER' (src/net/data.ts). */
  data?: string;
  /** Memory budget in GB (src/train/budget.ts); absent: a share of the machine's memory. */
  maxMemory?: number;
  /** An ONNX model file used as the teacher instead of training one (docs/onnx.md); its layers must be the network's. */
  teacher?: string;
  /**
   * Threads the chip is simulated on (src/chip/threads.ts, src/chip/thread-plan.ts; absent: 1);
   * results are the one-thread run's, bit for bit. "auto": a thread per 128 neurons of the widest
   * layer, up to the cores, where the chip can run on threads (else 1).
   */
  threads?: number | 'auto';
  /** σ of the device mismatch of the trained chip's synapse and neuron gains (src/chip/device.ts; drawn from the hardware model and --seed); 0: the ideal chip. */
  mismatch: number;
  /**
   * The paper settings these options started from (src/train/presets.ts); the other fields
   * already hold the resulting values (resolvePreset: an option given explicitly wins).
   */
  preset?: PresetName;
}

/** Checks a caller runs once the network is known, before the teacher trains (e.g. does it fit the hardware model). */
export interface TrainChecks {
  beforeTeacher?(plan: { net: Net; layers: ActivityLayer[]; budget: RunBudget }): void;
  /** The chip as trained, after the last epoch and its test (e.g. --save-nir: src/net/nir-export.ts trainedNet). */
  afterTraining?(trained: { net: Net; chip: Chip }): void;
}

const R = TRAIN_RULE_DEFAULTS;
/** `ncsim train`'s defaults; the rule's options (warmup ... height) are the rule table's TRAIN_RULE_DEFAULTS. */
export const TRAIN_DEFAULTS: TrainOptions = {
  rule: 'ltl-online', epochs: 2, samples: 8000, testSamples: 2000, steps: 16, warmup: R.warmup, error: R.error,
  lrDecay: 0.7, hidden: [256, 256], encoding: 'direct', seed: 1, threshold: 1, leak: 1,
  reset: 'subtract', delay: 0, width: R.width, height: R.height, percentile: 99, normalization: 'calibration', batch: 100,
  init: 'random', teacherWorker: 'auto', initGain: 1, teacherEpochs: 8, teacherLr: 0.001, teacherPrecision: 'f32', backend: 'wasm', data: 'mnist', mismatch: 0,
  threads: 'auto',
};

export interface EpochReport {
  epoch: number;
  /** Update events issued vs dense, per layer, in this epoch. */
  layers: { name: string; updates: number; denseUpdates: number }[];
  testAccuracy: number;
  trainAccuracy: number;
  updates: number;
  denseUpdates: number;
  seconds: number;
}

export interface LayerReport {
  name: string;
  nIn: number;
  nOut: number;
  updates: number;
  denseUpdates: number;
  spikesPerSample: number;
  synapticEventsPerSample: number;
}

export interface TrainReport {
  schemaVersion: 1;
  kind: 'ncsim.train';
  options: TrainOptions;
  /** The network (layer by layer) and the data it was trained on. */
  network?: { source: string; data: string; layers: string[] };
  teacher: {
    sizes: number[]; testAccuracy: number; seconds: number; flopsPerSample: number; norms: number[];
    /** Where the teacher came from when ncsim did not train it (--teacher): the file, its sha256, its producer. */
    source?: TeacherSource;
  };
  snn: {
    initialTestAccuracy: number; testAccuracy: number; epochs: EpochReport[];
    /** Thresholds and leaks of each spiking layer after training (learned by stop-wtl; fixed otherwise). */
    neuronParameters: Record<string, { threshold: Summary; leak: Summary }>;
  };
  learning: { updates: number; denseUpdates: number; gatedOff: number; updateRatio: number; layers: LayerReport[] };
  synapticEvents: number;
  spikes: Record<string, number>;
  wallSeconds: number;
  /** Training and test samples over the whole wall time (teacher, loading and calibration included); the chip's own speed is `throughput`. */
  samplesPerSecond: number;
  /** The chip loop's throughput, apart from wall time and teacher time. */
  throughput: Throughput;
  activity: Activity;
  /** Learning memory of every rule on this network against the time window (src/rules/memory.ts). */
  memory: LearningMemoryCurves;
  /** The run priced on the hardware model of --hw (src/cost). */
  cost?: CostReport;
  /** Per-step timing of each phase on the model and mapping train() was given (src/timing); the CLI moves it into `cost`. */
  stepTiming?: { model: string; mapping: MapPolicy; phases: Record<string, PhaseTiming> };
  /** The host/link/chip pipeline of this run under the three schedules (src/pipeline). */
  pipeline?: PipelineReport;
}

export interface Summary { mean: number; std: number; min: number; max: number }

/** A teacher read from a file (--teacher): seconds in the report are then the time to read it. */
export interface TeacherSource { format: 'onnx'; file: string; sha256: string; producer: string; opset: number }

/**
 * Where the time went, in three figures that are not mixed: the chip loop (the epochs' training
 * loops without their waits for the teacher's targets; the test passes), the teacher (training
 * the host's ANN), and the whole wall time.
 */
export interface Throughput {
  /** Training samples per second of the epochs' loops, waits for targets excluded. */
  trainSamplesPerSecond: number;
  /** Seconds in the epochs' loops, waits for targets excluded. */
  trainSeconds: number;
  /** Seconds the epochs' loops waited for the teacher's targets (computing them, when in-thread). */
  targetWaitSeconds: number;
  /** Test samples per second of the test passes (every evaluation, the one before learning included). */
  testSamplesPerSecond: number;
  testSeconds: number;
  /** Seconds training the host's teacher (also in teacher.seconds). */
  teacherSeconds: number;
  wallSeconds: number;
}

function summary(v: ArrayLike<number>): Summary {
  let sum = 0, min = Infinity, max = -Infinity;
  for (let i = 0; i < v.length; i++) { sum += v[i]; min = Math.min(min, v[i]); max = Math.max(max, v[i]); }
  const mean = sum / v.length;
  let sq = 0;
  for (let i = 0; i < v.length; i++) sq += (v[i] - mean) ** 2;
  return { mean, std: Math.sqrt(sq / v.length), min, max };
}

export interface Progress { phase: 'teacher' | 'train' | 'test'; epoch: number; done: number; total: number }

/** Time every step on this hardware model and mapping while training (src/timing). */
export interface StepTimingOptions { model: HwModel; mapping: MapPolicy }

/**
 * What a live view (the playground's worker) sees of a run between two samples: the session,
 * the chip and the counts of the phases so far once they exist, and each test pass's accuracy
 * (epoch 0: before learning) as soon as it is known. Watching reads; it changes nothing.
 */
export interface TrainWatch {
  started?(run: { session: TrainSession; chip: Chip; trainPhase: ActivityPhase; testPhase: ActivityPhase }): void;
  tested?(epoch: number, testAccuracy: number, e?: EpochReport): void;
}

export function train(opts: TrainOptions, onProgress?: (p: Progress) => void, checks?: TrainChecks, timing?: StepTimingOptions, hooks?: RunHooks): TrainReport {
  return drain(trainSteps(opts, onProgress, checks, timing, hooks));
}

/**
 * Checkpoints (src/train/checkpoint.ts): a run can start from a saved state instead of the
 * beginning, and is offered its whole state at every point where it can be saved.
 */
export interface RunHooks {
  /** Continue from this state (a checkpoint's) instead of starting. */
  resume?: RunState;
  /** Called once the session is set up (network, data, teacher), before the chip is built (a resumed run checks its data here). */
  ready?(session: TrainSession): void;
  /**
   * Called where the run can be checkpointed: after every training sample but an epoch's last,
   * and after each epoch's test (epoch 0: the test before learning). `capture()` copies the
   * run's whole state there.
   */
  boundary?(at: RunPosition, capture: () => RunState): void;
}

/** Where a run is: `sample` samples of `epoch` learned; `epochDone`: the epoch and its test are done (epoch 0: the test before learning). */
export interface RunPosition { epoch: number; sample: number; epochDone: boolean }

/** The teacher a run trained, with what the run derived from it (a resumed run does not train it again). */
export interface PreparedTeacher { teacher: Teacher; testAccuracy: number; seconds: number; norms: number[] }

/** What an epoch in progress has done so far (to resume it after `sample` samples). */
export interface EpochProgress {
  sample: number;
  correct: number;
  targetSeconds: number;
  seconds: number;
  /** The chip's counters when the epoch began (the epoch's counts are the difference at its end). */
  before: CounterValues[];
}

/** Everything a run needs to continue from a RunPosition, bit for bit (timings aside). */
export interface RunState {
  position: RunPosition;
  initialAccuracy: number;
  epochs: EpochReport[];
  trainPhase: ActivityPhase;
  testPhase: ActivityPhase;
  trainSamples: number;
  time: { train: number; wait: number; test: number };
  /** Wall time of the run so far (s). */
  wallSeconds: number;
  /** The epoch in progress (absent when position.epochDone). */
  epoch?: EpochProgress;
  /** The training order and the session's generators (shuffles, input encoder). */
  session: SessionCheckpoint;
  /** The chip's whole arena (Chip.arena()): weights, biases, thresholds, leaks, rule buffers, device states, counters. */
  arena: Uint8Array;
  /** The step timer's accumulators, when the run is timed (StepTimer.phaseStates()). */
  timing?: Record<string, { learning: boolean; state: AccumulatorState }>;
  teacher: PreparedTeacher;
}

/**
 * The training run as a generator that pauses after every sample, so that one loop serves the
 * synchronous train() (drain) and the library's trainAsync (src/train/api.ts), which yields to
 * the event loop and checks its AbortSignal between samples.
 */
export function* trainSteps(opts: TrainOptions, onProgress?: (p: Progress) => void, checks?: TrainChecks, timing?: StepTimingOptions, hooks: RunHooks = {}, watch?: TrainWatch): Generator<void, TrainReport> {
  const resume = hooks.resume;
  const t0 = performance.now() - (resume?.wallSeconds ?? 0) * 1000;
  const session = new TrainSession(opts, onProgress, checks, resume?.teacher);
  // The options as they run ("auto" resolved).
  opts = session.opts;
  try {
    hooks.ready?.(session);
    yield;
    const rule = session.createRule();
    const spec0 = session.initialSpec();
    // A non-ideal chip (--mismatch): its devices drawn once from the hardware model and the seed.
    if (opts.mismatch > 0) {
      if (!timing) throw new InputError('--mismatch', 'a hardware model to draw the devices from (--hw)', opts.mismatch, { kind: 'option' });
      spec0.device = deviceFor(timing.model, opts.seed, { mismatch: opts.mismatch });
    }
    const chip = session.createChip(spec0, rule);
    const spec = chip.spec;
    const trainPhase = resume?.trainPhase ?? emptyPhase(spec, true);
    const testPhase = resume?.testPhase ?? emptyPhase(spec, false);
    // The mapping the cost will use (same layers, same policy): refused here, before the epochs, if it does not fit.
    if (timing) {
      const layers = session.activity(chip, trainPhase, testPhase).layers;
      session.timeSteps(chip, new StepTimer(timing.model, mapWithPolicy(layers, timing.model, timing.mapping), layers));
      if (resume?.timing) session.timer?.timer.restorePhases(resume.timing);
    }
    if (resume) {
      if (resume.arena.length !== chip.arenaBytes) throw new RangeError(`checkpoint: the chip's arena has ${chip.arenaBytes} bytes, the saved one ${resume.arena.length}`);
      chip.arena().set(resume.arena);
      session.restore(resume.session);
    }
    const epochs: EpochReport[] = resume?.epochs ?? [];
    let trainSamples = resume?.trainSamples ?? 0;
    const time = resume?.time ?? { train: 0, wait: 0, test: 0 };
    watch?.started?.({ session, chip, trainPhase, testPhase });
    const timedEvaluate = function* (epoch: number): Generator<void, number> {
      const t = performance.now();
      const accuracy = yield* session.evaluateSteps(chip, testPhase, epoch);
      time.test += (performance.now() - t) / 1000;
      return accuracy;
    };
    // Accuracy of the chip as initialised, before any on-chip learning (epoch 0).
    const initialAccuracy = resume ? resume.initialAccuracy : yield* timedEvaluate(0);
    if (!resume) watch?.tested?.(0, initialAccuracy);
    // The run's whole state, copied (the run goes on after a boundary).
    const capture = (position: RunPosition, epoch?: EpochProgress) => (): RunState => ({
      ...structuredClone({ position, initialAccuracy, epochs, trainPhase, testPhase, trainSamples, time, ...(epoch ? { epoch } : {}) }),
      wallSeconds: (performance.now() - t0) / 1000, session: session.checkpoint(), arena: chip.arena().slice(),
      ...(session.timer ? { timing: session.timer.timer.phaseStates() } : {}),
      // The teacher does not change while the chip learns: shared, not copied.
      teacher: { teacher: session.teacher, testAccuracy: session.teacherTestAccuracy, seconds: session.teacherSeconds, norms: session.norms.slice() },
    });
    const boundary = hooks.boundary;
    if (!resume && boundary) boundary({ epoch: 0, sample: 0, epochDone: true }, capture({ epoch: 0, sample: 0, epochDone: true }));
    const first = resume ? resume.position.epoch + (resume.position.epochDone ? 1 : 0) : 1;
    for (let epoch = first; epoch <= opts.epochs; epoch++) {
      const within = resume && !resume.position.epochDone && epoch === resume.position.epoch ? resume.epoch : undefined;
      const onBoundary = boundary && ((p: EpochProgress) => {
        const at = { epoch, sample: p.sample, epochDone: false };
        boundary(at, capture(at, p));
      });
      const e = yield* session.trainEpochSteps(chip, rule, epoch, trainPhase, within, onBoundary);
      trainSamples += e.samples;
      time.train += e.seconds - e.targetSeconds;
      time.wait += e.targetSeconds;
      const testAccuracy = yield* timedEvaluate(epoch);
      const sum = sumLayers(e.delta);
      epochs.push({
        epoch, testAccuracy, trainAccuracy: e.correct / e.samples,
        layers: spec.layers.map((l, n) => ({ name: l.name, updates: e.delta[n]['learn.update'], denseUpdates: e.delta[n]['learn.dense'] })),
        updates: sum['learn.update'], denseUpdates: sum['learn.dense'], seconds: e.seconds,
      });
      if (boundary) {
        const at = { epoch, sample: e.samples, epochDone: true };
        boundary(at, capture(at));
      }
      watch?.tested?.(epoch, testAccuracy, epochs[epochs.length - 1]);
    }
    checks?.afterTraining?.({ net: session.net, chip });
    const wallSeconds = (performance.now() - t0) / 1000;
    const throughput: Throughput = {
      trainSamplesPerSecond: time.train > 0 ? trainSamples / time.train : 0, trainSeconds: time.train, targetWaitSeconds: time.wait,
      testSamplesPerSecond: time.test > 0 ? testPhase.samples / time.test : 0, testSeconds: time.test,
      teacherSeconds: session.teacherSeconds, wallSeconds,
    };
    const report = assembleReport(session, chip, initialAccuracy, epochs, trainPhase, testPhase, trainSamples, wallSeconds, throughput);
    if (timing && session.timer) report.stepTiming = { model: timing.model.name, mapping: timing.mapping, phases: session.timer.timer.result() };
    return report;
  } finally {
    session.close();
  }
}

/** Runs a step generator to its end and returns its result. */
export function drain<T>(g: Generator<void, T>): T {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

/** What one epoch of on-chip learning did: samples seen, correct predictions, counter deltas per layer. */
export interface EpochResult { samples: number; correct: number; delta: CounterValues[]; seconds: number; targetSeconds: number }

/**
 * One training set-up, reusable: the data split, the host's teacher and norms, the seeded
 * streams, and the steps of on-chip learning. Each createChip makes a new chip, so one session
 * can train an ideal chip, then deploy its weights on non-ideal chips and calibrate them.
 */
export interface SessionCheckpoint { rng: [number, number, number, number]; encRng: [number, number, number, number]; order: Int32Array }

export class TrainSession {
  readonly opts: TrainOptions;
  /** The teacher's inputs (images, or event frames averaged over time), train and test pools. */
  readonly data: { train: Dataset; test: Dataset };
  /** What the chip is fed (--data): images to encode, or event frames. */
  readonly source: DataSource;
  /** The network, layer by layer (--net, or the MLP of --hidden). */
  readonly net: Net;
  readonly teacher: Teacher;
  readonly norms: number[];
  readonly teacherTestAccuracy: number;
  readonly teacherSeconds: number;
  /** Set when the teacher was read from a file (--teacher) rather than trained. */
  readonly teacherSource?: TeacherSource;
  private readonly rng: Rng;
  private readonly initRng: Rng;
  private readonly encRng: Rng;
  private readonly order: Int32Array;
  private readonly x: Float32Array;
  private readonly producer: TargetProducer;
  private readonly onProgress?: (p: Progress) => void;
  /** The step timer of timeSteps(), with its view of the chip. */
  timer?: { timer: StepTimer; src: StepSource; chip: Chip };

  /** `prepared`: the teacher of an earlier run of the same options (a checkpoint's), used instead of training one. */
  constructor(opts: TrainOptions, onProgress?: (p: Progress) => void, checks?: TrainChecks, prepared?: PreparedTeacher) {
    this.opts = opts;
    this.onProgress = onProgress;
    this.rng = new Rng(opts.seed);
    checkRuleOptions(opts);
    // The network file first: a bad file or rule is refused before any data is loaded.
    // A NIR graph (read by the platform: Node's reads HDF5) or an ncsim.net file.
    const nir = opts.net ? trainExtras().nirNet?.(opts.net, opts.dt) : undefined;
    const file = opts.net ? (nir ? imageShaped(nir, opts.data ?? 'mnist') : readNetFile(opts.net)) : undefined;
    if (opts.init === 'file' && !file?.params) throw new InputError('--init', '"random" or "teacher" ("file" takes the weights of a NIR file given as --net)', opts.init, { kind: 'option' });
    checkThreads(opts, file);
    // What ran is what the report shows: "auto" options become numbers here.
    this.threadsAuto = opts.threads === 'auto';
    opts = resolveAuto(opts, file);
    this.opts = opts;
    // An ONNX teacher (--teacher) is read and converted before any data too, and checked against the network as soon as it is known.
    const tl = performance.now();
    const onnx = opts.teacher !== undefined ? onnxTeacherFile(opts.teacher) : undefined;
    const loadSeconds = (performance.now() - tl) / 1000;
    // Sizes are refused as products, before the teacher trains or the chip allocates; when the
    // network is known before the data (a net file, or the MLP over MNIST), before loading it too.
    const early = file ?? ((opts.data ?? 'mnist') === 'mnist' ? mlpNet(MNIST_SHAPE, opts.hidden, 10) : undefined);
    if (onnx && early) alignOnnxTeacher(onnx, early, onnx.source);
    if (early) {
      // at most the pool of the mnist package (10,000 digits; a larger request is refused as --samples when loading)
      const digits = Math.min(opts.samples + opts.testSamples, MNIST_POOL) * MNIST_SHAPE.height * MNIST_SHAPE.width;
      const plan = planRun(opts, early, { bytes: 4 * digits, samples: Math.min(opts.samples, MNIST_POOL), analog: (opts.data ?? 'mnist') !== 'mnist' || opts.encoding === 'direct' });
      checks?.beforeTeacher?.(plan);
    }
    this.source = loadSource(opts, file);
    this.data = { train: this.source.train.static, test: this.source.test.static };
    this.net = file ?? mlpNet(this.source.shape, opts.hidden, 10);
    checkLabels(this.source, this.net);
    if (onnx && !early) alignOnnxTeacher(onnx, this.net, onnx.source);
    if (!early) {
      const data = this.data;
      const plan = planRun(opts, this.net, {
        bytes: data.train.images.byteLength + data.test.images.byteLength, samples: data.train.n, analog: this.source.events || opts.encoding === 'direct',
      });
      checks?.beforeTeacher?.(plan); // the budget is checked by planRun, with or without a caller's checks
    }
    // Host: the ANN teacher (read from --teacher, or trained here) and its normalized layer activations.
    if (!onnx) onProgress?.({ phase: 'teacher', epoch: 0, done: 0, total: opts.teacherEpochs });
    const tt = performance.now();
    const onEpoch = (e: number) => onProgress?.({ phase: 'teacher', epoch: e, done: e, total: opts.teacherEpochs });
    const classes = this.net.layers[this.net.layers.length - 1].nOut;
    this.teacher = prepared ? prepared.teacher : onnx ? onnx.teacher : hasConv(this.net)
      ? trainNetTeacher(this.data.train, this.net, { epochs: opts.teacherEpochs, learningRate: opts.teacherLr, batchSize: 32, seed: opts.seed, precision: opts.teacherPrecision }, onEpoch)
      : trainTeacher(this.data.train, {
        hidden: this.net.layers.slice(0, -1).map((l) => l.nOut), epochs: opts.teacherEpochs, learningRate: opts.teacherLr, batchSize: 32, seed: opts.seed, precision: opts.teacherPrecision,
        ...(classes !== 10 ? { classes } : {}),
      }, onEpoch);
    this.teacherSeconds = prepared ? prepared.seconds : onnx ? loadSeconds : (performance.now() - tt) / 1000;
    if (onnx) this.teacherSource = { format: 'onnx', file: onnx.source, sha256: onnx.sha256, producer: onnx.producer, opset: onnx.opset };
    checkTeacher(this.teacher, 'lower --teacher-lr');
    this.teacherTestAccuracy = prepared ? prepared.testAccuracy : teacherAccuracy(this.teacher, this.data.test);
    this.norms = prepared ? prepared.norms : netNorms(this.net, calibrateNorms(this.teacher, this.data.train, opts.percentile));
    this.initRng = this.rng.fork();
    this.encRng = this.rng.fork();
    this.order = new Int32Array(this.data.train.n).map((_, i) => i);
    this.x = new Float32Array(opts.steps * this.teacher.sizes[0]);
    // The teacher a batch ahead in a worker thread where the platform has threads (same bits), else in-thread.
    const threaded = opts.teacherWorker ? trainExtras().threadedTargets : undefined;
    this.producer = threaded ? threaded({ teacher: this.teacher, data: this.data.train }) : new InThreadProducer(this.teacher, this.data.train);
  }

  /**
   * The session's random state (training order, spike encoding), so that a study can run
   * several chips from the same point: each then sees the same digits in the same order.
   */
  checkpoint(): SessionCheckpoint {
    return { rng: this.rng.getState(), encRng: this.encRng.getState(), order: this.order.slice() };
  }

  restore(c: SessionCheckpoint): void {
    this.rng.setState(c.rng);
    this.encRng.setState(c.encRng);
    this.order.set(c.order);
  }

  /** The activity record (ncsim.activity/1) of `chip` with these phases' counts, as hardware models price it. */
  activity(chip: Chip, train: ActivityPhase, test: ActivityPhase): Activity {
    return activityOf(chip, this.opts, this.teacher, train, test, this.data.train.n, this.source.inputBytesPerSample);
  }

  /** The chip's network as initialised by --init (seeded; each call draws new random weights). */
  initialSpec(): ChipSpec {
    const o = this.opts;
    const layers = netLayers(this.net, { threshold: o.threshold, leak: o.leak }, o.init, this.initRng, o.initGain, this.teacher, this.norms);
    // Readout rules (STOP, BPTT): the last layer is a non-spiking readout trained on the label.
    if (usesReadout(o.rule)) layers[layers.length - 1] = { ...layers[layers.length - 1], readout: true };
    // --init file: the file's reset too (a NIR neuron resets to v_reset = 0).
    const reset = o.init === 'file' && this.net.params ? this.net.params.reset : o.reset;
    return adaptSpec(o.rule, { inputSize: this.teacher.sizes[0], reset, delay: o.delay, maxSteps: o.steps, layers });
  }

  get learningRate(): number {
    return trainRuleOptions(this.opts).learningRate;
  }

  createRule(): ChipRule {
    const ro = trainRuleOptions(this.opts);
    // Convolutions: per-layer learning-rate factors (net file, or 1 / positions).
    return createRule(this.opts.rule, hasConv(this.net) ? { ...ro, layerScale: this.net.layers.map(layerLrScale) } : ro);
  }

  createChip(spec: ChipSpec, rule: ChipRule | undefined): Chip {
    const asked = typeof this.opts.threads === 'number' ? this.opts.threads : 1;
    const threads = this.threadsAuto && threadsUnsupported(spec, rule?.name) ? 1 : asked;
    const chip = new Chip(spec, this.opts.backend, rule, threads > 1 ? { threadBytes: threadBytes(spec, threads) } : {});
    // Event frames are input currents (counts); images are currents (direct) or rate spikes.
    chip.analogInput = this.source.events || this.opts.encoding === 'direct';
    if (threads > 1) {
      const start = trainExtras().chipThreads;
      if (!start) throw new InputError('--threads', '1 here (this platform has no threads)', threads, { kind: 'option' });
      this.threadRuns.push(start(chip, rule, threads));
    }
    return chip;
  }

  /** --threads auto: a chip that cannot run on threads (a robustness study's device chips) runs on one. */
  private readonly threadsAuto: boolean;

  /** The worker threads of the chips this session made (closed with it). */
  private readonly threadRuns: { close(): void }[] = [];

  /** Time every step `chip` runs from now on (train and test phases) with `timer`. */
  timeSteps(chip: Chip, timer: StepTimer): void {
    this.timer = { timer, src: chipSource(chip), chip };
  }

  /** The step timer's hooks for one phase on `chip` (none when it is not the timed chip). */
  private timed(chip: Chip, phase: 'train' | 'test'): { observe?: () => void; end?: () => void } {
    const tm = this.timer;
    if (!tm || tm.chip !== chip) return {};
    tm.timer.beginPhase(phase, phase === 'train', tm.src);
    return { observe: () => tm.timer.step(tm.src), end: () => tm.timer.sampleEnd(tm.src) };
  }

  /** One epoch of on-chip learning over the training digits (seeded order); counts go into `phase`. */
  trainEpoch(chip: Chip, rule: ChipRule, epoch: number, phase?: ActivityPhase): EpochResult {
    return drain(this.trainEpochSteps(chip, rule, epoch, phase));
  }

  /**
   * trainEpoch, pausing after every sample (trainSampleSteps). `resume`: the epoch was begun (its
   * order shuffled) and continues after resume.sample samples; `onBoundary` sees the epoch's
   * progress after every sample but the last (checkpoints).
   */
  *trainEpochSteps(chip: Chip, rule: ChipRule, epoch: number, phase?: ActivityPhase, resume?: EpochProgress, onBoundary?: (p: EpochProgress) => void): Generator<void, EpochResult> {
    const o = this.opts, order = this.order;
    const te = performance.now() - (resume?.seconds ?? 0) * 1000;
    if (!resume) this.rng.shuffle(order);
    rule.setLearningRate?.(this.learningRate * o.lrDecay ** (epoch - 1));
    // The host's targets for this epoch, computed ahead of the chip (in a worker when asked). A
    // resumed epoch's stream starts at the batch holding its next sample (per-batch norms are
    // those of whole batches) and drops the targets of the samples already learned.
    const batch = o.normalization === 'batch';
    const from = resume ? resume.sample - (batch ? resume.sample % o.batch : 0) : 0;
    const pass = from ? order.subarray(from) : order;
    const stream = this.producer.stream(batch
      ? { order: pass, batchNorms: { batch: o.batch, percentile: o.percentile } }
      : { order: pass, norms: this.norms });
    const before = resume?.before ?? snapshot(chip);
    const onProgress = this.onProgress;
    const tm = this.timed(chip, 'train');
    const onSample = (s: number, sofar: { correct: number; targetSeconds: number }) => {
      tm.end?.();
      // A run whose states became non-finite stops here, naming layer, sample and step (exit 3).
      checkChipState(chip, { phase: 'train', epoch, sample: s, steps: o.steps }, 'lower --lr or --threshold');
      if (onProgress && s % 200 === 0) onProgress({ phase: 'train', epoch, done: s, total: order.length });
      if (onBoundary && s + 1 < order.length) onBoundary({ sample: s + 1, ...sofar, seconds: (performance.now() - te) / 1000, before });
    };
    let correct: number, targetSeconds: number;
    try {
      for (let s = from; s < (resume?.sample ?? 0); s++) stream.next();
      const start = resume && { sample: resume.sample, correct: resume.correct, targetSeconds: resume.targetSeconds };
      ({ correct, targetSeconds } = yield* trainSampleSteps({ chip, rule, set: this.source.train, order, stream, steps: o.steps, encoding: o.encoding, rng: this.encRng, x: this.x, onSample, observe: tm.observe, ...(start ? { start } : {}) }));
    } finally {
      stream.close();
    }
    checkChipWeights(chip, epoch, order.length, 'lower --lr');
    const delta = diff(snapshot(chip), before);
    if (phase) accumulate(phase, delta, order.length, o.steps);
    return { samples: order.length, correct, delta, seconds: (performance.now() - te) / 1000, targetSeconds };
  }

  /** Test accuracy of the chip as it is (no learning); counts go into `phase`. */
  evaluate(chip: Chip, phase?: ActivityPhase, epoch = 0): number {
    return drain(this.evaluateSteps(chip, phase, epoch));
  }

  /** evaluate, pausing after every sample (trainSteps). */
  *evaluateSteps(chip: Chip, phase?: ActivityPhase, epoch = 0): Generator<void, number> {
    const o = this.opts, test = this.source.test, x = this.x;
    const before = snapshot(chip);
    const tm = this.timed(chip, 'test');
    let correct = 0;
    for (let i = 0; i < test.n; i++) {
      test.frames(i, o.steps, o.encoding, this.encRng, x);
      chip.runSample(x, o.steps, false, tm.observe);
      checkChipState(chip, { phase: 'test', epoch, sample: i, steps: o.steps }, 'lower --lr, --threshold or --init-gain');
      if (chip.predict() === test.labels[i]) correct++;
      if (this.onProgress && i % 500 === 0) this.onProgress({ phase: 'test', epoch, done: i, total: test.n });
      yield;
    }
    if (phase) accumulate(phase, diff(snapshot(chip), before), test.n, o.steps);
    return test.n ? correct / test.n : 0;
  }

  close(): void {
    this.producer.close();
    for (const t of this.threadRuns.splice(0)) t.close();
  }
}

function assembleReport(
  session: TrainSession, chip: Chip, initialAccuracy: number, epochs: EpochReport[],
  trainPhase: ActivityPhase, testPhase: ActivityPhase, trainSamples: number, wallSeconds: number, throughput: Throughput,
): TrainReport {
  const opts = session.opts, spec = chip.spec, teacher = session.teacher;
  const trainSum = sumLayers(Object.values(trainPhase.counters));
  const allSum = sumLayers([...Object.values(trainPhase.counters), ...Object.values(testPhase.counters)]);
  const layers: LayerReport[] = spec.layers.map((l) => {
    const c = trainPhase.counters[l.name];
    const all = { ...c };
    addCounters(all, testPhase.counters[l.name]);
    const n = trainPhase.samples + testPhase.samples;
    return {
      name: l.name, nIn: l.nIn, nOut: l.nOut, updates: c['learn.update'] ?? 0, denseUpdates: c['learn.dense'] ?? 0,
      spikesPerSample: n ? all['neuron.spike'] / n : 0, synapticEventsPerSample: n ? all['synapse.read'] / n : 0,
    };
  });
  const spikes: Record<string, number> = {};
  for (const l of spec.layers) spikes[l.name] = (trainPhase.counters[l.name]['neuron.spike'] ?? 0) + (testPhase.counters[l.name]['neuron.spike'] ?? 0);
  const updates = trainSum['learn.update'] ?? 0, dense = trainSum['learn.dense'] ?? 0;
  return {
    schemaVersion: 1,
    kind: 'ncsim.train',
    // The update timing and learning rate as used (the rule's defaults when --update-at, --lr
    // were not given), last and in the option table's order whether given or not, as
    // `ncsim train --checkpoint` orders them (src/cli/main.ts): a resumed run prints the same text.
    options: { ...withoutTimingAndRate(opts), updateAt: updateAtFor(opts.rule, opts.updateAt), lr: session.learningRate },
    network: { source: session.net.source, data: session.source.name, layers: describeNet(session.net) },
    teacher: {
      sizes: teacher.sizes, testAccuracy: session.teacherTestAccuracy, seconds: session.teacherSeconds, flopsPerSample: teacherFlopsPerSample(teacher), norms: session.norms,
      ...(session.teacherSource ? { source: session.teacherSource } : {}),
    },
    snn: {
      initialTestAccuracy: initialAccuracy, testAccuracy: epochs.length ? epochs[epochs.length - 1].testAccuracy : initialAccuracy, epochs,
      neuronParameters: Object.fromEntries(spec.layers.flatMap((l, n) => (l.readout ? [] : [[l.name, { threshold: summary(chip.getThreshold(n)), leak: summary(chip.getLeak(n)) }]]))),
    },
    learning: { updates, denseUpdates: dense, gatedOff: dense - updates, updateRatio: dense ? updates / dense : 0, layers },
    synapticEvents: allSum['synapse.read'] ?? 0,
    spikes,
    wallSeconds,
    samplesPerSecond: (trainSamples + testPhase.samples) / wallSeconds,
    throughput,
    activity: session.activity(chip, trainPhase, testPhase),
    memory: learningMemoryCurves(chip.spec),
  };
}

/** The chip's and the teacher's data (--data), shaped by the net file's input when there is one. */
const MNIST_SHAPE = { channels: 1, height: 28, width: 28 };
const MNIST_POOL = 10_000;

/**
 * The memory this run needs, checked against --max-memory, wasm and typed-array limits (exit 2
 * when it does not fit), and the layers as the hardware model will map them.
 */
function planRun(o: TrainOptions, net: Net, data: { bytes: number; samples: number; analog: boolean }): { net: Net; layers: ActivityLayer[]; budget: RunBudget } {
  // The rule's reservations depend on the network and T, not on the learning rate.
  const rule = createRule(o.rule, { learningRate: 0, warmup: o.warmup, error: o.error, updateAt: updateAtFor(o.rule, o.updateAt), width: o.width, height: o.height });
  const input: BudgetInput = {
    net, rule, readout: usesReadout(o.rule), thresholdPerNeuron: o.rule === 'stop-wtl', steps: o.steps,
    dataBytes: data.bytes, samples: data.samples, teacherWorker: o.teacherWorker !== false,
  };
  const budget = runBudget(input);
  const maxMemory = o.maxMemory !== undefined ? o.maxMemory * 1e9 : defaultMaxMemory();
  checkBudget(budget, { maxMemory, sizeOption: o.net ? '--net' : '--hidden' }, o.backend, o.steps);
  return { net, layers: plannedLayers(input, budget, data.analog), budget };
}

/**
 * A NIR network whose Input is flat (one dimension, as snnTorch writes an MLP's) over 28 x 28
 * images (mnist, fashion-mnist) of as many pixels: the same dense layers over 1 x 28 x 28 (a dense
 * layer flattens its input channel-major, which is the image's row-major order).
 */
function imageShaped(net: Net, data: string): Net {
  const i = net.input, first = net.layers[0];
  const images = data === 'mnist' || data === 'fashion-mnist';
  if (!images || i.height !== 1 || i.width !== 1 || i.channels !== 28 * 28 || first.type !== 'dense') return net;
  const input = { channels: 1, height: 28, width: 28 };
  return { ...net, input, layers: [{ ...first, in: input }, ...net.layers.slice(1)] };
}

function loadSource(opts: TrainOptions, net: Net | undefined): DataSource {
  const data = opts.data ?? 'mnist';
  const eo = { steps: opts.steps, samples: opts.samples, testSamples: opts.testSamples, input: net?.input, netLabel: net?.source };
  if (data === 'mnist') {
    if (net && (net.input.channels !== 1 || net.input.height !== 28 || net.input.width !== 28)) {
      throw new InputError('input', 'channels 1, height 28, width 28 for --data mnist', net.input, { kind: `net ${net.source} field` });
    }
    return imageSource(loadSplit(opts));
  }
  if (data === 'mnist-events') return mnistEventSource(loadSplit(opts), eo);
  // Data read from folders: Node's (src/node/data-sources.ts), absent in a browser.
  const extras = trainExtras();
  const other = extras.dataSource?.(data, { ...eo, net });
  if (other) return other;
  throw new InputError('--data', extras.dataNames ? `mnist, mnist-events, ${extras.dataNames}` : 'mnist or mnist-events', data, { kind: 'option' });
}

/**
 * The learning-rate factor of a layer: the net file's lrScale, else 1 / (output positions) for a
 * convolution (its shared weight sums the changes of every position, so this makes one step move
 * it about as far as a dense synapse moves), 1 for a dense layer.
 */
export function layerLrScale(l: NetLayer): number {
  if (l.lrScale !== undefined) return l.lrScale;
  return l.type === 'conv' && l.conv ? 1 / (l.conv.height * l.conv.width) : 1;
}

/**
 * The options `rule` is built with for a run: the run's learning rate (the rule table's when
 * --lr is absent) and its surrogate; the update timing given, else the rule's default
 * (a timing the rule cannot do is refused before the run by checkRuleOptions).
 */
export function trainRuleOptions(o: TrainOptions): RuleOptions {
  return {
    learningRate: o.lr ?? RULE_TABLE[o.rule].learningRate, warmup: o.warmup, error: o.error,
    updateAt: updateAtFor(o.rule, o.updateAt), width: o.width, height: o.height,
  };
}

function withoutTimingAndRate(o: TrainOptions): Omit<TrainOptions, 'updateAt' | 'lr'> {
  const { updateAt: _at, lr: _lr, ...rest } = o;
  return rest;
}

/** Options a rule cannot run with (the rule table's `needs`), refused before minutes of teacher training (exit status 2). */
function checkRuleOptions(o: TrainOptions): void {
  const { family, needs, updateAt } = RULE_TABLE[o.rule];
  if (o.updateAt !== undefined && !updateAt.includes(o.updateAt)) {
    throw new InputError('--update-at', `"${updateAt.join('" or "')}" for --rule ${o.rule} ("${o.updateAt}" exists for ${rulesUpdatingAt(o.updateAt).join(', ')} only)`, o.updateAt, { kind: 'option' });
  }
  // STOP's forward traces assume the input of step t reaches the soma at t and a subtractive reset (ALGORITHMS §8).
  if (needs.delay !== undefined && o.delay !== needs.delay) {
    throw new InputError('--delay', `${needs.delay} for --rule ${o.rule} (${family} needs synaptic delay d = ${needs.delay})`, o.delay, { kind: 'option' });
  }
  if (needs.reset !== undefined && o.reset !== needs.reset) {
    throw new InputError('--reset', `${needs.reset} for --rule ${o.rule} (${family} needs reset "${needs.reset}")`, o.reset, { kind: 'option' });
  }
}

/**
 * --threads N > 1 runs only what src/chip/threads.ts can (online LTL, dense layers, the wasm
 * kernels): anything else is refused before the teacher trains (exit status 2), naming it.
 */
function checkThreads(o: TrainOptions, file: Net | undefined): void {
  const threads = o.threads ?? 1;
  if (threads === 'auto') return;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new InputError('--threads', `an integer from 1 to ${MAX_THREADS}, or auto`, threads, { kind: 'option' });
  }
  if (threads === 1) return;
  const why = threadsRefusal(o, file);
  if (why) throw new InputError('--threads', `1 ${why}`, threads, { kind: 'option' });
}

/** Why this run's chip cannot run on several threads (a phrase after "1 "), or null when it can. */
function threadsRefusal(o: TrainOptions, file: Net | undefined): string | null {
  if (o.backend !== 'wasm') return `with --backend ${o.backend} (threads run the wasm kernels)`;
  if (o.mismatch > 0) return 'with --mismatch (only the ideal f32 chip runs on several threads)';
  // The rule (online LTL's layers are all spiking: no readout); conv, pool and dense layers all run.
  const why = threadsUnsupported({ layers: [] }, o.rule);
  return why ? `for ${why}` : null;
}

/**
 * The options' "auto" values for this run, on this platform's cores: --threads auto, a thread
 * per AUTO_SLICE neurons of the widest layer, up to the cores, where the chip can run on threads
 * (else 1); --teacher-worker auto, when a core is left for it beside the chip's threads.
 */
function resolveAuto(o: TrainOptions, file: Net | undefined): TrainOptions {
  const extras = trainExtras(), cores = extras.cores ?? 1;
  let threads = o.threads ?? 1;
  if (threads === 'auto') {
    const widest = Math.max(...(file ? file.layers.map((l) => l.nOut) : o.hidden));
    threads = extras.chipThreads && !threadsRefusal(o, file) ? autoThreads(widest, cores) : 1;
  }
  return { ...o, threads, teacherWorker: o.teacherWorker === 'auto' ? threads < cores : o.teacherWorker };
}

/** Every label must be a class of the network (a unit of its last layer). */
function checkLabels(source: DataSource, net: Net): void {
  const classes = net.layers[net.layers.length - 1].nOut;
  for (const set of [source.train, source.test]) {
    for (let i = 0; i < set.n; i++) {
      if (set.labels[i] >= classes) {
        throw new InputError(`layers[${net.layers.length - 1}].units`, `at least ${set.labels[i] + 1} classes (--data ${source.name} has label ${set.labels[i]})`, classes, { kind: `net ${net.source} field` });
      }
    }
  }
}

/** MNIST split: fixed (seed 0) so that runs with different seeds are tested on the same digits. */
export const SPLIT_SEED = 0;

function loadSplit(opts: TrainOptions) {
  try {
    return loadMnist({ trainSamples: opts.samples, testSamples: opts.testSamples, seed: SPLIT_SEED });
  } catch (e) {
    // A request larger than the pool is the user's input: name the option (exit status 2).
    const m = e instanceof RangeError ? /^(--[a-z-]+) (.*)$/.exec(e.message) : null;
    if (m) throw new InputError(m[1], 'at most the digits the MNIST pool holds', m[2], { kind: 'option', showGot: false, note: (e as Error).message });
    throw e;
  }
}

function snapshot(chip: Chip): CounterValues[] {
  return chip.spec.layers.map((_, l) => readCounters(chip.counters(l)));
}

function diff(a: CounterValues[], b: CounterValues[]): CounterValues[] {
  return a.map((c, l) => Object.fromEntries(Object.keys(c).map((k) => [k, c[k] - b[l][k]])));
}

/** The counters of several layers (or phases) added up. */
export function sumLayers(cs: CounterValues[]): CounterValues {
  const out: CounterValues = {};
  for (const c of cs) addCounters(out, c);
  return out;
}

/** A phase of an activity record with no counts yet, one counter set per layer of `spec`. */
export function emptyPhase(spec: ChipSpec, learning: boolean): ActivityPhase {
  const counters: Record<string, CounterValues> = {};
  for (const l of spec.layers) counters[l.name] = {};
  return { samples: 0, steps: 0, learning, counters };
}

function accumulate(phase: ActivityPhase, delta: CounterValues[], samples: number, steps: number): void {
  phase.samples += samples;
  phase.steps += samples * steps;
  Object.keys(phase.counters).forEach((name, l) => addCounters(phase.counters[name], delta[l]));
}

function activityOf(chip: Chip, opts: TrainOptions, teacher: Teacher, train: ActivityPhase, test: ActivityPhase, perEpoch: number, inputBytes: number): Activity {
  const spec = chip.spec;
  const nOutLast = spec.layers[spec.layers.length - 1].nOut;
  return {
    schema: ACTIVITY_SCHEMA,
    rule: opts.rule,
    timeWindow: opts.steps,
    inputSize: spec.inputSize,
    layers: spec.layers.map((l, n) => ({
      name: l.name, nIn: l.nIn, nOut: l.nOut, readout: !!l.readout, analogInput: n === 0 && chip.analogInput,
      learningStateBytes: chip.learningBytes[n],
      ...(l.conv ? { conv: l.conv, weights: weightCount(l) } : {}),
      ...(l.fixed ? { fixed: true } : {}),
    })),
    host: {
      teacherFlopsPerSample: teacherFlopsPerSample(teacher),
      // The input (f32 pixels of the time window's source image, or 4 B per nonzero (step, pixel)
      // of event frames) and one f32 target per neuron of every layer that learns.
      bytesToChipPerSample: inputBytes + 4 * spec.layers.reduce((s, l) => s + (l.fixed ? 0 : l.nOut), 0),
      bytesToHostPerSample: 4 * nOutLast,
    },
    phases: { train, test },
    samplesPerEpoch: perEpoch,
  };
}

/** The ONNX teacher file `--teacher` names, read by the platform (Node's reads files). */
function onnxTeacherFile(path: string): LoadedOnnxTeacher {
  const read = trainExtras().onnxTeacher;
  if (!read) throw new InputError('--teacher', 'no ONNX file here (this platform reads no files; pass the teacher itself)', path, { kind: 'option' });
  return read(path);
}
