/**
 * Quantized cells on an f32 chip (CHIP-MODEL.md, "Device non-idealities", quantization): every
 * weight is one of `levels` values over [-wmax, wmax]; deployment programs each weight to its
 * nearest level, and every update goes through the cells as programming pulses with write
 * noise (assembly/device.ts: quantizeWeights, deviceOuterUpdate, deviceApply). The other
 * non-idealities (mismatch, thermal noise, silencing) are the f32 device's (src/chip/device.ts).
 */
import type { ChangeAccumulator, Events } from './circuits.js';
import { Device, GAUSS, QuantParams } from './device.js';

export class QuantizedDevice extends Device {
  /** Rules write the cells through learnWrite / learnApply (programming pulses), never directly. */
  override readonly writableWeights = false;

  protected override configure(n: number, nominalThreshold: number): void {
    const q = this.spec.quantization!, wmax = this.wmax(n, nominalThreshold, q.range, q.rangeScale), maxLevel = q.levels - 1;
    const step = Math.fround((2 * wmax) / maxLevel);
    this.layers[n].quant = {
      step, invStep: Math.fround(1 / step), half: maxLevel / 2, maxLevel,
      noiseScale: Math.fround((q.writeNoise ?? 0) * maxLevel * GAUSS), stochastic: q.rounding === 'stochastic' ? 1 : 0, wmax,
    };
  }

  protected override deploy(n: number): void {
    const q = this.layers[n].quant as QuantParams, p = this.core.layers[n], ls = this.core.spec.layers[n];
    this.core.k.quantizeWeights(p.wt, ls.nIn * ls.nOut, q.step, q.invStep, q.half, q.maxLevel, q.noiseScale, this.layers[n].rngPtr + 8, p.cnt);
  }

  override programWeights(l: number): void {
    if (this.bound) this.deploy(l);
  }

  /** At "step" the write goes through the cells (a fused writer); at "sample" into the rule's f32 accumulator. */
  override learnWrite(l: number, ev: Events, mPtr: number, activePtr: number, nActive: number, acc: ChangeAccumulator | null): void {
    if (acc) return super.learnWrite(l, ev, mPtr, activePtr, nActive, acc);
    const k = this.core.k, p = this.core.layers[l], q = this.layers[l].quant as QuantParams;
    k.deviceOuterUpdate(p.wt, p.bias, this.core.spec.layers[l].nOut, ev.idx, ev.val, ev.n, ev.analog, mPtr, activePtr, nActive, q.step, q.invStep, q.half, q.maxLevel, q.noiseScale, q.stochastic, this.layers[l].rngPtr + 4, p.cnt);
  }

  override learnApply(l: number, acc: ChangeAccumulator): void {
    const k = this.core.k, p = this.core.layers[l], { nIn, nOut } = this.core.spec.layers[l], q = this.layers[l].quant as QuantParams;
    k.deviceApply(p.wt, acc.g, nIn * nOut, p.bias, acc.gb, nOut, q.step, q.invStep, q.half, q.maxLevel, q.noiseScale, q.stochastic, this.layers[l].rngPtr + 4, p.cnt);
  }
}
