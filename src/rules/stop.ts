/**
 * STOP (ALGORITHMS §8): errors backward in space at every step, eligibility traces forward in
 * time, so learning memory does not depend on the time window. Spiking layers and a
 * non-spiking readout; per-step loss ℓ_t = -log softmax(o[t])[label] (natural log, summed).
 * At every step t, after the forward pass:
 *   1. each spiking layer brings its traces to t: e_W, e_b (and, STOP-WTL, e_ϑ, e_α);
 *   2. the readout's error δ_R = softmax(o[t]) - onehot, ∂W_R += δ_R ⊗ S_{L-1}[t];
 *   3. down the layers: δ_l = (W_{l+1}^T δ_{l+1}) ⊙ g(U_l[t]) (the weights of the sample's start),
 *      ∂W_l += δ_l ⊗ e_W, ∂b_l += δ_l ⊙ e_b, STOP-WTL: ∂ϑ += δ ⊙ (e_ϑ - 1), ∂α += δ ⊙ e_α.
 * At the end of the sample: plain SGD with one learning rate (W, b; STOP-WTL also ϑ and α, then
 * α is clamped to [1e-6, 1] and ϑ to >= 1e-6). Requires d = 0 and reset "subtract".
 *
 * Updates at "step" (an ncsim extension of §7's "step" to §8; case files keep "sample"): no
 * ∂W, ∂b, ∂ϑ, ∂α accumulators are reserved. At step t the whole backward pass runs with the
 * parameters step t ran with (each layer sends its error down before it writes), and each
 * layer's step contributions are written at once with the learning rate, in the order the
 * accumulators would have summed them (stopStep, convStopStep; the readout through online LTL's
 * outer-product writer with m = -η·δ_R), ϑ and α clamped after each write; step t+1 runs with
 * the new parameters. A one-step sample writes the same bits in either mode.
 *
 * "stop-w" learns W and b; "stop-wtl" also per-neuron thresholds (the chip must store one
 * threshold per neuron: see adaptSpec in ./index.ts) and the leaks at the granularity the
 * layer stores them: one α per layer (its gradient summed over the layer's neurons, e_W one
 * vector of nIn) or one per neuron (e_W is nOut x nIn: where STOP-WTL's memory goes).
 *
 * A convolution (one α per layer) keeps one trace per input (convTraceSynapses) and sums
 * δ[k, oy, ox]·e_W[c, iy, ix] over the positions into its shared weights (convStopGrad); its
 * error goes down as a transposed convolution. A per-neuron α on a convolution would need one
 * trace per connection: refused. A fixed layer (pooling) learns nothing (not W, b, ϑ nor α) but
 * gates the error through its surrogate and passes it down.
 */
import { ArenaPlan } from '../chip/arena.js';
import { Chip, ChipShape, SampleSupervision } from '../chip/chip.js';
import type { UpdateAt } from '../model/types.js';
import { GradientRule, GradientRuleOptions, absolute, biasesOf, checkReadoutShape, surrogateHeight, weightsOf } from './common.js';

export type StopVariant = 'stop-w' | 'stop-wtl';
export interface StopOptions extends GradientRuleOptions {
  /** "sample": the sample's summed gradients written at its end (§8); "step": each step's written at once, no accumulators. */
  updateAt: UpdateAt;
}

/** Lower clamp of α and ϑ after an update (f32). */
export const STOP_MIN_PARAM = Math.fround(1e-6);

interface Bufs {
  perNeuron: number;                      // 1: the layer's α is per neuron (e_W is nIn x nOut, e_b and ∂α per neuron)
  eW: number; eb: number;                 // synaptic trace(s), bias trace(s)
  eth: number; ea: number; uPrev: number; // STOP-WTL: threshold and leak traces, U[t-1]
  dS: number;                             // ∂ℓ_t/∂S_l[t], written by the layer above
  delta: number; active: number;          // δ_l[t] (readout: softmax - onehot) and its nonzero entries
  g: number; gb: number; gth: number; ga: number;
}

export class Stop extends GradientRule<Bufs> {
  readonly name: StopVariant;
  private readonly learnTL: boolean;
  /** Updates at "step": parameters written at every step, no gradient accumulators. */
  readonly atStep: boolean;
  private label = -1;

