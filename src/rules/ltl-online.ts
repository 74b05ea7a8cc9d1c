/**
 * Online LTL (ALGORITHMS §7): each spiking layer learns, local in space and time, to make its
 * spike rate C[t]/t match its target (the teacher's normalized activation). The circuits are
 * the learning circuit of LTL Fig. 1(d): spike accumulator -> error -> boxcar gate (and sign())
 * -> outer-product writer. Updates land every step ("step") or once per sample ("sample").
 */
import { ArenaPlan } from '../chip/arena.js';
import type { UpdateAt } from '../model/types.js';
import { Chip, ChipRule, ChipShape, SampleSupervision, weightCount } from '../chip/chip.js';
import { ERROR_EXACT, ERROR_SIGN } from '../reference/learning.js';
import { writeTargets } from './common.js';
import { RULE_OPTION_DEFAULTS } from './table.js';

export interface LtlOnlineOptions {
  learningRate: number;
  /** No update for t <= warmup. */
  warmup: number;
  error: 'exact' | 'sign';
  updateAt: UpdateAt;
  /** Boxcar surrogate window p and height ("unit": h = 1, "normalized": h = 1/p). */
  width: number;
  height: 'unit' | 'normalized';
  /**
   * Per-layer factors of the learning rate (layer l learns at learningRate x layerScale[l];
   * absent: 1 for every layer). A convolution's shared weight sums the changes of all its
   * positions, so train.ts gives conv layers 1 / (output positions) unless the net file says.
   */
  layerScale?: readonly number[];
}

/** Options left out of `new LtlOnline(...)`: the rule table's RULE_OPTION_DEFAULTS (the library's name for them). */
export const LTL_ONLINE_DEFAULTS: LtlOnlineOptions = { ...RULE_OPTION_DEFAULTS };

/** Byte pointers of one layer's buffers of the circuit (-1: absent). */
export interface LayerBufs { target: number; m: number; active: number; g: number; gb: number }

export class LtlOnline implements ChipRule {
  readonly name = 'ltl-online';
  /** Every write goes through the chip's circuits (learnWrite, learnApply): it trains quantized and fixed-point chips too. */
  readonly writesThroughCircuits = true;
  /** Convolutions learn their shared weights (convOuterUpdate); fixed layers (pooling) learn nothing. */
  readonly trainsConv = true;
  readonly opts: LtlOnlineOptions;
  private off: LayerBufs[] = [];
  private bufs: LayerBufs[] = [];
  private chip!: Chip;

  constructor(opts: Partial<LtlOnlineOptions> = {}) {
    this.opts = { ...LTL_ONLINE_DEFAULTS, ...opts };
    if (!(this.opts.width > 0)) throw new RangeError(`surrogate width must be > 0, got ${this.opts.width}`);
    if (!Number.isInteger(this.opts.warmup) || this.opts.warmup < 0) throw new RangeError(`warmup must be an integer >= 0, got ${this.opts.warmup}`);
  }

  reserve(plan: ArenaPlan, shape: ChipShape): void {
    const sample = this.opts.updateAt === 'sample';
    this.off = shape.layers.map((l, n) => plan.forLayer(n, () => {
      if (l.readout) throw new RangeError('ltl-online: every layer is spiking and has a target (no readout layer)');
      if (l.fixed) return { target: -1, m: -1, active: -1, g: -1, gb: -1 };
      return {
        target: plan.f32(l.nOut), m: plan.f32(l.nOut), active: plan.i32(l.nOut),
        g: sample ? plan.f32(l.weights ?? l.nIn * l.nOut) : -1, gb: sample ? plan.f32(l.biases ?? l.nOut) : -1,
      };
    }));
  }

  bind(chip: Chip): void {
    this.chip = chip;
    const b = chip.k.base;
    this.bufs = this.off.map((o) => ({
      target: o.target < 0 ? -1 : b + o.target, m: o.m < 0 ? -1 : b + o.m, active: o.active < 0 ? -1 : b + o.active,
      g: o.g < 0 ? -1 : b + o.g, gb: o.gb < 0 ? -1 : b + o.gb,
    }));
  }

  setLearningRate(lr: number): void {
    this.opts.learningRate = lr;
  }

  setSample(s: SampleSupervision): void {
    if (!s.targets) throw new RangeError('ltl-online needs the targets of every layer');
    this.setTargets(s.targets);
  }

  /** Targets ŷ_l of the sample about to run, one array per layer. */
  setTargets(targets: ArrayLike<number>[]): void {
    writeTargets(this.chip, this.bufs, targets);
  }

  afterStep(t: number): void {
    if (t <= this.opts.warmup) return;
    const chip = this.chip, c = chip.circuits;
    const { width, height, errorMode, atStep } = this.circuit();
    for (let l = 0; l < this.bufs.length; l++) {
      const bf = this.bufs[l];
      if (chip.spec.layers[l].fixed) continue;
      // The chip's circuits run this circuit on its own number format and write through its devices.
      const nActive = c.ltlSignal(l, bf.target, t, width, height, errorMode, this.negLearningRate(l), bf.m, bf.active);
      c.learnWrite(l, chip.preEvents(l), bf.m, bf.active, nActive, atStep ? null : bf);
    }
  }

  /** The learning circuit's settings as the kernels take them (afterStep; src/chip/threads.ts runs the same circuit per slice). */
  circuit(): { warmup: number; width: number; height: number; errorMode: number; atStep: boolean } {
    const o = this.opts;
    return {
      warmup: o.warmup, width: o.width, height: o.height === 'unit' ? 1 : 1 / o.width,
      errorMode: o.error === 'sign' ? ERROR_SIGN : ERROR_EXACT, atStep: o.updateAt === 'step',
    };
  }

  /** -η of layer l as its circuit is given it now (the learning rate, its schedule and the layer's factor). */
  negLearningRate(l: number): number {
    const o = this.opts;
    return -(o.layerScale ? o.learningRate * o.layerScale[l] : o.learningRate);
  }

  /** Byte pointers of layer l's buffers: targets, m, active list, accumulator (-1: absent). */
  buffers(l: number): Readonly<LayerBufs> {
    return this.bufs[l];
  }

  /** The learning signal m = -eta*delta of layer l's neurons at the last learning step (a view). */
  signal(l: number): Float32Array {
    return this.chip.f32(this.bufs[l].m, this.chip.spec.layers[l].nOut);
  }

  /**
   * Weight changes accumulated so far in this sample (updates at "sample"), nIn x nOut fan-out
   * major (convolution: the stored layout of its shared weights) (a view).
   */
  pending(l: number): Float32Array {
    if (this.bufs[l].g < 0) throw new Error('pending(): updates land at "step" (or the layer is fixed), nothing is accumulated');
    this.chip.parallel?.settle();
    return this.chip.f32(this.bufs[l].g, weightCount(this.chip.spec.layers[l]));
  }

  /** Drop the accumulated changes (a monitor's tool: read one step's changes at a time). */
  clearPending(): void {
    this.chip.parallel?.settle();
    this.bufs.forEach((bf, l) => {
      if (bf.g < 0) return;
      const ls = this.chip.spec.layers[l];
      this.chip.f32(bf.g, weightCount(ls)).fill(0);
      this.chip.f32(bf.gb, ls.bias.length).fill(0);
    });
  }

  endSample(): void {
    if (this.opts.updateAt !== 'sample') return;
    this.bufs.forEach((bf, l) => {
      if (bf.g >= 0) this.chip.circuits.learnApply(l, bf);
    });
  }
}
