/**
 * Learning memory against the time window, measured for a run's own network: for each rule, a
 * chip of the network's layers is built with maxSteps = T and the bytes its rule reserves in
 * the arena (Chip.learningBytes, all layers) are read back; nothing is trained. This is the
 * report's "learning memory vs time window" chart (the `memory` field of a train run).
 * A rule that cannot run the network (STOP with a delay or a zero reset) is left out.
 */
import { Chip, ChipSpec, weightCount } from '../chip/chip.js';
import type { RuleName, UpdateAt } from '../model/types.js';
import { adaptSpec, createRule } from './index.js';
import { RULES, RULE_TABLE, RULE_OPTION_DEFAULTS, usesReadout } from './table.js';

export const MEMORY_WINDOWS = [4, 8, 16, 32, 64];

/**
 * The rows drawn: every rule of the table at every timing it allows (online LTL and STOP both
 * ways: with gradient accumulators or none), named "rule (updates at step)" where the case
 * format gives the rule several timings or this one is outside it (STOP's "step"), else "rule".
 */
const ROWS: { label: string; rule: RuleName; updateAt: UpdateAt }[] = RULES.flatMap((rule) => {
  const { updateAt: timings, caseUpdateAt } = RULE_TABLE[rule];
  const plain = (at: UpdateAt) => caseUpdateAt.length === 1 && caseUpdateAt[0] === at;
  return timings.map((updateAt) => ({ label: plain(updateAt) ? rule : `${rule} (updates at ${updateAt})`, rule, updateAt }));
});

export interface LearningMemoryCurves {
  windows: number[];
  /**
   * Per rule: total bytes at each window; of them, the gradient accumulators (the same at every
   * window) and the per-sample state (bytes - accumulators), as the papers count memory (MemorySplit).
   */
  rules: { rule: string; bytes: number[]; accumulatorBytes: number; perSampleBytes: number[] }[];
  source: string;
}

/** Bytes each rule reserves for learning on `spec`'s network, at each time window. */
export function learningMemoryCurves(spec: ChipSpec, windows: number[] = MEMORY_WINDOWS): LearningMemoryCurves {
  const rules: LearningMemoryCurves['rules'] = [];
  for (const row of ROWS) {
    try {
      const bytes = windows.map((T) => ruleLearningBytes(spec, row.rule, row.updateAt, T));
      const acc = accumulatorBytes(spec, row.rule, row.updateAt);
      rules.push({ rule: row.label, bytes, accumulatorBytes: acc, perSampleBytes: bytes.map((b) => b - acc) });
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
  return { windows, rules, source: 'src/rules/memory.ts: each rule\'s arena reservations on this network, no training' };
}

/** The network as `rule` runs it (readout rules: the last layer a non-spiking readout), with a window of T. */
function ruleSpec(spec: ChipSpec, rule: RuleName, T: number): ChipSpec {
  const L = spec.layers.length;
  const layers = spec.layers.map((l, n) => ({ ...l, readout: usesReadout(rule) && n === L - 1 }));
  return adaptSpec(rule, { inputSize: spec.inputSize, reset: spec.reset, delay: spec.delay, maxSteps: T, layers });
}

/** Bytes `rule` reserves for learning (all layers) on `spec`'s network with a time window of T. */
export function ruleLearningBytes(spec: ChipSpec, rule: RuleName, updateAt: UpdateAt, T: number): number {
  const r = createRule(rule, { ...RULE_OPTION_DEFAULTS, updateAt });
  return new Chip(ruleSpec(spec, rule, T), 'ts', r).learningBytes.reduce((a, b) => a + b, 0);
}

/**
 * Learning memory as the papers count it (STOP compares training memory at a batch size): the
 * state one sample needs while it is learned (traces, stored U and S, targets, errors, active
 * lists), held once per sample in flight, and the gradient accumulators (∂W, ∂b; STOP-WTL also
 * ∂ϑ, ∂α), held once however many samples are summed into them.
 */
export interface MemorySplit {
  totalBytes: number;
  perSampleBytes: number;
  accumulatorBytes: number;
}

/**
 * The gradient accumulators `rule` reserves on the network as it runs it: f32 ∂W and ∂b of every
 * learning layer, and STOP-WTL's ∂ϑ per neuron and ∂α per leak of its spiking layers; none for
 * a rule writing at every step (online LTL, STOP). Same shapes as the rules' reserve() (./ltl-*.ts, ./stop.ts,
 * ./bptt.ts); the test checks them against the arena where a rule can run without them.
 */
export function accumulatorBytes(spec: ChipSpec, rule: RuleName, updateAt: UpdateAt): number {
  if (updateAt === 'step') return 0;
  const s = ruleSpec(spec, rule, 1);
  let n = 0;
  for (const l of s.layers) {
    if (l.fixed) continue;
    n += weightCount(l) + l.bias.length;
    if (RULE_TABLE[rule].learnsThresholdLeak && !l.readout) n += l.nOut + l.leak.length;
  }
  return 4 * n;
}

/** `rule`'s learning memory on `spec`'s network at a window of T, split into per-sample state and accumulators. */
export function ruleMemorySplit(spec: ChipSpec, rule: RuleName, updateAt: UpdateAt, T: number): MemorySplit {
  const totalBytes = ruleLearningBytes(spec, rule, updateAt, T);
  const acc = accumulatorBytes(spec, rule, updateAt);
  return { totalBytes, perSampleBytes: totalBytes - acc, accumulatorBytes: acc };
}

/** Bytes to learn from B samples held at once (a training batch): B copies of the per-sample state, one set of accumulators. */
export function batchBytes(split: MemorySplit, B: number): number {
  return B * split.perSampleBytes + split.accumulatorBytes;
}
