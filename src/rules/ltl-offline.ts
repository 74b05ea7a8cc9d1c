/**
 * Offline LTL (ALGORITHMS §6): each spiking layer learns, local in space, to make its spike
 * rate over the whole window, C[T]/T, match its target; L_l = Σ_i (ŷ_i - C_i[T]/T)².
 * During the forward pass each layer writes U[t] and S[t] of every step to its state memory
 * (layer 1 also the input it integrated, x[t-d]); at the end of the sample it back-propagates
 * L_l through time inside the layer (S_{l-1} constant; leak and reset paths differentiated,
 * ∂S/∂U := g(U)), newest step first, summing ∂L/∂W = Σ_t ∂L/∂I[t] ⊗ S_{l-1}[t-d], then writes
 * W -= η ∂L/∂W, b -= η ∂L/∂b once. Learning memory grows linearly with the window (maxSteps).
 *
 * Decisions (where ALGORITHMS §6 is not explicit):
 * - Reset "zero": the leak path is differentiated as autograd does on U[t] = α U[t-1](1 - S[t-1]) + I[t],
 *   i.e. ∂U[t]/∂U[t-1] = α(1 - S[t-1]) (plus the reset path -α U[t-1] through S[t-1]).
 * - C[T] is read from the spike accumulator (saturated if the chip's counters saturate).
 * - The presynaptic history of layer l >= 2 is the stored S of layer l-1 (rows t - d); it is
 *   counted in layer l-1's learning memory, the input history in layer 1's.
 * - A convolution learns its shared weights: ∂L/∂W sums every position's (convOuterUpdate,
 *   src/reference/conv.ts), one bias per channel. A fixed layer (pooling) has no loss and learns
 *   nothing; it only stores its S when a layer above reads it as presynaptic history.
 */
import { ArenaPlan } from '../chip/arena.js';
import { ChipShape, SampleSupervision } from '../chip/chip.js';
import { RESET_SUBTRACT, RESET_ZERO } from '../reference/neuron.js';
import { GradientRule, GradientRuleOptions, biasesOf, checkSpikingShape, row, surrogateHeight, weightsOf, writeTargets } from './common.js';

export type LtlOfflineOptions = GradientRuleOptions;

interface Bufs {
  u: number; s: number; x: number;          // histories: U[t], S[t] (maxSteps x nOut), input x[t-d] (layer 1: maxSteps x nIn)
  target: number; zeta: number; carry: number; dI: number; active: number;
  evIdx: number; evVal: number;             // a stored presynaptic row read back as events
  g: number; gb: number;                    // ∂L/∂W (fan-out major, like the weights), ∂L/∂b
}

export class LtlOffline extends GradientRule<Bufs> {
  readonly name = 'ltl-offline';

  constructor(opts: Partial<LtlOfflineOptions> = {}) {
    super('ltl-offline', opts);
  }

  reserve(plan: ArenaPlan, shape: ChipShape): void {
    checkSpikingShape(this.name, shape);
    const T = shape.maxSteps;
    const L = shape.layers.length;
    this.off = shape.layers.map((l, n) => plan.forLayer(n, () => {
      if (l.fixed) {
        const s = n < L - 1 && !shape.layers[n + 1].fixed ? plan.f32(T * l.nOut) : -1;
        return { u: -1, s, x: -1, target: -1, zeta: -1, carry: -1, dI: -1, active: -1, evIdx: -1, evVal: -1, g: -1, gb: -1 };
      }
      return {
        u: plan.f32(T * l.nOut), s: plan.f32(T * l.nOut), x: n === 0 ? plan.f32(T * l.nIn) : -1,
        target: plan.f32(l.nOut), zeta: plan.f32(l.nOut), carry: plan.f32(l.nOut), dI: plan.f32(l.nOut), active: plan.i32(l.nOut),
        evIdx: plan.i32(l.nIn), evVal: plan.f32(l.nIn), g: plan.f32(weightsOf(l)), gb: plan.f32(biasesOf(l)),
      };
    }));
  }

  setSample(s: SampleSupervision): void {
    if (!s.targets) throw new RangeError('ltl-offline needs the targets of every layer');
    this.setTargets(s.targets);
  }

  /** Targets ŷ_l of the sample about to run, one array per layer. */
  setTargets(targets: ArrayLike<number>[]): void {
    writeTargets(this.chip, this.bufs, targets);
  }

  /** Write U[t], S[t] (and layer 1's input x[t-d]) to the state memory. */
  afterStep(t: number): void {
    const chip = this.chip, k = chip.k;
    for (let l = 0; l < this.bufs.length; l++) {
      const p = chip.layers[l], bf = this.bufs[l], { nIn, nOut } = chip.spec.layers[l];
      if (bf.u >= 0) k.storeState(p.u, nOut, row(bf.u, nOut, t), p.cnt);
      if (bf.s >= 0) k.storeState(p.s[t & 1], nOut, row(bf.s, nOut, t), p.cnt);
      if (bf.x >= 0) {
        const ev = chip.preEvents(0);
        k.storeEvents(ev.idx, ev.val, ev.n, ev.analog, nIn, row(bf.x, nIn, t), p.cnt);
      }
    }
  }

  /** The stored row of S_{l-1}[t-d] that layer l integrated at step t, or -1 (S[k < 1] = 0). */
  private preRow(l: number, t: number): number {
    if (l === 0) return row(this.bufs[0].x, this.chip.spec.layers[0].nIn, t);
    const tt = t - this.chip.spec.delay;
    return tt >= 1 ? row(this.bufs[l - 1].s, this.chip.spec.layers[l - 1].nOut, tt) : -1;
  }

  /** Back-propagate every layer's loss through time; leaves ∂L/∂W, ∂L/∂b in the gradient buffers. */
  backward(steps: number): void {
    const chip = this.chip, k = chip.k, o = this.opts;
    const h = surrogateHeight(o);
    const reset = chip.spec.reset === 'subtract' ? RESET_SUBTRACT : RESET_ZERO;
    for (let l = 0; l < this.bufs.length; l++) {
      const p = chip.layers[l], bf = this.bufs[l], { nIn, nOut, fixed } = chip.spec.layers[l];
      if (fixed) continue;
      k.ltlOfflineError(nOut, steps, p.c, bf.target, bf.zeta, p.cnt);
      chip.f32(bf.carry, nOut).fill(0);
      for (let t = steps; t >= 1; t--) {
        const nA = k.surrogateBackStep(nOut, row(bf.u, nOut, t), row(bf.s, nOut, t), bf.zeta, p.thr, p.thrStride, p.leak, p.leakStride,
          reset, o.width, h, bf.carry, bf.dI, bf.active, p.cnt);
        const pre = this.preRow(l, t);
        const nEv = pre < 0 ? 0 : k.loadEvents(pre, nIn, bf.evIdx, bf.evVal, p.cnt);
        this.accumulateGrad(l, bf.evIdx, bf.evVal, nEv, 1, bf.dI, bf.active, nA);
      }
    }
  }

  /** W -= η ∂L/∂W, b -= η ∂L/∂b, written once; the gradients are cleared. */
  apply(): void {
    for (let l = 0; l < this.bufs.length; l++) this.applyWeights(l);
  }

  endSample(steps: number): void {
    this.backward(steps);
    this.apply();
  }

}
