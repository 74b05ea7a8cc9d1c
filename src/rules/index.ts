/**
 * The learning rules by name (ALGORITHMS §6-§8), for `ncsim train` and `ncsim trace`.
 *
 *   createRule(name, opts)  a fresh rule to attach to a chip (new Chip(spec, backend, rule))
 *   usesReadout(name)       true: the network is spiking layers + a non-spiking readout (the last
 *                           layer, `readout: true`) and each sample gives `setSample({ label })`;
 *                           false: every layer spiking, each sample gives `setSample({ targets })`
 *   adaptSpec(name, spec)   the chip spec the rule needs (stop-wtl: one threshold per neuron)
 */
import { ChipRule, ChipSpec } from '../chip/chip.js';
import { LtlOnline } from './ltl-online.js';
import { LtlOffline } from './ltl-offline.js';
import { Stop } from './stop.js';
import { Bptt } from './bptt.js';

export type RuleName = 'ltl-online' | 'ltl-offline' | 'stop-w' | 'stop-wtl' | 'bptt';
export const RULES: readonly RuleName[] = ['ltl-online', 'ltl-offline', 'stop-w', 'stop-wtl', 'bptt'];

export interface RuleOptions {
  learningRate: number;
  /** ltl-online only: no update for t <= warmup (ignored by the other rules). */
  warmup: number;
  /** ltl-online only: "exact" or "sign" (ignored by the other rules). */
  error: 'exact' | 'sign';
  /** "step" exists for ltl-online only; the other rules refuse it (they write once per sample). */
  updateAt: 'step' | 'sample';
  /** Boxcar surrogate window p (every rule but the readout's error uses g). */
  width: number;
  height: 'unit' | 'normalized';
  /** Per-layer factors of the learning rate (convolutions: train.ts layerLrScale); absent: 1. */
  layerScale?: readonly number[];
}

export function createRule(name: RuleName, opts: RuleOptions): ChipRule {
  if (name !== 'ltl-online' && opts.updateAt === 'step') {
    throw new RangeError(`rule ${name}: updates land at "sample" ("step" exists for ltl-online only)`);
  }
  const g = { learningRate: opts.learningRate, width: opts.width, height: opts.height, ...(opts.layerScale ? { layerScale: opts.layerScale } : {}) };
  switch (name) {
    case 'ltl-online':
      return new LtlOnline({ ...g, warmup: opts.warmup, error: opts.error, updateAt: opts.updateAt });
    case 'ltl-offline':
      return new LtlOffline(g);
    case 'stop-w':
    case 'stop-wtl':
      return new Stop(name, g);
    case 'bptt':
      return new Bptt(g);
    default:
      throw new RangeError(`unknown rule ${JSON.stringify(name)} (one of ${RULES.join(', ')})`);
  }
}

/** Whether the rule trains spiking layers + a readout on the label (stop-*, bptt) rather than layer targets (LTL). */
export function usesReadout(name: RuleName): boolean {
  return name === 'stop-w' || name === 'stop-wtl' || name === 'bptt';
}

/**
 * The spec a chip must be built from for this rule: stop-wtl learns one threshold per neuron, so
 * a spiking layer that gives one threshold gets it copied to every neuron (a new spec; the
 * input is not changed). Other rules: the spec as it is.
 */
export function adaptSpec(name: RuleName, spec: ChipSpec): ChipSpec {
  if (name !== 'stop-wtl') return spec;
  return {
    ...spec,
    layers: spec.layers.map((l) => (l.readout || l.threshold.length === l.nOut
      ? l
      : { ...l, threshold: new Float32Array(l.nOut).fill(l.threshold[0]) })),
  };
}
