/**
 * The host/link/chip pipeline parameters of a priced run (LTL §2.2, CHIP-MODEL.md): the host's
 * teacher time and the link from the hardware model's `host` and `link` sections, the chip's
 * time and energy per sample from the cost report. The HIL baseline reads every neuron's state
 * out through ADCs each step, lets the host compute the updates and writes the weights back.
 */
import type { CostReport } from '../cost/cost.js';
import type { HwModel } from '../cost/hwmodel.js';
import type { Activity } from '../cost/activity.js';
import { compareSchedules, PipelineParams, ScheduleComparison, Schedule } from './des.js';

/** The HIL read-out ADC, when the model gives none: one SAR conversion per neuron state. */
export const HIL_ADC = {
  joulesPerConversion: 2e-12,
  secondsPerConversion: 10e-9,
  source: 'assumption: an 8-bit SAR ADC, ~2 pJ and ~10 ns per conversion (Murmann ADC survey range), one ADC per core',
};

export interface PipelineReport {
  /** The schedule the run asked for (--schedule); all three are simulated side by side. */
  schedule: Schedule;
  params: PipelineParams;
  sources: Record<string, string>;
  comparison: ScheduleComparison;
}

/** A batch never holds more samples than an epoch has. */
function modelledBatch(activity: Activity, batchSize: number): number {
  return Math.max(1, Math.min(batchSize, activity.samplesPerEpoch));
}

export function pipelineParams(activity: Activity, cost: CostReport, model: HwModel, epochs: number, batchSize: number): PipelineParams {
  const train = cost.phases.train, test = cost.phases.test;
  const T = activity.timeWindow;
  const spiking = activity.layers.filter((l) => !l.readout).reduce((s, l) => s + l.nOut, 0);
  const synapses = activity.layers.reduce((s, l) => s + l.nIn * l.nOut, 0);
  const stateBytes = Math.ceil(model.bits.state.value / 8);
  const cores = Math.max(1, cost.mapping.coresUsed);
  const hostFlops = model.host.flops.value, pjPerFlop = model.host.energyPerFlop.value;
  // Host work per HIL step: an error and an outer-product update per synapse (2 FLOPs each).
  const hilFlopsPerStep = 2 * synapses;
  const write = model.actions['synapse.write'];
  const clock = model.clock.value;
  return {
    // The samples actually trained (not the configured batches: --epochs 0 trains none, and a
    // batch larger than the epoch holds only the epoch's samples); `epochs` is in the activity.
    batches: Math.ceil(activity.phases.train.samples / modelledBatch(activity, batchSize)),
    batchSize: modelledBatch(activity, batchSize),
    hostSecondsPerSample: cost.host.secondsPerSample,
    hostJoulesPerSample: cost.host.energyPerSamplePJ * 1e-12,
    linkBytesPerSample: cost.link.bytesPerSample,
    linkBandwidth: model.link.bandwidth.value,
    linkLatency: model.link.latency.value,
    linkJoulesPerByte: model.link.energyPerByte.value * 1e-12,
    chipSecondsPerSample: train.latency.perSampleS,
    chipJoulesPerSample: train.energy.perSamplePJ * 1e-12,
    buffers: 2,
    hil: {
      stepsPerSample: T,
      adcSecondsPerStep: Math.ceil(spiking / cores) * HIL_ADC.secondsPerConversion,
      adcJoulesPerStep: spiking * HIL_ADC.joulesPerConversion,
      bytesToHostPerStep: spiking * stateBytes,
      bytesToChipPerSample: 4 * activity.inputSize + cost.memory.weightBytes,
      hostSecondsPerStep: hilFlopsPerStep / hostFlops,
      hostJoulesPerStep: hilFlopsPerStep * pjPerFlop * 1e-12,
      weightWriteSecondsPerSample: write ? (synapses * write.latency.value) / clock / cores : 0,
      weightWriteJoulesPerSample: write ? synapses * write.totalEnergy * 1e-12 : 0,
      chipSecondsPerSample: test.latency.perSampleS,
      chipJoulesPerSample: test.energy.perSamplePJ * 1e-12,
    },
  };
}

export function pipelineReport(activity: Activity, cost: CostReport, model: HwModel, epochs: number, batchSize: number, schedule: Schedule): PipelineReport {
  const params = pipelineParams(activity, cost, model, epochs, batchSize);
  return {
    schedule,
    params,
    sources: {
      host: `${model.name}: host.flops ${model.host.flops.source}; host.energyPerFlop ${model.host.energyPerFlop.source}`,
      link: `${model.name}: link ${model.link.bandwidth.source}`,
      chip: `${model.name}: cost report of this run (train phase latency and energy per sample)`,
      hilAdc: HIL_ADC.source,
      hilHost: 'host computes the error and the outer-product update of every synapse each step (2 FLOPs per synapse)',
      hilWeights: `every weight written back once per sample at ${model.name}'s synapse.write cost`,
    },
    comparison: compareSchedules(params),
  };
}
