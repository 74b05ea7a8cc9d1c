/**
 * NoC traffic of a phase from its per-layer counts and the mapping (the average view used by
 * `ncsim cost`, the energy and the Accelergy counts): a spike of layer l-1 is one packet to every
 * core holding layer l (for a convolution or pooling layer l, to the cores whose neurons'
 * receptive fields contain it, reach.ts); input events are one packet from the input port, at
 * tile (0, 0), to every core holding layer 1 (likewise). A layer's spikes are split over its
 * cores in proportion to the neurons each holds, and over its neurons evenly (the activity has
 * per-layer counts, not per-neuron ones). Per-step routing on the mesh is src/timing's.
 */
import type { Activity, ActivityPhase } from './activity.js';
import type { Mapping } from './mapping.js';
import { convReach, ConvReach } from './reach.js';

/** A phase's count of an action in a layer (0 when not counted). */
export function count(phase: ActivityPhase, layer: string, action: string): number {
  return phase.counters[layer]?.[action] ?? 0;
}

/** A packet flow between two cores (src -1 = the input port at tile (0, 0)); `input`: it carries input events. */
export interface Route { src: number; dst: number; dstLayer: number; dx: number; dy: number; packets: number; input: boolean }

/**
 * Where input events enter the mesh (the model's `noc.inputSource`): "port", one input port at
 * tile (0, 0) (sending them is the host link's job); "cores", spike sources held by layer 1's
 * cores, input i on slice (i mod slices) of layer 1 — SANA-FE's set-ups map input neurons onto
 * cores — each core sending its inputs' messages like spikes (`packetSent` per destination core).
 */
export type InputSource = 'port' | 'cores';

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
export function nocRoutes(activity: Activity, phase: ActivityPhase, mapping: Mapping, split: Splitter = proportional, inputSource: InputSource = 'port'): Route[] {
  const routes: Route[] = [];
  const place = (c: number) => (c < 0 ? { x: 0, y: 0 } : mapping.cores[c]);
  const add = (src: number, dst: number, dstLayer: number, packets: number, input = false) => {
    if (packets === 0) return;
    const a = place(src), b = place(dst);
    routes.push({ src, dst, dstLayer, dx: Math.abs(a.x - b.x), dy: Math.abs(a.y - b.y), packets, input });
  };
  const layers = activity.layers;
  const reach = sliceReach(activity, mapping);
  // input events into layer 1 (a convolution's core gets those of its receptive fields only)
  const events = count(phase, layers[0].name, 'synapse.event');
  const first = mapping.layers[0].slices;
  if (inputSource === 'port') first.forEach((s, d) => add(-1, s.core, 0, events * (reach[0]?.[d].fraction ?? 1), true));
  else {
    // inputs spread evenly over layer 1's cores, each sending to the cores its events reach
    const shares = split(events, first.map(() => 1), first.length);
    first.forEach((from, k) => first.forEach((s, d) => add(from.core, s.core, 0, shares[k] * (reach[0]?.[d].fraction ?? 1), true)));
  }
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
