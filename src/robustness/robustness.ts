/**
 * Does on-chip learning absorb device non-idealities? (LTL §3.4; CHIP-MODEL.md, "Device
 * non-idealities".) One study, data first:
 *
 *   1. train the SNN on the ideal chip (TrainSession, the train options' epochs);
 *   2. for each level of one non-ideality, build a chip instance (hardware model + seed; the
 *      same seed at every level, so a larger level scales the same draws), deploy the trained
 *      weights and biases on it and measure test accuracy ("deployed");
 *   3. calibrate it with on-chip online LTL for `calibrationEpochs` epochs and measure again
 *      ("calibrated"), pricing the calibration's action counts on the model (costRun: the chip's
 *      dynamic and static energy, not the host's nor the link's) and counting its update events.
 *
 * Only the varied non-ideality is built (the others stay ideal), at the given level:
 *   mismatch      σ of the per-synapse and per-neuron gains (the model's mismatchLogNormal picks
 *                 log-normal, else Gaussian);
 *   quantization  weight bits b: 2^b - 1 levels, with the model's write noise
 *                 (writeVariationC2C) and update rounding (stochasticRounding);
 *   thermal       σ of the membrane noise per step, in units of the threshold;
 *   silencing     fraction of each hidden layer's neurons that never fire;
 *   fixed-point   weight bits of a bit-accurate integer chip with the model's state and counter
 *                 widths and its leak and rounding (a digital chip's "quantization").
 * Level 0 builds the ideal chip (deployed = the ideal chip's accuracy).
 */
import type { ChipRule, ChipSpec } from '../chip/chip.js';
import { addCounters } from '../chip/counters.js';
import { deviceFor, DeviceAsk } from '../chip/device.js';
import { TrainSession, TrainOptions, Progress, emptyPhase, sumLayers } from '../train/train.js';
import type { HwModel } from '../cost/hwmodel.js';
import { costRun } from '../cost/cost.js';
import { mapWithPolicy, Mapping } from '../cost/mapping.js';
import { InputError } from '../io/errors.js';

export type Vary = 'mismatch' | 'quantization' | 'thermal' | 'silencing' | 'fixed-point';
export const VARIES: readonly Vary[] = ['mismatch', 'quantization', 'thermal', 'silencing', 'fixed-point'];

/** What a level means, per non-ideality (for reports). */
export const LEVEL_UNITS: Record<Vary, string> = {
  mismatch: 'sigma of the synapse and neuron gains',
  quantization: 'weight bits (2^b - 1 levels)',
  thermal: 'sigma of the membrane noise per step (x threshold)',
  silencing: 'fraction of hidden neurons silenced',
  'fixed-point': 'weight bits of the fixed-point chip',
};

/** Levels measured when none are given. */
export const DEFAULT_LEVELS: Record<Vary, number[]> = {
  mismatch: [0.1, 0.2, 0.4],
  quantization: [5, 4, 3],
  thermal: [0.05, 0.1, 0.2],
  silencing: [0.1, 0.2, 0.4],
  'fixed-point': [8, 6, 4],
};

export interface RobustnessOptions {
  /** How the ideal chip is trained (rule ltl-online: calibration is on-chip online LTL). */
  trainOptions: TrainOptions;
  model: HwModel;
  /** The non-idealities to vary, one study each, all on the same trained ideal chip. */
  studies: { vary: Vary; levels: number[] }[];
  calibrationEpochs: number;
  /** Learning rate of the calibration epochs (absent: the training schedule goes on, lr x lrDecay^(epoch - 1)). */
  calibrationLr?: number;
  /** The chip instances' seed. */
  seed: number;
  /**
   * Also train a chip instance of each level from the ideal chip's initial weights, on chip, for
   * the train options' epochs (`trainedOnChip`). Its weight range (quantization, fixed point) is
   * the trained ideal chip's per layer, as a designer would set it from a float run.
   */
  trainOnChip?: boolean;
  onProgress?: (p: Progress & { level?: number }) => void;
}

export interface RobustnessRow {
  level: number;
  /** Test accuracy with the ideal chip's weights deployed, before calibration. */
  deployed: number;
  /** Test accuracy after calibrationEpochs of on-chip online LTL. */
  calibrated: number;
  /** Update events issued during calibration (all layers). */
  calibrationUpdates: number;
  /** Update events a dense rule would have issued. */
  calibrationDenseUpdates: number;
  /** Chip energy of the calibration on the model (J): dynamic + static. */
  calibrationEnergyJ: number;
  /** Synaptic memory writes during calibration (a quantized cell is written only when its level changes). */
  calibrationWrites: number;
  /** With trainOnChip: test accuracy of a chip instance trained on chip from the initial weights. */
  trainedOnChip?: number;
  /** Saturations counted by the devices during calibration (weights; states: fixed point). */
  weightSaturations: number;
  stateSaturations: number;
}