  constructor(variant: StopVariant, opts: Partial<StopOptions> = {}) {
    if (variant !== 'stop-w' && variant !== 'stop-wtl') throw new RangeError(`unknown STOP variant ${JSON.stringify(variant)}`);
    const { updateAt = 'sample', ...g } = opts;
    if (updateAt !== 'sample' && updateAt !== 'step') throw new RangeError(`${variant}: updateAt must be "sample" or "step", got ${JSON.stringify(updateAt)}`);
    super(variant, g);
    this.name = variant;
    this.learnTL = variant === 'stop-wtl';
    this.atStep = updateAt === 'step';
  }

  reserve(plan: ArenaPlan, shape: ChipShape): void {
    checkReadoutShape(this.name, shape);
    if (shape.delay !== undefined && shape.delay !== 0) throw new RangeError(`${this.name}: needs synaptic delay d = 0, got ${shape.delay}`);
    if (shape.reset !== undefined && shape.reset !== 'subtract') throw new RangeError(`${this.name}: needs reset "subtract", got "${shape.reset}"`);
    const tl = this.learnTL;
    // Accumulators only when updates land at the end of the sample.
    const acc = (n: number): number => (this.atStep ? -1 : plan.f32(n));
    this.off = shape.layers.map((l, n) => plan.forLayer(n, () => {
      if (l.readout) {
        return {
          perNeuron: 0, eW: -1, eb: -1, eth: -1, ea: -1, uPrev: -1, dS: -1,
          delta: plan.f32(l.nOut), active: plan.i32(l.nOut), g: acc(l.nIn * l.nOut), gb: acc(l.nOut), gth: -1, ga: -1,
        };
      }
      if (l.fixed) {
        return {
          perNeuron: 0, eW: -1, eb: -1, eth: -1, ea: -1, uPrev: -1,
          dS: plan.f32(l.nOut), delta: plan.f32(l.nOut), active: plan.i32(l.nOut), g: -1, gb: -1, gth: -1, ga: -1,
        };
      }
      if (l.conv && l.leakPerNeuron) {
        throw new RangeError(`${this.name}: layer ${n} is a convolution with one leak per neuron (its trace would be one per connection): give it one leak`);
      }
      if (tl && l.nOut > 1 && l.thresholdPerNeuron === false) {
        throw new RangeError(`stop-wtl learns one threshold per neuron: layer ${n} stores one per layer (build the chip from adaptSpec('stop-wtl', spec))`);
      }
      const pn = l.leakPerNeuron ? 1 : 0;
      const nLeak = pn ? l.nOut : 1;
      return {
        perNeuron: pn,
        eW: plan.f32(pn ? l.nIn * l.nOut : l.nIn), eb: plan.f32(nLeak),
        eth: tl ? plan.f32(l.nOut) : -1, ea: tl ? plan.f32(l.nOut) : -1, uPrev: tl ? plan.f32(l.nOut) : -1,
        dS: plan.f32(l.nOut), delta: plan.f32(l.nOut), active: plan.i32(l.nOut),
        g: acc(weightsOf(l)), gb: acc(biasesOf(l)), gth: tl ? acc(l.nOut) : -1, ga: tl ? acc(nLeak) : -1,
      };
    }));
  }

  bind(chip: Chip): void {
    const spec = chip.spec;
    if (spec.delay !== 0) throw new RangeError(`${this.name}: needs synaptic delay d = 0, got ${spec.delay}`);
    if (spec.reset !== 'subtract') throw new RangeError(`${this.name}: needs reset "subtract", got "${spec.reset}"`);
    this.chip = chip;
    this.bufs = this.off.map((o, l) => {
      const b = absolute(o, chip.k.base);
      b.perNeuron = o.perNeuron;
      if (!spec.layers[l].readout && !spec.layers[l].fixed) {
        const p = chip.layers[l];
        if (p.leakStride !== o.perNeuron) throw new Error(`${this.name}: layer ${l}'s leak layout changed between reserve and bind`);
        if (this.learnTL && p.thrStride === 0 && spec.layers[l].nOut > 1) {
          throw new RangeError(`stop-wtl learns one threshold per neuron: layer ${l} stores one per layer (build the chip from adaptSpec('stop-wtl', spec))`);
        }
      }
      return b;
    });
  }

