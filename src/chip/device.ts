/**
 * A chip instance's devices (CHIP-MODEL.md, "Device non-idealities"; ALGORITHMS §9): a
 * hardware model and a seed fix every non-ideality, drawn once when the chip is built and
 * reproduced bit for bit by the same seed. The non-idealities act inside the kernels
 * (assembly/device.ts, twins in src/reference/device.ts):
 *
 * - mismatch: a fixed multiplicative gain per synapse, Gaussian N(1, σ) (clipped at 0: a
 *   conductance is not negative) or log-normal exp(N(0, σ)), stored in the arena like the
 *   weights and applied on every weight read (integrateGain); and a gain per neuron on its
 *   threshold (σ_neuron, default σ; Gaussian gains clipped at 0.01), so the chip stores one
 *   threshold per neuron.
 * - quantization (float chips): every weight is one of `levels` values over [-wmax, wmax]
 *   (wmax per layer: the largest |w| the chip is built with, times rangeScale, unless given).
 *   Deployment programs every weight to its nearest level (after one write's noise). Every
 *   update ΔW goes through the device: p = round(ΔW / step) programming pulses (stochastic or
 *   nearest rounding); p = 0 leaves the cell alone (no write, no noise); otherwise the cell is
 *   written, landing p levels away plus its cycle-to-cycle noise (σ = writeNoise x 2 wmax,
 *   rounded to levels the same way), saturating at the ends (counted). Updates at "step" go
 *   through the device at every step (a fused writer: the step's ΔW is never stored), at
 *   "sample" the rule's accumulator G is written through it at the end. Biases are digital and
 *   stay float.
 * - thermal noise: Gaussian noise of σ x ϑ (ϑ the layer's nominal threshold) on the membrane of
 *   every spiking neuron at every step, added with the step's input current.
 * - silencing: a fraction of the neurons of each hidden spiking layer (the output layer too if
 *   asked) never fire: their threshold is the largest f32 (3.4028235e38; +Infinity would give
 *   ∞ x 0 = NaN in the subtract reset), so U >= ϑ never holds and their learning gate stays
 *   shut.
 * - fixed point: weights, bias, threshold, current and membrane are integers at the model's bit
 *   widths (see FixedPointSpec), spike counters at bits.accumulator (ChipSpec.counterBits).
 *
 * The random draws: host side (gains, silenced neurons, generator seeds) from the project's
 * seeded Rng (src/host/rng.ts); kernel side from xorshift32 generators whose states live in the
 * arena (assembly/device.ts says how Gaussians are made). A non-ideality at level 0 is not
 * built at all: the chip runs the ideal kernels, bit for bit the ideal chip.
 */
import type { ArenaPlan } from './arena.js';
import type { Chip, ChipSpec, Events } from './chip.js';
import type { HwModel } from '../cost/hwmodel.js';
import { Rng } from '../host/rng.js';
import {
  DEV_WEIGHT_SATURATIONS, DEV_STATE_SATURATIONS, ROUND_FLOOR, ROUND_TOWARD_ZERO, ROUND_NEAREST,
  LEAK_MULTIPLY_SHIFT, LEAK_BIT_SHIFT,
} from '../reference/device.js';

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

export const SILENT_THRESHOLD = 3.4028234663852886e38; // the largest f32
const SILENT_THRESHOLD_FIXED = 2147483647; // above any saturated membrane
const GAUSS = Math.sqrt(3) / 65536;        // Irwin-Hall integer -> unit variance

// ---------------------------------------------------------------------------------------------
// From a hardware model

/** What to build: a level per non-ideality ('model': the model's own value; 0 or absent: none). */
export interface DeviceAsk {
  /** σ of the gains. */
  mismatch?: number | 'model';
  /** Weight bits b: 2^b - 1 levels (the symmetric grid of DNN+NeuroSim's Q/C); 'model': nonIdealities.weightLevels or bits.weight. */
  quantization?: number | 'model';
  /** σ in threshold units. */
  thermal?: number | 'model';
  /** Fraction of neurons. */
  silencing?: number | 'model';
  /** Weight bits of the fixed-point chip; 'model': bits.weight. */
  fixedPoint?: number | 'model';
}

function ni(model: HwModel, key: string, fallback: number): number {
  return model.nonIdealities[key]?.value ?? fallback;
}

