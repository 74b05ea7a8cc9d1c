/**
 * The fixed-point chip with Loihi's current-based neuron (a hardware model whose `neuron` is
 * "loihi-cuba"), bit for bit as Lava's bit-accurate Dense + LIF (assembly/loihi.ts, twin
 * src/reference/loihi.ts; docs/loihi.md "On the chip" gives the mapping). Everything but the
 * soma is the fixed-point chip's (src/chip/fixed-point.ts): weights in [-wMax, wMax] LSBs of s_w,
 * membrane units s_u = s_w / 2^6 (Loihi's 6-bit MSB alignment), the same learning circuit.
 *
 * Buffers: the chip's current I holds Loihi's current u (so the chip zeroes it with the membrane
 * at the start of a sample), the membrane U holds v before its reset (what the boxcar gate and
 * the readings see), the leak buffer holds dv, the threshold buffer vth·2^6, the bias buffer
 * bias_mant·2^bias_exp. The variant adds per layer the dendrite's activation a (nOut i32) and
 * du (one i32), and, for an analog first layer, nOut zeros (the integration's bias is the soma's).
 */
import type { ArenaPlan } from './arena.js';
import type { ChangeAccumulator, ChipCore, Events } from './circuits.js';
import type { ChipSpec, DeviceSpec } from './spec.js';
import { FixedPointDevice, SILENT_THRESHOLD_FIXED } from './fixed-point.js';
import { SILENT_THRESHOLD } from './device.js';
import { ROUND_FLOOR } from '../reference/device.js';
import { LOIHI_RANGES, VTH_SHIFT } from '../reference/loihi.js';

const I32_MAX = 2147483647;
const DECAY_UNITY = 4096;
const [MANT_MIN, MANT_MAX] = LOIHI_RANGES.biasMant;
const [, EXP_MAX] = LOIHI_RANGES.biasExp;
const [, VTH_MAX] = LOIHI_RANGES.vth;
const [DU_MIN, DU_MAX] = LOIHI_RANGES.du;

interface LoihiBufs { aOff: number; duOff: number; zeroOff: number; a: number; du: number; zero: number }

export class LoihiDevice extends FixedPointDevice {
  private readonly bufs: LoihiBufs[];

  constructor(chipSpec: ChipSpec, d: DeviceSpec) {
    super(chipSpec, d);
    validateLoihi(d);
    this.bufs = chipSpec.layers.map(() => ({ aOff: -1, duOff: -1, zeroOff: -1, a: -1, du: -1, zero: -1 }));
  }

  override reserve(plan: ArenaPlan): void {
    super.reserve(plan);
    this.chipSpec.layers.forEach((l, n) => plan.forLayer(n, () => {
      const b = this.bufs[n];
      b.aOff = plan.i32(l.nOut);
      b.duOff = plan.i32(1);
      // Only layer 1 can receive analog input.
      if (n === 0) b.zeroOff = plan.i32(l.nOut);
    }));
  }

  override bind(core: ChipCore): void {
    super.bind(core);
    const base = core.k.base, i32 = core.k.mem.i32;
    this.bufs.forEach((b, n) => {
      b.a = base + b.aOff;
      b.du = base + b.duOff;
      i32[b.du >>> 2] = this.spec.fixedPoint!.du ?? DU_MAX;
      if (b.zeroOff >= 0) {
        b.zero = base + b.zeroOff;
        i32.fill(0, b.zero >>> 2, (b.zero >>> 2) + core.spec.layers[n].nOut);
      }
    });
  }

  /** The fixed-point deployment, then threshold, leak and bias as Loihi's registers. */
  protected override deploy(l: number): void {
    const core = this.core, p = core.layers[l], ls = core.spec.layers[l], f = this.format(l);
    const thr = core.f32(p.thr, p.thrStride ? ls.nOut : 1).slice();
    const leak = core.f32(p.leak, p.leakStride ? ls.nOut : 1).slice();
    const bias = core.f32(p.bias, ls.nOut).slice();
    super.deploy(l);
    const i32 = core.k.mem.i32;
    // vth in weight LSBs (17 bits); the soma compares v with vth·2^6 (membrane LSBs).
    i32.set(Int32Array.from(thr, (v) => (v >= SILENT_THRESHOLD ? SILENT_THRESHOLD_FIXED : loihiThresholdOf(v / f.sw))), p.thr >>> 2);
    i32.set(Int32Array.from(leak, dvOf), p.leak >>> 2);
    i32.set(Int32Array.from(bias, (v) => loihiBiasRegister(Math.round(v / f.su))), p.bias >>> 2);
  }

  // ---- forward --------------------------------------------------------------------------------

  /**
   * Loihi's Dense (weight exponent 0: s_w is the scale) or, for analog input to layer 1, the
   * graded-spike sum Σ w·x_q >> inputFractionBits (a floor, as Dense's negative weight exponent),
   * then Loihi's soma. The network's reset mode is not read: Loihi resets to zero.
   */
  override layerStep(l: number, ev: Events, prev: number, cur: number, _reset: number): number {
    const k = this.core.k, p = this.core.layers[l], nOut = this.core.spec.layers[l].nOut, b = this.bufs[l], f = this.format(l);
    if (ev.analog) {
      k.integrateFixed(p.wt, nOut, ev.idx, ev.val, ev.n, 1, f.xScale, f.shiftAnalog - f.shiftSpike, 0, b.zero, b.a, I32_MAX, ROUND_FLOOR, p.cnt);
    } else {
      k.loihiDendrite(p.wt, nOut, ev.idx, ev.n, 0, b.a, p.cnt);
    }
    return k.loihiNeuronStep(nOut, b.a, p.i, p.u, p.s[prev], p.s[cur], p.spikeIdx[cur], b.du, 0, p.leak, p.leakStride, p.bias, p.thr, p.thrStride, p.cnt);
  }

