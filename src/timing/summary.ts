/**
 * What the step timer keeps of a phase and what it reports: every step's latency (for exact
 * percentiles and a fixed-bin histogram), the slowest core of each step, each core's busy
 * cycles, each link's messages, and message and hop totals. Deterministic: no clocks, no
 * sampling; ties go to the lower index.
 */
import type { Mapping } from '../cost/mapping.js';
import type { Mesh } from './mesh.js';

export const HISTOGRAM_BINS = 40;
/** Hottest links reported. */
export const TOP_LINKS = 10;

export interface Distribution { meanS: number; p50S: number; p99S: number; maxS: number; minS: number }

export interface PhaseTiming {
  /** Simulated per step from the step's own activity (src/timing). */
  kind: 'simulated';
  steps: number;
  /** Latency of a time step: forward + learning + barrier. */
  stepLatency: Distribution;
  /** Fixed bins from minS to maxS (the last bin includes maxS). */
  histogram: { lowS: number; binS: number; counts: number[] };
  /** Mean per step of the slowest core's forward time, its learning time, and the barrier (s). */
  meanPhasesS: { forward: number; learning: number; barrier: number };
  /** End-of-sample learning updates (a learning phase and a barrier each). */
  updates: { count: number; meanS: number; maxS: number };
  /** Steps + updates (s). */
  totalS: number;
  barrierS: number;
  tilesUsed: number;
  /** Steps whose forward phase the busiest mesh link, not a core, made longest. */
  meshLimitedSteps: number;
  /** Cores that were the slowest in some step, most often first. */
  criticalCores: { core: number; steps: number; fraction: number }[];
  /** Per core: busy time (its busier pipeline + learning) and busy / total time. */
  cores: { core: number; x: number; y: number; busyS: number; utilisation: number; criticalSteps: number }[];
  /** The most loaded links (messages over the phase), hottest first. */
  hottestLinks: { from: { x: number; y: number }; to: { x: number; y: number }; dir: string; messages: number; maxPerStep: number; busyS: number }[];
  messages: { sent: number; fromInput: number; hopsX: number; hopsY: number; perStep: number };
}

/** What a TimingAccumulator has gathered, as plain data (a checkpoint keeps it; `load` continues from it). */
export interface AccumulatorState {
  coreBusy: Float64Array;
  critical: Float64Array;
  linkTotal: Float64Array;
  linkMax: Float64Array;
  /** Every step's latency so far (cycles). */
  lat: Float64Array;
  /** fwd, lrn, nUpd, updSum, updMax, sent, input, hopsX, hopsY, meshLimited. */
  sums: number[];
}

export class TimingAccumulator {
  /**
   * Per core: busy cycles and steps it was critical; per link: messages and the most in one step.
   * The step kernel adds to them while the phase is timed (src/timing/step-timer.ts copies them
   * into its arena when the phase begins and back when it ends, so the sums keep their order).
   */
  readonly coreBusy: Float64Array;
  readonly critical: Float64Array;
  readonly linkTotal: Float64Array;
  readonly linkMax: Float64Array;
  private lat = new Float64Array(1024);
  private n = 0;
  private fwd = 0;
  private lrn = 0;
  private nUpd = 0;
  private updSum = 0;
  private updMax = 0;
  private sent = 0;
  private input = 0;
  private hopsX = 0;
  private hopsY = 0;
  private meshLimited = 0;

  constructor(private readonly mapping: Mapping, private readonly mesh: Mesh, readonly learning: boolean,
    private readonly barrier: number, private readonly tilesUsed: number, private readonly hz: number) {
    const nC = mapping.cores.length;
    this.coreBusy = new Float64Array(nC);
    this.critical = new Float64Array(nC);
    this.linkTotal = new Float64Array(mesh.links);
    this.linkMax = new Float64Array(mesh.links);
  }

  addStep(cycles: number, fwd: number, lrn: number, meshLimited: boolean, sent: number, input: number, hx: number, hy: number): void {
    if (meshLimited) this.meshLimited++;
    if (this.n === this.lat.length) {
      const g = new Float64Array(this.lat.length * 2);
      g.set(this.lat);
      this.lat = g;
    }
    this.lat[this.n++] = cycles;
    this.fwd += fwd;
    this.lrn += lrn;
    this.sent += sent;
    this.input += input;
    this.hopsX += hx;
    this.hopsY += hy;
  }

  addUpdate(cycles: number): void {
    this.nUpd++;
    this.updSum += cycles;
    if (cycles > this.updMax) this.updMax = cycles;
  }

