/**
 * The bit-accurate fixed-point chip (CHIP-MODEL.md, "Device non-idealities", fixed point;
 * FixedPointSpec): weights, bias, threshold, leak, current and membrane are i32 integers in the
 * chip's own buffers (same byte pointers as the f32 chip), at the model's bit widths; the
 * circuits are assembly/device.ts's fixed-point kernels. Thermal noise, neuron mismatch and
 * silencing are the f32 device's draws (src/chip/device.ts), applied in LSBs. Readings
 * (weights, membrane, ...) are converted back to real units.
 */
import type { ChangeAccumulator, Events } from './circuits.js';
import type { FixedPointSpec } from './spec.js';
import { Device, FixedParams, SILENT_THRESHOLD } from './device.js';
import { DEV_WEIGHT_SATURATIONS, ROUND_FLOOR, ROUND_TOWARD_ZERO, ROUND_NEAREST, LEAK_MULTIPLY_SHIFT, LEAK_BIT_SHIFT } from '../reference/device.js';

export const SILENT_THRESHOLD_FIXED = 2147483647; // above any saturated membrane

export class FixedPointDevice extends Device {
  /** Rules write the integers through learnWrite / learnApply (rounded to LSBs), never directly. */
  override readonly writableWeights = false;

  /** Layer l's number format (scales, limits, leak and rounding modes); subclasses (other somas) read it too. */
  protected format(l: number): FixedParams {
    return this.layers[l].fixed as FixedParams;
  }

  protected override configure(n: number, nominalThreshold: number): void {
    const fp = this.spec.fixedPoint!;
    this.layers[n].fixed = fixedParams(fp, this.wmax(n, nominalThreshold, fp.range, fp.rangeScale), nominalThreshold);
  }

  /** Host-side conversion of the f32 buffers of layer l into the fixed-point format. */
  protected override deploy(l: number): void {
    const core = this.core, p = core.layers[l], ls = core.spec.layers[l], f = this.format(l);
    const mem = core.k.mem;
    this.toFixedWeights(l);
    const bias = core.f32(p.bias, ls.nOut);
    const bq = Int32Array.from(bias, (v) => clampInt(Math.round(v / f.su), f.stateMax));
    mem.i32.set(bq, p.bias >>> 2);
    const thrN = p.thrStride ? ls.nOut : 1;
    const thr = core.f32(p.thr, thrN);
    mem.i32.set(Int32Array.from(thr, (v) => (v >= SILENT_THRESHOLD ? SILENT_THRESHOLD_FIXED : Math.max(1, clampInt(Math.round(v / f.su), f.stateMax)))), p.thr >>> 2);
    const leakN = p.leakStride ? ls.nOut : 1;
    const leak = core.f32(p.leak, leakN);
    mem.i32.set(Int32Array.from(leak, (a) => leakParam(a, f)), p.leak >>> 2);
  }

  override programWeights(l: number): void {
    if (this.bound) this.toFixedWeights(l);
  }

  private toFixedWeights(l: number): void {
    const core = this.core, p = core.layers[l], ls = core.spec.layers[l], f = this.format(l);
    const n = ls.nIn * ls.nOut, w = core.f32(p.wt, n), out = new Int32Array(n);
    let sat = 0;
    for (let k = 0; k < n; k++) {
      const q = Math.round(w[k] / f.sw);
      if (Math.abs(q) > f.wMax) sat++;
      out[k] = clampInt(q, f.wMax);
    }
    core.k.mem.i32.set(out, p.wt >>> 2);
    core.counters(l)[DEV_WEIGHT_SATURATIONS] += sat;
  }

  // ---- forward --------------------------------------------------------------------------------

  /** Layer 1's input events: the quantized input currents. */
  override gather(xPtr: number, n: number, idxPtr: number, valPtr: number): number {
    const f = this.format(0);
    return this.core.k.gatherEventsFixed(xPtr, n, idxPtr, valPtr, f.xScale, f.xMax, this.core.layers[0].cnt);
  }

  override integrate(l: number, ev: Events, dst: number): void {
    const p = this.core.layers[l], f = this.format(l);
    this.core.k.integrateFixed(p.wt, this.core.spec.layers[l].nOut, ev.idx, ev.val, ev.n, ev.analog, f.xScale, f.shiftAnalog, f.shiftSpike, p.bias, dst, f.stateMax, f.roundMode, p.cnt);
  }

  protected override soma(l: number, prev: number, cur: number, reset: number): number {
    const k = this.core.k, p = this.core.layers[l], nOut = this.core.spec.layers[l].nOut, dl = this.layers[l], f = this.format(l);
    if (dl.noiseScale !== 0) k.membraneNoiseFixed(p.i, nOut, dl.noiseScale, f.stateMax, dl.rngPtr, p.cnt);
    return k.neuronStepFixed(nOut, p.i, p.u, p.s[prev], p.s[cur], p.spikeIdx[cur], p.thr, p.thrStride, p.leak, p.leakStride, f.leakMode, f.decayBits, reset, f.stateMax, f.roundMode, p.cnt);
  }