/**
 * The device spec of chip instance (model, seed) with the asked non-idealities. Keys of the
 * model's `nonIdealities` read here (all optional): mismatchSigma, mismatchLogNormal (1: log-normal),
 * weightLevels, writeVariationC2C, stochasticRounding (1: stochastic), thermalNoiseSigma,
 * silencedFraction, inputFractionBits, activationShift, decayBits, leakBitShift (1: v -= v >> k),
 * shiftRounding (0 floor, 1 toward zero, 2 nearest).
 */
export function deviceFor(model: HwModel, seed: number, ask: DeviceAsk): DeviceSpec {
  const d: DeviceSpec = { seed };
  const level = (v: number | 'model' | undefined, key: string): number => (v === 'model' ? ni(model, key, 0) : v ?? 0);
  const stochastic: Rounding = ni(model, 'stochasticRounding', 0) ? 'stochastic' : 'nearest';
  const m = level(ask.mismatch, 'mismatchSigma');
  if (m > 0) d.mismatch = { sigma: m, distribution: ni(model, 'mismatchLogNormal', 0) ? 'lognormal' : 'gaussian' };
  if (ask.quantization !== undefined && ask.quantization !== 0) {
    const levels = ask.quantization === 'model'
      ? ni(model, 'weightLevels', 2 ** model.bits.weight.value - 1)
      : 2 ** ask.quantization - 1;
    d.quantization = { levels, rounding: stochastic, writeNoise: ni(model, 'writeVariationC2C', 0) };
  }
  const th = level(ask.thermal, 'thermalNoiseSigma');
  if (th > 0) d.thermal = { sigma: th };
  const si = level(ask.silencing, 'silencedFraction');
  if (si > 0) d.silencing = { fraction: si };
  if (ask.fixedPoint !== undefined && ask.fixedPoint !== 0) {
    const rounding = (['floor', 'toward-zero', 'nearest'] as const)[ni(model, 'shiftRounding', 0)] ?? 'floor';
    d.fixedPoint = {
      weightBits: ask.fixedPoint === 'model' ? model.bits.weight.value : ask.fixedPoint,
      stateBits: model.bits.state.value,
      inputFractionBits: ni(model, 'inputFractionBits', 8),
      ...(model.nonIdealities.activationShift ? { activationShift: model.nonIdealities.activationShift.value } : {}),
      leak: ni(model, 'leakBitShift', 0) ? 'bit-shift' : 'multiply-shift',
      decayBits: ni(model, 'decayBits', 12),
      shiftRounding: rounding,
      updateRounding: model.nonIdealities.stochasticRounding && !model.nonIdealities.stochasticRounding.value ? 'nearest' : 'stochastic',
    };
  }
  return d;
}

/** True when the spec builds no non-ideality at all (the chip is the ideal chip). */
export function isIdeal(d: DeviceSpec | undefined): boolean {
  return !d || (!d.mismatch && !d.quantization && !d.thermal && !d.silencing && !d.fixedPoint);
}

// ---------------------------------------------------------------------------------------------
// The devices of one chip

export interface QuantParams { step: number; invStep: number; half: number; maxLevel: number; noiseScale: number; stochastic: number; wmax: number }

export interface FixedParams {
  sw: number; su: number; invSw: number; invSu: number; wMax: number; stateMax: number;
  xScale: number; xMax: number; shiftAnalog: number; shiftSpike: number;
  leakMode: number; decayBits: number; roundMode: number; stochastic: number; halfScale: number;
}

/** One layer's devices (host-side draws and the kernels' parameters). */
export interface DevLayer {
  gain: Float32Array | null;
  gainOff: number;
  gainPtr: number;
  /** Effective threshold per neuron (mismatch, silencing), or null: the spec's. */
  thresholds: Float32Array | null;
  silenced: Int32Array;
  quant: QuantParams | null;
  fixed: FixedParams | null;
  /** Membrane noise scale (membrane units or LSBs x sqrt(3) / 65536); 0: none. */
  noiseScale: number;
  /** Generator states: +0 membrane noise, +4 writes, +8 deployment. */
  rngOff: number;
  rngPtr: number;
  seeds: [number, number, number];
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new RangeError(`device: ${what}`);
}

