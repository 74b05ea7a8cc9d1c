/**
 * Every figure of a cost report, declared once (name, unit, description), and the gem5-like
 * stats list (`--stats`): `name value # description (unit)`, one figure a line.
 */
import { ACTIONS, CIRCUITS, Circuit } from './actions.js';
import type { CostReport, LayerCost, PhaseCost, PhaseName } from './cost.js';
import { PHASE_NAMES } from './cost.js';

type Scope = 'run' | 'phase' | 'phase-circuit' | 'phase-action' | 'layer' | 'layer-circuit' | 'core';

interface FigureCtx { r: CostReport; p: PhaseCost; phase: PhaseName; layer: string; l: LayerCost; key: string; core?: number }

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
  F('{phase}.timing.steps', 'steps', 'time steps timed one by one on the mesh in the {phase} phase', 'phase', (x) => x.p.timing?.steps ?? null),
  F('{phase}.timing.step.mean', 's', 'simulated latency per {phase} step: mean', 'phase', (x) => x.p.timing?.stepLatency.meanS ?? null),
  F('{phase}.timing.step.p50', 's', 'simulated latency per {phase} step: median', 'phase', (x) => x.p.timing?.stepLatency.p50S ?? null),
  F('{phase}.timing.step.p99', 's', 'simulated latency per {phase} step: 99th percentile', 'phase', (x) => x.p.timing?.stepLatency.p99S ?? null),
  F('{phase}.timing.step.max', 's', 'simulated latency per {phase} step: maximum', 'phase', (x) => x.p.timing?.stepLatency.maxS ?? null),
  F('{phase}.timing.step.min', 's', 'simulated latency per {phase} step: minimum', 'phase', (x) => x.p.timing?.stepLatency.minS ?? null),
  F('{phase}.timing.step.forward', 's', 'mean per {phase} step of the slowest core\'s send/receive time', 'phase', (x) => x.p.timing?.meanPhasesS.forward ?? null),
  F('{phase}.timing.step.learning', 's', 'mean per {phase} step of the slowest core\'s learning time', 'phase', (x) => x.p.timing?.meanPhasesS.learning ?? null),
  F('{phase}.timing.barrier', 's', 'barrier per {phase} step for the tiles in use', 'phase', (x) => x.p.timing?.barrierS ?? null),
  F('{phase}.timing.tiles_used', 'tiles', 'tiles holding neurons (the barrier\'s size)', 'phase', (x) => x.p.timing?.tilesUsed ?? null),
  F('{phase}.timing.updates', 'updates', 'end-of-sample learning updates timed in the {phase} phase', 'phase', (x) => x.p.timing?.updates.count ?? null),
  F('{phase}.timing.update.mean', 's', 'mean latency of an end-of-sample learning update, {phase} phase', 'phase', (x) => x.p.timing?.updates.meanS ?? null),
  F('{phase}.timing.total', 's', 'simulated chip time of the {phase} phase (steps + updates)', 'phase', (x) => x.p.timing?.totalS ?? null),
  F('{phase}.timing.critical_core', 'core', 'the core most often the slowest in a {phase} step', 'phase', (x) => x.p.timing?.criticalCores[0]?.core ?? null),
  F('{phase}.timing.critical_core_fraction', 'ratio', 'fraction of {phase} steps in which that core was the slowest', 'phase', (x) => x.p.timing?.criticalCores[0]?.fraction ?? null),
  F('{phase}.timing.max_utilisation', 'ratio', 'busiest core\'s busy time / {phase} phase time', 'phase', (x) => (x.p.timing ? Math.max(0, ...x.p.timing.cores.map((c) => c.utilisation)) : null)),
  F('{phase}.timing.messages_per_step', 'messages', 'spike messages per {phase} step (input port included)', 'phase', (x) => x.p.timing?.messages.perStep ?? null),
  F('{phase}.timing.hottest_link.messages', 'messages', 'messages over the most loaded mesh link in the {phase} phase', 'phase', (x) => x.p.timing?.hottestLinks[0]?.messages ?? null),
  F('{phase}.timing.hottest_link.max_per_step', 'messages', 'most messages that link carried in one {phase} step', 'phase', (x) => x.p.timing?.hottestLinks[0]?.maxPerStep ?? null),
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

  F('core.{core}.{phase}.utilisation', 'ratio', 'core {core}: busy time / {phase} phase time (simulated)', 'core', (x) => x.p.timing?.cores[x.core as number]?.utilisation ?? null),
  F('core.{core}.{phase}.critical_steps', 'steps', 'core {core}: {phase} steps in which it was the slowest', 'core', (x) => x.p.timing?.cores[x.core as number]?.criticalSteps ?? null),
  F('layer.{layer}.{phase}.energy', 'pJ', 'dynamic energy of layer {layer} (its actions and its incoming NoC traffic), {phase} phase', 'layer', (x) => x.l.energyPJ),
  F('layer.{layer}.{phase}.energy.{circuit}', 'pJ', 'layer {layer}, {phase} energy: {description}', 'layer-circuit', (x) => x.l.byCircuit[x.key as Circuit]),
  F('layer.{layer}.{phase}.spikes', 'spikes', 'spikes of layer {layer} in the {phase} phase', 'layer', (x) => x.l.spikes),
  F('layer.{layer}.{phase}.activation_sparsity', 'ratio', '1 - spikes / (neurons x steps) of layer {layer}, {phase} phase', 'layer', (x) => x.l.activationSparsity),
  F('layer.{layer}.{phase}.synops', 'ops', 'effective synaptic operations of layer {layer}, {phase} phase', 'layer', (x) => x.l.synops),
  F('layer.{layer}.{phase}.learn.gated_off', 'events', 'update events of layer {layer} gated off, {phase} phase', 'layer', (x) => x.l.gatedOff),
];

export interface Figure { name: string; value: number; unit: string; description: string }

/** A layer name as a dotted-name component. */
export function nameSafe(s: string): string {
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
  for (let core = 0; core < r.mapping.cores.length; core++) {
    for (const phase of PHASE_NAMES) {
      const x = { ...base, p: r.phases[phase], phase, core };
      for (const d of FIGURES) if (d.scope === 'core') push(d, x, { phase, core: String(r.mapping.cores[core].index) });
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
