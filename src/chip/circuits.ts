/**
 * The circuits of one chip variant behind one interface. A chip chooses its variant once, at
 * construction (src/chip/variants.ts): the ideal f32 chip (src/chip/ideal.ts), f32 with device
 * non-idealities (src/chip/device.ts), quantized cells (src/chip/quantized.ts), fixed point
 * (src/chip/fixed-point.ts). The engine (Chip.forward) and the learning rules call these
 * methods and never ask which variant they run on; a new variant (another number format,
 * another neuron model) is one more implementation.
 */
import type { ArenaPlan } from './arena.js';
import type { Kernels } from './kernels.js';
import type { ChipSpec } from './spec.js';

/** Byte pointers of one layer's buffers (absolute, into the kernels' memory). */
export interface LayerPtrs {
  wt: number;        // nIn x nOut, fan-out major (row j = synapses of presynaptic neuron j)
  bias: number;
  thr: number; thrStride: number;
  leak: number; leakStride: number;
  i: number;         // input current I[t]
  u: number;         // membrane U[t] (readout: o[t])
  s: [number, number];        // S at even / odd steps
  spikeIdx: [number, number]; // indices of the spikes of S
  c: number;         // spike accumulator C[t] (u32)
  cnt: number;       // counter block (f64 x COUNTER_SLOTS)
  geo: number;       // convolution geometry block (i32 x GEO_SLOTS); -1 for a dense layer
}

/** Presynaptic events: indices and values (analog input) of the nonzero entries, and their number. */
export interface Events { idx: number; val: number; n: number; analog: number }

/** What the circuits see of their chip: its kernels, its spec, its layers' buffers. */
export interface ChipCore {
  readonly k: Kernels;
  readonly spec: ChipSpec;
  readonly layers: readonly LayerPtrs[];
  f32(p: number, n: number): Float32Array;
  counters(l: number): Float64Array;
  /** Set while samples run on several threads (src/chip/threads.ts): where the weights are then. */
  readonly parallel?: ParallelWeights;
}

/**
 * Where the learned values are while a chip's samples run on several threads (src/chip/threads.ts
 * keeps each slice's weights in a block of its own): what the variants ask of it.
 */
export interface ParallelWeights {
  /** Bring the learned values home to the arena: before the host reads or writes weights or the arena. */
  settle(): void;
  /** Updates at "sample": apply layer l's accumulated changes where the threads keep them; false: they are in the arena. */
  learnApply(l: number): boolean;
}

/** A learning rule's accumulator of a sample's changes (updates at "sample"): G and Gb, f32 in real units. */
export interface ChangeAccumulator { g: number; gb: number }

export interface ChipCircuits {
  /**
   * Whether the weight memory holds f32 values in real units that a rule may write directly
   * (the gradient rules' SGD). False (quantized cells, fixed point): a rule must write through
   * learnWrite / learnApply, which program the cells.
   */
  readonly writableWeights: boolean;

  // ---- construction ---------------------------------------------------------------------------
  /** Values of layer l's threshold buffer (1: one per layer; nOut: one per neuron). */
  thresholdCount(l: number): number;
  /** Reserve the variant's own buffers (chip memory, not learning memory). */
  reserve(plan: ArenaPlan): void;
  /** Called once the chip's buffers hold the spec's f32 values: the variant writes its draws and number format. */
  bind(core: ChipCore): void;
  /** The f32 weights of layer l were just written (deployment): the variant programs them. */
  programWeights(l: number): void;

  // ---- forward --------------------------------------------------------------------------------
  /** Layer 1's input events from x (n values at xPtr); returns their number. */
  gather(xPtr: number, n: number, idxPtr: number, valPtr: number): number;
  /** Synaptic integration of layer l into dst (the current I, or a readout's o). */
  integrate(l: number, ev: Events, dst: number): void;
  /** Integration and soma of spiking layer l at one step (S at slot cur, S[t-1] at prev); returns its spike count. */
  layerStep(l: number, ev: Events, prev: number, cur: number, reset: number): number;

  // ---- the online learning circuit (LTL Fig. 1(d)) ---------------------------------------------
  /** m = -η δ of layer l's neurons at step t and the list of neurons with m != 0; returns its length. */
  ltlSignal(l: number, targetPtr: number, t: number, width: number, height: number, errorMode: number, negLr: number, mPtr: number, activePtr: number): number;
  /** The outer-product write m ⊗ S_pre of layer l: into the synapses now (acc null), or into acc (written by learnApply). */
  learnWrite(l: number, ev: Events, mPtr: number, activePtr: number, nActive: number, acc: ChangeAccumulator | null): void;
  /** End of a sample: the accumulated changes written into layer l's synapses and biases; acc cleared. */
  learnApply(l: number, acc: ChangeAccumulator): void;

  // ---- reading the chip in real units ---------------------------------------------------------
  /** Stored weights of layer l, in real units (dense: nIn x nOut fan-out major); valid until the next write. */
  storedWeights(l: number): Float32Array;
  /** Membrane U (readout: o) of layer l after the current step, in real units (a view or a copy). */
  membrane(l: number): Float32Array;
  /** Biases, thresholds as stored (one per layer or per neuron), leaks as applied (copies). */
  bias(l: number): Float32Array;
  threshold(l: number): Float32Array;
  leak(l: number): Float32Array;
}
