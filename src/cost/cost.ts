/**
 * Costing a run (CHIP-MODEL.md, "Counting, then costing"): the activity record says what the
 * chip did (action counts per layer and phase); a hardware model prices each action; the
 * layers' mapping onto cores routes the spikes. This file assembles the CostReport — a plain
 * JSON-able object — from its parts, each in its own file:
 *   pricing.ts        energy of each phase from its counts (and gating, NeuroBench figures);
 *   noc.ts            the mapping's NoC flows from per-layer counts;
 *   average-timing.ts cycles per step from counts averaged over the run (what `ncsim cost` can
 *                     say about time without re-simulating);
 *   src/timing/       per-step, per-core timing on the mesh while the run is simulated;
 *   stats.ts          every figure with name, unit and description, and the stats list;
 *   accelergy.ts      Accelergy action counts.
 *
 * Memory footprint: weights at the model's weight bits + a bias and a threshold per neuron at
 * the model's state bits, and the rule's learning state. A convolution (activity layer with
 * `conv`) stores its shared weights once, K*C*kh*kw (the `weights` of its record), and one bias
 * per output channel.
 */
import type { Activity } from './activity.js';
import type { Circuit } from './actions.js';
import type { HwModel } from './hwmodel.js';
import { Mapping, mapActivity } from './mapping.js';
import { convWeightCount } from '../reference/conv.js';
import { pricePhase } from './pricing.js';
import { timingFingerprint } from './retime.js';
import type { AverageCycles } from './average-timing.js';
import type { PhaseTiming } from '../timing/summary.js';

export type { StepCycles } from './average-timing.js';
export { apportion, proportional, nocRoutes, sliceReach } from './noc.js';
export type { Route, Splitter } from './noc.js';
export { FIGURES, figures, formatValue, statsLines } from './stats.js';
export type { Figure, FigureDef } from './stats.js';
export { accelergyActionCounts } from './accelergy.js';

export const COST_SCHEMA = 'ncsim.cost/1';

export type PhaseName = 'train' | 'test';
export const PHASE_NAMES: readonly PhaseName[] = ['train', 'test'];

export interface LayerCost {
  /** Dynamic energy of the layer's actions and of the NoC traffic into the layer (pJ). */
  energyPJ: number;
  byCircuit: Record<Circuit, number>;
  spikes: number;
  /** 1 - spikes / (neurons x steps); null for a readout or a phase with no steps. */
  activationSparsity: number | null;
  synops: number;
  issued: number;
  dense: number;
  gatedOff: number;
}

export interface PhaseCost {
  samples: number;
  steps: number;
  learning: boolean;
  energy: {
    totalPJ: number;
    dynamicPJ: number;
    staticPJ: number;
    perSamplePJ: number;
    /** Train only (per epoch of samplesPerEpoch samples); null for test. */
    perEpochPJ: number | null;
    byCircuit: Record<Circuit, number>;
    byAction: Record<string, number>;
  };
  layers: Record<string, LayerCost>;
  /** Cycles per step of the average model (counts averaged over the phase; average-timing.ts). */
  cycles: AverageCycles;
  /**
   * Time: `simulated` (the mean of the per-step latencies of `timing`, and their sum) when the
   * run was timed step by step on this model and mapping; `average` (cycles above) otherwise.
   */
  latency: { kind: 'simulated' | 'average'; perStepS: number; perSampleS: number; perEpochS: number | null; totalS: number };
  /** Per-step, per-core timing on the mesh (src/timing); null when the run was not timed on this model and mapping. */
  timing: PhaseTiming | null;
  noc: { packetsSent: number; packetsReceived: number; inputPackets: number; hopsX: number; hopsY: number };
  gating: { issued: number; dense: number; gatedOff: number; issuedFraction: number | null; savedPJ: number };
  neurobench: {
    synops: number; acs: number; macs: number; synopsPerSample: number;
    membraneUpdates: number; membraneUpdatesPerSample: number;
    /** Over all spiking layers; null when there are none or no steps. */
    activationSparsity: number | null;
  };
}

