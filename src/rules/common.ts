/**
 * What the gradient rules (offline LTL, STOP, BPTT) share: their options, the surrogate's
 * height, the checks of the network they are attached to, the stored-state rows, and the
 * circuits that differ between a dense layer and a convolution (shared weights,
 * src/reference/conv.ts): the gradient writer and the error sent down.
 */
import { ArenaPlan } from '../chip/arena.js';
import { Chip, ChipRule, ChipShape, SampleSupervision, weightCount } from '../chip/chip.js';
import { RULE_OPTION_DEFAULTS } from './table.js';

export interface GradientRuleOptions {
  learningRate: number;
  /** Boxcar surrogate window p and height ("unit": h = 1, "normalized": h = 1/p), ALGORITHMS §4. */
  width: number;
  height: 'unit' | 'normalized';
  /**
   * Per-layer factors of the learning rate of W and b (layer l: learningRate x layerScale[l];
   * absent: 1). A convolution's gradient sums every position's, so train.ts gives conv layers
   * 1 / (output positions) unless the net file says (as for online LTL).
   */
  layerScale?: readonly number[];
}

export function resolveOptions(name: string, opts: Partial<GradientRuleOptions>): GradientRuleOptions {
  const d = RULE_OPTION_DEFAULTS;
  const o: GradientRuleOptions = { learningRate: d.learningRate, width: d.width, height: d.height, ...opts };
  if (!(o.width > 0)) throw new RangeError(`${name}: surrogate width must be > 0, got ${o.width}`);
  if (!Number.isFinite(o.learningRate)) throw new RangeError(`${name}: learning rate must be finite, got ${o.learningRate}`);
  o.layerScale?.forEach((v, l) => {
    if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`${name}: layerScale[${l}] must be a finite number >= 0, got ${v}`);
  });
  return o;
}

export function surrogateHeight(o: GradientRuleOptions): number {
  return o.height === 'unit' ? 1 : 1 / o.width;
}

/** Readout rules: spiking layers, then one non-spiking readout (the last layer, and only it). */
export function checkReadoutShape(name: string, shape: ChipShape): void {
  const L = shape.layers.length;
  if (L < 2) throw new RangeError(`${name}: needs spiking layers and a readout (at least 2 layers), got ${L}`);
  if (!shape.layers[L - 1].readout) throw new RangeError(`${name}: the last layer must be a non-spiking readout (readout: true)`);
}

/** LTL rules: every layer spiking. */
export function checkSpikingShape(name: string, shape: ChipShape): void {
  shape.layers.forEach((l, n) => {
    if (l.readout) throw new RangeError(`${name}: every layer is spiking and has a target (layer ${n} is a readout)`);
  });
}

/** Stored weights and biases of a layer: a convolution's shared ones, else nIn x nOut and nOut. */
export function weightsOf(l: ChipShape['layers'][number]): number {
  return l.weights ?? l.nIn * l.nOut;
}
export function biasesOf(l: ChipShape['layers'][number]): number {
  return l.biases ?? l.nOut;
}

/** Byte pointer of row t (1-based) of a history of n f32 values per step. */
export function row(base: number, n: number, t: number): number {
  return base + (t - 1) * n * 4;
}

/** Relative byte offsets from reserve() made absolute (-1 stays -1: not reserved). */
export function absolute<T extends object>(o: T, base: number): T {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o) as [string, number][]) out[k] = v < 0 ? -1 : base + v;
  return out as T;
}

/** The buffers every gradient rule keeps per layer: the sample's summed ∂W and ∂b. */
export interface GradientBufs { g: number; gb: number }

/**
 * What offline LTL, STOP and BPTT share as circuits: per-layer gradient accumulators reserved
 * in the arena, the learning rate, and the plain SGD write at the end of the sample
 * (W -= η ∂W, b -= η ∂b, gradients cleared).
 */
