/**
 * Costing a run (CHIP-MODEL.md, "Counting, then costing"): the activity record says what the
 * chip did (action counts per layer and phase); a hardware model prices each action; this file
 * turns the two, plus the layers' mapping onto cores, into a CostReport — a plain JSON-able
 * object — and renders it as a gem5-like stats list and as Accelergy action counts.
 *
 * Energy (pJ), per phase (train, test), all linear in the counts:
 *   action energy  = count x E(action), and for `synapse.event` x the number of cores holding
 *                    the layer (each activates the presynaptic row in its own synapse memory);
 *   NoC energy     = packets sent x E(sent) + packets received x E(received)
 *                    + X hops x E(hopX) + Y hops x E(hopY);
 *   barrier energy = steps x E(barrier);
 *   static energy  = static power per core x cores charged x time (time = steps x step time).
 * NoC traffic follows the mapping: a spike of layer l-1 is one packet to every core holding
 * layer l (unicast, X then Y hops between tiles) — for a convolution or pooling layer l, to the
 * cores whose neurons' receptive fields contain it (reach.ts); input events are one packet from
 * the input port, at tile (0, 0), to every core holding layer 1 (likewise) (counted as received,
 * with their hops; sending them is the host link's job). A layer's spikes are split over its
 * cores in proportion to the neurons each holds, and over its neurons evenly (the activity has
 * per-layer counts, not per-neuron ones).
 *
 * Cycles per time step, per phase (routing, integration, neuron, learning):
 *   a core's cycles = its work per step / the model's lanes for the phase + the phase's fixed
 *   overhead, where its work = Σ over its slices and the phase's actions of its share of the
 *   layer's count per step x latency(action) (share = neurons held / nOut; a row activation,
 *   `synapse.event`, is done in full by every core of the layer it reaches); routing work = packets sent x
 *   latency(sent) + packets received x latency(received). The learning overhead is paid only
 *   in phases where the learning circuits ran.
 *   A step = the slowest core's cycles (summed over its phases) + routing latency (the longest
 *   route's X hops x latency(hopX) + Y hops x latency(hopY), when any packet moved) + barrier.
 *   The per-phase figures are the slowest core's, routing latency added to routing, so they sum
 *   to the step. Step time = cycles / clock; per sample = steps / samples x step time.
 *
 * Learning-circuit gating: events gated off = learn.dense - learn.update; energy saved =
 * gated-off events x (E(learn.update) + E(synapse.write)).
 *
 * NeuroBench-style figures: effective synaptic operations = ACs + MACs; activation sparsity of
 * a spiking layer = 1 - spikes / (neurons x steps) (readouts have none); membrane updates =
 * neuron.update; memory footprint = weights at the model's weight bits + a bias and a threshold
 * per neuron at the model's state bits, and the rule's learning state. A convolution (activity
 * layer with `conv`) stores its shared weights once, K*C*kh*kw (the `weights` of its record), and
 * one bias per output channel; its mapping splits channels (then positions) over cores, each core
 * storing the weights of the channels it holds (mapping.ts). Its counts are priced as a dense
 * layer's: `synapse.read` is one per (event, output neuron reached), `synapse.event` one per
 * presynaptic event, activating rows on the cores of the layer whose receptive fields hold it
 * (on a core, the event's share of the layer's events is the fraction of presynaptic neurons
 * that project into the core, reach.ts).
 */
import type { Activity, ActivityPhase } from './activity.js';
import { ACTIONS, CIRCUITS, Circuit, PHASES, Phase, UNPRICED } from './actions.js';
import type { HwModel } from './hwmodel.js';
import { Mapping, mapActivity } from './mapping.js';
import { convWeightCount } from '../reference/conv.js';
import { convReach, ConvReach } from './reach.js';

export const COST_SCHEMA = 'ncsim.cost/1';

export type PhaseName = 'train' | 'test';
export const PHASE_NAMES: readonly PhaseName[] = ['train', 'test'];

