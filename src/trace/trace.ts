/**
 * `ncsim trace`: replay a golden case (ncsim.case/1) step by step on the chip and write every
 * state and every update it made (ncsim.trace/1), as docs/spec/CASE-FORMAT.md says.
 */
import { Case } from './case.js';
import { RULE_TABLE } from '../rules/table.js';
import { Chip, ChipRule, ChipSpec } from '../chip/chip.js';
import { Backend } from '../chip/kernels.js';
import { RULES, adaptSpec, createRule } from '../rules/index.js';
import { LEARN_UPDATES, LEARN_DENSE } from '../reference/counters.js';
import { UnsupportedError } from '../io/errors.js';
import { LoihiCase, isLoihiCase } from './loihi-case.js';
import { LoihiTrace, runLoihiTrace, loihiStoredWeights } from './loihi-trace.js';
import { loihiBias } from '../reference/loihi.js';

export interface LayerTrace { u: number[][]; s: number[][]; count: number[][] }
export interface LayerUpdates { dW: number[][]; db: number[]; dThreshold?: number[]; dLeak?: number | number[] }
export interface Trace {
  format: 'ncsim.trace/1';
  steps: number;
  layers: Record<string, LayerTrace>;
  updates: Record<string, LayerUpdates>;
  events: Record<string, { updates: number; denseUpdates: number }>;
  /** Cases with `fixedPoint` only: the chip's integers, step by step (docs/rtl.md). */
  fixedPoint?: Record<string, LayerFixedTrace>;
}

/**
 * The integer view of a fixed-point layer, what an RTL test bench compares: LSBs, the write
 * generator's seed (xorshift32), the threshold and the boxcar half-window p/2 in membrane LSBs,
 * the initial weights (nOut x nIn) and bias, then per step U[t] and the weights (row-major
 * i*nIn + j) and bias after step t's writes.
 */
export interface LayerFixedTrace {
  weightLsb: number; membraneLsb: number; writeSeed: number; threshold: number[]; halfWindow: number;
  weights0: number[][]; bias0: number[]; u: number[][]; w: number[][]; b: number[][];
}

/** -0 is written as 0 (CASE-FORMAT.md). */
const num = (x: number): number => (x === 0 ? 0 : x);

/**
 * The chip of a case. Thresholds are stored per neuron (as the case resolves them); the leak is
 * one value per layer unless the layer gave a `leak` array (CaseLayer.leakPerNeuron), so that
 * stop-wtl learns one α per layer or one per neuron as the case says. For readout rules the
 * last layer is the non-spiking readout.
 */
export function chipSpecOfCase(c: Case): ChipSpec {
  const readout = RULE_TABLE[c.rule.name].readout;
  const fp = c.fixedPoint;
  return {
    ...(fp ? {
      counterBits: fp.counterBits,
      device: {
        seed: fp.seed,
        fixedPoint: {
          weightBits: fp.weightBits, stateBits: fp.stateBits, inputFractionBits: fp.inputFractionBits, leak: fp.leak, decayBits: fp.decayBits,
          shiftRounding: fp.shiftRounding, updateRounding: fp.updateRounding, range: fp.range,
          ...(fp.activationShift !== undefined ? { activationShift: fp.activationShift } : {}),
        },
      },
    } : {}),
    inputSize: c.input[0].length,
    reset: c.neuron.reset,
    delay: c.neuron.delay,
    maxSteps: c.steps,
    layers: c.layers.map((l, n) => ({
      name: l.name, nIn: l.nIn, nOut: l.nOut,
      weights: Float32Array.from(l.weights.flat()),
      bias: Float32Array.from(l.bias),
      threshold: Float32Array.from(l.threshold),
      leak: Float32Array.from(l.leakPerNeuron ? l.leak : [l.leak[0]]),
      ...(readout && n === c.layers.length - 1 ? { readout: true } : {}),
    })),
  };
}

/**
 * What a waveform viewer shows beyond the trace (src/trace/vcd.ts), filled by runTrace when given.
 * weights[t][l] (nOut x nIn row-major) and bias[t][l]: before step 1 (t = 0), after each step t,
 * and after the end of the sample (t = T + 1), in the case's units. current[layer][t - 1]: the
 * input current of each spiking layer at step t (I[t] of ALGORITHMS §2; Loihi's u).
 */
export interface Waveforms {
  weights: number[][][];
  bias: number[][][];
  current: Record<string, number[][]>;
}

export function emptyWaveforms(): Waveforms {
  return { weights: [], bias: [], current: {} };
}