  /** Everything accumulated so far (copies), for a checkpoint (src/train/checkpoint.ts). */
  state(): AccumulatorState {
    return {
      coreBusy: this.coreBusy.slice(), critical: this.critical.slice(), linkTotal: this.linkTotal.slice(), linkMax: this.linkMax.slice(),
      lat: this.lat.slice(0, this.n),
      sums: [this.fwd, this.lrn, this.nUpd, this.updSum, this.updMax, this.sent, this.input, this.hopsX, this.hopsY, this.meshLimited],
    };
  }

  /** Continue from a state() of an accumulator of the same mapping and mesh (a resumed run). */
  load(st: AccumulatorState): void {
    const same = (a: Float64Array, b: Float64Array) => a.length === b.length;
    if (!same(st.coreBusy, this.coreBusy) || !same(st.critical, this.critical) || !same(st.linkTotal, this.linkTotal) || !same(st.linkMax, this.linkMax) || st.sums.length !== 10) {
      throw new RangeError('timing state of another mapping or mesh');
    }
    this.coreBusy.set(st.coreBusy);
    this.critical.set(st.critical);
    this.linkTotal.set(st.linkTotal);
    this.linkMax.set(st.linkMax);
    this.lat = new Float64Array(Math.max(1024, st.lat.length));
    this.lat.set(st.lat);
    this.n = st.lat.length;
    [this.fwd, this.lrn, this.nUpd, this.updSum, this.updMax, this.sent, this.input, this.hopsX, this.hopsY, this.meshLimited] = st.sums;
  }

  summary(): PhaseTiming {
    const s = (c: number) => c / this.hz;
    const n = this.n;
    const sorted = this.lat.slice(0, n).sort();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += sorted[i];
    // Nearest-rank percentiles of the exact per-step latencies.
    const pct = (p: number) => (n ? sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))] : 0);
    const min = n ? sorted[0] : 0, max = n ? sorted[n - 1] : 0;
    const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
    const bin = max > min ? (max - min) / HISTOGRAM_BINS : 0;
    for (let i = 0; i < n; i++) counts[bin > 0 ? Math.min(HISTOGRAM_BINS - 1, Math.floor((sorted[i] - min) / bin)) : 0]++;
    const totalC = sum + this.updSum;
    const cores = this.mapping.cores.map((c, i) => ({
      core: c.index, x: c.x, y: c.y, busyS: s(this.coreBusy[i]),
      utilisation: totalC > 0 ? this.coreBusy[i] / totalC : 0, criticalSteps: this.critical[i],
    }));
    const criticalCores = cores.filter((c) => c.criticalSteps > 0)
      .sort((a, b) => b.criticalSteps - a.criticalSteps || a.core - b.core)
      .map((c) => ({ core: c.core, steps: c.criticalSteps, fraction: n ? c.criticalSteps / n : 0 }));
    const links: number[] = [];
    for (let l = 0; l < this.linkTotal.length; l++) if (this.linkTotal[l] > 0) links.push(l);
    links.sort((a, b) => this.linkTotal[b] - this.linkTotal[a] || a - b);
    const hottestLinks = links.slice(0, TOP_LINKS).map((l) => {
      const e = this.mesh.linkEnds(l);
      return { ...e, messages: this.linkTotal[l], maxPerStep: this.linkMax[l], busyS: s(this.linkTotal[l] * this.mesh.linkLatency(l)) };
    });
    return {
      kind: 'simulated',
      steps: n,
      stepLatency: { meanS: n ? s(sum / n) : 0, p50S: s(pct(50)), p99S: s(pct(99)), maxS: s(max), minS: s(min) },
      histogram: { lowS: s(min), binS: s(bin), counts },
      meanPhasesS: { forward: n ? s(this.fwd / n) : 0, learning: n ? s(this.lrn / n) : 0, barrier: n ? s(this.barrier) : 0 },
      updates: { count: this.nUpd, meanS: this.nUpd ? s(this.updSum / this.nUpd) : 0, maxS: s(this.updMax) },
      totalS: s(totalC),
      barrierS: s(this.barrier),
      tilesUsed: this.tilesUsed,
      meshLimitedSteps: this.meshLimited,
      criticalCores,
      cores,
      hottestLinks,
      messages: { sent: this.sent, fromInput: this.input, hopsX: this.hopsX, hopsY: this.hopsY, perStep: n ? (this.sent + this.input) / n : 0 },
    };
  }
}
