/**
 * The one table of learning rules (ALGORITHMS §6-§8): what every layer needs to know about a
 * rule by name. The CLI (choices, help), the case reader (src/trace/case.ts), the rule factory
 * (./index.ts), learning memory (./memory.ts), the train loop and the report read it; nothing
 * else compares rule names. Pure data: it imports no circuit, so any layer may read it.
 */
import type { RuleName, UpdateAt } from '../model/types.js';

export interface RuleInfo {
  /** The paper's name of the rule's family, used in messages ("STOP needs d = 0"). */
  family: 'LTL' | 'STOP' | 'BPTT';
  /** One line: what the rule learns and how. */
  description: string;
  /**
   * true: the network is spiking layers + a non-spiking readout (the last layer) trained on the
   * sample's label (`setSample({ label })`); false: every layer spiking, each with its own
   * targets (`setSample({ targets })`).
   */
  readout: boolean;
  /** Learning rate of `ncsim train` when --lr is not given, from measured sweeps (README): the losses differ in scale. */
  learningRate: number;
  /**
   * When weight changes may land in synaptic memory, the rule's default first (`ncsim train`
   * without --update-at), in the order learning memory lists them (./memory.ts draws one row
   * per entry). Online LTL writes at every step by default; STOP can as an option (no gradient
   * accumulators, an ncsim extension of ALGORITHMS §7's "step" to §8).
   */
  updateAt: readonly UpdateAt[];
  /** The timings a case file may give (CASE-FORMAT: "step" is online LTL's only), a subset of updateAt. */
  caseUpdateAt: readonly UpdateAt[];
  /** Learns a convolution's shared weights (every rule does; pooling layers stay fixed). */
  conv: boolean;
  /** Also learns per-neuron thresholds and the leaks (STOP-WTL): the chip stores one threshold per neuron (adaptSpec). */
  learnsThresholdLeak: boolean;
  /** The neuron model the rule's equations assume (STOP's forward traces: d = 0 and reset "subtract"); absent: any. */
  needs: { delay?: 0; reset?: 'subtract' };
  /** What the rule reserves in the arena per layer (./memory.ts measures the bytes). */
  memory: string;
}

export const RULE_TABLE: Readonly<Record<RuleName, RuleInfo>> = {
  'ltl-online': {
    family: 'LTL',
    description: 'online LTL (§7): each layer makes its spike rate C[t]/t match its target, local in space and time',
    readout: false, learningRate: 0.006, updateAt: ['step', 'sample'], caseUpdateAt: ['step', 'sample'], conv: true, learnsThresholdLeak: false, needs: {},
    memory: 'target, error and active list per neuron; updates at sample: + one ∂W, ∂b accumulator',
  },
  'ltl-offline': {
    family: 'LTL',
    description: 'offline LTL (§6): each layer makes its window rate C[T]/T match its target, back-propagated through time inside the layer',
    readout: false, learningRate: 0.005, updateAt: ['sample'], caseUpdateAt: ['sample'], conv: true, learnsThresholdLeak: false, needs: {},
    memory: 'U[t], S[t] of every step (layer 1 also its input), target, ∂W, ∂b: grows with the time window',
  },
  'stop-w': {
    family: 'STOP',
    description: 'STOP (§8): errors backward in space at every step, eligibility traces forward in time; learns W and b',
    readout: true, learningRate: 0.001, updateAt: ['sample', 'step'], caseUpdateAt: ['sample'], conv: true, learnsThresholdLeak: false, needs: { delay: 0, reset: 'subtract' },
    memory: 'synaptic and bias traces, errors, ∂W, ∂b (none when updates land at step): independent of the time window',
  },
  'stop-wtl': {
    family: 'STOP',
    description: 'STOP-WTL (§8): STOP that also learns per-neuron thresholds and the leaks',
    readout: true, learningRate: 0.001, updateAt: ['sample', 'step'], caseUpdateAt: ['sample'], conv: true, learnsThresholdLeak: true, needs: { delay: 0, reset: 'subtract' },
    memory: 'as stop-w, plus threshold and leak traces and U[t-1] (and ∂ϑ, ∂α at sample); a per-neuron leak makes e_W nOut x nIn',
  },
  bptt: {
    family: 'BPTT',
    description: 'BPTT (§8): the whole network back-propagated through time at the end of the sample (the baseline)',
    readout: true, learningRate: 0.001, updateAt: ['sample'], caseUpdateAt: ['sample'], conv: true, learnsThresholdLeak: false, needs: {},
    memory: 'U[t], S[t] of every layer and step (layer 1 also its input), ∂W, ∂b: grows with the time window',
  },
};

/** Every rule, in the table's order (the CLI's choices, the bench's rows). */
export const RULES = Object.keys(RULE_TABLE) as readonly RuleName[];

/** The table's row of a rule. */
export function ruleInfo(name: RuleName): RuleInfo {
  return RULE_TABLE[name];
}

/** Whether `name` is a rule of the table (for readers of untyped input). */
export function isRuleName(name: unknown): name is RuleName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(RULE_TABLE, name);
}

/** Whether the rule trains spiking layers + a readout on the label (STOP, BPTT) rather than layer targets (LTL). */
export function usesReadout(name: RuleName): boolean {
  return RULE_TABLE[name].readout;
}

/** The rules that can write their updates at `at` (for messages: `"step" exists for ltl-online only`); inCases: in a case file. */
export function rulesUpdatingAt(at: UpdateAt, inCases = false): RuleName[] {
  return RULES.filter((r) => (inCases ? RULE_TABLE[r].caseUpdateAt : RULE_TABLE[r].updateAt).includes(at));
}

/**
 * The timing a run of `name` writes at: `at` if the rule can write then, else "sample" (every
 * rule can); absent, the rule's default (the first of its row: online LTL "step", the others "sample").
 */
export function updateAtFor(name: RuleName, at?: UpdateAt): UpdateAt {
  const can = RULE_TABLE[name].updateAt;
  if (at === undefined) return can[0];
  return can.includes(at) ? at : 'sample';
}

/**
 * Options a rule is built with when the caller leaves them out (`new LtlOnline({})`, the
 * gradient rules' constructors): a unit surrogate of width 1, no warm-up, exact error,
 * updates once per sample. `ncsim train` gives its own (TRAIN_RULE_DEFAULTS).
 */
export const RULE_OPTION_DEFAULTS = {
  learningRate: 0.01, warmup: 0, error: 'exact', updateAt: 'sample', width: 1, height: 'unit',
} as const satisfies { learningRate: number; warmup: number; error: 'exact' | 'sign'; updateAt: UpdateAt; width: number; height: 'unit' | 'normalized' };

/**
 * The rule options `ncsim train` uses when not given (the learning rate and the update timing
 * are per rule: the table's learningRate, updateAtFor): a boxcar of width 3 and height 1/3.
 */
export const TRAIN_RULE_DEFAULTS = {
  warmup: 0, error: 'exact', width: 3, height: 'normalized',
} as const satisfies { warmup: number; error: 'exact' | 'sign'; width: number; height: 'unit' | 'normalized' };
