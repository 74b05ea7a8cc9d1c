/**
 * Pricing a phase (CHIP-MODEL.md, "Counting, then costing"): every figure is linear in the
 * phase's counts, priced with the hardware model's tables (pJ):
 *   action energy  = count x E(action), and for `synapse.event` x the number of cores holding
 *                    the layer (each activates the presynaptic row in its own synapse memory);
 *   NoC energy     = packets sent x E(sent) + packets received x E(received)
 *                    + X hops x E(hopX) + Y hops x E(hopY), packets per destination core (noc.ts);
 *   barrier energy = steps x E(barrier);
 *   static energy  = static power per core x cores charged x time, where time is the sum of the
 *                    simulated step latencies when the run was timed (src/timing), else
 *                    steps x the average model's step time (average-timing.ts).
 *
 * Learning-circuit gating: events gated off = learn.dense - learn.update; energy saved =
 * gated-off events x (E(learn.update) + E(synapse.write)).
 *
 * NeuroBench-style figures: effective synaptic operations = ACs + MACs; activation sparsity of
 * a spiking layer = 1 - spikes / (neurons x steps) (readouts have none); membrane updates =
 * neuron.update.
 */
import type { Activity, ActivityPhase } from './activity.js';
import { ACTIONS, CIRCUITS, Circuit, UNPRICED } from './actions.js';
import type { HwModel } from './hwmodel.js';
import type { Mapping } from './mapping.js';
import type { LayerCost, PhaseCost, PhaseName } from './cost.js';
import { count, nocRoutes, sliceReach } from './noc.js';
import { averageCycles } from './average-timing.js';
import type { PhaseTiming } from '../timing/summary.js';

const zeroCircuits = (): Record<Circuit, number> =>
  Object.fromEntries(CIRCUITS.map((c) => [c.name, 0])) as Record<Circuit, number>;