  // ---- the online learning circuit ------------------------------------------------------------

  /** The same circuit with an integer gate: the window p/2 in membrane LSBs. */
  override ltlSignal(l: number, targetPtr: number, t: number, width: number, height: number, errorMode: number, negLr: number, mPtr: number, activePtr: number): number {
    const p = this.core.layers[l], f = this.format(l);
    return this.core.k.ltlOnlineSignalFixed(this.core.spec.layers[l].nOut, p.c, targetPtr, p.u, p.thr, p.thrStride, t, (width / 2) * f.halfScale, height, errorMode, negLr, mPtr, activePtr, p.cnt);
  }

  /** At "step" the write rounds each change to LSBs; at "sample" it goes into the rule's f32 accumulator. */
  override learnWrite(l: number, ev: Events, mPtr: number, activePtr: number, nActive: number, acc: ChangeAccumulator | null): void {
    if (acc) return super.learnWrite(l, ev, mPtr, activePtr, nActive, acc);
    const p = this.core.layers[l], f = this.format(l);
    this.core.k.fixedOuterUpdate(p.wt, p.bias, this.core.spec.layers[l].nOut, ev.idx, ev.val, ev.n, ev.analog, mPtr, activePtr, nActive, f.invSw, f.invSu, f.wMax, f.stateMax, f.stochastic, this.layers[l].rngPtr + 4, p.cnt);
  }

  override learnApply(l: number, acc: ChangeAccumulator): void {
    const p = this.core.layers[l], { nIn, nOut } = this.core.spec.layers[l], f = this.format(l);
    this.core.k.fixedApply(p.wt, acc.g, nIn * nOut, p.bias, acc.gb, nOut, f.invSw, f.invSu, f.wMax, f.stateMax, f.stochastic, this.layers[l].rngPtr + 4, p.cnt);
  }

  // ---- reading the chip in real units --------------------------------------------------------

  override storedWeights(l: number): Float32Array {
    const f = this.format(l);
    return Float32Array.from(this.ints(l, 'wt'), (v) => v * f.sw);
  }

  override membrane(l: number): Float32Array { return this.real(l, 'u'); }
  override bias(l: number): Float32Array { return this.real(l, 'bias'); }
  override threshold(l: number): Float32Array { return this.real(l, 'thr'); }

  /** Leak of layer l as the chip applies it: the α its integer stands for. */
  override leak(l: number): Float32Array {
    const f = this.format(l);
    return Float32Array.from(this.ints(l, 'leak'), (a) => (f.leakMode === LEAK_BIT_SHIFT ? (a === 0 ? 1 : 1 - 2 ** -a) : a / 2 ** f.decayBits));
  }

  /** Real value of a buffer of layer l: integers x s_u (a silent threshold stays the largest f32) (a copy). */
  private real(l: number, what: 'bias' | 'thr' | 'u'): Float32Array {
    const f = this.format(l);
    return Float32Array.from(this.ints(l, what), (v) => (what === 'thr' && v === SILENT_THRESHOLD_FIXED ? SILENT_THRESHOLD : v * f.su));
  }
}

function clampInt(v: number, max: number): number {
  return v > max ? max : v < -max ? -max : v;
}

function fixedParams(f: FixedPointSpec, wmax: number, threshold: number): FixedParams {
  const wMax = 2 ** (f.weightBits - 1) - 1;
  const stateMax = 2 ** (f.stateBits - 1) - 1;
  const sw = wmax / wMax;
  const xf = f.inputFractionBits ?? 8;
  let shift = f.activationShift;
  if (shift === undefined) {
    // The most fraction bits that leave the threshold at most 1/8 of the membrane's range.
    shift = 0;
    while (shift < xf && (threshold / sw) * 2 ** (shift + 1) * 8 <= stateMax) shift++;
  }
  const su = sw / 2 ** shift;
  const decayBits = f.decayBits ?? 12;
  const roundMode = f.shiftRounding === 'toward-zero' ? ROUND_TOWARD_ZERO : f.shiftRounding === 'nearest' ? ROUND_NEAREST : ROUND_FLOOR;
  return {
    sw, su, invSw: Math.fround(1 / sw), invSu: Math.fround(1 / su), wMax, stateMax,
    xScale: 2 ** xf, xMax: 2 ** xf, shiftAnalog: xf - shift, shiftSpike: -shift,
    leakMode: f.leak === 'bit-shift' ? LEAK_BIT_SHIFT : LEAK_MULTIPLY_SHIFT, decayBits, roundMode,
    stochastic: f.updateRounding === 'nearest' ? 0 : 1, halfScale: 1 / su,
  };
}

/** α as the fixed-point soma's leak parameter (multiply-shift: α_q; bit shift: k, 0 = no leak). */
function leakParam(alpha: number, f: FixedParams): number {
  if (f.leakMode === LEAK_BIT_SHIFT) return alpha >= 1 ? 0 : Math.max(1, Math.min(30, Math.round(-Math.log2(1 - alpha))));
  const unity = 2 ** f.decayBits;
  return Math.max(0, Math.min(unity, Math.round(alpha * unity)));
}