export abstract class GradientRule<B extends GradientBufs> implements ChipRule {
  abstract readonly name: string;
  /** Convolutions learn their shared weights; fixed layers (pooling) learn nothing but pass errors down. */
  readonly trainsConv = true;
  readonly opts: GradientRuleOptions;
  protected off: B[] = [];
  protected bufs: B[] = [];
  protected chip!: Chip;

  constructor(name: string, opts: Partial<GradientRuleOptions>) {
    this.opts = resolveOptions(name, opts);
  }

  abstract reserve(plan: ArenaPlan, shape: ChipShape): void;
  abstract setSample(s: SampleSupervision): void;
  abstract afterStep(t: number): void;
  abstract endSample(steps: number): void;

  bind(chip: Chip): void {
    this.chip = chip;
    this.bufs = this.off.map((o) => absolute(o, chip.k.base));
  }

  setLearningRate(lr: number): void {
    this.opts.learningRate = lr;
  }

  /** W -= η ∂L/∂W, b -= η ∂L/∂b of layer l (η times its layerScale), written once; the gradients are cleared. Fixed layers: nothing. */
  protected applyWeights(l: number): void {
    const chip = this.chip, p = chip.layers[l], bf = this.bufs[l], ls = chip.spec.layers[l];
    if (ls.fixed) return;
    const lr = this.opts.layerScale ? this.opts.learningRate * this.opts.layerScale[l] : this.opts.learningRate;
    chip.k.sgdApply(p.wt, bf.g, weightCount(ls), p.bias, bf.gb, ls.bias.length, lr, p.cnt);
  }

  /** ∂W += m ⊗ pre, ∂b += m over the active neurons (dense outer product, or the convolution's shared-weight sum). */
  protected accumulateGrad(l: number, idx: number, val: number, nEv: number, analog: number, m: number, active: number, nActive: number): void {
    const chip = this.chip, p = chip.layers[l], bf = this.bufs[l], ls = chip.spec.layers[l];
    if (ls.conv) chip.k.convOuterUpdate(p.geo, bf.g, bf.gb, idx, val, nEv, analog, m, active, nActive, 0, p.cnt);
    else chip.k.outerUpdate(bf.g, bf.gb, ls.nOut, idx, val, nEv, analog, m, active, nActive, 0, p.cnt);
  }

  /** The error layer l sends to the layer below: dst = W_l^T d over the active neurons (convolution: transposed). */
  protected sendDown(l: number, d: number, active: number, nActive: number, dst: number): void {
    const chip = this.chip, p = chip.layers[l], ls = chip.spec.layers[l];
    if (ls.conv) chip.k.convBackpropError(p.geo, p.wt, d, active, nActive, dst, p.cnt);
    else chip.k.backpropError(p.wt, ls.nIn, ls.nOut, d, active, nActive, dst, p.cnt);
  }

  /** ∂L/∂W of layer l accumulated over the sample, as stored: nIn x nOut fan-out major, or a convolution's shared weights (a view). */
  gradW(l: number): Float32Array {
    if (this.bufs[l].g < 0) throw new Error(`layer ${l} is fixed: it has no gradient`);
    return this.chip.f32(this.bufs[l].g, weightCount(this.chip.spec.layers[l]));
  }

  /** ∂L/∂b of layer l (convolution: one per channel) (a view). */
  gradB(l: number): Float32Array {
    if (this.bufs[l].gb < 0) throw new Error(`layer ${l} is fixed: it has no gradient`);
    return this.chip.f32(this.bufs[l].gb, this.chip.spec.layers[l].bias.length);
  }
}

/**
 * Writes the targets ŷ_l of the sample about to run into each layer's target buffer (a layer
 * whose buffer is -1, e.g. a fixed pooling layer, has none), after checking every length.
 */
export function writeTargets(chip: Chip, bufs: readonly { target: number }[], targets: ArrayLike<number>[]): void {
  bufs.forEach((bf, l) => {
    const n = chip.spec.layers[l].nOut;
    if (targets[l].length !== n) throw new RangeError(`target of layer ${l} must have ${n} values, got ${targets[l].length}`);
    if (bf.target >= 0) chip.f32(bf.target, n).set(targets[l]);
  });
}