export interface RobustnessStudy {
  vary: Vary;
  levelUnit: string;
  levels: number[];
  rows: RobustnessRow[];
}

export interface RobustnessReport {
  schemaVersion: 1;
  kind: 'ncsim.robustness';
  model: string;
  /** Test accuracy of the trained ideal chip. */
  idealAccuracy: number;
  teacherAccuracy: number;
  /** One study per varied non-ideality, in the order asked. */
  studies: RobustnessStudy[];
  seed: number;
  calibrationEpochs: number;
  calibrationLr?: number;
  trainOptions: TrainOptions;
  wallSeconds: number;
}

/** Refuses levels a non-ideality cannot take (InputError naming --levels). */
export function checkLevels(vary: Vary, levels: number[]): void {
  const bad = (expected: string, got: unknown): never => {
    throw new InputError('--levels', expected, got, { kind: 'option', note: `--vary ${vary}: ${LEVEL_UNITS[vary]}` });
  };
  if (levels.length === 0) bad('at least one level', levels);
  for (const v of levels) {
    if (!Number.isFinite(v) || v < 0) bad('numbers >= 0', v);
    if (vary === 'silencing' && v > 1) bad('fractions in [0, 1]', v);
    if ((vary === 'quantization' || vary === 'fixed-point') && v !== 0 && !(Number.isInteger(v) && v >= 2 && v <= 16)) {
      bad('integers in [2, 16] (weight bits), or 0 for the ideal chip', v);
    }
  }
}

function askOf(vary: Vary, level: number): DeviceAsk {
  switch (vary) {
    case 'mismatch': return { mismatch: level };
    case 'quantization': return { quantization: level };
    case 'thermal': return { thermal: level };
    case 'silencing': return { silencing: level };
    case 'fixed-point': return { fixedPoint: level };
  }
}

export function runRobustness(o: RobustnessOptions): RobustnessReport {
  const t0 = performance.now();
  if (o.trainOptions.rule !== 'ltl-online') {
    throw new InputError('--rule', 'ltl-online (calibration is on-chip online LTL)', o.trainOptions.rule, { kind: 'option' });
  }
  if (o.studies.length === 0) throw new InputError('--vary', 'at least one non-ideality', o.studies, { kind: 'option' });
  for (const st of o.studies) checkLevels(st.vary, st.levels);
  // Loihi's neuron takes Lava's Dense weights: at most 8 bits with the sign (src/chip/loihi.ts).
  const loihiBits = o.model.neuron === 'loihi-cuba' ? o.studies.find((st) => st.vary === 'fixed-point' && st.levels.some((v) => v > 8)) : undefined;
  if (loihiBits) {
    throw new InputError('--levels', 'weight bits in [2, 8], or 0 for the ideal chip', loihiBits.levels, { kind: 'option', note: `--hw ${o.model.name} has Loihi's neuron, whose weights are at most 8 bits with the sign` });
  }
  if (!Number.isInteger(o.calibrationEpochs) || o.calibrationEpochs < 0) {
    throw new InputError('--calibration-epochs', 'an integer >= 0', o.calibrationEpochs, { kind: 'option' });
  }
  const progress = o.onProgress;
  let level: number | undefined;
  const session = new TrainSession(o.trainOptions, progress ? (p) => progress({ ...p, level }) : undefined);
  try {
    const epochs = o.trainOptions.epochs;
    const rule = session.createRule();
    const spec0 = session.initialSpec();
    const ideal = session.createChip(spec0, rule);
    // Map the network onto the model first: a network that does not fit is refused before
    // minutes of simulation (every chip instance has the ideal chip's layers and learning memory).
    const mapping = mapWithPolicy(session.activity(ideal, emptyPhase(spec0, true), emptyPhase(spec0, false)).layers, o.model, 'spread');
    for (let e = 1; e <= epochs; e++) session.trainEpoch(ideal, rule, e);
    const idealAccuracy = session.evaluate(ideal);
    // The ideal chip's weights and biases, to deploy on every chip instance.
    const trained = spec0.layers.map((l, n) => ({ ...l, weights: ideal.getWeights(n), bias: ideal.getBias(n) }));
    // Every chip instance starts from the same random state: a level's row does not depend on
    // which levels or studies ran before it.
    const start = session.checkpoint();
    const studies: RobustnessStudy[] = o.studies.map((st) => ({
      vary: st.vary, levelUnit: LEVEL_UNITS[st.vary], levels: st.levels,
      rows: st.levels.map((lv) => {
        level = lv;
        session.restore(start);
        return runLevel(session, o, { spec0, trained, mapping }, st.vary, lv);
      }),
    }));
    return {
      schemaVersion: 1, kind: 'ncsim.robustness', model: o.model.name,
      idealAccuracy, teacherAccuracy: session.teacherTestAccuracy, studies,
      seed: o.seed, calibrationEpochs: o.calibrationEpochs, ...(o.calibrationLr !== undefined ? { calibrationLr: o.calibrationLr } : {}),
      trainOptions: session.opts,
      wallSeconds: (performance.now() - t0) / 1000,
    };
  } finally {
    session.close();
  }
}

