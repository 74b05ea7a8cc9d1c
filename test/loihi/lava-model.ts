// A second, plain implementation of Lava's bit-accurate Dense + LIF, written line by line from
// lava-nc/lava (src/lava/proc/lif/models.py AbstractPyLifModelFixed / PyLifModelBitAcc,
// src/lava/proc/dense/models.py PyDenseModelBitAcc, src/lava/utils/weightutils.py), apart from
// ncsim's kernels: numpy's int64 and int32 arrays are modelled with BigInt (BigInt.asIntN(32, x)
// is numpy's int32 wrap), one process object per Lava process, run in Lava's order.

const I32 = (x: bigint): bigint => BigInt.asIntN(32, x);
const sign = (x: bigint): bigint => (x > 0n ? 1n : x < 0n ? -1n : 0n);
const abs = (x: bigint): bigint => (x < 0n ? -x : x);

/** weightutils.determine_sign_mode, clip_weights(num_bits = 8), truncate_weights. */
export function lavaWeights(w: number[][], numWeightBits: number): bigint[][] {
  const flat = w.flat();
  const mode = Math.min(...flat) >= 0 ? 'EXCITATORY' : Math.max(...flat) <= 0 ? 'INHIBITORY' : 'MIXED';
  const mixed = mode === 'MIXED' ? 1n : 0n;
  const inhib = mode === 'INHIBITORY';
  // clip_weights
  let ws = w.map((r) => r.map((x) => BigInt(x)));
  if (inhib) ws = ws.map((r) => r.map((x) => -x));
  const minW = -(2n ** 8n) * mixed, maxW = 2n ** 8n - 1n;
  ws = ws.map((r) => r.map((x) => (x < minW ? minW : x > maxW ? maxW : x)));
  if (inhib) ws = ws.map((r) => r.map((x) => -x));
  // truncate_weights
  if (inhib) ws = ws.map((r) => r.map((x) => -x));
  const k = 8n - BigInt(numWeightBits) + mixed;
  ws = ws.map((r) => r.map((x) => (x >> k) << k));
  if (inhib) ws = ws.map((r) => r.map((x) => -x));
  return ws;
}

/** PyDenseModelBitAcc with num_message_bits = 0 (binary spikes). */
export class LavaDense {
  aBuff: bigint[];
  constructor(private weights: bigint[][], private weightExp: number) {
    this.aBuff = weights.map(() => 0n);
  }
  /** run_spk: send the buffered a_out (int32 channel), then accumulate this step's s_in. */
  runSpk(sIn: boolean[]): bigint[] {
    const sent = this.aBuff.map(I32);
    const aAccum = this.weights.map((row) => row.reduce((acc, w, j) => (sIn[j] ? acc + w : acc), 0n));
    this.aBuff = aAccum.map((a) => (this.weightExp > 0 ? a << BigInt(this.weightExp) : a >> BigInt(-this.weightExp)));
    return sent;
  }
}

/** PyLifModelBitAcc. `vBeforeReset` is recorded for the comparison only. */
export class LavaLif {
  u: bigint[];
  v: bigint[];
  vBeforeReset: bigint[];
  readonly dsOffset = 1n;
  readonly dmOffset = 0n;
  readonly maxUv = 2n ** 23n;
  readonly decayShift = 12n;
  readonly decayUnity = 2n ** 12n;
  readonly vthShift = 6n;
  readonly actShift = 6n;
  constructor(n: number, private du: number, private dv: number, private vth: number, private biasMant: number[], private biasExp: number[]) {
    this.u = new Array(n).fill(0n);
    this.v = new Array(n).fill(0n);
    this.vBeforeReset = new Array(n).fill(0n);
  }
  runSpk(aIn: bigint[]): boolean[] {
    // scale_bias
    const effectiveBias = this.biasMant.map((m, i) => {
      const e = this.biasExp[i];
      return I32(e >= 0 ? BigInt(m) << BigInt(e) : BigInt(m) >> BigInt(-e));
    });
    // scale_threshold
    const effectiveVth = I32(BigInt(this.vth) << this.vthShift);
    // subthr_dynamics: current
    const decayConstU = BigInt(this.du) + this.dsOffset;
    let decayedCurr = this.u.map((u) => u * (this.decayUnity - decayConstU));
    decayedCurr = decayedCurr.map((d) => sign(d) * (abs(d) >> this.decayShift));
    decayedCurr = decayedCurr.map(I32);
    const activationIn = aIn.map((a) => I32(a << this.actShift));
    decayedCurr = decayedCurr.map((d, i) => I32(d + activationIn[i]));
    let wrapped = decayedCurr.map((d) => (d > this.maxUv ? d - 2n * this.maxUv : d));
    wrapped = wrapped.map((w, i) => (w <= -this.maxUv ? decayedCurr[i] + 2n * this.maxUv : w));
    this.u = wrapped;
    // subthr_dynamics: voltage
    const decayConstV = BigInt(this.dv) + this.dmOffset;
    const neg = -this.maxUv + 1n, pos = this.maxUv - 1n;
    let decayedVolt = this.v.map((v) => v * (this.decayUnity - decayConstV));
    decayedVolt = decayedVolt.map((d) => sign(d) * (abs(d) >> this.decayShift));
    decayedVolt = decayedVolt.map(I32);
    const updated = decayedVolt.map((d, i) => I32(I32(d + this.u[i]) + effectiveBias[i]));
    this.v = updated.map((x) => (x < neg ? neg : x > pos ? pos : x));
    // spiking_activation, reset_voltage
    this.vBeforeReset = this.v.slice();
    const s = this.v.map((v) => v > effectiveVth);
    this.v = this.v.map((v, i) => (s[i] ? 0n : v));
    return s;
  }
}

export interface LavaLayer {
  weights: number[][]; weightExp: number; numWeightBits: number;
  biasMant: number[]; biasExp: number[]; du: number; dv: number; vth: number;
}

/** A chain input -> Dense -> LIF -> Dense -> LIF ...: per step, every process's run_spk in Lava's dataflow order. */
export function runLava(layers: LavaLayer[], input: number[][]): { v: bigint[][][]; u: bigint[][][]; s: boolean[][][] } {
  const dense = layers.map((l) => new LavaDense(lavaWeights(l.weights, l.numWeightBits), l.weightExp));
  const lif = layers.map((l) => new LavaLif(l.weights.length, l.du, l.dv, l.vth, l.biasMant, l.biasExp));
  const out = { v: layers.map(() => [] as bigint[][]), u: layers.map(() => [] as bigint[][]), s: layers.map(() => [] as boolean[][]) };
  for (const row of input) {
    let spikes = row.map((x) => x !== 0);
    layers.forEach((_, l) => {
      const aIn = dense[l].runSpk(spikes);
      spikes = lif[l].runSpk(aIn);
      out.v[l].push(lif[l].vBeforeReset.slice());
      out.u[l].push(lif[l].u.slice());
      out.s[l].push(spikes.slice());
    });
  }
  return out;
}