export interface CostReport {
  schema: typeof COST_SCHEMA;
  /** timingFingerprint: a hash of the model's timing figures (retime.ts), to tell whether a stored per-step timing still holds. */
  model: { name: string; description: string; path: string; clockHz: number; timingFingerprint: string };
  run: { rule: string; timeWindow: number; inputSize: number; samplesPerEpoch: number };
  mapping: {
    coresAvailable: number;
    coresUsed: number;
    /** Cores whose static power is paid (all, or the used ones: the model's static.appliesTo). */
    coresCharged: number;
    layers: { name: string; cores: number[]; neurons: number[] }[];
    cores: { index: number; x: number; y: number; neurons: number; synapseBytes: number; learningBytes: number; layers: string[] }[];
  };
  memory: { weightBytes: number; neuronParameterBytes: number; parameterBytes: number; learningStateBytes: number; totalBytes: number };
  /** Host and link, per training sample (inputs in, targets in, spike counts out). */
  host: { teacherFlopsPerSample: number; energyPerSamplePJ: number; secondsPerSample: number };
  link: { bytesPerSample: number; energyPerSamplePJ: number; secondsPerSample: number };
  phases: Record<PhaseName, PhaseCost>;
}

/** Cost a run's activity on a hardware model (mapping the layers first, unless given). */
export function costRun(
  activity: Activity, model: HwModel, mapping: Mapping = mapActivity(activity.layers, model),
  timing?: Partial<Record<PhaseName, PhaseTiming>>,
): CostReport {
  const wb = model.bits.weight.value;
  const sb = model.bits.state.value;
  let weightBits = 0, neuronParams = 0, learning = 0;
  for (const l of activity.layers) {
    // Convolutions store their shared weights once (K*C*kh*kw) and one bias per channel.
    weightBits += (l.conv ? l.weights ?? convWeightCount(l.conv) : l.nIn * l.nOut) * wb;
    neuronParams += (l.conv ? l.conv.channels + l.nOut : l.nOut * 2) * sb; // biases and a threshold per neuron
    learning += l.learningStateBytes;
  }
  const weightBytes = Math.ceil(weightBits / 8);
  const neuronParameterBytes = Math.ceil(neuronParams / 8);

  const flops = activity.host.teacherFlopsPerSample;
  const bytes = activity.host.bytesToChipPerSample + activity.host.bytesToHostPerSample;
  const transfers = (activity.host.bytesToChipPerSample > 0 ? 1 : 0) + (activity.host.bytesToHostPerSample > 0 ? 1 : 0);
  const coresUsed = mapping.cores.length;

  return {
    schema: COST_SCHEMA,
    model: { name: model.name, description: model.description, path: model.path, clockHz: model.clock.value, timingFingerprint: timingFingerprint(model) },
    run: { rule: activity.rule, timeWindow: activity.timeWindow, inputSize: activity.inputSize, samplesPerEpoch: activity.samplesPerEpoch },
    mapping: {
      coresAvailable: model.cores.count.value,
      coresUsed,
      coresCharged: model.static.appliesTo.value === 'all-cores' ? model.cores.count.value : coresUsed,
      layers: mapping.layers.map((l) => ({ name: l.name, cores: l.slices.map((s) => s.core), neurons: l.slices.map((s) => s.neurons) })),
      cores: mapping.cores.map((c) => ({
        index: c.index, x: c.x, y: c.y, neurons: c.neurons, synapseBytes: c.synapseBytes, learningBytes: c.learningBytes,
        layers: c.slices.map((s) => s.name),
      })),
    },
    memory: {
      weightBytes, neuronParameterBytes, parameterBytes: weightBytes + neuronParameterBytes,
      learningStateBytes: learning, totalBytes: weightBytes + neuronParameterBytes + learning,
    },
    host: {
      teacherFlopsPerSample: flops,
      energyPerSamplePJ: flops * model.host.energyPerFlop.value,
      secondsPerSample: flops / model.host.flops.value,
    },
    link: {
      bytesPerSample: bytes,
      energyPerSamplePJ: bytes * model.link.energyPerByte.value,
      secondsPerSample: bytes / model.link.bandwidth.value + transfers * model.link.latency.value,
    },
    phases: {
      train: pricePhase(activity, 'train', activity.phases.train, model, mapping, timing?.train),
      test: pricePhase(activity, 'test', activity.phases.test, model, mapping, timing?.test),
    },
  };
}