export function runTrace(c: Case, backend?: Backend, waves?: Waveforms): Trace;
export function runTrace(c: LoihiCase, backend?: Backend, waves?: Waveforms): LoihiTrace;
export function runTrace(c: Case | LoihiCase, backend?: Backend, waves?: Waveforms): Trace | LoihiTrace;
export function runTrace(c: Case | LoihiCase, backend: Backend = 'wasm', waves?: Waveforms): Trace | LoihiTrace {
  if (isLoihiCase(c)) return loihiTraceWithWaves(c, backend, waves);
  const rule = ruleOfCase(c);
  const chip = new Chip(adaptSpec(c.rule.name, chipSpecOfCase(c)), backend, rule);
  chip.analogInput = c.input.some((row) => row.some((v) => v !== 0 && v !== 1));
  if (RULE_TABLE[c.rule.name].readout) rule.setSample({ label: c.label! });
  else rule.setSample({ targets: c.layers.map((l) => c.targets![l.name]) });
  const learnsThresholdLeak = RULE_TABLE[c.rule.name].learnsThresholdLeak;
  const before = c.layers.map((_, l) => ({ w: chip.getWeights(l), b: chip.getBias(l), thr: chip.getThreshold(l), leak: chip.getLeak(l) }));
  const layers: Record<string, LayerTrace> = {};
  for (const l of c.layers) layers[l.name] = { u: [], s: [], count: [] };
  const x = Float32Array.from(c.input.flat());
  const fixed = c.fixedPoint ? fixedStart(c, chip) : undefined;
  const snapshot = (): void => {
    waves!.weights.push(c.layers.map((_, n) => Array.from(chip.getWeights(n), num)));
    waves!.bias.push(c.layers.map((_, n) => Array.from(chip.getBias(n), num)));
  };
  if (waves) {
    snapshot();
    c.layers.forEach((l, n) => { if (!chip.spec.layers[n].readout) waves.current[l.name] = []; });
  }
  chip.runSample(x, c.steps, true, () => {
    c.layers.forEach((l, n) => {
      layers[l.name].u.push(Array.from(chip.membrane(n), num));
      layers[l.name].s.push(Array.from(chip.spikes(n), num));
      layers[l.name].count.push(Array.from(chip.counts(n)));
      if (fixed) {
        const dev = chip.device!, f = fixed[l.name];
        f.u.push(Array.from(dev.ints(n, 'u')));
        f.w.push(rowMajor(dev.ints(n, 'wt'), l.nIn, l.nOut).flat());
        f.b.push(Array.from(dev.ints(n, 'bias')));
      }
      if (waves && !chip.spec.layers[n].readout) waves.current[l.name].push(Array.from(chip.f32(chip.layers[n].i, l.nOut), num));
    });
    if (waves) snapshot();
  });
  if (waves) snapshot();
  const updates: Record<string, LayerUpdates> = {};
  const events: Trace['events'] = {};
  c.layers.forEach((l, n) => {
    const w = chip.getWeights(n), b = chip.getBias(n);
    const dW: number[][] = [];
    for (let i = 0; i < l.nOut; i++) {
      const row: number[] = [];
      for (let j = 0; j < l.nIn; j++) row.push(num(w[i * l.nIn + j] - before[n].w[i * l.nIn + j]));
      dW.push(row);
    }
    updates[l.name] = { dW, db: Array.from(b, (v, i) => num(v - before[n].b[i])) };
    if (learnsThresholdLeak && !chip.spec.layers[n].readout) {
      // dThreshold: always one per neuron (the chip stores stop-wtl's thresholds per neuron).
      // dLeak: a number when the layer's leak is one value, an array when the case gave a leak array.
      const thr = chip.getThreshold(n), leak = chip.getLeak(n);
      updates[l.name].dThreshold = Array.from(thr, (v, i) => num(v - before[n].thr[i]));
      const dLeak = Array.from(leak, (v, i) => num(v - before[n].leak[i]));
      updates[l.name].dLeak = l.leakPerNeuron ? dLeak : dLeak[0];
    }
    const cnt = chip.counters(n);
    events[l.name] = { updates: cnt[LEARN_UPDATES], denseUpdates: cnt[LEARN_DENSE] };
  });
  return { format: 'ncsim.trace/1', steps: c.steps, layers, updates, events, ...(fixed ? { fixedPoint: fixed } : {}) };
}

/** Weights stored fan-out major (j * nOut + i) as nOut rows of nIn integers. */
function rowMajor(wt: Int32Array, nIn: number, nOut: number): number[][] {
  return Array.from({ length: nOut }, (_, i) => Array.from({ length: nIn }, (_, j) => wt[j * nOut + i]));
}

/** The fixed-point layers' integers before the sample. */
function fixedStart(c: Case, chip: Chip): Record<string, LayerFixedTrace> {
  const dev = chip.device!;
  return Object.fromEntries(c.layers.map((l, n) => {
    const s = dev.scales(n)!;
    const thr = Array.from(dev.ints(n, 'thr'));
    return [l.name, {
      weightLsb: s.sw, membraneLsb: s.su, writeSeed: dev.layers[n].seeds[1],
      threshold: thr.length === l.nOut ? thr : new Array<number>(l.nOut).fill(thr[0]),
      halfWindow: (c.surrogate.width / 2) * (1 / s.su),
      weights0: rowMajor(dev.ints(n, 'wt'), l.nIn, l.nOut), bias0: Array.from(dev.ints(n, 'bias')), u: [], w: [], b: [],
    }];
  }));
}

/** A Loihi case's trace; its weights and bias never change (no learning), its current is Loihi's u. */
function loihiTraceWithWaves(c: LoihiCase, backend: Backend, waves?: Waveforms): LoihiTrace {
  const trace = runLoihiTrace(c, backend);
  if (waves) {
    const w = loihiStoredWeights(c).map((a) => Array.from(a));
    const b = c.layers.map((l) => l.biasMant.map((m, i) => loihiBias(m, l.biasExp[i])));
    for (let t = 0; t <= c.steps + 1; t++) { waves.weights.push(w); waves.bias.push(b); }
    for (const l of c.layers) waves.current[l.name] = trace.layers[l.name].current;
  }
  return trace;
}

/** Rules whose circuits this build has. */
export const SUPPORTED_RULES = RULES;

function ruleOfCase(c: Case): ChipRule {
  const r = c.rule;
  if (!SUPPORTED_RULES.includes(r.name)) throw new UnsupportedError('rule.name', r.name, SUPPORTED_RULES);
  return createRule(r.name, {
    learningRate: r.learningRate, warmup: r.warmup, error: r.error, updateAt: r.updateAt,
    width: c.surrogate.width, height: c.surrogate.height,
  });
}