  setSample(s: SampleSupervision): void {
    const n = this.chip.spec.layers[this.chip.spec.layers.length - 1].nOut;
    if (s.label === undefined || !Number.isInteger(s.label) || s.label < 0 || s.label >= n) {
      throw new RangeError(`${this.name} needs a label in [0, ${n}), got ${s.label}`);
    }
    this.label = s.label;
  }

  /** Zero the traces: state at t = 0 is zero (ALGORITHMS §1). */
  private resetTraces(): void {
    const chip = this.chip;
    this.bufs.forEach((bf, l) => {
      if (chip.spec.layers[l].readout || chip.spec.layers[l].fixed) return;
      const { nIn, nOut } = chip.spec.layers[l];
      chip.f32(bf.eW, bf.perNeuron ? nIn * nOut : nIn).fill(0);
      chip.f32(bf.eb, bf.perNeuron ? nOut : 1).fill(0);
      if (this.learnTL) for (const p of [bf.eth, bf.ea, bf.uPrev]) chip.f32(p, nOut).fill(0);
    });
  }

  afterStep(t: number): void {
    const chip = this.chip, k = chip.k, o = this.opts, spec = chip.spec;
    if (this.label < 0) throw new RangeError(`${this.name}: no label (call setSample first)`);
    if (t === 1) this.resetTraces();
    const R = this.bufs.length - 1, tl = this.learnTL ? 1 : 0, h = surrogateHeight(o);
    const prev = (t & 1) ^ 1;
    // 1. traces brought to step t
    for (let l = 0; l < R; l++) {
      const p = chip.layers[l], bf = this.bufs[l], { nIn, nOut, conv, fixed } = spec.layers[l];
      if (fixed) continue;
      const ev = chip.preEvents(l);
      if (conv) k.convTraceSynapses(p.geo, bf.eW, ev.idx, ev.val, ev.n, ev.analog, p.leak, p.cnt);
      else k.traceSynapses(bf.eW, nIn, nOut, ev.idx, ev.val, ev.n, ev.analog, p.leak, p.leakStride, p.cnt);
      k.traceNeurons(nOut, bf.eb, p.leak, p.leakStride, tl, bf.eth, bf.ea, p.s[prev], bf.uPrev, p.u, p.cnt);
    }
    if (this.atStep) {
      this.writeStep();
      return;
    }
    // 2. the readout's error, its gradient, and the error sent to the last spiking layer
    {
      const p = chip.layers[R], bf = this.bufs[R], { nOut } = spec.layers[R];
      const nA = k.readoutError(nOut, p.u, this.label, bf.delta, bf.active, p.cnt);
      const ev = chip.preEvents(R);
      k.outerUpdate(bf.g, bf.gb, nOut, ev.idx, ev.val, ev.n, ev.analog, bf.delta, bf.active, nA, 0, p.cnt);
      this.sendDown(R, bf.delta, bf.active, nA, this.bufs[R - 1].dS);
    }
    // 3. down the spiking layers
    for (let l = R - 1; l >= 0; l--) {
      const p = chip.layers[l], bf = this.bufs[l], { nIn, nOut, conv, fixed } = spec.layers[l];
      const nA = k.stopDelta(nOut, bf.dS, p.u, p.thr, p.thrStride, o.width, h, bf.delta, bf.active, p.cnt);
      if (conv && !fixed) k.convStopGrad(p.geo, bf.g, bf.gb, bf.eW, bf.eb, bf.delta, bf.active, nA, tl, bf.eth, bf.ea, bf.gth, bf.ga, p.cnt);
      else if (!fixed) {
        k.stopGrad(nIn, nOut, bf.g, bf.gb, bf.eW, bf.perNeuron, bf.eb, bf.perNeuron, bf.delta, bf.active, nA,
          tl, bf.eth, bf.ea, bf.gth, bf.ga, bf.perNeuron, p.cnt);
      }
      if (l > 0) this.sendDown(l, bf.delta, bf.active, nA, this.bufs[l - 1].dS);
    }
  }

