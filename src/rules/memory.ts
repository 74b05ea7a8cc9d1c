/**
 * Learning memory against the time window, measured for a run's own network: for each rule, a
 * chip of the network's layers is built with maxSteps = T and the bytes its rule reserves in
 * the arena (Chip.learningBytes, all layers) are read back; nothing is trained. This is the
 * report's "learning memory vs time window" chart (the `memory` field of a train run).
 * A rule that cannot run the network (STOP with a delay or a zero reset) is left out.
 */
import { Chip, ChipSpec } from '../chip/chip.js';
import type { RuleName, UpdateAt } from '../model/types.js';
import { adaptSpec, createRule } from './index.js';
import { RULES, RULE_TABLE, RULE_OPTION_DEFAULTS, usesReadout } from './table.js';

export const MEMORY_WINDOWS = [4, 8, 16, 32, 64];

/**
 * The rows drawn: every rule of the table at every timing it allows (online LTL both ways: a
 * per-synapse accumulator or none), named "rule (updates at step)" where it has several.
 */
const ROWS: { label: string; rule: RuleName; updateAt: UpdateAt }[] = RULES.flatMap((rule) => {
  const timings = RULE_TABLE[rule].updateAt;
  return timings.map((updateAt) => ({ label: timings.length > 1 ? `${rule} (updates at ${updateAt})` : rule, rule, updateAt }));
});

export interface LearningMemoryCurves {
  windows: number[];
  rules: { rule: string; bytes: number[] }[];
  source: string;
}

/** Bytes each rule reserves for learning on `spec`'s network, at each time window. */
export function learningMemoryCurves(spec: ChipSpec, windows: number[] = MEMORY_WINDOWS): LearningMemoryCurves {
  const rules: { rule: string; bytes: number[] }[] = [];
  for (const row of ROWS) {
    try {
      rules.push({ rule: row.label, bytes: windows.map((T) => ruleLearningBytes(spec, row.rule, row.updateAt, T)) });
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
  return { windows, rules, source: 'src/rules/memory.ts: each rule\'s arena reservations on this network, no training' };
}

/** Bytes `rule` reserves for learning (all layers) on `spec`'s network with a time window of T. */
export function ruleLearningBytes(spec: ChipSpec, rule: RuleName, updateAt: UpdateAt, T: number): number {
  const L = spec.layers.length;
  // The network as the rule runs it: readout rules make the last layer a non-spiking readout.
  const layers = spec.layers.map((l, n) => ({ ...l, readout: usesReadout(rule) && n === L - 1 }));
  const s = adaptSpec(rule, { inputSize: spec.inputSize, reset: spec.reset, delay: spec.delay, maxSteps: T, layers });
  const r = createRule(rule, { ...RULE_OPTION_DEFAULTS, updateAt });
  return new Chip(s, 'ts', r).learningBytes.reduce((a, b) => a + b, 0);
}
