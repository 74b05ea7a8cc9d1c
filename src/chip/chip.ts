/**
 * A chip instance: layers of neurons laid out in one arena, stepped through time by the
 * circuits of its variant (ideal, with devices, fixed point: src/chip/circuits.ts, chosen once
 * at construction by src/chip/variants.ts), with an action counter block per layer. A learning rule
 * (src/rules/) is a set of extra circuits that reserves its own buffers in the same arena and
 * runs after the forward pass of each time step and at the end of each sample.
 */
import { ArenaPlan } from './arena.js';
import { Backend, Kernels, SPARE_BYTES, createKernels } from './kernels.js';
import { COUNTER_SLOTS } from '../reference/counters.js';
import { RESET_SUBTRACT, RESET_ZERO } from '../reference/neuron.js';
import type { Device } from './device.js';
import type { ChipCircuits, ChipCore, Events, LayerPtrs, ParallelWeights } from './circuits.js';
import { chooseCircuits } from './variants.js';
import { ChipSpec, Reset, weightCount } from './spec.js';
import type { ConvGeometry } from '../model/types.js';
import { convWeightCount, geometryBlock, checkGeometry, GEO_SLOTS } from '../reference/conv.js';

export type { Reset, LayerSpec, ChipSpec } from './spec.js';
export type { LayerPtrs, Events } from './circuits.js';
export { weightCount } from './spec.js';

/** What one sample gives the learning circuits: layer targets (LTL) or a label (readout rules). */
export interface SampleSupervision {
  /** ŷ_l per layer (already normalized), for rules with local targets. */
  targets?: ArrayLike<number>[];
  /** Class label, for rules with a readout loss. */
  label?: number;
}

/**
 * A learning rule is a set of circuits: it reserves its buffers in the chip's arena (their bytes
 * per layer are the rule's learning memory, measured, not guessed), binds to the chip, and runs
 * after every forward step and at the end of each sample.
 */
export interface ChipRule {
  readonly name: string;
  /**
   * The rule writes weights only through the chip's circuits (ChipCircuits.learnWrite /
   * learnApply), so it can train chips whose weight memory is not plain f32 (quantized cells,
   * fixed point). Absent: it writes the f32 weights directly.
   */
  readonly writesThroughCircuits?: boolean;
  /** The rule has circuits for convolutional layers (shared weights); others refuse such chips. */
  readonly trainsConv?: boolean;
  reserve(plan: ArenaPlan, chip: ChipShape): void;
  bind(chip: Chip): void;
  /** The supervision of the sample about to run. */
  setSample(s: SampleSupervision): void;
  /** Change the learning rate between samples (learning-rate schedules). */
  setLearningRate?(lr: number): void;
  /** After the forward pass of step t (1-based), all layers computed with the same weights. */
  afterStep(t: number): void;
  /** After the last step of the sample. */
  endSample(steps: number): void;
}

export interface ChipShape {
  inputSize: number;
  /**
   * thresholdPerNeuron / leakPerNeuron: the layer stores one value per neuron (stride 1), not one
   * per layer; rules that learn thresholds or leaks size their buffers from them.
   */
  layers: {
    nIn: number; nOut: number; readout: boolean; thresholdPerNeuron?: boolean; leakPerNeuron?: boolean;
    /** Convolution: its geometry, its stored (shared) weights and its biases (one per channel). */
    conv?: ConvGeometry; weights?: number; biases?: number;
    /** Fixed weights (average pooling): no rule learns them. */
    fixed?: boolean;
  }[];
  maxSteps: number;
  reset?: Reset;
  delay?: 0 | 1;
}

/** Options of a chip's construction. */
export interface ChipOptions {
  /** Put the kernels on shared memory, with this many more bytes for worker threads' own buffers (src/chip/threads.ts). */
  threadBytes?: number;
}