/** One chip instance: deploy the trained weights, test, calibrate on chip, test again, price. */
function runLevel(
  session: TrainSession, o: RobustnessOptions,
  ctx: { spec0: ChipSpec; trained: ChipSpec['layers']; mapping: Mapping }, vary: Vary, lv: number,
): RobustnessRow {
  const { spec0, trained, mapping } = ctx;
  const epochs = o.trainOptions.epochs;
  const device = deviceFor(o.model, o.seed, askOf(vary, lv));
  const spec: ChipSpec = {
    ...spec0, layers: trained, device,
    // A fixed-point chip's spike counters have the model's width too.
    ...(device.fixedPoint ? { counterBits: o.model.bits.accumulator.value } : {}),
  };
  const r = session.createRule();
  const chip = session.createChip(spec, r);
  // trainEpoch sets the schedule's rate; a calibration rate, when given, replaces it.
  const cal = o.calibrationLr === undefined ? r : withLearningRate(r, o.calibrationLr);
  const deployed = session.evaluate(chip);
  const phase = emptyPhase(spec, true);
  const before = chip.spec.layers.map((_, n) => ({ ...chip.device?.saturations(n) }));
  for (let c = 1; c <= o.calibrationEpochs; c++) {
    const e = session.trainEpoch(chip, cal, epochs + c);
    phase.samples += e.samples;
    phase.steps += e.samples * o.trainOptions.steps;
    e.delta.forEach((d, n) => addCounters(phase.counters[spec.layers[n].name], d));
  }
  const calibrated = session.evaluate(chip);
  const activity = session.activity(chip, phase, emptyPhase(spec, false));
  const cost = costRun(activity, o.model, mapping);
  const sum = sumLayers(Object.values(phase.counters));
  let wsat = 0, ssat = 0;
  chip.spec.layers.forEach((_, n) => {
    const s = chip.device?.saturations(n);
    if (s) { wsat += s.weight - (before[n].weight ?? 0); ssat += s.state - (before[n].state ?? 0); }
  });
  let trainedOnChip: number | undefined;
  if (o.trainOnChip) {
    // The trained ideal chip's range per layer: the exponent a designer picks from a float run.
    const range = trained.map((l) => l.weights.reduce((m, w) => Math.max(m, Math.abs(w)), 0));
    const d = { ...device };
    if (d.quantization) d.quantization = { ...d.quantization, range };
    if (d.fixedPoint) d.fixedPoint = { ...d.fixedPoint, range };
    const r2 = session.createRule();
    const c2 = session.createChip({ ...spec, layers: spec0.layers, device: d }, r2);
    for (let e = 1; e <= epochs; e++) session.trainEpoch(c2, r2, e);
    trainedOnChip = session.evaluate(c2);
  }
  return {
    level: lv, deployed, calibrated, ...(trainedOnChip !== undefined ? { trainedOnChip } : {}),
    calibrationUpdates: sum['learn.update'] ?? 0,
    calibrationDenseUpdates: sum['learn.dense'] ?? 0,
    calibrationEnergyJ: cost.phases.train.energy.totalPJ * 1e-12,
    calibrationWrites: sum['synapse.write'] ?? 0,
    weightSaturations: wsat, stateSaturations: ssat,
  };
}

/** The rule, with every learning-rate change replaced by `lr`. */
function withLearningRate(rule: ChipRule, lr: number): ChipRule {
  rule.setLearningRate?.(lr);
  return new Proxy(rule, {
    get(target, key, receiver) {
      if (key === 'setLearningRate') return () => target.setLearningRate?.(lr);
      const v = Reflect.get(target, key, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