const frac01 = (v: number | undefined): boolean => v === undefined || (Number.isFinite(v) && v >= 0 && v <= 1);

/** Throws a RangeError naming the field for a spec the devices cannot build. */
export function validateDevice(d: DeviceSpec, spec: ChipSpec): void {
  check(Number.isFinite(d.seed), `seed must be a finite number, got ${d.seed}`);
  if (d.mismatch) {
    check(Number.isFinite(d.mismatch.sigma) && d.mismatch.sigma >= 0, `mismatch.sigma must be >= 0, got ${d.mismatch.sigma}`);
    const ns = d.mismatch.neuronSigma;
    check(ns === undefined || (Number.isFinite(ns) && ns >= 0), `mismatch.neuronSigma must be >= 0, got ${ns}`);
  }
  if (d.quantization) {
    const q = d.quantization;
    check(Number.isInteger(q.levels) && q.levels >= 2 && q.levels <= 1 << 24, `quantization.levels must be an integer in [2, 2^24], got ${q.levels}`);
    check(q.writeNoise === undefined || (Number.isFinite(q.writeNoise) && q.writeNoise >= 0), `quantization.writeNoise must be >= 0, got ${q.writeNoise}`);
    check(q.rangeScale === undefined || q.rangeScale > 0, `quantization.rangeScale must be > 0, got ${q.rangeScale}`);
    check(q.range === undefined || (q.range.length === spec.layers.length && q.range.every((r) => r > 0)), `quantization.range must give one wmax > 0 per layer`);
  }
  if (d.thermal) check(Number.isFinite(d.thermal.sigma) && d.thermal.sigma >= 0, `thermal.sigma must be >= 0, got ${d.thermal.sigma}`);
  if (d.silencing) check(frac01(d.silencing.fraction), `silencing.fraction must be in [0, 1], got ${d.silencing.fraction}`);
  if (d.fixedPoint) {
    const f = d.fixedPoint;
    check(Number.isInteger(f.weightBits) && f.weightBits >= 2 && f.weightBits <= 16, `fixedPoint.weightBits must be an integer in [2, 16], got ${f.weightBits}`);
    check(Number.isInteger(f.stateBits) && f.stateBits >= 4 && f.stateBits <= 32, `fixedPoint.stateBits must be an integer in [4, 32], got ${f.stateBits}`);
    const xf = f.inputFractionBits ?? 8;
    check(Number.isInteger(xf) && xf >= 0 && xf <= 16, `fixedPoint.inputFractionBits must be an integer in [0, 16], got ${xf}`);
    check(f.activationShift === undefined || (Number.isInteger(f.activationShift) && f.activationShift >= 0 && f.activationShift <= 16), `fixedPoint.activationShift must be an integer in [0, 16], got ${f.activationShift}`);
    const db = f.decayBits ?? 12;
    check(Number.isInteger(db) && db >= 1 && db <= 20, `fixedPoint.decayBits must be an integer in [1, 20], got ${db}`);
    check(!d.mismatch || !(d.mismatch.sigma > 0), 'synapse mismatch (analog gains) and fixed point cannot be combined (neuron mismatch can: mismatch.sigma 0, neuronSigma > 0)');
    check(!d.quantization, 'quantization (a float chip\'s weight grid) and fixed point cannot be combined: fixed point has its own weight bits');
    check(f.range === undefined || (f.range.length === spec.layers.length && f.range.every((r) => r > 0)), `fixedPoint.range must give one wmax > 0 per layer`);
    check(spec.layers.every((l) => !l.readout), 'fixed point models spiking layers only (no readout layer)');
  }
  check(spec.layers.every((l) => !l.conv), 'device non-idealities are modelled for dense layers only');
}

/**
 * The devices of a chip: built from the ChipSpec's `device` before the arena is planned
 * (host-side draws), reserved in the plan, then bound to the chip (gains, generator states and
 * the number format written into the arena).
 */
export class Device {
  readonly spec: DeviceSpec;
  /** Integers in the arena (weights, bias, threshold, leak, current, membrane). */
  readonly fixed: boolean;
  readonly layers: DevLayer[];
  private chip!: Chip;
  private bound = false;

