/**
 * The learning rules by name (ALGORITHMS §6-§8), for `ncsim train` and `ncsim trace`; what each
 * rule is (readout or not, defaults, timing) is in the rule table (./table.ts).
 *
 *   createRule(name, opts)  a fresh rule to attach to a chip (new Chip(spec, backend, rule))
 *   usesReadout(name)       true: the network is spiking layers + a non-spiking readout (the last
 *                           layer, `readout: true`) and each sample gives `setSample({ label })`;
 *                           false: every layer spiking, each sample gives `setSample({ targets })`
 *   adaptSpec(name, spec)   the chip spec the rule needs (stop-wtl: one threshold per neuron)
 */
import type { RuleName, UpdateAt } from '../model/types.js';
import { ChipRule, ChipSpec } from '../chip/chip.js';
import { LtlOnline } from './ltl-online.js';
import { LtlOffline } from './ltl-offline.js';
import { Stop } from './stop.js';
import { Bptt } from './bptt.js';
import { GradientRuleOptions } from './common.js';
import { RULES, RULE_TABLE, isRuleName, rulesUpdatingAt } from './table.js';

export { RULES, usesReadout } from './table.js';

export interface RuleOptions {
  learningRate: number;
  /** ltl-online only: no update for t <= warmup (ignored by the other rules). */
  warmup: number;
  /** ltl-online only: "exact" or "sign" (ignored by the other rules). */
  error: 'exact' | 'sign';
  /** When updates land; a rule refuses a timing its table row does not list ("step": ltl-online, stop-w, stop-wtl). */
  updateAt: UpdateAt;
  /** Boxcar surrogate window p (every rule but the readout's error uses g). */
  width: number;
  height: 'unit' | 'normalized';
  /** Per-layer factors of the learning rate (convolutions: train.ts layerLrScale); absent: 1. */
  layerScale?: readonly number[];
}

/** The circuits of each rule; a rule missing here is a type error. */
const MAKERS: Record<RuleName, (opts: RuleOptions, g: GradientRuleOptions) => ChipRule> = {
  'ltl-online': (o, g) => new LtlOnline({ ...g, warmup: o.warmup, error: o.error, updateAt: o.updateAt }),
  'ltl-offline': (_, g) => new LtlOffline(g),
  'stop-w': (o, g) => new Stop('stop-w', { ...g, updateAt: o.updateAt }),
  'stop-wtl': (o, g) => new Stop('stop-wtl', { ...g, updateAt: o.updateAt }),
  bptt: (_, g) => new Bptt(g),
};

export function createRule(name: RuleName, opts: RuleOptions): ChipRule {
  if (!isRuleName(name)) throw new RangeError(`unknown rule ${JSON.stringify(name)} (one of ${RULES.join(', ')})`);
  const info = RULE_TABLE[name];
  if (!info.updateAt.includes(opts.updateAt)) {
    const can = rulesUpdatingAt(opts.updateAt).join(', ');
    throw new RangeError(`rule ${name}: updates land at "${info.updateAt.join('" or "')}" ("${opts.updateAt}" exists for ${can} only)`);
  }
  const g = { learningRate: opts.learningRate, width: opts.width, height: opts.height, ...(opts.layerScale ? { layerScale: opts.layerScale } : {}) };
  return MAKERS[name](opts, g);
}

/**
 * The spec a chip must be built from for this rule: stop-wtl learns one threshold per neuron, so
 * a spiking layer that gives one threshold gets it copied to every neuron (a new spec; the
 * input is not changed). Other rules: the spec as it is.
 */
export function adaptSpec(name: RuleName, spec: ChipSpec): ChipSpec {
  if (!RULE_TABLE[name].learnsThresholdLeak) return spec;
  return {
    ...spec,
    layers: spec.layers.map((l) => (l.readout || l.threshold.length === l.nOut
      ? l
      : { ...l, threshold: new Float32Array(l.nOut).fill(l.threshold[0]) })),
  };
}