/** Price one phase: energy from its counts; latency from its simulated steps when given, else the average model. */
export function pricePhase(activity: Activity, name: PhaseName, phase: ActivityPhase, model: HwModel, mapping: Mapping, timing?: PhaseTiming): PhaseCost {
  const steps = phase.steps;
  const layers = activity.layers;
  const byCircuit = zeroCircuits();
  const byAction: Record<string, number> = Object.fromEntries(ACTIONS.map((a) => [a.name, 0]));
  const layerCosts: Record<string, LayerCost> = {};

  // Actions: energy.
  const reach = sliceReach(activity, mapping);
  layers.forEach((layer, li) => {
    const slices = mapping.layers[li].slices;
    // A replicated action (a presynaptic event's row activation) happens on every core of the
    // layer it reaches: all of them for a dense layer, a convolution's receptive fields' cores.
    const reached = slices.map((_, d) => reach[li]?.[d].fraction ?? 1);
    const copies = reached.reduce((a, b) => a + b, 0);
    const lc = zeroCircuits();
    for (const a of ACTIONS) {
      const c = count(phase, layer.name, a.name);
      if (c === 0) continue;
      const price = model.actions[a.name];
      const e = c * (a.replicated ? copies : 1) * price.totalEnergy;
      byAction[a.name] += e;
      byCircuit[a.circuit] += e;
      lc[a.circuit] += e;
    }
    const spikes = count(phase, layer.name, 'neuron.spike');
    const issued = count(phase, layer.name, 'learn.update');
    const dense = count(phase, layer.name, UNPRICED);
    layerCosts[layer.name] = {
      energyPJ: 0, byCircuit: lc, spikes,
      activationSparsity: layer.readout || steps === 0 ? null : 1 - spikes / (layer.nOut * steps),
      synops: count(phase, layer.name, 'dendrite.ac') + count(phase, layer.name, 'dendrite.mac'),
      issued, dense, gatedOff: dense - issued,
    };
  });

  // NoC.
  const { packetSent, packetReceived, hopX, hopY } = model.noc;
  const noc = { packetsSent: 0, packetsReceived: 0, inputPackets: 0, hopsX: 0, hopsY: 0 };
  for (const r of nocRoutes(activity, phase, mapping, undefined, model.noc.inputSource.value)) {
    const sent = r.src >= 0 ? r.packets : 0;
    const e = sent * packetSent.energy.value + r.packets * packetReceived.energy.value
      + r.packets * r.dx * hopX.energy.value + r.packets * r.dy * hopY.energy.value;
    byCircuit.noc += e;
    layerCosts[layers[r.dstLayer].name].byCircuit.noc += e;
    noc.packetsSent += sent;
    noc.packetsReceived += r.packets;
    if (r.input) noc.inputPackets += r.packets;
    noc.hopsX += r.packets * r.dx;
    noc.hopsY += r.packets * r.dy;
  }
  for (const l of Object.values(layerCosts)) l.energyPJ = Object.values(l.byCircuit).reduce((a, b) => a + b, 0);

  // Cycles per step (the average model); time, barrier, static (time simulated per step when the run was timed).
  const cycles = averageCycles(activity, phase, model, mapping);
  const perStepS = timing ? timing.stepLatency.meanS : cycles.perStep.total / model.clock.value;
  const totalS = timing ? timing.totalS : steps * perStepS;
  const perSampleS = phase.samples > 0 ? totalS / phase.samples : 0;
  byCircuit.barrier = steps * model.barrier.energy.value;
  const coresCharged = model.static.appliesTo.value === 'all-cores' ? model.cores.count.value : mapping.cores.length;
  byCircuit.static = model.static.powerPerCore.value * 1e12 * coresCharged * totalS;

  const staticPJ = byCircuit.static;
  let dynamicPJ = 0;
  for (const c of CIRCUITS) if (c.name !== 'static') dynamicPJ += byCircuit[c.name];
  const totalPJ = dynamicPJ + staticPJ;
  const perSamplePJ = phase.samples > 0 ? totalPJ / phase.samples : 0;

  // Gating.
  let issued = 0, dense = 0, savedPJ = 0;
  const perGated = model.actions['learn.update'].totalEnergy + model.actions['synapse.write'].totalEnergy;
  for (const l of Object.values(layerCosts)) {
    issued += l.issued;
    dense += l.dense;
    savedPJ += l.gatedOff * perGated;
  }

  // NeuroBench.
  let acs = 0, macs = 0, updates = 0, spikes = 0, slots = 0;
  for (const layer of layers) {
    acs += count(phase, layer.name, 'dendrite.ac');
    macs += count(phase, layer.name, 'dendrite.mac');
    updates += count(phase, layer.name, 'neuron.update');
    if (!layer.readout) {
      spikes += count(phase, layer.name, 'neuron.spike');
      slots += layer.nOut * steps;
    }
  }
  const perSample = (x: number) => (phase.samples > 0 ? x / phase.samples : 0);
  const isTrain = name === 'train';

  return {
    samples: phase.samples,
    steps,
    learning: phase.learning,
    energy: {
      totalPJ, dynamicPJ, staticPJ, perSamplePJ,
      perEpochPJ: isTrain ? perSamplePJ * activity.samplesPerEpoch : null,
      byCircuit, byAction,
    },
    layers: layerCosts,
    cycles,
    latency: { kind: timing ? 'simulated' : 'average', perStepS, perSampleS, perEpochS: isTrain ? perSampleS * activity.samplesPerEpoch : null, totalS },
    timing: timing ?? null,
    noc,
    gating: { issued, dense, gatedOff: dense - issued, issuedFraction: dense > 0 ? issued / dense : null, savedPJ },
    neurobench: {
      synops: acs + macs, acs, macs, synopsPerSample: perSample(acs + macs),
      membraneUpdates: updates, membraneUpdatesPerSample: perSample(updates),
      activationSparsity: slots > 0 ? 1 - spikes / slots : null,
    },
  };
}

