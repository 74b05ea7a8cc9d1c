/**
 * The STBP/BPTT baseline (ALGORITHMS §8, last bullet): spiking layers and a non-spiking
 * readout, loss Σ_t -log softmax(o[t])[label]; every layer writes U[t] and S[t] of every step
 * (the readout o[t], layer 1 also its input x[t-d]) to its state memory, and at the end of the
 * sample the loss is back-propagated through time through the whole network, every path
 * differentiated: spatial (W^T), leak, delay and reset (∂U[t]/∂S[t-1] = -ϑ for "subtract";
 * for "zero" ∂U[t]/∂U[t-1] = α(1 - S[t-1]) and ∂U[t]/∂S[t-1] = -α U[t-1]), ∂S/∂U := g(U).
 * W and b are learned (plain SGD, written once at the end). Memory grows linearly with maxSteps.
 *
 * The backward pass visits t = T..1; at each t the layers go top-down when d = 0 (the error
 * W_{l+1}^T ∂L/∂I_{l+1}[t] reaches S_l[t] at the same t) and bottom-up when d = 1 (it reaches
 * S_l[t-1], consumed at the next, earlier, t). Each layer keeps one buffer of the spatial error
 * arriving on its S, overwritten by the layer above. Events are counted as offline LTL's (§6).
 *
 * A convolution learns its shared weights (the sum of every position's gradient, convOuterUpdate)
 * and sends its error down as a transposed convolution (convBackpropError); a fixed layer
 * (pooling) learns nothing but is differentiated like any spiking layer and passes the error on.
 */
import { ArenaPlan } from '../chip/arena.js';
import { ChipShape, SampleSupervision } from '../chip/chip.js';
import { RESET_SUBTRACT, RESET_ZERO } from '../reference/neuron.js';
import { GradientRule, GradientRuleOptions, biasesOf, checkReadoutShape, row, surrogateHeight, weightsOf } from './common.js';

export type BpttOptions = GradientRuleOptions;

interface Bufs {
  u: number; s: number; x: number;   // histories (readout: u holds o[t]; s = -1), x: layer 1's input
  carry: number; spatial: number;    // ∂L/∂U[t+1]; spatial error arriving on S[t] (spiking layers)
  dI: number; active: number;        // ∂L/∂I[t] (readout: softmax - onehot) and its nonzero entries
  evIdx: number; evVal: number;
  g: number; gb: number;
}

export class Bptt extends GradientRule<Bufs> {
  readonly name = 'bptt';
  private label = -1;

  constructor(opts: Partial<BpttOptions> = {}) {
    super('bptt', opts);
  }

  reserve(plan: ArenaPlan, shape: ChipShape): void {
    checkReadoutShape(this.name, shape);
    const T = shape.maxSteps;
    this.off = shape.layers.map((l, n) => plan.forLayer(n, () => {
      const spiking = !l.readout, learns = !l.fixed;
      return {
        u: plan.f32(T * l.nOut), s: spiking ? plan.f32(T * l.nOut) : -1, x: n === 0 && learns ? plan.f32(T * l.nIn) : -1,
        carry: spiking ? plan.f32(l.nOut) : -1, spatial: spiking ? plan.f32(l.nOut) : -1,
        dI: plan.f32(l.nOut), active: plan.i32(l.nOut),
        evIdx: learns ? plan.i32(l.nIn) : -1, evVal: learns ? plan.f32(l.nIn) : -1,
        g: learns ? plan.f32(weightsOf(l)) : -1, gb: learns ? plan.f32(biasesOf(l)) : -1,
      };
    }));
  }

  setSample(s: SampleSupervision): void {
    const n = this.chip.spec.layers[this.chip.spec.layers.length - 1].nOut;
    if (s.label === undefined || !Number.isInteger(s.label) || s.label < 0 || s.label >= n) {
      throw new RangeError(`bptt needs a label in [0, ${n}), got ${s.label}`);
    }
    this.label = s.label;
  }

  afterStep(t: number): void {
    const chip = this.chip, k = chip.k;
    for (let l = 0; l < this.bufs.length; l++) {
      const p = chip.layers[l], bf = this.bufs[l], { nIn, nOut } = chip.spec.layers[l];
      k.storeState(p.u, nOut, row(bf.u, nOut, t), p.cnt);
      if (bf.s >= 0) k.storeState(p.s[t & 1], nOut, row(bf.s, nOut, t), p.cnt);
      if (bf.x >= 0) {
        const ev = chip.preEvents(0);
        k.storeEvents(ev.idx, ev.val, ev.n, ev.analog, nIn, row(bf.x, nIn, t), p.cnt);
      }
    }
  }

  private preRow(l: number, t: number): number {
    if (l === 0) return row(this.bufs[0].x, this.chip.spec.layers[0].nIn, t);
    const tt = t - this.chip.spec.delay;
    return tt >= 1 ? row(this.bufs[l - 1].s, this.chip.spec.layers[l - 1].nOut, tt) : -1;
  }

  /** Back-propagate the loss through time and space; leaves ∂L/∂W, ∂L/∂b in the gradient buffers. */
  backward(steps: number): void {
    const chip = this.chip, k = chip.k, o = this.opts, spec = chip.spec;
    if (this.label < 0) throw new RangeError('bptt: no label (call setSample first)');
    const h = surrogateHeight(o);
    const reset = spec.reset === 'subtract' ? RESET_SUBTRACT : RESET_ZERO;
    const L = this.bufs.length, R = L - 1, d = spec.delay;
    for (let l = 0; l < R; l++) {
      chip.f32(this.bufs[l].carry, spec.layers[l].nOut).fill(0);
      chip.f32(this.bufs[l].spatial, spec.layers[l].nOut).fill(0);
    }
    const order = [...Array(L).keys()];
    if (d === 0) order.reverse();
    for (let t = steps; t >= 1; t--) {
      for (const l of order) {
        const p = chip.layers[l], bf = this.bufs[l], { nIn, nOut } = spec.layers[l];
        const nA = l === R
          ? k.readoutError(nOut, row(bf.u, nOut, t), this.label, bf.dI, bf.active, p.cnt)
          : k.surrogateBackStep(nOut, row(bf.u, nOut, t), row(bf.s, nOut, t), bf.spatial, p.thr, p.thrStride, p.leak, p.leakStride,
            reset, o.width, h, bf.carry, bf.dI, bf.active, p.cnt);
        if (!spec.layers[l].fixed) {
          const pre = this.preRow(l, t);
          const nEv = pre < 0 ? 0 : k.loadEvents(pre, nIn, bf.evIdx, bf.evVal, p.cnt);
          this.accumulateGrad(l, bf.evIdx, bf.evVal, nEv, 1, bf.dI, bf.active, nA);
        }
        if (l > 0 && t - d >= 1) this.sendDown(l, bf.dI, bf.active, nA, this.bufs[l - 1].spatial);
      }
    }
  }

  apply(): void {
    for (let l = 0; l < this.bufs.length; l++) this.applyWeights(l);
  }

  endSample(steps: number): void {
    this.backward(steps);
    this.apply();
  }

}
