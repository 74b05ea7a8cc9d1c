/**
 * Mapping a network's layers onto a chip's cores (CHIP-MODEL.md, "Time"): each core holds at
 * most `neuronsPerCore` neurons, `synapseMemoryPerCore` bytes of weights (a neuron's fan-in,
 * nIn weights at the model's weight bits) and `memory.learning.bytesPerCore` bytes of learning
 * state (the layer's `learningStateBytes`, shared evenly by its neurons).
 *
 * Placement is greedy and in order: layers are taken in network order, each layer's neurons in
 * index order, and cores in index order; a layer fills what is left of the current core, then
 * spills onto the next ones (split by output neurons). By default (policy "pack") the next
 * layer starts in the space left on the last core, so small layers share a core, as on a
 * single-core edge chip; policy "layer-per-core" starts every layer on a fresh core. Cores sit
 * on the mesh in row-major tile order: core c is on tile floor(c / coresPerTile), at
 * x = tile mod meshX, y = floor(tile / meshX).
 *
 * Bytes are whole: a slice of k neurons of a layer takes ceil(k x nIn x weightBits / 8) bytes of
 * synapse memory and ceil(k x learningStateBytes / nOut) bytes of learning memory, so no core is
 * ever over capacity (a property test checks it). A network that does not fit is refused with a
 * `MappingError` (an InputError: exit status 2) naming the layer and by how much it overflows.
 * Biases and thresholds are kept with the neuron state, not in synapse memory.
 *
 * Convolutions share their weights: output channel k's neurons (positions) all use the same
 * C x kh x kw weights (depthwise: kh x kw). A layer is split over cores by output channels —
 * a core holding some channels stores those channels' weights, K_part x C x kh x kw — and, when
 * one channel's positions do not fit a core, by positions: each core holding part of a channel
 * stores that channel's weights (a copy). So a slice of a convolution takes
 * ceil(channels it touches x C x kh x kw x weightBits / 8) bytes of synapse memory (neurons are
 * channel-major, so a channel is a contiguous range of neurons). Placement takes whole channels
 * when one fits, else part of one, and finishes a channel begun on another core first; what one
 * core gets of one layer is one slice (a channel's tail and the channels after it together).
 */
import { InputError } from '../io/errors.js';
import type { ActivityLayer } from './activity.js';
import type { HwModel } from './hwmodel.js';
import type { ConvGeometry } from '../model/types.js';
import { convFanIn } from '../reference/conv.js';

export interface ChipCapacity {
  /** Model name, for messages. */
  chip: string;
  cores: number;
  neuronsPerCore: number;
  synapseBytesPerCore: number;
  learningBytesPerCore: number;
  weightBits: number;
  mesh: { x: number; y: number; coresPerTile: number };
}

export interface MapLayer {
  name: string; nIn: number; nOut: number; learningStateBytes: number;
  /** A convolution: shared weights, neurons channel-major (see the header). */
  conv?: ConvGeometry;
}

export interface CoreSlice {
  /** Index of the layer in the network. */
  layer: number;
  name: string;
  firstNeuron: number;
  neurons: number;
  synapseBytes: number;
  learningBytes: number;
}

export interface MappedCore {
  index: number;
  tile: number;
  x: number;
  y: number;
  slices: CoreSlice[];
  neurons: number;
  synapseBytes: number;
  learningBytes: number;
}

export interface LayerPlacement {
  name: string;
  nOut: number;
  /** The cores holding the layer, in neuron order, with how many of its neurons each holds. */
  slices: { core: number; firstNeuron: number; neurons: number }[];
}

export interface Mapping {
  capacity: ChipCapacity;
  /** The cores used (index 0..coresUsed-1), each with the slices it holds. */
  cores: MappedCore[];
  layers: LayerPlacement[];
}

export function capacityOf(m: HwModel): ChipCapacity {
  return {
    chip: m.name,
    cores: m.cores.count.value,
    neuronsPerCore: m.cores.neuronsPerCore.value,
    synapseBytesPerCore: m.cores.synapseMemoryPerCore.value,
    learningBytesPerCore: m.memory.learning.bytesPerCore.value,
    weightBits: m.bits.weight.value,
    mesh: { x: m.noc.mesh.x.value, y: m.noc.mesh.y.value, coresPerTile: m.noc.mesh.coresPerTile.value },
  };
}

/** Where core `index` sits on the mesh. */
export function corePlace(cap: ChipCapacity, index: number): { tile: number; x: number; y: number } {
  const tile = Math.floor(index / cap.mesh.coresPerTile);
  return { tile, x: tile % cap.mesh.x, y: Math.floor(tile / cap.mesh.x) };
}

export type OverflowResource = 'neurons' | 'synapse memory' | 'learning memory' | 'cores';

