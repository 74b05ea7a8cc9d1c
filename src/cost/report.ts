/**
 * The cost report's shape (ncsim.cost/1): what costRun (cost.ts) assembles from pricing.ts,
 * the timing and the mapping, and what stats.ts, accelergy.ts and retime.ts read. Kept apart so
 * those files and cost.ts do not import each other.
 */
import type { Circuit } from './actions.js';
import type { AverageCycles } from './average-timing.js';
import type { PhaseTiming } from '../timing/summary.js';

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