export type StepCycles = Record<Phase | 'barrier' | 'total', number>;

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
  cycles: {
    /** The slowest core's cycles per phase (+ routing latency, + barrier). */
    perStep: StepCycles;
    routingLatency: number;
    criticalCore: number;
    perCore: ({ core: number } & Record<Phase | 'total', number>)[];
  };
  latency: { perStepS: number; perSampleS: number; perEpochS: number | null; totalS: number };
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
  model: { name: string; description: string; path: string; clockHz: number };
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

// ---------------------------------------------------------------------------------------------

const zeroCircuits = (): Record<Circuit, number> =>
  Object.fromEntries(CIRCUITS.map((c) => [c.name, 0])) as Record<Circuit, number>;

function count(phase: ActivityPhase, layer: string, action: string): number {
  return phase.counters[layer]?.[action] ?? 0;
}

/** A packet flow between two cores (src -1 = the input port at tile (0, 0)). */
export interface Route { src: number; dst: number; dstLayer: number; dx: number; dy: number; packets: number }

/** Splits a layer's count over its slices (by default in proportion to neurons held). */
export type Splitter = (total: number, neurons: readonly number[], nOut: number) => number[];

export const proportional: Splitter = (total, neurons, nOut) => neurons.map((k) => (total * k) / nOut);

/** Integer split summing exactly to `total` (largest remainders), for whole per-core counts. */
export const apportion: Splitter = (total, neurons, nOut) => {
  if (!Number.isInteger(total)) return proportional(total, neurons, nOut);
  const exact = neurons.map((k) => (total * k) / nOut);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    out[i] += 1;
    left -= 1;
  }
  return out;
};

/** The NoC flows of one phase, from the mapping. */
export function nocRoutes(activity: Activity, phase: ActivityPhase, mapping: Mapping, split: Splitter = proportional): Route[] {
  const routes: Route[] = [];
  const place = (c: number) => (c < 0 ? { x: 0, y: 0 } : mapping.cores[c]);
  const add = (src: number, dst: number, dstLayer: number, packets: number) => {
    if (packets === 0) return;
    const a = place(src), b = place(dst);
    routes.push({ src, dst, dstLayer, dx: Math.abs(a.x - b.x), dy: Math.abs(a.y - b.y), packets });
  };
  const layers = activity.layers;
  const reach = sliceReach(activity, mapping);
  // input events into layer 1 (a convolution's core gets those of its receptive fields only)
  const events = count(phase, layers[0].name, 'synapse.event');
  mapping.layers[0].slices.forEach((s, d) => add(-1, s.core, 0, events * (reach[0]?.[d].fraction ?? 1)));
  // spikes of layer l-1 into layer l
  for (let l = 1; l < layers.length; l++) {
    const from = mapping.layers[l - 1];
    const spikes = count(phase, layers[l - 1].name, 'neuron.spike');
    const shares = split(spikes, from.slices.map((s) => s.neurons), layers[l - 1].nOut);
    from.slices.forEach((s, i) => {
      mapping.layers[l].slices.forEach((d, j) => {
        const r = reach[l]?.[j];
        add(s.core, d.core, l, r ? shares[i] * (r.reached(s.firstNeuron, s.neurons) / s.neurons) : shares[i]);
      });
    });
  }
  return routes;
}

/**
 * Per layer, per slice of a convolution: which presynaptic neurons project into it (reach.ts);
 * undefined for a dense layer (every core of it needs every spike). A layer's spikes and events
 * are taken as spread evenly over its neurons (the activity has per-layer counts only).
 */
export function sliceReach(activity: Activity, mapping: Mapping): (ConvReach[] | undefined)[] {
  return activity.layers.map((l, li) => {
    const g = l.conv;
    return g ? mapping.layers[li].slices.map((s) => convReach(g, s.firstNeuron, s.neurons)) : undefined;
  });
}