  constructor(chipSpec: ChipSpec, d: DeviceSpec) {
    validateDevice(d, chipSpec);
    this.spec = d;
    this.fixed = !!d.fixedPoint;
    const rng = new Rng(d.seed);
    const gainRng = rng.fork(), neuronRng = rng.fork(), silenceRng = rng.fork(), streamRng = rng.fork();
    const last = chipSpec.layers.length - 1;
    this.layers = chipSpec.layers.map((l, n) => {
      const spiking = !l.readout;
      const mm = d.mismatch;
      const logn = mm?.distribution === 'lognormal';
      let gain: Float32Array | null = null;
      if (mm && mm.sigma > 0) {
        gain = new Float32Array(l.nIn * l.nOut);
        for (let k = 0; k < gain.length; k++) {
          const z = gainRng.normal();
          gain[k] = logn ? Math.exp(mm.sigma * z) : Math.max(0, 1 + mm.sigma * z);
        }
      }
      let thresholds: Float32Array | null = null;
      const nsig = mm ? mm.neuronSigma ?? mm.sigma : 0;
      const silenced = new Int32Array(0);
      let silent = silenced;
      if (spiking && nsig > 0) {
        thresholds = new Float32Array(l.nOut);
        for (let i = 0; i < l.nOut; i++) {
          const z = neuronRng.normal();
          const g = logn ? Math.exp(nsig * z) : Math.max(0.01, 1 + nsig * z);
          thresholds[i] = (l.threshold.length === 1 ? l.threshold[0] : l.threshold[i]) * g;
        }
      }
      const si = d.silencing;
      if (spiking && si && si.fraction > 0 && (n < last || si.outputLayer)) {
        const count = Math.round(si.fraction * l.nOut);
        const order = new Int32Array(l.nOut).map((_, i) => i);
        for (let i = 0; i < count; i++) {
          const j = i + silenceRng.int(l.nOut - i);
          const t = order[i]; order[i] = order[j]; order[j] = t;
        }
        silent = order.slice(0, count).sort();
        if (count > 0) {
          thresholds ??= Float32Array.from({ length: l.nOut }, (_, i) => (l.threshold.length === 1 ? l.threshold[0] : l.threshold[i]));
          for (const i of silent) thresholds[i] = SILENT_THRESHOLD;
        }
      }
      const seed = (): number => streamRng.nextU32() || 0x9e3779b9;
      return {
        gain, gainOff: -1, gainPtr: -1, thresholds, silenced: silent, quant: null, fixed: null, noiseScale: 0,
        rngOff: -1, rngPtr: -1, seeds: [seed(), seed(), seed()],
      };
    });
  }

  /** Values of layer l's threshold buffer (1: one per layer; nOut: one per neuron). */
  thresholdCount(l: number, spec: ChipSpec): number {
    return this.layers[l].thresholds ? spec.layers[l].nOut : spec.layers[l].threshold.length;
  }

  /** Reserve the gains and generator states (chip memory, not learning memory). */
  reserve(plan: ArenaPlan): void {
    this.layers.forEach((dl, n) => plan.forLayer(n, () => {
      if (dl.gain) dl.gainOff = plan.f32(dl.gain.length);
      dl.rngOff = plan.i32(4);
    }));
  }

  /** Called by the chip once its buffers hold the spec's values (float): draws and formats go in. */
  bind(chip: Chip): void {
    this.chip = chip;
    const b = chip.k.base, mem = chip.k.mem, spec = chip.spec, d = this.spec;
    this.layers.forEach((dl, n) => {
      const ls = spec.layers[n], p = chip.layers[n];
      dl.rngPtr = b + dl.rngOff;
      mem.u32.set(dl.seeds, dl.rngPtr >>> 2);
      if (dl.gain) {
        dl.gainPtr = b + dl.gainOff;
        mem.f32.set(dl.gain, dl.gainPtr >>> 2);
      }
      if (dl.thresholds) chip.f32(p.thr, ls.nOut).set(dl.thresholds);
      const nominal = meanOf(ls.threshold);
      const wmaxOf = (range: number[] | undefined, scale: number | undefined): number => {
        if (range) return range[n];
        let m = 0;
        for (let k = 0; k < ls.weights.length; k++) m = Math.max(m, Math.abs(ls.weights[k]));
        // A layer of zero (or denormal) weights gets its threshold as range: the grid needs a finite 1/step.
        return (m >= 1e-20 ? m : nominal) * (scale ?? 1);
      };
      if (d.quantization) {
        const q = d.quantization, wmax = wmaxOf(q.range, q.rangeScale), maxLevel = q.levels - 1;
        const step = Math.fround((2 * wmax) / maxLevel);
        dl.quant = {
          step, invStep: Math.fround(1 / step), half: maxLevel / 2, maxLevel,
          noiseScale: Math.fround((q.writeNoise ?? 0) * maxLevel * GAUSS), stochastic: q.rounding === 'stochastic' ? 1 : 0, wmax,
        };
      }
      if (d.fixedPoint) dl.fixed = fixedParams(d.fixedPoint, wmaxOf(d.fixedPoint.range, d.fixedPoint.rangeScale), nominal);
      if (d.thermal && d.thermal.sigma > 0 && !ls.readout) {
        const sigma = d.thermal.sigma * nominal;
        dl.noiseScale = Math.fround((dl.fixed ? sigma / dl.fixed.su : sigma) * GAUSS);
      }
      if (dl.fixed) this.toFixed(n);
      else if (dl.quant) this.program(n);
    });
    this.bound = true;
  }