export class Chip implements ChipCore {
  readonly k: Kernels;
  readonly spec: ChipSpec;
  readonly layers: LayerPtrs[] = [];
  readonly maxCount: number;
  /** Spike counts of each layer's list per step parity; the input events' (src/chip/threads.ts reads the pointers). */
  private readonly nSpikes: [number, number][] = [];
  readonly inIdx: [number, number];
  readonly inVal: [number, number];
  private readonly inN: [number, number] = [0, 0];
  /** Set by src/chip/threads.ts: samples nothing observes run on several threads. */
  parallel?: ParallelSamples;
  private readonly xPtr: number;
  /** Σ_t o[t] of a readout layer over the current sample (the prediction is its argmax). */
  readonly readoutSum: Float64Array;
  /** Bytes of learning state the rule reserved, per layer (index -1: not tied to a layer). */
  readonly learningBytes: number[];
  /** Whether layer 1's input is analog (MAC) rather than spikes (AC). */
  analogInput = true;
  private t = 0;

  constructor(spec: ChipSpec, backend: Backend = 'wasm', rule?: ChipRule, options: ChipOptions = {}) {
    this.spec = spec;
    validateSpec(spec);
    const bits = spec.counterBits ?? 32;
    this.maxCount = bits >= 32 ? 0xffffffff : 2 ** bits - 1;
    const plan = new ArenaPlan();
    const { circuits, device } = chooseCircuits(spec);
    if (rule && !circuits.writableWeights && !rule.writesThroughCircuits) {
      throw new RangeError(`rule ${rule.name} writes weights directly: quantized or fixed-point chips need a rule that writes through the device (ltl-online)`);
    }
    this.circuits = circuits;
    this.device = device;
    const off = spec.layers.map((l, n) => {
      const thrN = circuits.thresholdCount(n), leakN = l.leak.length;
      return {
        wt: plan.f32(weightCount(l)), bias: plan.f32(l.bias.length), thr: plan.f32(thrN), thrN, leak: plan.f32(leakN),
        geo: l.conv ? plan.i32(GEO_SLOTS) : -1,
        i: plan.f32(l.nOut), u: plan.f32(l.nOut), s0: plan.f32(l.nOut), s1: plan.f32(l.nOut),
        x0: plan.i32(l.nOut), x1: plan.i32(l.nOut), c: plan.i32(l.nOut), cnt: plan.f64(COUNTER_SLOTS),
      };
    });
    circuits.reserve(plan);
    const inOff = { x: plan.f32(spec.inputSize), i0: plan.i32(spec.inputSize), i1: plan.i32(spec.inputSize), v0: plan.f32(spec.inputSize), v1: plan.f32(spec.inputSize) };
    if (rule && !rule.trainsConv && spec.layers.some((l) => l.conv)) {
      throw new RangeError(`rule ${rule.name} does not train conv layers yet`);
    }
    if (rule) {
      // Every byte the rule reserves, per layer, is its learning memory.
      const shape = this.shape();
      plan.owner = 'rule';
      rule.reserve(plan, shape);
      plan.owner = 'chip';
    }
    // SPARE_BYTES: room for the step timer's arena next to the chip's (src/timing/step-timer.ts reads the spike lists in place).
    this.k = createKernels(backend, plan.totalBytes, options.threadBytes !== undefined ? { extraBytes: options.threadBytes } : undefined, SPARE_BYTES);
    this.arenaBytes = plan.totalBytes;
    const b = this.k.base;
    spec.layers.forEach((l, n) => {
      const o = off[n];
      this.layers.push({
        wt: b + o.wt, bias: b + o.bias, thr: b + o.thr, thrStride: o.thrN === 1 ? 0 : 1,
        leak: b + o.leak, leakStride: l.leak.length === 1 ? 0 : 1, i: b + o.i, u: b + o.u,
        s: [b + o.s0, b + o.s1], spikeIdx: [b + o.x0, b + o.x1], c: b + o.c, cnt: b + o.cnt,
        geo: l.conv ? b + o.geo : -1,
      });
      if (l.conv) this.k.mem.i32.set(geometryBlock(l.conv), (b + o.geo) >>> 2);
      this.nSpikes.push([0, 0]);
      this.setWeights(n, l.weights);
      this.f32(this.layers[n].bias, l.bias.length).set(l.bias);
      this.f32(this.layers[n].thr, l.threshold.length).set(l.threshold);
      this.f32(this.layers[n].leak, l.leak.length).set(l.leak);
    });
    this.xPtr = b + inOff.x;
    this.inIdx = [b + inOff.i0, b + inOff.i1];
    this.inVal = [b + inOff.v0, b + inOff.v1];
    this.rule = rule;
    this.readoutSum = new Float64Array(spec.layers[spec.layers.length - 1].nOut);
    this.learningBytes = spec.layers.map((_, l) => plan.bytesOf('rule', l));
    circuits.bind(this);
    rule?.bind(this);
  }

