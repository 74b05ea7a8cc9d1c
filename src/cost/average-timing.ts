/**
 * The average timing model: cycles per time step from a phase's per-layer counts averaged over
 * its steps — what `ncsim cost` can still say about time for a run it did not simulate (the
 * per-step, per-core timing of src/timing needs the steps themselves).
 *
 * Per phase (routing, integration, neuron, learning):
 *   a core's cycles = its work per step / the model's lanes for the phase + the phase's fixed
 *   overhead, where its work = Σ over its slices and the phase's actions of its share of the
 *   layer's count per step x latency(action) (share = neurons held / nOut; a row activation,
 *   `synapse.event`, is done in full by every core of the layer it reaches); routing work =
 *   packets sent x latency(sent) + packets received x latency(received). The learning overhead
 *   is paid only in phases where the learning circuits ran.
 *   A step = the slowest core's cycles (summed over its phases) + routing latency (the longest
 *   route's X hops x latency(hopX) + Y hops x latency(hopY), when any packet moved) + barrier
 *   (the model's barrier for the tiles in use). The per-phase figures are the slowest core's,
 *   routing latency added to routing, so they sum to the step.
 */
import type { Activity, ActivityPhase } from './activity.js';
import { ACTIONS, PHASES, Phase } from './actions.js';
import type { HwModel } from './hwmodel.js';
import type { Mapping } from './mapping.js';
import { count, nocRoutes, sliceReach } from './noc.js';
import { barrierCycles } from '../timing/mesh.js';

export type StepCycles = Record<Phase | 'barrier' | 'total', number>;

export interface AverageCycles {
  /** The slowest core's cycles per phase (+ routing latency, + barrier). */
  perStep: StepCycles;
  routingLatency: number;
  criticalCore: number;
  perCore: ({ core: number } & Record<Phase | 'total', number>)[];
}

export function averageCycles(activity: Activity, phase: ActivityPhase, model: HwModel, mapping: Mapping): AverageCycles {
  const steps = phase.steps;
  const nCores = mapping.cores.length;
  const work = mapping.cores.map(() => ({ routing: 0, integration: 0, neuron: 0, learning: 0 } as Record<Phase, number>));
  const reach = sliceReach(activity, mapping);
  activity.layers.forEach((layer, li) => {
    const slices = mapping.layers[li].slices;
    const reached = slices.map((_, d) => reach[li]?.[d].fraction ?? 1);
    for (const a of ACTIONS) {
      const c = count(phase, layer.name, a.name);
      if (c === 0) continue;
      const lat = model.actions[a.name].latency.value;
      slices.forEach((s, d) => {
        work[s.core][a.phase] += (a.replicated ? c * reached[d] : (c * s.neurons) / layer.nOut) * lat;
      });
    }
  });
  const { packetSent, packetReceived, hopX, hopY } = model.noc;
  let routingLatency = 0;
  for (const r of nocRoutes(activity, phase, mapping, undefined, model.noc.inputSource.value)) {
    if (r.src >= 0) work[r.src].routing += r.packets * packetSent.latency.value;
    work[r.dst].routing += r.packets * packetReceived.latency.value;
    routingLatency = Math.max(routingLatency, r.dx * hopX.latency.value + r.dy * hopY.latency.value);
  }
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
  const tiles = new Set(mapping.cores.map((c) => c.tile)).size;
  const perStep: StepCycles = {
    routing: crit.routing + routingLatency,
    integration: crit.integration,
    neuron: crit.neuron,
    learning: crit.learning,
    barrier: barrierCycles(model, tiles),
    total: 0,
  };
  perStep.total = perStep.routing + perStep.integration + perStep.neuron + perStep.learning + perStep.barrier;
  return { perStep, routingLatency, criticalCore: critical, perCore };
}
