/**
 * Replay a Loihi case (src/trace/loihi-case.ts) on the Loihi kernels (assembly/loihi.ts, or the
 * TypeScript twin) and write its trace: per layer and step, the membrane v before its reset (`u`,
 * as ncsim.trace/1 names the membrane), Loihi's current u (`current`), spikes and spike counts,
 * all integers. Nothing is learned: `updates` and `events` are empty.
 *
 * Layer l at step t integrates S_{l-1}[t - d] (x for the first layer; d = neuron.delay). Lava's
 * Dense hands its sum to the neuron one step later, so a Lava network is d = 1.
 */
import { createKernels, Backend } from '../chip/kernels.js';
import { ArenaPlan } from '../chip/arena.js';
import { COUNTER_SLOTS } from '../reference/counters.js';
import { loihiWeights, loihiBias, loihiThreshold } from '../reference/loihi.js';
import type { LoihiCase } from './loihi-case.js';

export interface LoihiLayerTrace { u: number[][]; current: number[][]; s: number[][]; count: number[][] }
export interface LoihiTrace {
  format: 'ncsim.trace/1';
  steps: number;
  layers: Record<string, LoihiLayerTrace>;
  updates: Record<string, never>;
  events: Record<string, never>;
}

/** A spike counter that never saturates within a case (u32). */
const MAX_COUNT = 0xffffffff;

/** The integer weights each layer stores, nOut x nIn row-major (clipped and truncated as Lava's Dense does). */
export function loihiStoredWeights(c: LoihiCase): Int32Array[] {
  return c.layers.map((l) => loihiWeights(l.weights.flat(), l.numWeightBits));
}

export function runLoihiTrace(c: LoihiCase, backend: Backend = 'wasm'): LoihiTrace {
  const width = c.input[0].length;
  // Every buffer reserved once (byte offsets from k.base): x and its events, then per layer the
  // weights, activation a, current u, voltage v, spikes and their indices (two steps), bias, du,
  // dv, vth, spike counts and counters.
  const plan = new ArenaPlan();
  const xPtr = plan.f32(width), xIdx = plan.i32(width), xVal = plan.f32(width);
  const stored = loihiStoredWeights(c);
  const L = c.layers.map((l) => ({
    wt: plan.i32(l.nIn * l.nOut), a: plan.i32(l.nOut), cur: plan.i32(l.nOut), v: plan.i32(l.nOut),
    s: [plan.f32(l.nOut), plan.f32(l.nOut)], idx: [plan.i32(l.nOut), plan.i32(l.nOut)], nSpikes: [0, 0],
    bias: plan.i32(l.nOut), du: plan.i32(1), dv: plan.i32(1), vth: plan.i32(1), c: plan.i32(l.nOut), cnt: plan.f64(COUNTER_SLOTS),
  }));
  const k = createKernels(backend, plan.totalBytes);
  const i32 = k.mem.i32, f32 = k.mem.f32, u32 = k.mem.u32;
  const at = (p: number): number => (k.base + p) >>> 2;
  c.layers.forEach((l, n) => {
    const p = L[n];
    // fan-out major: row j holds the weights of input j
    for (let j = 0; j < l.nIn; j++) for (let i = 0; i < l.nOut; i++) i32[at(p.wt) + j * l.nOut + i] = stored[n][i * l.nIn + j];
    for (let i = 0; i < l.nOut; i++) i32[at(p.bias) + i] = loihiBias(l.biasMant[i], l.biasExp[i]);
    i32[at(p.du)] = l.du;
    i32[at(p.dv)] = l.dv;
    i32[at(p.vth)] = loihiThreshold(l.vth);
  });

  const layers: Record<string, { u: number[][]; current: number[][]; s: number[][]; count: number[][] }> = {};
  for (const l of c.layers) layers[l.name] = { u: [], current: [], s: [], count: [] };
  for (let t = 1; t <= c.steps; t++) {
    const cur = t & 1, prev = cur ^ 1;
    // the first layer's events: x[t - d] (zero before the first step)
    const row = t - c.neuron.delay >= 1 ? c.input[t - c.neuron.delay - 1] : null;
    f32.fill(0, at(xPtr), at(xPtr) + width);
    if (row) f32.set(row, at(xPtr));
    const xN = k.gatherEvents(k.base + xPtr, width, k.base + xIdx, k.base + xVal);
    c.layers.forEach((l, n) => {
      const p = L[n];
      let idx: number, nEv: number;
      if (n === 0) { idx = xIdx; nEv = xN; } else {
        const slot = c.neuron.delay === 0 ? cur : prev;
        idx = L[n - 1].idx[slot]; nEv = L[n - 1].nSpikes[slot];
      }
      k.loihiDendrite(k.base + p.wt, l.nOut, k.base + idx, nEv, l.weightExp, k.base + p.a, k.base + p.cnt);
      p.nSpikes[cur] = k.loihiNeuronStep(
        l.nOut, k.base + p.a, k.base + p.cur, k.base + p.v, k.base + p.s[prev], k.base + p.s[cur], k.base + p.idx[cur],
        k.base + p.du, 0, k.base + p.dv, 0, k.base + p.bias, k.base + p.vth, 0, k.base + p.cnt,
      );
      k.accumulate(k.base + p.idx[cur], p.nSpikes[cur], k.base + p.c, MAX_COUNT, k.base + p.cnt);
      const rec = layers[l.name];
      rec.u.push(Array.from(i32.subarray(at(p.v), at(p.v) + l.nOut)));
      rec.current.push(Array.from(i32.subarray(at(p.cur), at(p.cur) + l.nOut)));
      rec.s.push(Array.from(f32.subarray(at(p.s[cur]), at(p.s[cur]) + l.nOut)));
      rec.count.push(Array.from(u32.subarray(at(p.c), at(p.c) + l.nOut)));
    });
  }
  return { format: 'ncsim.trace/1', steps: c.steps, layers, updates: {}, events: {} };
}