  readonly rule?: ChipRule;
  /** The circuits of the chip's variant: every forward step and every rule's weight write goes through them. */
  readonly circuits: ChipCircuits;
  /** Bytes of the arena: every value the chip, its devices and its rule keep (weights, thresholds, leaks, rule buffers, counters). */
  readonly arenaBytes: number;

  /**
   * The whole arena as bytes (a view): between two samples it is the chip's and its rule's whole
   * learned state, so a checkpoint copies it and a resumed run writes it back (src/train/checkpoint.ts).
   * No pointer is stored in it, so it can be written back into a chip built from the same spec at another base.
   */
  arena(): Uint8Array {
    this.parallel?.settle();
    return new Uint8Array(this.k.mem.f32.buffer, this.k.base, this.arenaBytes);
  }

  /** The chip instance's devices (draws, saturations, formats) for inspection; null: the ideal chip. */
  readonly device: Device | null;

  shape(): ChipShape {
    return {
      inputSize: this.spec.inputSize, maxSteps: this.spec.maxSteps, reset: this.spec.reset, delay: this.spec.delay,
      layers: this.spec.layers.map((l) => ({
        nIn: l.nIn, nOut: l.nOut, readout: !!l.readout,
        thresholdPerNeuron: l.threshold.length !== 1, leakPerNeuron: l.leak.length !== 1,
        ...(l.conv ? { conv: l.conv, weights: weightCount(l), biases: l.bias.length } : {}),
        ...(l.fixed ? { fixed: true } : {}),
      })),
    };
  }

  /** A Float32Array view of n values at byte pointer p (valid for the chip's lifetime). */
  f32(p: number, n: number): Float32Array { return this.k.mem.f32.subarray(p >>> 2, (p >>> 2) + n); }
  u32(p: number, n: number): Uint32Array { return this.k.mem.u32.subarray(p >>> 2, (p >>> 2) + n); }

  /** Weights in the paper's orientation, nOut x nIn row-major (convolution: K x C x kh x kw) (a copy). */
  getWeights(l: number): Float32Array {
    const { nIn, nOut, conv } = this.spec.layers[l];
    const wt = this.circuits.storedWeights(l);
    if (conv) return convWeights(conv, wt, 'get');
    const w = new Float32Array(nIn * nOut);
    for (let j = 0; j < nIn; j++) for (let i = 0; i < nOut; i++) w[i * nIn + j] = wt[j * nOut + i];
    return w;
  }

  setWeights(l: number, w: Float32Array): void {
    this.parallel?.settle();
    const { nIn, nOut, conv } = this.spec.layers[l];
    if (conv) {
      this.f32(this.layers[l].wt, convWeightCount(conv)).set(convWeights(conv, w, 'set'));
      return;
    }
    const wt = this.f32(this.layers[l].wt, nIn * nOut);
    for (let j = 0; j < nIn; j++) for (let i = 0; i < nOut; i++) wt[j * nOut + i] = w[i * nIn + j];
    // Deployment onto a non-ideal chip: the device quantizes (programs) what was written.
    this.circuits.programWeights(l);
  }

  getBias(l: number): Float32Array { return this.circuits.bias(l); }
  /** Thresholds as stored: one per layer, or one per neuron (per-neuron mismatch, silencing, learned thresholds). */
  getThreshold(l: number): Float32Array { return this.circuits.threshold(l); }
  getLeak(l: number): Float32Array { return this.circuits.leak(l); }

  /** Membrane U[t] (readout: o[t]), spikes S[t] and spike counts C[t] of layer l after the current step. */
  membrane(l: number): Float32Array {
    // Fixed point: the integers in real units (a copy).
    return this.circuits.membrane(l);
  }
  spikes(l: number): Float32Array { return this.f32(this.layers[l].s[this.t & 1], this.spec.layers[l].nOut); }
  counts(l: number): Uint32Array { return this.u32(this.layers[l].c, this.spec.layers[l].nOut); }
  counters(l: number): Float64Array {
    const p = this.layers[l].cnt >>> 3;
    return this.k.mem.f64.subarray(p, p + COUNTER_SLOTS);
  }

  /** The current time step (0 before the first). */
  get step(): number { return this.t; }