function costPhase(activity: Activity, name: PhaseName, phase: ActivityPhase, model: HwModel, mapping: Mapping): PhaseCost {
  const steps = phase.steps;
  const layers = activity.layers;
  const byCircuit = zeroCircuits();
  const byAction: Record<string, number> = Object.fromEntries(ACTIONS.map((a) => [a.name, 0]));
  const layerCosts: Record<string, LayerCost> = {};
  const nCores = mapping.cores.length;
  const work = mapping.cores.map(() => ({ routing: 0, integration: 0, neuron: 0, learning: 0 } as Record<Phase, number>));

  // Actions: energy and per-core work.
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
      slices.forEach((s, d) => {
        work[s.core][a.phase] += (a.replicated ? c * reached[d] : (c * s.neurons) / layer.nOut) * price.latency.value;
      });
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
  let routingLatency = 0;
  for (const r of nocRoutes(activity, phase, mapping)) {
    const sent = r.src >= 0 ? r.packets : 0;
    const e = sent * packetSent.energy.value + r.packets * packetReceived.energy.value
      + r.packets * r.dx * hopX.energy.value + r.packets * r.dy * hopY.energy.value;
    byCircuit.noc += e;
    layerCosts[layers[r.dstLayer].name].byCircuit.noc += e;
    noc.packetsSent += sent;
    noc.packetsReceived += r.packets;
    if (r.src < 0) noc.inputPackets += r.packets;
    noc.hopsX += r.packets * r.dx;
    noc.hopsY += r.packets * r.dy;
    if (r.src >= 0) work[r.src].routing += r.packets * packetSent.latency.value;
    work[r.dst].routing += r.packets * packetReceived.latency.value;
    routingLatency = Math.max(routingLatency, r.dx * hopX.latency.value + r.dy * hopY.latency.value);
  }
  for (const l of Object.values(layerCosts)) l.energyPJ = Object.values(l.byCircuit).reduce((a, b) => a + b, 0);

  // Cycles per step.
  const perCore = work.map((w, core) => {
    const row = { core } as { core: number } & Record<Phase | 'total', number>;
    let total = 0;
    for (const ph of PHASES) {
      const overhead = ph === 'learning' && !phase.learning ? 0 : model.overheads[ph].value;
      row[ph] = (steps > 0 ? w[ph] / steps : 0) / model.cores.lanes[ph].value + overhead;
      total += row[ph];
    }
    row.total = total;
    return row;
  });
  let critical = 0;
  for (let c = 1; c < nCores; c++) if (perCore[c].total > perCore[critical].total) critical = c;
  const crit = perCore[critical];
  const perStep: StepCycles = {
    routing: crit.routing + routingLatency,
    integration: crit.integration,
    neuron: crit.neuron,
    learning: crit.learning,
    barrier: model.barrier.latency.value,
    total: 0,
  };
  perStep.total = perStep.routing + perStep.integration + perStep.neuron + perStep.learning + perStep.barrier;

  // Time, barrier, static.
  const perStepS = perStep.total / model.clock.value;
  const totalS = steps * perStepS;
  const perSampleS = phase.samples > 0 ? totalS / phase.samples : 0;
  byCircuit.barrier = steps * model.barrier.energy.value;
  const coresCharged = model.static.appliesTo.value === 'all-cores' ? model.cores.count.value : nCores;
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
    cycles: { perStep, routingLatency, criticalCore: critical, perCore },
    latency: { perStepS, perSampleS, perEpochS: isTrain ? perSampleS * activity.samplesPerEpoch : null, totalS },
    noc,
    gating: { issued, dense, gatedOff: dense - issued, issuedFraction: dense > 0 ? issued / dense : null, savedPJ },
    neurobench: {
      synops: acs + macs, acs, macs, synopsPerSample: perSample(acs + macs),
      membraneUpdates: updates, membraneUpdatesPerSample: perSample(updates),
      activationSparsity: slots > 0 ? 1 - spikes / slots : null,
    },
  };
}