  /** The weights of layer l were just written as f32 (deployment): program them onto the device. */
  afterSetWeights(l: number): void {
    if (!this.bound) return;
    const dl = this.layers[l];
    if (dl.fixed) this.toFixedWeights(l);
    else if (dl.quant) this.program(l);
  }

  private program(l: number): void {
    const q = this.layers[l].quant as QuantParams, p = this.chip.layers[l], ls = this.chip.spec.layers[l];
    this.chip.k.quantizeWeights(p.wt, ls.nIn * ls.nOut, q.step, q.invStep, q.half, q.maxLevel, q.noiseScale, this.layers[l].rngPtr + 8, p.cnt);
  }

  /** Host-side conversion of the float buffers of layer l into the fixed-point format. */
  private toFixed(l: number): void {
    const chip = this.chip, p = chip.layers[l], ls = chip.spec.layers[l], f = this.layers[l].fixed as FixedParams;
    const mem = chip.k.mem;
    this.toFixedWeights(l);
    const bias = chip.f32(p.bias, ls.nOut);
    const bq = Int32Array.from(bias, (v) => clampInt(Math.round(v / f.su), f.stateMax));
    mem.i32.set(bq, p.bias >>> 2);
    const thrN = p.thrStride ? ls.nOut : 1;
    const thr = chip.f32(p.thr, thrN);
    mem.i32.set(Int32Array.from(thr, (v) => (v >= SILENT_THRESHOLD ? SILENT_THRESHOLD_FIXED : Math.max(1, clampInt(Math.round(v / f.su), f.stateMax)))), p.thr >>> 2);
    const leakN = p.leakStride ? ls.nOut : 1;
    const leak = chip.f32(p.leak, leakN);
    mem.i32.set(Int32Array.from(leak, (a) => leakParam(a, f)), p.leak >>> 2);
  }

  private toFixedWeights(l: number): void {
    const chip = this.chip, p = chip.layers[l], ls = chip.spec.layers[l], f = this.layers[l].fixed as FixedParams;
    const n = ls.nIn * ls.nOut, w = chip.f32(p.wt, n), out = new Int32Array(n);
    let sat = 0;
    for (let k = 0; k < n; k++) {
      const q = Math.round(w[k] / f.sw);
      if (Math.abs(q) > f.wMax) sat++;
      out[k] = clampInt(q, f.wMax);
    }
    chip.k.mem.i32.set(out, p.wt >>> 2);
    chip.counters(l)[DEV_WEIGHT_SATURATIONS] += sat;
  }

  // ---- forward --------------------------------------------------------------------------------

  /** Layer 1's input events (fixed point: quantized currents). */
  gather(xPtr: number, n: number, idxPtr: number, valPtr: number): number {
    const k = this.chip.k;
    const f = this.layers[0].fixed;
    if (!f) return k.gatherEvents(xPtr, n, idxPtr, valPtr);
    return k.gatherEventsFixed(xPtr, n, idxPtr, valPtr, f.xScale, f.xMax, this.chip.layers[0].cnt);
  }