  // ---- the online learning circuit ------------------------------------------------------------

  /** The fixed-point write, then each bias back onto the mantissa-exponent grid of Loihi's bias register. */
  override learnWrite(l: number, ev: Events, mPtr: number, activePtr: number, nActive: number, acc: ChangeAccumulator | null): void {
    super.learnWrite(l, ev, mPtr, activePtr, nActive, acc);
    if (!acc) this.regridBias(l);
  }

  override learnApply(l: number, acc: ChangeAccumulator): void {
    super.learnApply(l, acc);
    this.regridBias(l);
  }

  /** Runs after every write at "step": in place, no view allocated on the hot path. */
  private regridBias(l: number): void {
    const i32 = this.core.k.mem.i32, at = this.core.layers[l].bias >>> 2, end = at + this.core.spec.layers[l].nOut;
    for (let i = at; i < end; i++) {
      const b = i32[i];
      // Already on the grid (every |b| <= 4095 is): nothing to do, the common case.
      if (b < MANT_MIN || b > MANT_MAX) i32[i] = loihiBiasRegister(b);
    }
  }

  // ---- reading the chip in real units --------------------------------------------------------

  /** Leak as the soma applies it: α = (4096 - dv) / 4096. */
  override leak(l: number): Float32Array {
    return Float32Array.from(this.ints(l, 'leak'), (dv) => (DECAY_UNITY - dv) / DECAY_UNITY);
  }

  /** Loihi's parameters of layer l as Lava takes them (for inspection and the tests). */
  loihiParams(l: number): { du: number; dv: Int32Array; vth: Int32Array; bias: Int32Array; weights: Int32Array } {
    const i32 = this.core.k.mem.i32;
    return {
      du: i32[this.bufs[l].du >>> 2],
      dv: this.ints(l, 'leak').slice(),
      vth: Int32Array.from(this.ints(l, 'thr'), (t) => (t === SILENT_THRESHOLD_FIXED ? t : t >> VTH_SHIFT)),
      bias: this.ints(l, 'bias').slice(),
      weights: this.ints(l, 'wt').slice(),
    };
  }
}

/** Refuses a fixed-point format that is not Loihi's (RangeError naming the field). */
function validateLoihi(d: DeviceSpec): void {
  const f = d.fixedPoint!;
  const bad = (what: string): never => { throw new RangeError(`device: the loihi-cuba neuron needs ${what}`); };
  if (f.stateBits !== 24) bad(`fixedPoint.stateBits 24 (u and v are 24 bits), got ${f.stateBits}`);
  if (f.activationShift !== 6) bad(`fixedPoint.activationShift 6 (Lava's act_shift = vth_shift = 6), got ${f.activationShift}`);
  if ((f.decayBits ?? 12) !== 12) bad(`fixedPoint.decayBits 12 (12-bit du, dv), got ${f.decayBits}`);
  if ((f.leak ?? 'multiply-shift') !== 'multiply-shift') bad(`fixedPoint.leak "multiply-shift", got ${JSON.stringify(f.leak)}`);
  // Lava's Dense weights: 8 bits with the sign, numWeightBits <= 8 (docs/loihi.md).
  if (f.weightBits > 8) bad(`fixedPoint.weightBits <= 8 (Loihi's weights are at most 8 bits with the sign), got ${f.weightBits}`);
  const du = f.du ?? DU_MAX;
  if (!Number.isInteger(du) || du < DU_MIN || du > DU_MAX) bad(`fixedPoint.du an integer in [${DU_MIN}, ${DU_MAX}], got ${du}`);
  if (d.thermal && d.thermal.sigma > 0) bad('no thermal noise (Loihi\'s own noise generator is not modelled)');
}

/** dv of a leak α: 4096 - round(α·4096), in [0, 4095] (α = 1: dv = 0, the voltage is kept; α < 1/8192: dv = 4095). */
export function dvOf(alpha: number): number {
  const aq = Math.max(0, Math.min(DECAY_UNITY, Math.round(alpha * DECAY_UNITY)));
  return Math.min(DU_MAX, DECAY_UNITY - aq);
}

/** The soma's threshold vth·2^6 of a threshold of x weight LSBs (vth = round(x), in [0, 2^17 - 1]). */
export function loihiThresholdOf(x: number): number {
  return Math.max(0, Math.min(VTH_MAX, Math.round(x))) << VTH_SHIFT;
}

/**
 * The nearest value bias_mant·2^bias_exp (13-bit signed mantissa, exponent 0..7) to b, with
 * the smallest exponent that holds it: exact for b in [-4096, 4095], clipped to
 * [-4096·2^7, 4095·2^7]. Ties of the mantissa round up.
 */
export function loihiBiasRegister(b: number): number {
  for (let e = 0; e <= EXP_MAX; e++) {
    const m = Math.round(b / 2 ** e);
    if (m >= MANT_MIN && m <= MANT_MAX) return m * 2 ** e;
  }
  return (b < 0 ? MANT_MIN : MANT_MAX) * 2 ** EXP_MAX;
}