/** Cost a run's activity on a hardware model (mapping the layers first, unless given). */
export function costRun(activity: Activity, model: HwModel, mapping: Mapping = mapActivity(activity.layers, model)): CostReport {
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
    model: { name: model.name, description: model.description, path: model.path, clockHz: model.clock.value },
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
      train: costPhase(activity, 'train', activity.phases.train, model, mapping),
      test: costPhase(activity, 'test', activity.phases.test, model, mapping),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Every figure, declared once (name, unit, description), for the stats list.

type Scope = 'run' | 'phase' | 'phase-circuit' | 'phase-action' | 'layer' | 'layer-circuit';

interface FigureCtx { r: CostReport; p: PhaseCost; phase: PhaseName; layer: string; l: LayerCost; key: string }

export interface FigureDef {
  /** Dotted name; `{phase}`, `{layer}`, `{circuit}`, `{action}` are filled in. */
  name: string;
  unit: string;
  description: string;
  scope: Scope;
  /** Train only (per-epoch figures). */
  trainOnly?: boolean;
  get: (x: FigureCtx) => number | null;
}

const F = (name: string, unit: string, description: string, scope: Scope, get: FigureDef['get'], trainOnly = false): FigureDef =>
  ({ name, unit, description, scope, get, trainOnly });

export const FIGURES: readonly FigureDef[] = [
  F('model.clock', 'Hz', 'clock of the hardware model', 'run', (x) => x.r.model.clockHz),
  F('mapping.cores_available', 'cores', 'cores on the chip', 'run', (x) => x.r.mapping.coresAvailable),
  F('mapping.cores_used', 'cores', 'cores holding at least one neuron', 'run', (x) => x.r.mapping.coresUsed),
  F('mapping.cores_charged', 'cores', 'cores whose static power is paid', 'run', (x) => x.r.mapping.coresCharged),
  F('memory.weights', 'B', 'weights at the model\'s weight bits', 'run', (x) => x.r.memory.weightBytes),
  F('memory.neuron_parameters', 'B', 'a bias and a threshold per neuron at the model\'s state bits', 'run', (x) => x.r.memory.neuronParameterBytes),
  F('memory.parameters', 'B', 'memory footprint of the parameters (weights + neuron parameters)', 'run', (x) => x.r.memory.parameterBytes),
  F('memory.learning_state', 'B', 'learning state kept by the rule (traces, stored states, accumulators)', 'run', (x) => x.r.memory.learningStateBytes),
  F('memory.total', 'B', 'parameters + learning state', 'run', (x) => x.r.memory.totalBytes),
  F('host.teacher_flops_per_sample', 'FLOP', 'ANN teacher FLOPs per training sample on the host', 'run', (x) => x.r.host.teacherFlopsPerSample),
  F('host.energy_per_sample', 'pJ', 'host energy of the teacher per training sample', 'run', (x) => x.r.host.energyPerSamplePJ),
  F('host.seconds_per_sample', 's', 'host time of the teacher per training sample', 'run', (x) => x.r.host.secondsPerSample),
  F('link.bytes_per_sample', 'B', 'bytes over the host link per training sample (both ways)', 'run', (x) => x.r.link.bytesPerSample),
  F('link.energy_per_sample', 'pJ', 'link energy per training sample', 'run', (x) => x.r.link.energyPerSamplePJ),
  F('link.seconds_per_sample', 's', 'link time per training sample (bytes / bandwidth + latency per transfer)', 'run', (x) => x.r.link.secondsPerSample),

  F('{phase}.samples', 'samples', 'samples simulated in the {phase} phase', 'phase', (x) => x.p.samples),
  F('{phase}.steps', 'steps', 'time steps simulated in the {phase} phase', 'phase', (x) => x.p.steps),
  F('{phase}.energy.total', 'pJ', 'chip energy of the {phase} phase (dynamic + static)', 'phase', (x) => x.p.energy.totalPJ),
  F('{phase}.energy.dynamic', 'pJ', 'dynamic chip energy of the {phase} phase (actions, NoC, barrier)', 'phase', (x) => x.p.energy.dynamicPJ),
  F('{phase}.energy.per_sample', 'pJ', 'chip energy per {phase} sample', 'phase', (x) => x.p.energy.perSamplePJ),
  F('{phase}.energy.per_epoch', 'pJ', 'chip energy per training epoch', 'phase', (x) => x.p.energy.perEpochPJ, true),
  F('{phase}.energy.{circuit}', 'pJ', '{phase} energy: {description}', 'phase-circuit', (x) => x.p.energy.byCircuit[x.key as Circuit]),
  F('{phase}.energy.action.{action}', 'pJ', '{phase} energy of {action} actions', 'phase-action', (x) => x.p.energy.byAction[x.key]),
  F('{phase}.cycles.step.routing', 'cycles', 'cycles per {phase} step: spike routing on the slowest core + routing latency', 'phase', (x) => x.p.cycles.perStep.routing),
  F('{phase}.cycles.step.integration', 'cycles', 'cycles per {phase} step: synaptic integration on the slowest core', 'phase', (x) => x.p.cycles.perStep.integration),
  F('{phase}.cycles.step.neuron', 'cycles', 'cycles per {phase} step: neuron update on the slowest core', 'phase', (x) => x.p.cycles.perStep.neuron),
  F('{phase}.cycles.step.learning', 'cycles', 'cycles per {phase} step: learning on the slowest core', 'phase', (x) => x.p.cycles.perStep.learning),
  F('{phase}.cycles.step.barrier', 'cycles', 'cycles per {phase} step: time-step barrier', 'phase', (x) => x.p.cycles.perStep.barrier),
  F('{phase}.cycles.step.total', 'cycles', 'cycles per {phase} step', 'phase', (x) => x.p.cycles.perStep.total),
  F('{phase}.cycles.routing_latency', 'cycles', 'longest route\'s hop latency in the {phase} phase', 'phase', (x) => x.p.cycles.routingLatency),
  F('{phase}.cycles.critical_core', 'core', 'index of the slowest core in the {phase} phase', 'phase', (x) => x.p.cycles.criticalCore),
  F('{phase}.latency.step', 's', 'time per {phase} step at the model\'s clock', 'phase', (x) => x.p.latency.perStepS),
  F('{phase}.latency.per_sample', 's', 'chip time per {phase} sample', 'phase', (x) => x.p.latency.perSampleS),
  F('{phase}.latency.per_epoch', 's', 'chip time per training epoch', 'phase', (x) => x.p.latency.perEpochS, true),
  F('{phase}.latency.total', 's', 'chip time of the {phase} phase', 'phase', (x) => x.p.latency.totalS),
  F('{phase}.noc.packets_sent', 'packets', 'spike packets sent by cores in the {phase} phase', 'phase', (x) => x.p.noc.packetsSent),
  F('{phase}.noc.packets_received', 'packets', 'packets received by cores (input events included) in the {phase} phase', 'phase', (x) => x.p.noc.packetsReceived),
  F('{phase}.noc.input_packets', 'packets', 'input-event packets from the input port in the {phase} phase', 'phase', (x) => x.p.noc.inputPackets),
  F('{phase}.noc.hops_x', 'hops', 'packet hops along X in the {phase} phase', 'phase', (x) => x.p.noc.hopsX),
  F('{phase}.noc.hops_y', 'hops', 'packet hops along Y in the {phase} phase', 'phase', (x) => x.p.noc.hopsY),
  F('{phase}.learn.issued', 'events', 'update events issued (learn.update) in the {phase} phase', 'phase', (x) => x.p.gating.issued),
  F('{phase}.learn.dense', 'events', 'update events a dense rule would issue in the {phase} phase', 'phase', (x) => x.p.gating.dense),
  F('{phase}.learn.gated_off', 'events', 'update events gated off (dense - issued) in the {phase} phase', 'phase', (x) => x.p.gating.gatedOff),
  F('{phase}.learn.issued_fraction', 'ratio', 'issued / dense in the {phase} phase', 'phase', (x) => x.p.gating.issuedFraction),
  F('{phase}.learn.energy_saved', 'pJ', 'energy the gates saved: gated-off events x (update + write energy)', 'phase', (x) => x.p.gating.savedPJ),
  F('{phase}.neurobench.synops', 'ops', 'effective synaptic operations (ACs + MACs) in the {phase} phase', 'phase', (x) => x.p.neurobench.synops),
  F('{phase}.neurobench.acs', 'ops', 'accumulates (spike inputs) in the {phase} phase', 'phase', (x) => x.p.neurobench.acs),
  F('{phase}.neurobench.macs', 'ops', 'multiply-accumulates (analog inputs) in the {phase} phase', 'phase', (x) => x.p.neurobench.macs),
  F('{phase}.neurobench.synops_per_sample', 'ops', 'effective synaptic operations per {phase} sample', 'phase', (x) => x.p.neurobench.synopsPerSample),
  F('{phase}.neurobench.membrane_updates', 'updates', 'membrane (soma) updates in the {phase} phase', 'phase', (x) => x.p.neurobench.membraneUpdates),
  F('{phase}.neurobench.membrane_updates_per_sample', 'updates', 'membrane updates per {phase} sample', 'phase', (x) => x.p.neurobench.membraneUpdatesPerSample),
  F('{phase}.neurobench.activation_sparsity', 'ratio', '1 - spikes / (neurons x steps) over the spiking layers, {phase} phase', 'phase', (x) => x.p.neurobench.activationSparsity),

  F('layer.{layer}.{phase}.energy', 'pJ', 'dynamic energy of layer {layer} (its actions and its incoming NoC traffic), {phase} phase', 'layer', (x) => x.l.energyPJ),
  F('layer.{layer}.{phase}.energy.{circuit}', 'pJ', 'layer {layer}, {phase} energy: {description}', 'layer-circuit', (x) => x.l.byCircuit[x.key as Circuit]),
  F('layer.{layer}.{phase}.spikes', 'spikes', 'spikes of layer {layer} in the {phase} phase', 'layer', (x) => x.l.spikes),
  F('layer.{layer}.{phase}.activation_sparsity', 'ratio', '1 - spikes / (neurons x steps) of layer {layer}, {phase} phase', 'layer', (x) => x.l.activationSparsity),
  F('layer.{layer}.{phase}.synops', 'ops', 'effective synaptic operations of layer {layer}, {phase} phase', 'layer', (x) => x.l.synops),
  F('layer.{layer}.{phase}.learn.gated_off', 'events', 'update events of layer {layer} gated off, {phase} phase', 'layer', (x) => x.l.gatedOff),
];

export interface Figure { name: string; value: number; unit: string; description: string }

/** A layer name as a dotted-name component. */
function nameSafe(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

const LAYER_CIRCUITS = CIRCUITS.filter((c) => c.name !== 'barrier' && c.name !== 'static');

/** Every figure of a report, in table order (figures with no value, e.g. a readout's sparsity, left out). */
export function figures(r: CostReport): Figure[] {
  const out: Figure[] = [];
  const push = (d: FigureDef, x: FigureCtx, subs: Record<string, string>) => {
    const value = d.get(x);
    if (value === null || value === undefined) return;
    const fill = (s: string) => s.replace(/\{(\w+)\}/g, (_, k: string) => subs[k] ?? `{${k}}`);
    out.push({ name: fill(d.name), value, unit: d.unit, description: fill(d.description) });
  };
  const base = { r, p: undefined as unknown as PhaseCost, phase: 'train' as PhaseName, layer: '', l: undefined as unknown as LayerCost, key: '' };
  // Run figures, then each phase's figures, then each layer's (by layer, then phase).
  for (const d of FIGURES) if (d.scope === 'run') push(d, base, {});
  for (const phase of PHASE_NAMES) {
    const x = { ...base, p: r.phases[phase], phase };
    for (const d of FIGURES) {
      if (d.trainOnly && phase !== 'train') continue;
      if (d.scope === 'phase') push(d, x, { phase });
      else if (d.scope === 'phase-circuit') for (const c of CIRCUITS) push(d, { ...x, key: c.name }, { phase, circuit: c.name, description: c.description });
      else if (d.scope === 'phase-action') for (const a of ACTIONS) push(d, { ...x, key: a.name }, { phase, action: a.name });
    }
  }
  for (const name of Object.keys(r.phases.train.layers)) {
    const layer = nameSafe(name);
    for (const phase of PHASE_NAMES) {
      const p = r.phases[phase];
      const lx = { ...base, p, phase, layer: name, l: p.layers[name] };
      for (const d of FIGURES) {
        if (d.scope === 'layer') push(d, lx, { phase, layer });
        else if (d.scope === 'layer-circuit') for (const c of LAYER_CIRCUITS) push(d, { ...lx, key: c.name }, { phase, layer, circuit: c.name, description: c.description });
      }
    }
  }
  return out;
}

/** A number as written in the stats list: integers whole, others to 12 significant digits. */
export function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(12)));
}

