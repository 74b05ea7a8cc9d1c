/**
 * `ncsim train`: the whole on-chip learning loop. The host trains the ANN teacher, turns its
 * layer activations into normalized targets (ALGORITHMS §5), and the chip learns them one
 * sample at a time with the chosen rule; after each epoch the chip is tested on held-out
 * digits. Returns a report that is data first (src/report renders it).
 */
import { Chip, ChipRule, ChipSpec, Reset, weightCount } from '../chip/chip.js';
import { Backend } from '../chip/kernels.js';
import { readCounters, addCounters, CounterValues } from '../chip/counters.js';
import { createRule, usesReadout, adaptSpec, RuleName } from '../rules/index.js';
import { learningMemoryCurves, LearningMemoryCurves } from '../rules/memory.js';
import { Rng } from '../host/rng.js';
import { loadMnist, Dataset } from '../host/mnist.js';
import { Encoding } from '../host/encoding.js';
import { trainTeacher, teacherAccuracy, teacherFlopsPerSample, Teacher } from '../host/teacher.js';
import { trainNetTeacher } from '../host/cnn.js';
import { calibrateNorms } from '../host/targets.js';
import { createTargetProducer } from '../pipeline/target-stream.js';
import { Init } from './network.js';
import { Net, NetLayer, readNetFile, mlpNet, hasConv, describeNet } from '../net/file.js';
import { netLayers, netNorms } from '../net/build.js';
import { DataSource, imageSource, mnistEventSource, eventFolderSource } from '../net/data.js';
import { InputError } from '../cli/errors.js';
import type { CostReport } from '../cost/cost.js';
import type { HwModel } from '../cost/hwmodel.js';
import { mapWithPolicy, MapPolicy } from '../cost/mapping.js';
import { StepTimer, StepSource } from '../timing/step-timer.js';
import { chipSource } from '../timing/chip-source.js';
import type { PhaseTiming } from '../timing/summary.js';
import type { PipelineReport } from '../pipeline/params.js';
import { Activity, ActivityPhase, ACTIVITY_SCHEMA } from '../cost/activity.js';

export type TrainRule = RuleName;

export interface TrainOptions {
  rule: TrainRule;
  epochs: number;
  samples: number;
  testSamples: number;
  steps: number;
  warmup: number;
  error: 'exact' | 'sign';
  updateAt: 'step' | 'sample';
  /** Learning rate; absent: the rule's default (DEFAULT_LR). */
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
  /** Run the ANN teacher in a worker thread, a batch ahead of the chip (same bits as in-thread). */
  teacherWorker: boolean;
  initGain: number;
  teacherEpochs: number;
  teacherLr: number;
  backend: Backend;
  /** A network description file (ncsim.net/1, nets/README.md); absent: the MLP of `hidden`. */
  net?: string;
  /** 'mnist' (default), 'mnist-events' (saccade events) or 'events:FOLDER' (src/net/data.ts). */
  data?: string;
}

export const TRAIN_DEFAULTS: TrainOptions = {
  rule: 'ltl-online', epochs: 2, samples: 8000, testSamples: 2000, steps: 16, warmup: 0, error: 'exact',
  updateAt: 'step', lrDecay: 0.7, hidden: [256, 256], encoding: 'direct', seed: 1, threshold: 1, leak: 1,
  reset: 'subtract', delay: 0, width: 3, height: 'normalized', percentile: 99, normalization: 'calibration', batch: 100,
  init: 'random', teacherWorker: true, initGain: 1, teacherEpochs: 8, teacherLr: 0.001, backend: 'wasm', data: 'mnist',
};