/** A layer that does not fit the chip. An InputError: the CLI exits with status 2. */
export class MappingError extends InputError {
  constructor(
    readonly layer: string,
    readonly resource: OverflowResource,
    readonly overflow: { neurons: number; synapseBytes: number; learningBytes: number },
    message: string,
  ) {
    super(layer, 'a layer that fits the chip', undefined, { kind: 'network layer', showGot: false });
    this.message = message;
  }
}

const n = (x: number) => x.toLocaleString('en-US');

export interface MapOptions {
  /**
   * "pack" (default): a layer starts in the space left on the previous layer's last core, so
   * small layers share cores (fewest cores). "layer-per-core": every layer starts on a fresh
   * core (no core holds two layers; more cores, shorter steps). "spread": every layer starts on
   * a fresh core and gets a share of the chip's cores in proportion to its synapses (its work),
   * so that the slowest core, which sets the step time, holds as little work as the chip allows.
   */
  policy?: 'pack' | 'layer-per-core' | 'spread';
}

/** Map layers onto cores; throws MappingError when the network does not fit. */
export function mapLayers(layers: readonly MapLayer[], cap: ChipCapacity, options: MapOptions = {}): Mapping {
  const pack = (options.policy ?? 'pack') === 'pack';
  // "spread": at most ceil(nOut / share) neurons of a layer per core, share ∝ the layer's synapses.
  const synapses = layers.map((l) => (l.conv ? l.nOut * convFanIn(l.conv) : l.nIn * l.nOut));
  const totalSynapses = synapses.reduce((a, b) => a + b, 0) || 1;
  const spreadCap = layers.map((l, i) => options.policy === 'spread'
    ? Math.ceil(l.nOut / Math.max(1, Math.floor((cap.cores * synapses[i]) / totalSynapses)))
    : Infinity);
  const cores: MappedCore[] = [];
  const placements: LayerPlacement[] = [];
  let current = -1; // index of the core being filled

  const open = (): MappedCore => {
    current += 1;
    const core: MappedCore = { index: current, ...corePlace(cap, current), slices: [], neurons: 0, synapseBytes: 0, learningBytes: 0 };
    cores.push(core);
    return core;
  };

  layers.forEach((layer, li) => {
    const g = layer.conv;
    // Dense: a neuron's fan-in weights. Convolution: one output channel's shared weights.
    const bitsPerNeuron = g ? 0 : layer.nIn * cap.weightBits;
    const P = g ? g.height * g.width : 1;
    const bitsPerChannel = g ? convFanIn(g) * cap.weightBits : 0;
    const L = layer.learningStateBytes;
    /** Synapse bytes of neurons [first, first + k) of the layer. */
    const sliceBytes = (first: number, k: number): number => {
      if (!g) return Math.ceil((k * bitsPerNeuron) / 8);
      if (k <= 0) return 0;
      const channels = Math.floor((first + k - 1) / P) - Math.floor(first / P) + 1;
      return Math.ceil((channels * bitsPerChannel) / 8);
    };
    /** Neurons of the layer, from `first` on, that fit what is left of the core. */
    const fit = (core: MappedCore, first: number): number => {
      let k = cap.neuronsPerCore - core.neurons;
      if (L > 0) k = Math.min(k, Math.floor(((cap.learningBytesPerCore - core.learningBytes) * layer.nOut) / L));
      const synLeft = cap.synapseBytesPerCore - core.synapseBytes;
      if (!g) {
        if (bitsPerNeuron > 0) k = Math.min(k, Math.floor((synLeft * 8) / bitsPerNeuron));
        return Math.max(0, k);
      }
      if (k <= 0 || Math.ceil(bitsPerChannel / 8) > synLeft) return 0;
      const off = first % P;
      if (off > 0) return Math.min(k, P - off); // finish the channel begun on another core
      const whole = Math.min(Math.floor(k / P), bitsPerChannel > 0 ? Math.floor((synLeft * 8) / bitsPerChannel) : Infinity);
      return whole >= 1 ? whole * P : Math.min(k, P); // whole channels, else part of one
    };
    const empty: MappedCore = { index: -1, tile: 0, x: 0, y: 0, slices: [], neurons: 0, synapseBytes: 0, learningBytes: 0 };
    const perCore = fit(empty, 0);
    const oneSyn = g ? Math.ceil(bitsPerChannel / 8) : Math.ceil(bitsPerNeuron / 8);
    const oneLearn = Math.ceil(L / layer.nOut);
    if (perCore === 0) {
      // Not even one neuron fits an empty core.
      const [resource, need, have] = oneSyn > cap.synapseBytesPerCore
        ? ['synapse memory', oneSyn, cap.synapseBytesPerCore] as const
        : ['learning memory', oneLearn, cap.learningBytesPerCore] as const;
      const what = resource === 'synapse memory'
        ? g
          ? `its channel's ${n(convFanIn(g))} shared weights (${g.depthwise ? '' : `${n(g.inChannels)} x `}${g.kernelHeight} x ${g.kernelWidth}) x ${cap.weightBits}-bit = ${n(need)} B of synapse memory`
          : `${n(layer.nIn)} inputs x ${cap.weightBits}-bit weights = ${n(need)} B of synapse memory`
        : `${n(need)} B of learning memory (${n(L)} B for ${n(layer.nOut)} neurons)`;
      throw new MappingError(layer.name, resource, {
        neurons: layer.nOut, synapseBytes: sliceBytes(0, layer.nOut), learningBytes: L,
      }, `network layer "${layer.name}" does not fit chip "${cap.chip}": one neuron needs ${what} but a core has ${n(have)} B (overflows by ${n(need - have)} B per neuron)`);
    }

    const overflow = (left: number): MappingError => {
      const over = { neurons: left, synapseBytes: sliceBytes(layer.nOut - left, left), learningBytes: Math.ceil((left * L) / layer.nOut) };
      const bySyn = g
        ? (bitsPerChannel > 0 ? Math.floor((cap.synapseBytesPerCore * 8) / bitsPerChannel) * P : Infinity)
        : bitsPerNeuron > 0 ? Math.floor((cap.synapseBytesPerCore * 8) / bitsPerNeuron) : Infinity;
      const limit = perCore === cap.neuronsPerCore ? 'neurons' : perCore === bySyn ? 'synapse memory' : 'learning memory';
      const bytes = [`${n(over.synapseBytes)} B of synapse memory`];
      if (L > 0) bytes.push(`${n(over.learningBytes)} B of learning memory`);
      return new MappingError(layer.name, 'cores', over,
        `network layer "${layer.name}" does not fit chip "${cap.chip}": ${cap.cores === 1 ? 'its only core is full' : `all ${n(cap.cores)} cores are used`} and ${n(left)} of its ${n(layer.nOut)} neurons are left over ` +
        `(overflows by ${n(left)} neurons, ${bytes.join(', ')}; a core holds at most ${n(perCore)} of its neurons, limited by ${limit}: ` +
        `${n(cap.neuronsPerCore)} neurons, ${n(cap.synapseBytesPerCore)} B synapse memory, ${n(cap.learningBytesPerCore)} B learning memory per core)`);
    };

    const placement: LayerPlacement = { name: layer.name, nOut: layer.nOut, slices: [] };
    let first = 0;
    let core: MappedCore;
    if (pack && current >= 0) core = cores[current];
    else if (current + 1 < cap.cores) core = open();
    else throw overflow(layer.nOut);
    while (first < layer.nOut) {
      const onThisCore = core.slices.filter((sl) => sl.layer === li).reduce((a, sl) => a + sl.neurons, 0);
      const k = Math.min(fit(core, first), layer.nOut - first, spreadCap[li] - onThisCore);
      if (k === 0) {
        if (current + 1 >= cap.cores) throw overflow(layer.nOut - first);
        core = open();
        continue;
      }
      // A convolution may place a channel's tail, then whole channels, on one core: one slice
      // (they share no channel, so the bytes of the merged range are the sum).
      const last = core.slices[core.slices.length - 1];
      const merge = last !== undefined && last.layer === li && last.firstNeuron + last.neurons === first;
      const from = merge ? last.firstNeuron : first, count = merge ? last.neurons + k : k;
      const slice: CoreSlice = {
        layer: li, name: layer.name, firstNeuron: from, neurons: count,
        synapseBytes: sliceBytes(from, count),
        learningBytes: L > 0 ? Math.ceil((count * L) / layer.nOut) : 0,
      };
      if (merge) {
        core.slices.pop();
        placement.slices.pop();
        core.neurons -= last.neurons;
        core.synapseBytes -= last.synapseBytes;
        core.learningBytes -= last.learningBytes;
      }
      core.slices.push(slice);
      core.neurons += count;
      core.synapseBytes += slice.synapseBytes;
      core.learningBytes += slice.learningBytes;
      placement.slices.push({ core: core.index, firstNeuron: from, neurons: count });
      first += k;
    }
    placements.push(placement);
  });

  return { capacity: cap, cores, layers: placements };
}

/** Map an activity's layers onto a model's chip. */
export function mapActivity(layers: readonly ActivityLayer[], model: HwModel, options: MapOptions = {}): Mapping {
  return mapLayers(layers, capacityOf(model), options);
}

export type MapPolicy = NonNullable<MapOptions['policy']>;

/** Map with the asked policy; "spread" falls back to "pack" when the spread layout does not fit. */
export function mapWithPolicy(layers: readonly ActivityLayer[], model: HwModel, policy: MapPolicy): Mapping {
  try {
    return mapActivity(layers, model, { policy });
  } catch (e) {
    if (policy === 'spread' && e instanceof InputError) return mapActivity(layers, model, { policy: 'pack' });
    throw e;
  }
}
