/**
 * The ideal f32 chip's circuits (ALGORITHMS §1-§7): the kernels of src/chip/kernels.ts on the
 * chip's buffers, dense layers and convolutions (shared weights). The device variants
 * (src/chip/device.ts and its subclasses) override the steps their devices change.
 */
import type { ArenaPlan } from './arena.js';
import type { ChangeAccumulator, ChipCircuits, ChipCore, Events } from './circuits.js';
import { ChipSpec, weightCount } from './spec.js';

export class IdealCircuits implements ChipCircuits {
  readonly writableWeights: boolean = true;
  protected core!: ChipCore;

  constructor(protected readonly chipSpec: ChipSpec) {}

  thresholdCount(l: number): number {
    return this.chipSpec.layers[l].threshold.length;
  }

  reserve(_plan: ArenaPlan): void {}

  bind(core: ChipCore): void {
    this.core = core;
  }

  programWeights(_l: number): void {}

  gather(xPtr: number, n: number, idxPtr: number, valPtr: number): number {
    return this.core.k.gatherEvents(xPtr, n, idxPtr, valPtr);
  }

  integrate(l: number, ev: Events, dst: number): void {
    const k = this.core.k, p = this.core.layers[l], ls = this.core.spec.layers[l];
    if (ls.conv) k.convIntegrate(p.geo, p.wt, ev.idx, ev.val, ev.n, ev.analog, p.bias, dst, p.cnt);
    else k.integrate(p.wt, ls.nOut, ev.idx, ev.val, ev.n, ev.analog, p.bias, dst, p.cnt);
  }

  layerStep(l: number, ev: Events, prev: number, cur: number, reset: number): number {
    this.integrate(l, ev, this.core.layers[l].i);
    return this.soma(l, prev, cur, reset);
  }

  /** The soma of spiking layer l on the current I: U, S and the spike list; returns the spike count. */
  protected soma(l: number, prev: number, cur: number, reset: number): number {
    const p = this.core.layers[l];
    return this.core.k.neuronStep(this.core.spec.layers[l].nOut, p.i, p.u, p.s[prev], p.s[cur], p.spikeIdx[cur], p.thr, p.thrStride, p.leak, p.leakStride, reset, p.cnt);
  }

  ltlSignal(l: number, targetPtr: number, t: number, width: number, height: number, errorMode: number, negLr: number, mPtr: number, activePtr: number): number {
    const p = this.core.layers[l];
    return this.core.k.ltlOnlineSignal(this.core.spec.layers[l].nOut, p.c, targetPtr, p.u, p.thr, p.thrStride, t, width, height, errorMode, negLr, mPtr, activePtr, p.cnt);
  }

  learnWrite(l: number, ev: Events, mPtr: number, activePtr: number, nActive: number, acc: ChangeAccumulator | null): void {
    const k = this.core.k, p = this.core.layers[l], ls = this.core.spec.layers[l];
    const dst = acc ? acc.g : p.wt, dstBias = acc ? acc.gb : p.bias, writes = acc ? 0 : 1;
    if (ls.conv) k.convOuterUpdate(p.geo, dst, dstBias, ev.idx, ev.val, ev.n, ev.analog, mPtr, activePtr, nActive, writes, p.cnt);
    else k.outerUpdate(dst, dstBias, ls.nOut, ev.idx, ev.val, ev.n, ev.analog, mPtr, activePtr, nActive, writes, p.cnt);
  }

  learnApply(l: number, acc: ChangeAccumulator): void {
    // On several threads the weights and changes are in the threads' blocks while samples run.
    if (this.core.parallel?.learnApply(l)) return;
    const p = this.core.layers[l], ls = this.core.spec.layers[l];
    this.core.k.applyAccumulated(p.wt, acc.g, weightCount(ls), p.bias, acc.gb, ls.bias.length, p.cnt);
  }

  storedWeights(l: number): Float32Array {
    this.core.parallel?.settle();
    return this.core.f32(this.core.layers[l].wt, weightCount(this.core.spec.layers[l]));
  }

  membrane(l: number): Float32Array {
    return this.core.f32(this.core.layers[l].u, this.core.spec.layers[l].nOut);
  }

  bias(l: number): Float32Array {
    this.core.parallel?.settle();
    return this.core.f32(this.core.layers[l].bias, this.core.spec.layers[l].bias.length).slice();
  }

  threshold(l: number): Float32Array {
    const p = this.core.layers[l];
    return this.core.f32(p.thr, p.thrStride ? this.core.spec.layers[l].nOut : 1).slice();
  }

  leak(l: number): Float32Array {
    return this.core.f32(this.core.layers[l].leak, this.core.spec.layers[l].leak.length).slice();
  }
}