  /** Synaptic integration of layer l into dst (the current I, or a readout's o). */
  integrate(l: number, ev: Events, dst: number): void {
    const k = this.chip.k, p = this.chip.layers[l], nOut = this.chip.spec.layers[l].nOut, dl = this.layers[l];
    if (dl.fixed) {
      const f = dl.fixed;
      k.integrateFixed(p.wt, nOut, ev.idx, ev.val, ev.n, ev.analog, f.xScale, f.shiftAnalog, f.shiftSpike, p.bias, dst, f.stateMax, f.roundMode, p.cnt);
    } else if (dl.gain) {
      k.integrateGain(p.wt, dl.gainPtr, nOut, ev.idx, ev.val, ev.n, ev.analog, p.bias, dst, p.cnt);
    } else {
      k.integrate(p.wt, nOut, ev.idx, ev.val, ev.n, ev.analog, p.bias, dst, p.cnt);
    }
  }

  /** Integration, membrane noise and soma of spiking layer l at one step; returns its spike count. */
  layerStep(l: number, ev: Events, prev: number, cur: number, reset: number): number {
    const k = this.chip.k, p = this.chip.layers[l], nOut = this.chip.spec.layers[l].nOut, dl = this.layers[l];
    this.integrate(l, ev, p.i);
    const f = dl.fixed;
    if (f) {
      if (dl.noiseScale !== 0) k.membraneNoiseFixed(p.i, nOut, dl.noiseScale, f.stateMax, dl.rngPtr, p.cnt);
      return k.neuronStepFixed(nOut, p.i, p.u, p.s[prev], p.s[cur], p.spikeIdx[cur], p.thr, p.thrStride, p.leak, p.leakStride, f.leakMode, f.decayBits, reset, f.stateMax, f.roundMode, p.cnt);
    }
    if (dl.noiseScale !== 0) k.membraneNoise(p.i, nOut, dl.noiseScale, dl.rngPtr);
    return k.neuronStep(nOut, p.i, p.u, p.s[prev], p.s[cur], p.spikeIdx[cur], p.thr, p.thrStride, p.leak, p.leakStride, reset, p.cnt);
  }

  // ---- the online learning circuit's access to the synapses ----------------------------------

  /** ltlOnlineSignal on this chip's number format (fixed point: an integer gate). */
  ltlSignal(l: number, targetPtr: number, t: number, width: number, height: number, errorMode: number, negLr: number, mPtr: number, activePtr: number): number {
    const k = this.chip.k, p = this.chip.layers[l], nOut = this.chip.spec.layers[l].nOut, f = this.layers[l].fixed;
    if (f) return k.ltlOnlineSignalFixed(nOut, p.c, targetPtr, p.u, p.thr, p.thrStride, t, (width / 2) * f.halfScale, height, errorMode, negLr, mPtr, activePtr, p.cnt);
    return k.ltlOnlineSignal(nOut, p.c, targetPtr, p.u, p.thr, p.thrStride, t, width, height, errorMode, negLr, mPtr, activePtr, p.cnt);
  }

  /**
   * The outer-product write m ⊗ S_pre of layer l: into the synapses now, through the device
   * (acc null), or into the rule's accumulator (acc: its G and Gb, float, written at the end).
   */
  outerUpdate(l: number, ev: Events, mPtr: number, activePtr: number, nActive: number, acc: { g: number; gb: number } | null): void {
    const k = this.chip.k, p = this.chip.layers[l], nOut = this.chip.spec.layers[l].nOut, dl = this.layers[l];
    if (acc) return k.outerUpdate(acc.g, acc.gb, nOut, ev.idx, ev.val, ev.n, ev.analog, mPtr, activePtr, nActive, 0, p.cnt);
    const q = dl.quant, f = dl.fixed, rng = dl.rngPtr + 4;
    if (f) k.fixedOuterUpdate(p.wt, p.bias, nOut, ev.idx, ev.val, ev.n, ev.analog, mPtr, activePtr, nActive, f.invSw, f.invSu, f.wMax, f.stateMax, f.stochastic, rng, p.cnt);
    else if (q) k.deviceOuterUpdate(p.wt, p.bias, nOut, ev.idx, ev.val, ev.n, ev.analog, mPtr, activePtr, nActive, q.step, q.invStep, q.half, q.maxLevel, q.noiseScale, q.stochastic, rng, p.cnt);
    else k.outerUpdate(p.wt, p.bias, nOut, ev.idx, ev.val, ev.n, ev.analog, mPtr, activePtr, nActive, 1, p.cnt);
  }