/** Learning rate per rule, from measured sweeps (README): the losses differ in scale. */
export const DEFAULT_LR: Record<RuleName, number> = {
  'ltl-online': 0.006, 'ltl-offline': 0.005, 'stop-w': 0.001, 'stop-wtl': 0.001, bptt: 0.001,
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
  teacher: { sizes: number[]; testAccuracy: number; seconds: number; flopsPerSample: number; norms: number[] };
  snn: {
    initialTestAccuracy: number; testAccuracy: number; epochs: EpochReport[];
    /** Thresholds and leaks of each spiking layer after training (learned by stop-wtl; fixed otherwise). */
    neuronParameters: Record<string, { threshold: Summary; leak: Summary }>;
  };
  learning: { updates: number; denseUpdates: number; gatedOff: number; updateRatio: number; layers: LayerReport[] };
  synapticEvents: number;
  spikes: Record<string, number>;
  wallSeconds: number;
  samplesPerSecond: number;
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

export function train(opts: TrainOptions, onProgress?: (p: Progress) => void, timing?: StepTimingOptions): TrainReport {
  const t0 = performance.now();
  const session = new TrainSession(opts, onProgress);
  try {
    const rule = session.createRule();
    const chip = session.createChip(session.initialSpec(), rule);
    const spec = chip.spec;
    const trainPhase = emptyPhase(spec, true);
    const testPhase = emptyPhase(spec, false);
    // The mapping the cost will use (same layers, same policy): refused here, before the epochs, if it does not fit.
    if (timing) {
      const layers = session.activity(chip, trainPhase, testPhase).layers;
      session.timeSteps(chip, new StepTimer(timing.model, mapWithPolicy(layers, timing.model, timing.mapping), layers));
    }
    const epochs: EpochReport[] = [];
    let trainSamples = 0;
    // Accuracy of the chip as initialised, before any on-chip learning (epoch 0).
    const initialAccuracy = session.evaluate(chip, testPhase, 0);
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const e = session.trainEpoch(chip, rule, epoch, trainPhase);
      trainSamples += e.samples;
      const testAccuracy = session.evaluate(chip, testPhase, epoch);
      const sum = sumLayers(e.delta);
      epochs.push({
        epoch, testAccuracy, trainAccuracy: e.correct / e.samples,
        layers: spec.layers.map((l, n) => ({ name: l.name, updates: e.delta[n]['learn.update'], denseUpdates: e.delta[n]['learn.dense'] })),
        updates: sum['learn.update'], denseUpdates: sum['learn.dense'], seconds: e.seconds,
      });
    }
    const report = assembleReport(session, chip, initialAccuracy, epochs, trainPhase, testPhase, trainSamples, (performance.now() - t0) / 1000);
    if (timing && session.timer) report.stepTiming = { model: timing.model.name, mapping: timing.mapping, phases: session.timer.timer.result() };
    return report;
  } finally {
    session.close();
  }
}

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
  private readonly rng: Rng;
  private readonly initRng: Rng;
  private readonly encRng: Rng;
  private readonly order: Int32Array;
  private readonly x: Float32Array;
  private readonly producer: ReturnType<typeof createTargetProducer>;
  private readonly onProgress?: (p: Progress) => void;
  /** The step timer of timeSteps(), with its view of the chip. */
  timer?: { timer: StepTimer; src: StepSource; chip: Chip };

  constructor(opts: TrainOptions, onProgress?: (p: Progress) => void) {
    this.opts = opts;
    this.onProgress = onProgress;
    this.rng = new Rng(opts.seed);
    checkRuleOptions(opts);
    // The network file first: a bad file or rule is refused before any data is loaded.
    const file = opts.net ? readNetFile(opts.net) : undefined;
    this.source = loadSource(opts, file);
    this.data = { train: this.source.train.static, test: this.source.test.static };
    this.net = file ?? mlpNet(this.source.shape, opts.hidden, 10);
    checkLabels(this.source, this.net);
    // Host: the ANN teacher and its normalized layer activations.
    onProgress?.({ phase: 'teacher', epoch: 0, done: 0, total: opts.teacherEpochs });
    const tt = performance.now();
    const onEpoch = (e: number) => onProgress?.({ phase: 'teacher', epoch: e, done: e, total: opts.teacherEpochs });
    const classes = this.net.layers[this.net.layers.length - 1].nOut;
    this.teacher = hasConv(this.net)
      ? trainNetTeacher(this.data.train, this.net, { epochs: opts.teacherEpochs, learningRate: opts.teacherLr, batchSize: 32, seed: opts.seed }, onEpoch)
      : trainTeacher(this.data.train, {
        hidden: this.net.layers.slice(0, -1).map((l) => l.nOut), epochs: opts.teacherEpochs, learningRate: opts.teacherLr, batchSize: 32, seed: opts.seed,
        ...(classes !== 10 ? { classes } : {}),
      }, onEpoch);
    this.teacherSeconds = (performance.now() - tt) / 1000;
    this.teacherTestAccuracy = teacherAccuracy(this.teacher, this.data.test);
    this.norms = netNorms(this.net, calibrateNorms(this.teacher, this.data.train, opts.percentile));
    this.initRng = this.rng.fork();
    this.encRng = this.rng.fork();
    this.order = new Int32Array(this.data.train.n).map((_, i) => i);
    this.x = new Float32Array(opts.steps * this.teacher.sizes[0]);
    this.producer = createTargetProducer({ teacher: this.teacher, data: this.data.train, threaded: opts.teacherWorker });
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
    return adaptSpec(o.rule, { inputSize: this.teacher.sizes[0], reset: o.reset, delay: o.delay, maxSteps: o.steps, layers });
  }

  get learningRate(): number {
    return this.opts.lr ?? DEFAULT_LR[this.opts.rule];
  }

  createRule(): ChipRule {
    const o = this.opts;
    // "step" exists for online LTL only; the other rules write once per sample.
    const updateAt = o.rule === 'ltl-online' ? o.updateAt : 'sample';
    const ro = { learningRate: this.learningRate, warmup: o.warmup, error: o.error, updateAt, width: o.width, height: o.height };
    // Convolutions: per-layer learning-rate factors (net file, or 1 / positions).
    return createRule(o.rule, hasConv(this.net) ? { ...ro, layerScale: this.net.layers.map(layerLrScale) } : ro);
  }

  createChip(spec: ChipSpec, rule: ChipRule | undefined): Chip {
    const chip = new Chip(spec, this.opts.backend, rule);
    // Event frames are input currents (counts); images are currents (direct) or rate spikes.
    chip.analogInput = this.source.events || this.opts.encoding === 'direct';
    return chip;
  }

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
  trainEpoch(chip: Chip, rule: ChipRule, epoch: number, phase?: ActivityPhase): { samples: number; correct: number; delta: CounterValues[]; seconds: number } {
    const o = this.opts, data = this.source.train, order = this.order, x = this.x;
    const te = performance.now();
    this.rng.shuffle(order);
    rule.setLearningRate?.(this.learningRate * o.lrDecay ** (epoch - 1));
    // The host's targets for this epoch, computed ahead of the chip (in a worker when asked).
    const stream = this.producer.stream(o.normalization === 'batch'
      ? { order, batchNorms: { batch: o.batch, percentile: o.percentile } }
      : { order, norms: this.norms });
    const before = snapshot(chip);
    const tm = this.timed(chip, 'train');
    let correct = 0;
    try {
      for (let s = 0; s < order.length; s++) {
        const i = order[s];
        const targets = stream.next();
        data.frames(i, o.steps, o.encoding, this.encRng, x);
        rule.setSample({ targets, label: data.labels[i] });
        chip.runSample(x, o.steps, true, tm.observe);
        tm.end?.();
        if (chip.predict() === data.labels[i]) correct++;
        if (this.onProgress && s % 200 === 0) this.onProgress({ phase: 'train', epoch, done: s, total: order.length });
      }
    } finally {
      stream.close();
    }
    const delta = diff(snapshot(chip), before);
    if (phase) accumulate(phase, delta, order.length, o.steps);
    return { samples: order.length, correct, delta, seconds: (performance.now() - te) / 1000 };
  }

  /** Test accuracy of the chip as it is (no learning); counts go into `phase`. */
  evaluate(chip: Chip, phase?: ActivityPhase, epoch = 0): number {
    const o = this.opts, test = this.source.test, x = this.x;
    const before = snapshot(chip);
    const tm = this.timed(chip, 'test');
    let correct = 0;
    for (let i = 0; i < test.n; i++) {
      test.frames(i, o.steps, o.encoding, this.encRng, x);
      chip.runSample(x, o.steps, false, tm.observe);
      if (chip.predict() === test.labels[i]) correct++;
      if (this.onProgress && i % 500 === 0) this.onProgress({ phase: 'test', epoch, done: i, total: test.n });
    }
    if (phase) accumulate(phase, diff(snapshot(chip), before), test.n, o.steps);
    return test.n ? correct / test.n : 0;
  }

  close(): void {
    this.producer.close();
  }
}