/** gem5-like flat stats: `name value # description (unit)`, one figure a line. */
export function statsLines(r: CostReport): string {
  const fs = figures(r);
  const w0 = Math.max(...fs.map((f) => f.name.length));
  const vals = fs.map((f) => formatValue(f.value));
  const w1 = Math.max(...vals.map((v) => v.length));
  const head = [
    '---------- Begin ncsim cost statistics ----------',
    `# model ${r.model.name}, rule ${r.run.rule}, T = ${r.run.timeWindow}`,
  ];
  const lines = fs.map((f, i) => `${f.name.padEnd(w0)}  ${vals[i].padStart(w1)}  # ${f.description} (${f.unit})`);
  return [...head, ...lines, '---------- End ncsim cost statistics ----------'].join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------
// Accelergy action counts

/**
 * The activity's action counts per component instance in Accelergy's `action_counts` YAML shape
 * (written by hand: the shape is a fixed two-level list). Components: `core[i].<circuit>` with
 * the counter's second part as action (`synapse.read` -> component `synapse`, action `read`),
 * `core[i].router` (send, receive), `noc` (hop_x, hop_y) and `barrier` (sync, once per step).
 * A layer's counts are split over its cores as whole numbers (largest remainders, so the
 * per-core counts sum exactly to the layer's); a row activation (`synapse.event`) is counted
 * in full on every core of the layer. `phase` picks the train or test counts, or their sum.
 */
export function accelergyActionCounts(activity: Activity, mapping: Mapping, phase: PhaseName | 'all' = 'all'): string {
  const chip = nameSafe(mapping.capacity.chip);
  const comps = new Map<string, Map<string, number>>();
  const add = (comp: string, action: string, n: number) => {
    if (n === 0) return;
    let m = comps.get(comp);
    if (!m) comps.set(comp, (m = new Map()));
    m.set(action, (m.get(action) ?? 0) + n);
  };
  const phases = phase === 'all' ? PHASE_NAMES : [phase];
  let steps = 0;
  for (const pn of phases) {
    const ph = activity.phases[pn];
    steps += ph.steps;
    activity.layers.forEach((layer, li) => {
      const slices = mapping.layers[li].slices;
      for (const a of ACTIONS) {
        const c = count(ph, layer.name, a.name);
        if (c === 0) continue;
        const dot = a.name.indexOf('.');
        const comp = a.name.slice(0, dot), action = a.name.slice(dot + 1);
        const parts = a.replicated ? slices.map(() => c) : apportion(c, slices.map((s) => s.neurons), layer.nOut);
        slices.forEach((s, i) => add(`core[${s.core}].${comp}`, action, parts[i]));
      }
    });
    for (const r of nocRoutes(activity, ph, mapping, apportion)) {
      if (r.src >= 0) add(`core[${r.src}].router`, 'send', r.packets);
      add(`core[${r.dst}].router`, 'receive', r.packets);
      add('noc', 'hop_x', r.packets * r.dx);
      add('noc', 'hop_y', r.packets * r.dy);
    }
  }
  add('barrier', 'sync', steps);

  const order = (name: string): [number, number, string] => {
    const m = /^core\[(\d+)\]\.(.*)$/.exec(name);
    return m ? [0, Number(m[1]), m[2]] : [1, 0, name];
  };
  const names = [...comps.keys()].sort((a, b) => {
    const x = order(a), y = order(b);
    return x[0] - y[0] || x[1] - y[1] || x[2].localeCompare(y[2]);
  });
  const lines = [
    `# Accelergy action counts written by ncsim: rule ${activity.rule}, phase ${phase}, chip ${mapping.capacity.chip}`,
    'action_counts:',
    "  version: '0.4'",
    '  local:',
  ];
  for (const n of names) {
    lines.push(`  - name: system.${chip}.${n}`);
    lines.push('    action_counts:');
    for (const [action, c] of comps.get(n) as Map<string, number>) {
      lines.push(`    - name: ${action}`);
      lines.push(`      counts: ${formatValue(c)}`);
    }
  }
  return lines.join('\n') + '\n';
}