  /** Zero the state of every neuron (U, S, C) at the start of a sample (ALGORITHMS §1: state at t = 0 is zero). */
  resetState(): void {
    this.t = 0;
    this.spec.layers.forEach((l, n) => {
      const p = this.layers[n];
      this.f32(p.u, l.nOut).fill(0);
      this.f32(p.i, l.nOut).fill(0);
      this.f32(p.s[0], l.nOut).fill(0);
      this.f32(p.s[1], l.nOut).fill(0);
      this.u32(p.c, l.nOut).fill(0);
      this.nSpikes[n][0] = 0;
      this.nSpikes[n][1] = 0;
    });
    this.inN[0] = 0;
    this.inN[1] = 0;
    this.readoutSum.fill(0);
  }

  /** The presynaptic events layer l integrated at the current step: S_{l-1}[t - d]. */
  preEvents(l: number): Events {
    const cur = this.t & 1;
    const slot = this.spec.delay === 0 ? cur : cur ^ 1;
    if (l === 0) return { idx: this.inIdx[slot], val: this.inVal[slot], n: this.inN[slot], analog: this.analogInput ? 1 : 0 };
    return { idx: this.layers[l - 1].spikeIdx[slot], val: 0, n: this.nSpikes[l - 1][slot], analog: 0 };
  }

  /** This step's events of layer l (l = -1: the input events), for the step timer (src/timing). */
  stepEvents(l: number): Events {
    const cur = this.t & 1;
    if (l < 0) return { idx: this.inIdx[cur], val: this.inVal[cur], n: this.inN[cur], analog: this.analogInput ? 1 : 0 };
    return { idx: this.layers[l].spikeIdx[cur], val: 0, n: this.nSpikes[l][cur], analog: 0 };
  }

  /** Forward pass of one time step with input x[t] (nothing learned here). */
  forward(x: Float32Array, xOffset = 0): void {
    const k = this.k, c = this.circuits;
    this.t++;
    const cur = this.t & 1, prev = cur ^ 1;
    const n = this.spec.inputSize;
    k.mem.f32.set(x.subarray(xOffset, xOffset + n), this.xPtr >>> 2);
    this.inN[cur] = c.gather(this.xPtr, n, this.inIdx[cur], this.inVal[cur]);
    const reset = this.spec.reset === 'subtract' ? RESET_SUBTRACT : RESET_ZERO;
    for (let l = 0; l < this.layers.length; l++) {
      const p = this.layers[l];
      const ls = this.spec.layers[l];
      const ev = this.preEvents(l);
      if (ls.readout) {
        c.integrate(l, ev, p.u);
        const o = this.membrane(l);
        for (let i = 0; i < ls.nOut; i++) this.readoutSum[i] += o[i];
        continue;
      }
      const ns = c.layerStep(l, ev, prev, cur, reset);
      this.nSpikes[l][cur] = ns;
      k.accumulate(p.spikeIdx[cur], ns, p.c, this.maxCount, p.cnt);
    }
  }

  /**
   * One sample: reset, then T steps of x (T rows of inputSize), the rule's circuits after each
   * step and at the end. `observe` sees the chip after every step (traces, monitors).
   */
  runSample(x: Float32Array, steps: number, learn: boolean, observe?: (t: number) => void): void {
    if (steps > this.spec.maxSteps) throw new RangeError(`time window ${steps} exceeds the chip's maxSteps ${this.spec.maxSteps}`);
    this.resetState();
    if (this.parallel) {
      // On several threads the steps run first; an observer then sees each step replayed: its
      // events, counters and step index as one thread leaves them (membranes: the last step's).
      const r = this.parallel.runSample(x, steps, learn && !!this.rule, !!observe);
      if (observe) {
        for (let t = 1; t <= steps; t++) {
          const c = this.parallel.replayStep(t);
          this.t = t;
          c.spikes.forEach((m, l) => { this.nSpikes[l][t & 1] = m; });
          this.inN[t & 1] = c.input;
          observe(t);
        }
      } else {
        this.t = steps;
        r.spikes.forEach((c, l) => { this.nSpikes[l][0] = c[0]; this.nSpikes[l][1] = c[1]; });
        this.inN[0] = r.input[0];
        this.inN[1] = r.input[1];
      }
      if (learn && this.rule) this.rule.endSample(steps);
      return;
    }
    const n = this.spec.inputSize;
    for (let t = 1; t <= steps; t++) {
      this.forward(x, (t - 1) * n);
      if (learn && this.rule) this.rule.afterStep(t);
      if (observe) observe(t);
    }
    if (learn && this.rule) this.rule.endSample(steps);
  }

