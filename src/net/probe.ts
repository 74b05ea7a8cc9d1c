/**
 * A probe run of a network description (`ncsim net`): build the chip of a net file with seeded
 * random weights (build.ts, init "random"), feed it T steps of seeded random input — Bernoulli
 * spikes at a rate, or analog currents uniform in [0, 1) — with no learning, and return what it
 * did as an activity record (cost/activity.ts) so that the cost model can map and price it.
 *
 * The probe answers "does this network build, fit and run, and what does a step cost", not
 * "what does it learn": with random weights, the activity of deep layers says little about a
 * trained network's. The counts go into the activity's test phase (inference, one sample of
 * T steps), the train phase being empty; with `learn`, the chip runs online LTL as `ncsim
 * train` sets it up by default (learning rate, per-layer factors, updates every step) towards
 * seeded random targets uniform in [0, 1), and the counts go into the train phase instead.
 *
 * Seeds: Rng(seed) forks once for the weights, then once for the input, then once for the
 * targets, so the weights do not depend on the input's kind or length.
 */
import { Chip, ChipRule, ChipSpec, weightCount } from '../chip/chip.js';
import type { Backend } from '../chip/kernels.js';
import { readCounters, CounterValues } from '../chip/counters.js';
import { Rng } from '../host/rng.js';
import { ACTIVITY_SCHEMA, Activity, ActivityPhase } from '../cost/activity.js';
import { createRule } from '../rules/index.js';
import { TRAIN_DEFAULTS, layerLrScale, trainRuleOptions } from '../train/train.js';
import { netLayers } from './build.js';
import type { HwModel } from '../cost/hwmodel.js';
import { mapWithPolicy, MapPolicy, MappingError } from '../cost/mapping.js';
import { StepTimer } from '../timing/step-timer.js';
import { chipSource } from '../timing/chip-source.js';
import type { PhaseTiming } from '../timing/summary.js';
import { Net, netSizes } from './file.js';
import { autoThreads, threadBytes, threadsUnsupported } from '../chip/thread-plan.js';
import { trainExtras } from '../train/extras.js';
import { InputError } from '../io/errors.js';

export type ProbeInput = 'spikes' | 'analog';

export interface ProbeOptions {
  /** Time steps to run (one sample of this time window). */
  steps: number;
  seed: number;
  /** Bernoulli spikes at `rate` per input per step, or analog currents uniform in [0, 1). */
  input: ProbeInput;
  rate: number;
  /** Scale of the random weights (build.ts: uniform in ±gain·sqrt(3/fan-in)·threshold). */
  initGain: number;
  backend: Backend;
  /** Run the online LTL learning circuits towards random targets (see the header). */
  learn: boolean;
  /** Time every step on this model and placement (src/timing); skipped when the net does not fit. */
  timing?: { model: HwModel; mapping: MapPolicy };
  /**
   * Threads the chip runs on (src/chip/threads.ts; same results bit for bit), or "auto" (as
   * `ncsim train --threads auto`: a thread per 128 neurons of the widest layer, up to the cores,
   * where the chip runs on threads); absent: 1.
   */
  threads?: number | 'auto';
}

export const PROBE_DEFAULTS: ProbeOptions = { steps: 4, seed: 1, input: 'spikes', rate: 0.2, initGain: 1, backend: 'wasm', learn: false };

export interface ProbeLayer {
  name: string;
  /** Spikes of the layer's neurons over the run. */
  spikes: number;
  /** Presynaptic events the layer integrated, and weight reads (one per event and output neuron reached). */
  synapticEvents: number;
  synapticReads: number;
  /** Weight update events issued by the learning circuit (0 without learning). */
  updates: number;
}

export interface ProbeResult {
  activity: Activity;
  layers: ProbeLayer[];
  /** Wall time of building the chip and of running it (s), and the threads it ran on. */
  buildSeconds: number;
  runSeconds: number;
  threads: number;
  /** Per-step timing of the run's phase (train with --learn, else test), when asked and the net fits. */
  timing?: Partial<Record<'train' | 'test', PhaseTiming>>;
}

/**
 * The chip of a net with seeded random weights (IF neurons, threshold 1, reset by subtraction),
 * or, for a net that comes with its parameters (a NIR file), those weights, thresholds, leaks and reset.
 */
export function probeSpec(net: Net, o: Pick<ProbeOptions, 'steps' | 'seed' | 'initGain'>): ChipSpec {
  const initRng = new Rng(o.seed).fork();
  const layers = netLayers(net, { threshold: 1, leak: 1 }, net.params ? 'file' : 'random', initRng, o.initGain);
  return { inputSize: netSizes(net)[0], reset: net.params?.reset ?? 'subtract', delay: 0, maxSteps: o.steps, layers };
}