  /** End of a sample ("sample" updates): the accumulated G, Gb written through the device. */
  applyAccumulated(l: number, g: number, gb: number): void {
    const k = this.chip.k, p = this.chip.layers[l], { nIn, nOut } = this.chip.spec.layers[l], dl = this.layers[l];
    const q = dl.quant, f = dl.fixed, rng = dl.rngPtr + 4;
    if (f) k.fixedApply(p.wt, g, nIn * nOut, p.bias, gb, nOut, f.invSw, f.invSu, f.wMax, f.stateMax, f.stochastic, rng, p.cnt);
    else if (q) k.deviceApply(p.wt, g, nIn * nOut, p.bias, gb, nOut, q.step, q.invStep, q.half, q.maxLevel, q.noiseScale, q.stochastic, rng, p.cnt);
    else k.applyAccumulated(p.wt, g, nIn * nOut, p.bias, gb, nOut, p.cnt);
  }

  // ---- reading the chip in real units --------------------------------------------------------

  /** Weights of layer l, fan-out major, in real units (a copy). */
  storedWeights(l: number): Float32Array {
    const p = this.chip.layers[l], ls = this.chip.spec.layers[l], n = ls.nIn * ls.nOut, f = this.layers[l].fixed;
    if (!f) return this.chip.f32(p.wt, n).slice();
    return Float32Array.from(this.chip.k.mem.i32.subarray(p.wt >>> 2, (p.wt >>> 2) + n), (v) => v * f.sw);
  }

  /** Integers of a fixed-point buffer (weights 'wt', 'bias', 'thr', 'u', 'i') of layer l (a view). */
  ints(l: number, what: 'wt' | 'bias' | 'thr' | 'u' | 'i' | 'leak'): Int32Array {
    const p = this.chip.layers[l], ls = this.chip.spec.layers[l];
    const n = what === 'wt' ? ls.nIn * ls.nOut : what === 'thr' ? (p.thrStride ? ls.nOut : 1) : what === 'leak' ? (p.leakStride ? ls.nOut : 1) : ls.nOut;
    const ptr = p[what];
    return this.chip.k.mem.i32.subarray(ptr >>> 2, (ptr >>> 2) + n);
  }

  /** Real value of a fixed-point buffer of layer l: weights x s_w, the others x s_u (a copy). */
  real(l: number, what: 'bias' | 'thr' | 'u'): Float32Array {
    const f = this.layers[l].fixed as FixedParams;
    return Float32Array.from(this.ints(l, what), (v) => (what === 'thr' && v === SILENT_THRESHOLD_FIXED ? SILENT_THRESHOLD : v * f.su));
  }

  /** Leak of layer l as the chip applies it (fixed point: the α its integer stands for). */
  realLeak(l: number): Float32Array {
    const f = this.layers[l].fixed as FixedParams;
    return Float32Array.from(this.ints(l, 'leak'), (a) => (f.leakMode === LEAK_BIT_SHIFT ? (a === 0 ? 1 : 1 - 2 ** -a) : a / 2 ** f.decayBits));
  }

  /** Saturations counted so far on layer l. */
  saturations(l: number): { weight: number; state: number } {
    const c = this.chip.counters(l);
    return { weight: c[DEV_WEIGHT_SATURATIONS], state: c[DEV_STATE_SATURATIONS] };
  }

  /** Quantization grid of layer l (float chips): level k is (k - half) * step. */
  grid(l: number): { step: number; half: number; maxLevel: number; wmax: number } | null {
    const q = this.layers[l].quant;
    return q ? { step: q.step, half: q.half, maxLevel: q.maxLevel, wmax: q.wmax } : null;
  }

  /** Fixed-point scales of layer l: weight LSB s_w, membrane LSB s_u, and the integer limits. */
  scales(l: number): { sw: number; su: number; wMax: number; stateMax: number } | null {
    const f = this.layers[l].fixed;
    return f ? { sw: f.sw, su: f.su, wMax: f.wMax, stateMax: f.stateMax } : null;
  }
}

function meanOf(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length ? s / a.length : 1;
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