function assembleReport(
  session: TrainSession, chip: Chip, initialAccuracy: number, epochs: EpochReport[],
  trainPhase: ActivityPhase, testPhase: ActivityPhase, trainSamples: number, wallSeconds: number,
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
    // The learning rate as used (the rule's default when --lr was not given).
    options: { ...opts, lr: session.learningRate },
    network: { source: session.net.source, data: session.source.name, layers: describeNet(session.net) },
    teacher: { sizes: teacher.sizes, testAccuracy: session.teacherTestAccuracy, seconds: session.teacherSeconds, flopsPerSample: teacherFlopsPerSample(teacher), norms: session.norms },
    snn: {
      initialTestAccuracy: initialAccuracy, testAccuracy: epochs.length ? epochs[epochs.length - 1].testAccuracy : initialAccuracy, epochs,
      neuronParameters: Object.fromEntries(spec.layers.flatMap((l, n) => (l.readout ? [] : [[l.name, { threshold: summary(chip.getThreshold(n)), leak: summary(chip.getLeak(n)) }]]))),
    },
    learning: { updates, denseUpdates: dense, gatedOff: dense - updates, updateRatio: dense ? updates / dense : 0, layers },
    synapticEvents: allSum['synapse.read'] ?? 0,
    spikes,
    wallSeconds,
    samplesPerSecond: (trainSamples + testPhase.samples) / wallSeconds,
    activity: session.activity(chip, trainPhase, testPhase),
    memory: learningMemoryCurves(chip.spec),
  };
}

/** The chip's and the teacher's data (--data), shaped by the net file's input when there is one. */
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
  if (data.startsWith('events:') && data.length > 'events:'.length) return eventFolderSource(data.slice('events:'.length), eo);
  throw new InputError('--data', 'mnist, mnist-events or events:FOLDER', data, { kind: 'option' });
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

/** Options a rule cannot run with, refused before minutes of teacher training (exit status 2). */
function checkRuleOptions(o: TrainOptions): void {
  if (o.rule === 'stop-w' || o.rule === 'stop-wtl') {
    // STOP's forward traces assume the input of step t reaches the soma at t and a subtractive reset (ALGORITHMS §8).
    if (o.delay !== 0) throw new InputError('--delay', `0 for --rule ${o.rule} (STOP needs synaptic delay d = 0)`, o.delay, { kind: 'option' });
    if (o.reset !== 'subtract') throw new InputError('--reset', `subtract for --rule ${o.rule} (STOP needs reset "subtract")`, o.reset, { kind: 'option' });
  }
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
