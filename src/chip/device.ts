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
import type { ChipCore, Events } from './circuits.js';
import type { ChipSpec, DeviceSpec, Rounding } from './spec.js';
import type { HwModel } from '../cost/hwmodel.js';
import { IdealCircuits } from './ideal.js';
import { Rng } from '../host/rng.js';
import { DEV_WEIGHT_SATURATIONS, DEV_STATE_SATURATIONS } from '../reference/device.js';

export type {
  Rounding, ShiftRounding, MismatchSpec, QuantizationSpec, ThermalSpec, SilencingSpec, FixedPointSpec, DeviceSpec,
} from './spec.js';

export const SILENT_THRESHOLD = 3.4028234663852886e38; // the largest f32
export const GAUSS = Math.sqrt(3) / 65536;        // Irwin-Hall integer -> unit variance

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
 * shiftRounding (0 floor, 1 toward zero, 2 nearest), du (Loihi's current decay, default 4095).
 * A fixed-point chip of a model whose `neuron` is "loihi-cuba" runs Loihi's neuron (src/chip/loihi.ts).
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
      ...(model.neuron === 'loihi-cuba' ? { neuron: 'loihi-cuba' as const, du: ni(model, 'du', 4095) } : {}),
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
    check(f.neuron === undefined || f.neuron === 'algorithms' || f.neuron === 'loihi-cuba', `fixedPoint.neuron must be "algorithms" or "loihi-cuba", got ${JSON.stringify(f.neuron)}`);
  }
  check(spec.layers.every((l) => !l.conv), 'device non-idealities are modelled for dense layers only');
}

/**
 * The devices of a chip, f32 with non-idealities (mismatch, thermal noise, silencing): the
 * ideal circuits with the steps the devices change overridden. Built from the ChipSpec's
 * `device` before the arena is planned (host-side draws), reserved in the plan, then bound to
 * the chip (gains, generator states and, in subclasses, the number format written into the
 * arena). Quantized cells (src/chip/quantized.ts) and fixed point (src/chip/fixed-point.ts)
 * extend it; src/chip/variants.ts chooses one per chip.
 */
export class Device extends IdealCircuits {
  readonly spec: DeviceSpec;
  /** Integers in the arena (weights, bias, threshold, leak, current, membrane). */
  readonly fixed: boolean;
  readonly layers: DevLayer[];
  protected bound = false;

  constructor(chipSpec: ChipSpec, d: DeviceSpec) {
    super(chipSpec);
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

  override thresholdCount(l: number): number {
    const ls = this.chipSpec.layers[l];
    return this.layers[l].thresholds ? ls.nOut : ls.threshold.length;
  }

  /** Reserve the gains and generator states (chip memory, not learning memory). */
  override reserve(plan: ArenaPlan): void {
    this.layers.forEach((dl, n) => plan.forLayer(n, () => {
      if (dl.gain) dl.gainOff = plan.f32(dl.gain.length);
      dl.rngOff = plan.i32(4);
    }));
  }

  /** Called by the chip once its buffers hold the spec's values (f32): draws and formats go in. */
  override bind(core: ChipCore): void {
    super.bind(core);
    const b = core.k.base, mem = core.k.mem, spec = core.spec, d = this.spec;
    this.layers.forEach((dl, n) => {
      const ls = spec.layers[n], p = core.layers[n];
      dl.rngPtr = b + dl.rngOff;
      mem.u32.set(dl.seeds, dl.rngPtr >>> 2);
      if (dl.gain) {
        dl.gainPtr = b + dl.gainOff;
        mem.f32.set(dl.gain, dl.gainPtr >>> 2);
      }
      if (dl.thresholds) core.f32(p.thr, ls.nOut).set(dl.thresholds);
      const nominal = meanOf(ls.threshold);
      this.configure(n, nominal);
      if (d.thermal && d.thermal.sigma > 0 && !ls.readout) {
        const sigma = d.thermal.sigma * nominal;
        dl.noiseScale = Math.fround((dl.fixed ? sigma / dl.fixed.su : sigma) * GAUSS);
      }
      this.deploy(n);
    });
    this.bound = true;
  }

  /** The number format's parameters of layer n (quantization grid, fixed-point scales); f32 chips: none. */
  protected configure(_n: number, _nominalThreshold: number): void {}

  /** Layer n's f32 buffers put into the device's format at bind time (programmed cells, integers); f32 chips: nothing. */
  protected deploy(_n: number): void {}

  /** wmax of layer n: given per layer, or its largest |w| when the chip is built (times scale). */
  protected wmax(n: number, nominalThreshold: number, range: number[] | undefined, scale: number | undefined): number {
    if (range) return range[n];
    const w = this.chipSpec.layers[n].weights;
    let m = 0;
    for (let k = 0; k < w.length; k++) m = Math.max(m, Math.abs(w[k]));
    // A layer of zero (or denormal) weights gets its threshold as range: the grid needs a finite 1/step.
    return (m >= 1e-20 ? m : nominalThreshold) * (scale ?? 1);
  }

  // ---- forward --------------------------------------------------------------------------------

  /** Synaptic integration; with synapse mismatch every weight read is multiplied by its gain. */
  override integrate(l: number, ev: Events, dst: number): void {
    const dl = this.layers[l];
    if (!dl.gain) return super.integrate(l, ev, dst);
    const p = this.core.layers[l];
    this.core.k.integrateGain(p.wt, dl.gainPtr, this.core.spec.layers[l].nOut, ev.idx, ev.val, ev.n, ev.analog, p.bias, dst, p.cnt);
  }

  /** The soma, after the thermal noise is added to the step's input current. */
  protected override soma(l: number, prev: number, cur: number, reset: number): number {
    const dl = this.layers[l];
    if (dl.noiseScale !== 0) this.core.k.membraneNoise(this.core.layers[l].i, this.core.spec.layers[l].nOut, dl.noiseScale, dl.rngPtr);
    return super.soma(l, prev, cur, reset);
  }

  // ---- inspection -----------------------------------------------------------------------------

  /** Integers of a fixed-point buffer (weights 'wt', 'bias', 'thr', 'u', 'i') of layer l (a view). */
  ints(l: number, what: 'wt' | 'bias' | 'thr' | 'u' | 'i' | 'leak'): Int32Array {
    const p = this.core.layers[l], ls = this.core.spec.layers[l];
    const n = what === 'wt' ? ls.nIn * ls.nOut : what === 'thr' ? (p.thrStride ? ls.nOut : 1) : what === 'leak' ? (p.leakStride ? ls.nOut : 1) : ls.nOut;
    const ptr = p[what];
    return this.core.k.mem.i32.subarray(ptr >>> 2, (ptr >>> 2) + n);
  }

  /** Saturations counted so far on layer l. */
  saturations(l: number): { weight: number; state: number } {
    const c = this.core.counters(l);
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