  /** Index of the output neuron with the most spikes; ties broken by the larger membrane, then the lower index. */
  predict(): number {
    const l = this.layers.length - 1;
    const ls = this.spec.layers[l];
    if (ls.readout) return argmax(this.readoutSum);
    const u = this.membrane(l);
    const c = this.counts(l);
    let best = 0;
    for (let i = 1; i < ls.nOut; i++) {
      if (c[i] > c[best] || (c[i] === c[best] && u[i] > u[best])) best = i;
    }
    return best;
  }
}

/**
 * A convolution's weights between the paper's orientation (K x C x kh x kw, row-major) and the
 * stored one (row (c, dy, dx) holds the K weights one event reads at one offset); depthwise
 * weights are stored as given (C x kh x kw).
 */
function convWeights(g: ConvGeometry, src: Float32Array, dir: 'get' | 'set'): Float32Array {
  const out = new Float32Array(convWeightCount(g));
  if (g.depthwise) {
    out.set(src.subarray(0, out.length));
    return out;
  }
  const K = g.channels, taps = g.inChannels * g.kernelHeight * g.kernelWidth;
  for (let k = 0; k < K; k++) {
    for (let q = 0; q < taps; q++) {
      if (dir === 'set') out[q * K + k] = src[k * taps + q];
      else out[k * taps + q] = src[q * K + k];
    }
  }
  return out;
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

function validateSpec(spec: ChipSpec): void {
  if (spec.layers.length === 0) throw new RangeError('a chip needs at least one layer');
  let nIn = spec.inputSize;
  spec.layers.forEach((l, n) => {
    const where = `layer ${n} (${l.name})`;
    if (l.nIn !== nIn) throw new RangeError(`${where}: expected ${nIn} inputs, got ${l.nIn}`);
    if (l.conv) {
      const g = l.conv, bad = checkGeometry(g);
      if (bad) throw new RangeError(`${where}: ${bad}`);
      if (l.nIn !== g.inChannels * g.inHeight * g.inWidth) throw new RangeError(`${where}: a convolution over ${g.inChannels} x ${g.inHeight} x ${g.inWidth} has ${g.inChannels * g.inHeight * g.inWidth} inputs, not ${l.nIn}`);
      if (l.nOut !== g.channels * g.height * g.width) throw new RangeError(`${where}: a convolution to ${g.channels} x ${g.height} x ${g.width} has ${g.channels * g.height * g.width} neurons, not ${l.nOut}`);
      if (l.readout) throw new RangeError(`${where}: a readout cannot be a convolution`);
    }
    if (l.weights.length !== weightCount(l)) throw new RangeError(`${where}: weights must have ${weightCount(l)} values`);
    const nb = l.conv ? l.conv.channels : l.nOut;
    if (l.bias.length !== nb) throw new RangeError(`${where}: bias must have ${nb} values`);
    for (const [what, a] of [['threshold', l.threshold], ['leak', l.leak]] as const) {
      if (a.length !== 1 && a.length !== l.nOut) throw new RangeError(`${where}: ${what} must have 1 or ${l.nOut} values`);
    }
    if (l.readout && n !== spec.layers.length - 1) throw new RangeError(`${where}: only the last layer can be a readout`);
    nIn = l.nOut;
  });
}

/**
 * A chip's samples run by several threads (src/chip/threads.ts): Chip.runSample hands every
 * sample over (an observer then sees the steps replayed). runSample returns the spike counts of
 * every layer's list and of the input events per step parity (the chip's state after the last
 * step, as one thread leaves it).
 */
export interface ParallelSamples extends ParallelWeights {
  /** record: keep every step for replayStep. */
  runSample(x: Float32Array, steps: number, learn: boolean, record: boolean): { spikes: [number, number][]; input: [number, number] };
  /** The chip's events and counters as after step t of the recorded sample (steps in order); the step's event counts. */
  replayStep(t: number): { input: number; spikes: number[] };
  close(): void;
}