/** Run a net for o.steps steps of seeded random input; see the header. */
export function probeNet(net: Net, o: ProbeOptions): ProbeResult {
  if (!Number.isInteger(o.steps) || o.steps < 1) throw new RangeError(`probeNet: steps must be an integer >= 1, got ${o.steps}`);
  if (!(o.rate >= 0 && o.rate <= 1)) throw new RangeError(`probeNet: rate must be in [0, 1], got ${o.rate}`);
  const tb = performance.now();
  const rng = new Rng(o.seed);
  const spec = probeSpec(net, o);
  rng.fork(); // the weights' stream (probeSpec forks the same one)
  const inRng = rng.fork();
  const rule = o.learn ? probeRule(net) : undefined;
  const threads = probeThreads(spec, o, rule?.name);
  const chip = new Chip(spec, o.backend, rule, threads > 1 ? { threadBytes: threadBytes(spec, threads) } : {});
  chip.analogInput = o.input === 'analog';
  const par = threads > 1 ? trainExtras().chipThreads?.(chip, rule, threads) : undefined;
  const n = spec.inputSize;
  const x = new Float32Array(o.steps * n);
  for (let q = 0; q < x.length; q++) x[q] = o.input === 'analog' ? inRng.uniform() : inRng.uniform() < o.rate ? 1 : 0;
  const buildSeconds = (performance.now() - tb) / 1000;
  if (rule) {
    const targetRng = rng.fork();
    rule.setSample({ targets: spec.layers.map((l) => Float32Array.from({ length: l.nOut }, () => targetRng.uniform())) });
  }
  const layerRecords = spec.layers.map((l, i) => ({
    name: l.name, nIn: l.nIn, nOut: l.nOut, readout: false, analogInput: i === 0 && chip.analogInput, learningStateBytes: chip.learningBytes[i],
    ...(l.conv ? { conv: l.conv, weights: weightCount(l) } : {}),
    ...(l.fixed ? { fixed: true } : {}),
  }));
  let timer: StepTimer | undefined;
  if (o.timing) {
    try {
      timer = new StepTimer(o.timing.model, mapWithPolicy(layerRecords, o.timing.model, o.timing.mapping), layerRecords);
    } catch (e) {
      if (!(e instanceof MappingError)) throw e; // the caller reports the refusal
    }
  }
  const phaseName = o.learn ? 'train' : 'test';
  const src = chipSource(chip);
  timer?.beginPhase(phaseName, o.learn, src);
  const tr = performance.now();
  try {
    chip.runSample(x, o.steps, o.learn, timer ? () => timer.step(src) : undefined);
  } finally {
    par?.close();
  }
  timer?.sampleEnd(src);
  const runSeconds = (performance.now() - tr) / 1000;

  const counters: Record<string, CounterValues> = {};
  spec.layers.forEach((l, i) => (counters[l.name] = readCounters(chip.counters(i))));
  const ran: ActivityPhase = { samples: 1, steps: o.steps, learning: o.learn, counters };
  const none: ActivityPhase = { samples: 0, steps: 0, learning: false, counters: Object.fromEntries(spec.layers.map((l) => [l.name, {}])) };
  const activity: Activity = {
    schema: ACTIVITY_SCHEMA,
    rule: rule ? rule.name : 'none',
    timeWindow: o.steps,
    inputSize: n,
    layers: layerRecords,
    // No teacher; the input goes over the link as 4 B per value, the last layer's counts come back.
    host: { teacherFlopsPerSample: 0, bytesToChipPerSample: 4 * n * o.steps, bytesToHostPerSample: 4 * spec.layers[spec.layers.length - 1].nOut },
    phases: o.learn ? { train: ran, test: none } : { train: none, test: ran },
    samplesPerEpoch: o.learn ? 1 : 0,
  };
  const layers = spec.layers.map((l) => ({
    name: l.name,
    spikes: counters[l.name]['neuron.spike'] ?? 0,
    synapticEvents: counters[l.name]['synapse.event'] ?? 0,
    synapticReads: counters[l.name]['synapse.read'] ?? 0,
    updates: counters[l.name]['learn.update'] ?? 0,
  }));
  return { activity, layers, buildSeconds, runSeconds, threads, ...(timer ? { timing: timer.result() } : {}) };
}

/** The threads a probe runs on: as asked ("auto": autoThreads, 1 where the chip cannot run on threads); an explicit N the chip cannot take is refused. */
function probeThreads(spec: ChipSpec, o: ProbeOptions, rule?: string): number {
  const asked = o.threads ?? 1, extras = trainExtras();
  const why = o.backend !== 'wasm' ? `the ${o.backend} backend (threads run the wasm kernels)` : !extras.chipThreads ? 'this platform (it has no threads)' : threadsUnsupported(spec, rule);
  if (asked === 'auto') return why ? 1 : autoThreads(Math.max(...spec.layers.map((l) => l.nOut)), extras.cores ?? 1);
  if (asked > 1 && why) throw new InputError('--threads', `1 for ${why}`, asked, { kind: 'option' });
  return asked;
}

/** Online LTL as `ncsim train` creates it by default for a net (train.ts createRule). */
function probeRule(net: Net): ChipRule {
  return createRule('ltl-online', { ...trainRuleOptions({ ...TRAIN_DEFAULTS, rule: 'ltl-online' }), layerScale: net.layers.map(layerLrScale) });
}