  /**
   * Steps 2 and 3 of afterStep when updates land at "step": each layer sends its error down
   * with the weights step t ran with, then writes its step's contributions (×η; W and b ×η of
   * the layer's scale, as applyWeights) into its parameters.
   */
  private writeStep(): void {
    const chip = this.chip, k = chip.k, o = this.opts, spec = chip.spec;
    const R = this.bufs.length - 1, tl = this.learnTL ? 1 : 0, h = surrogateHeight(o);
    const lrTL = o.learningRate;
    const lrOf = (l: number): number => (o.layerScale ? o.learningRate * o.layerScale[l] : o.learningRate);
    {
      const p = chip.layers[R], bf = this.bufs[R], { nOut } = spec.layers[R];
      const nA = k.readoutError(nOut, p.u, this.label, bf.delta, bf.active, p.cnt);
      this.sendDown(R, bf.delta, bf.active, nA, this.bufs[R - 1].dS);
      // δ_R becomes online LTL's learning signal m = -η·δ_R (η rounded to f32 first, as
      // sgdApply does), so its outer-product writer adds exactly what sgdApply would subtract.
      const d = chip.f32(bf.delta, nOut), act = chip.k.mem.i32.subarray(bf.active >>> 2, (bf.active >>> 2) + nA), negEta = -Math.fround(lrOf(R));
      for (let a = 0; a < nA; a++) d[act[a]] = Math.fround(negEta * d[act[a]]);
      const ev = chip.preEvents(R);
      k.outerUpdate(p.wt, p.bias, nOut, ev.idx, ev.val, ev.n, ev.analog, bf.delta, bf.active, nA, 1, p.cnt);
    }
    for (let l = R - 1; l >= 0; l--) {
      const p = chip.layers[l], bf = this.bufs[l], { nIn, nOut, conv, fixed } = spec.layers[l];
      const nA = k.stopDelta(nOut, bf.dS, p.u, p.thr, p.thrStride, o.width, h, bf.delta, bf.active, p.cnt);
      if (l > 0) this.sendDown(l, bf.delta, bf.active, nA, this.bufs[l - 1].dS);
      if (fixed) continue;
      if (conv) {
        k.convStopStep(p.geo, p.wt, p.bias, bf.eW, bf.eb, bf.delta, bf.active, nA, lrOf(l), tl, bf.eth, bf.ea, p.thr, p.leak, lrTL, STOP_MIN_PARAM, p.cnt);
      } else {
        k.stopStep(nIn, nOut, p.wt, p.bias, bf.eW, bf.perNeuron, bf.eb, bf.perNeuron, bf.delta, bf.active, nA, lrOf(l),
          tl, bf.eth, bf.ea, p.thr, p.leak, bf.perNeuron, lrTL, STOP_MIN_PARAM, p.cnt);
      }
    }
  }

  /** Plain SGD with the sample's summed gradients; STOP-WTL's ϑ and α clamped. Gradients cleared. Nothing when updates land at "step". */
  apply(): void {
    if (this.atStep) return;
    const chip = this.chip, lr = this.opts.learningRate;
    this.bufs.forEach((bf, l) => {
      const p = chip.layers[l], { nOut, readout, fixed } = chip.spec.layers[l];
      this.applyWeights(l);
      if (this.learnTL && !readout && !fixed) {
        chip.k.sgdApplyClamped(p.thr, bf.gth, nOut, lr, STOP_MIN_PARAM, Infinity);
        chip.k.sgdApplyClamped(p.leak, bf.ga, bf.perNeuron ? nOut : 1, lr, STOP_MIN_PARAM, 1);
      }
    });
  }

  endSample(): void {
    this.apply();
  }

  /** ∂ℓ/∂ϑ (one per neuron) and ∂ℓ/∂α (one, or one per neuron) of spiking layer l (STOP-WTL; views). */
  gradThreshold(l: number): Float32Array {
    return this.chip.f32(this.bufs[l].gth, this.chip.spec.layers[l].nOut);
  }

  gradLeak(l: number): Float32Array {
    return this.chip.f32(this.bufs[l].ga, this.bufs[l].perNeuron ? this.chip.spec.layers[l].nOut : 1);
  }
}
