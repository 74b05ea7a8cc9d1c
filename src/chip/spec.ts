/**
 * What a chip instance is built from: its layers, its dynamics and, optionally, its devices
 * (non-idealities and number format, CHIP-MODEL.md "Device non-idealities"). Plain data, read
 * by the chip (src/chip/chip.ts) and by the circuits it chooses once, at construction
 * (src/chip/variants.ts); kept apart so that neither imports the other for its types.
 */
import type { ConvGeometry, Reset } from '../model/types.js';
import { convWeightCount } from '../reference/conv.js';

export type { Reset } from '../model/types.js';

export interface LayerSpec {
  name: string;
  nIn: number;
  nOut: number;
  /**
   * nOut x nIn, row-major: weights[i * nIn + j] = W[i, j] (the paper's orientation).
   * Convolution: the shared K x C x kh x kw weights, row-major (PyTorch's orientation; depthwise:
   * C x 1 x kh x kw), and one bias per output channel.
   */
  weights: Float32Array;
  bias: Float32Array;
  /** A convolution (src/reference/conv.ts): nIn = C*H*W and nOut = K*OH*OW neurons, channel-major. */
  conv?: ConvGeometry;
  /** Fixed weights that no rule learns (average pooling). */
  fixed?: boolean;
  /** One value (per layer) or nOut values (per neuron). */
  threshold: Float32Array;
  leak: Float32Array;
  /** A non-spiking, memoryless readout: o[t] = W . S[t-d] + b (ALGORITHMS §1). */
  readout?: boolean;
}

export interface ChipSpec {
  inputSize: number;
  layers: LayerSpec[];
  reset: Reset;
  delay: 0 | 1;
  /** Spike accumulator width in bits (1..32); 32 unless a hardware model says otherwise. */
  counterBits?: number;
  /** Longest time window a sample may have. */
  maxSteps: number;
  /** The chip instance's device non-idealities and number format (below; built by src/chip/device.ts); absent: the ideal f32 chip. */
  device?: DeviceSpec;
}

/** Weights a layer stores: nIn x nOut, or a convolution's shared K*C*kh*kw (depthwise: C*kh*kw). */
export function weightCount(l: Pick<LayerSpec, 'nIn' | 'nOut' | 'conv'>): number {
  return l.conv ? convWeightCount(l.conv) : l.nIn * l.nOut;
}

// ---------------------------------------------------------------------------------------------
// Devices (src/chip/device.ts builds them)

export type Rounding = 'nearest' | 'stochastic';
export type ShiftRounding = 'floor' | 'toward-zero' | 'nearest';

export interface MismatchSpec {
  /** σ of the per-synapse gains. */
  sigma: number;
  /** σ of the per-neuron threshold gains (default: sigma). */
  neuronSigma?: number;
  distribution?: 'gaussian' | 'lognormal';
}

export interface QuantizationSpec {
  /** Number of weight levels over [-wmax, wmax] (>= 2; an odd number holds 0). */
  levels: number;
  /** Rounding of updates (deployment always rounds to nearest). Default nearest. */
  rounding?: Rounding;
  /** Cycle-to-cycle write noise σ as a fraction of the range 2 wmax (default 0). */
  writeNoise?: number;
  /** wmax of each layer = rangeScale x max |w| when the chip is built (default 1). */
  rangeScale?: number;
  /** wmax per layer, overriding rangeScale. */
  range?: number[];
}

export interface ThermalSpec {
  /** σ of the membrane noise per step, in units of the layer's threshold. */
  sigma: number;
}

export interface SilencingSpec {
  /** Fraction of each layer's neurons that never fire (rounded to the nearest count). */
  fraction: number;
  /** Silence output-layer neurons too (default false: a dead class neuron caps accuracy whatever learning does). */
  outputLayer?: boolean;
}

/**
 * Bit-accurate integers. Weight LSB s_w = wmax / (2^(weightBits-1) - 1) per layer (wmax as in
 * quantization); membrane, current, bias and threshold in units s_u = s_w x 2^-activationShift
 * (Lava's Loihi left-shifts synaptic input and threshold by 6 bits), saturating at
 * ±(2^(stateBits-1) - 1); the input currents (layer 1, direct encoding) are
 * nearest(x x 2^inputFractionBits), clipped to [-1, 1]. Leak: multiply-and-shift
 * v = round(v x round(α 2^decayBits) / 2^decayBits) or bit shift v -= v >> k, k = round(-log2(1 - α)).
 */
export interface FixedPointSpec {
  weightBits: number;
  stateBits: number;
  /** Fraction bits of the input currents (default 8). */
  inputFractionBits?: number;
  /** Extra fraction bits of the membrane over the weight LSB; absent: the most that leaves 8x the threshold as headroom, at most inputFractionBits. */
  activationShift?: number;
  leak?: 'multiply-shift' | 'bit-shift';
  /** Fraction bits of the multiply-and-shift leak (default 12). */
  decayBits?: number;
  /** Rounding of right shifts (default floor: an arithmetic shift). */
  shiftRounding?: ShiftRounding;
  /** Rounding of weight and bias updates (default stochastic). */
  updateRounding?: Rounding;
  rangeScale?: number;
  range?: number[];
  /**
   * The soma (the hardware model's `neuron`): ALGORITHMS §2's neuron (default), or Loihi's
   * current-based neuron, bit for bit as Lava's bit-accurate model (src/chip/loihi.ts, docs/loihi.md).
   */
  neuron?: 'algorithms' | 'loihi-cuba';
  /** Loihi's current decay du (12-bit; default 4095: the current is the step's input alone). */
  du?: number;
}

export interface DeviceSpec {
  /** The chip instance: every draw follows from it. */
  seed: number;
  mismatch?: MismatchSpec;
  quantization?: QuantizationSpec;
  thermal?: ThermalSpec;
  silencing?: SilencingSpec;
  fixedPoint?: FixedPointSpec;
}
